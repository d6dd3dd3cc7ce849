import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { CALLER } from "../auth/caller.js";
import { GATEWAY_HEADER } from "../gateway/gateway-pool.js";
import { metrics } from "../metrics/registry.js";
import { CALL_STATE, type CallState, recordCall } from "./call-log.js";
import { procedureOf } from "./error-interceptor.js";

export type Protocol = "grpc" | "grpc-web" | "connect";

/**
 * One log line per call, written when the call is over: for streams that is the end of the stream, so the duration
 * is the stream's lifetime and the code its final status ("canceled" when the client went away). The line carries
 * the procedure, protocol, code, duration, peer, token id, gateway and, for failures, the error message.
 */
export function loggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const state: CallState = req.contextValues.get(CALL_STATE) ?? {
      caller: req.contextValues.get(CALLER),
      procedure: procedureOf(req),
      protocol: protocolOf(req.header),
      start: performance.now(),
      streaming: req.stream || req.method.methodKind !== "unary",
      observed: false,
    };
    state.observed = true;
    const gatewayHeader = req.header.get(GATEWAY_HEADER);
    const done = (err: unknown) => {
      const error = err === undefined ? undefined : ConnectError.from(err);
      recordCall(logger, state, { code: error?.code, error: error?.rawMessage, gatewayHeader });
    };
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (err) {
      done(err);
      throw err;
    }
    if (!res.stream) {
      done(undefined);
      return res;
    }
    return { ...res, message: observeEnd(res.message, req.signal, state.procedure, done) };
  };
}

/** Connect interceptors do not see the protocol; the content type tells it (Connect GET requests have none). */
export function protocolOf(header: Headers): Protocol {
  const type = header.get("content-type") ?? "";
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return "connect";
}

async function* observeEnd<T>(
  stream: AsyncIterable<T>,
  signal: AbortSignal,
  procedure: string,
  done: (err: unknown) => void,
) {
  metrics.rpcStreamsActive.inc({ procedure });
  // Until proven otherwise the reader abandoned the stream (the client cancelled or disconnected).
  let outcome: unknown = new ConnectError("canceled by the client", Code.Canceled);
  try {
    yield* stream;
    // A handler that returns because its signal fired ended for that reason, not successfully.
    outcome = signal.aborted ? signal.reason : undefined;
  } catch (err) {
    outcome = err;
    throw err;
  } finally {
    metrics.rpcStreamsActive.dec({ procedure });
    done(outcome);
  }
}
