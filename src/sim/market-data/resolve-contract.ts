import type { ClientSession } from "../handlers/registry.js";
import { TwsCode } from "../tws-codes.js";
import type { ContractQuery, Instrument } from "../world/index.js";
import { NO_SECURITY_DEFINITION } from "../world/index.js";

/** The instrument a market or historical data request names, with the exchange it asked for. */
export interface RequestedContract {
  readonly instrument: Instrument;
  readonly exchange: string;
}

/**
 * Exactly one instrument, or error 200 on `reqId` (unknown or ambiguous, as TWS answers both) and undefined. Every
 * market data request goes through here so they all refuse the same way.
 */
export function resolveOrReject(
  session: ClientSession,
  reqId: number,
  query: ContractQuery,
): RequestedContract | undefined {
  const resolution = session.sim.world.catalog.resolve(query);
  if (resolution.kind === "one") return resolution.match;
  session.sendError(reqId, TwsCode.NO_SECURITY_DEFINITION, NO_SECURITY_DEFINITION);
  return undefined;
}
