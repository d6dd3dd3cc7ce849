import { Code, type ContextValues, createContextKey } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import type { Caller } from "../auth/caller.js";
import { PROCEDURES } from "../auth/scopes.js";
import { metrics } from "../metrics/registry.js";

/**
 * What the server knows of one call from its first byte to its log line. The front layer creates it (so calls it
 * refuses are logged too), the logging interceptor completes it, handlers add the gateway that served them.
 */
export interface CallState {
  caller: Caller;
  /** "/ibrpc.v1.X/Y" as requested (may name no procedure: 404s are calls too). */
  procedure: string;
  protocol: "grpc" | "grpc-web" | "connect" | "http";
  /** performance.now() when the request arrived. */
  start: number;
  streaming: boolean;
  /** Set once the call reached the interceptors: they log it; otherwise the front layer does from the response. */
  observed: boolean;
  /** The gateway that served the call, when a handler said so ({@link noteGateway}). */
  gateway?: string;
}

export const CALL_STATE = createContextKey<CallState | undefined>(undefined, { description: "ibrpc call state" });

/**
 * Tells the call's log line which gateway served it: `noteGateway(ctx.values, gw.name)`. A call that names its
 * gateway with the `ib-gateway` header is logged with that name without this.
 */
export function noteGateway(values: ContextValues, gateway: string): void {
  const state = values.get(CALL_STATE);
  if (state) state.gateway = gateway;
}

/** Codes that mean the server, not the caller, has a problem: worth a warning. */
const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss, Code.Unimplemented]);

/** Writes THE line of a finished call and counts it in the metrics. */
export function recordCall(
  logger: Logger,
  state: CallState,
  outcome: { code: Code | undefined; error?: string; gatewayHeader?: string | null },
): void {
  const durationMs = performance.now() - state.start;
  const code = outcome.code === undefined ? "ok" : codeToString(outcome.code);
  const line: Record<string, unknown> = {
    procedure: state.procedure,
    protocol: state.protocol,
    code,
    durationMs: Math.round(durationMs * 10) / 10,
    peer: state.caller.peer,
    tokenId: state.caller.tokenId,
  };
  const gateway = state.gateway ?? outcome.gatewayHeader ?? undefined;
  if (gateway) line.gateway = gateway;
  if (outcome.error !== undefined) line.error = outcome.error;
  if (state.streaming) line.stream = true;
  if (outcome.code !== undefined && SERVER_FAULTS.has(outcome.code)) logger.warn(line, "rpc");
  else logger.info(line, "rpc");

  // Label values stay bounded: a path that names no procedure is counted as "other", never by its text.
  const procedure = PROCEDURES.has(state.procedure) ? state.procedure : "other";
  metrics.rpcCalls.inc({ procedure, protocol: state.protocol, code });
  if (!state.streaming) metrics.rpcDuration.observe({ procedure, protocol: state.protocol }, durationMs / 1000);
}
