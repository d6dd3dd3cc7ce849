import { Code } from "@connectrpc/connect";
import { IbMessageKind } from "../../gen/ibrpc/v1/common_pb.js";

/**
 * How ibrpc reads IB's message codes (EWrapper.error). IB uses one callback for failures, warnings and system
 * notices; treating a notice as a failure ends healthy calls, and treating a connectivity message as a plain error
 * misses a reconnect. This table is the one place that decides.
 */
export interface IbCodeClass {
  kind: IbMessageKind;
  /** The gRPC code a call fails with when IB answers it with this message (errors only). */
  grpc: Code;
}

const NOTICE: IbCodeClass = { kind: IbMessageKind.NOTICE, grpc: Code.Unknown };
const CONNECTIVITY: IbCodeClass = { kind: IbMessageKind.CONNECTIVITY, grpc: Code.Unavailable };

const error = (grpc: Code): IbCodeClass => ({ kind: IbMessageKind.ERROR, grpc });

/** Codes whose meaning we know; anything else falls back by range in {@link classifyIbCode}. */
const KNOWN: ReadonlyMap<number, IbCodeClass> = new Map<number, IbCodeClass>([
  // Pacing and capacity.
  [100, error(Code.ResourceExhausted)], // max rate of messages per second exceeded
  [101, error(Code.ResourceExhausted)], // max number of tickers reached
  [162, error(Code.ResourceExhausted)], // historical market data service error (pacing violation, no data)
  [309, error(Code.ResourceExhausted)], // max number of market depth requests reached
  [420, error(Code.ResourceExhausted)], // invalid real-time query / pacing
  // Not found.
  [200, error(Code.NotFound)], // no security definition has been found
  [430, error(Code.NotFound)], // fundamentals data not available
  // Caller's mistake.
  [103, error(Code.AlreadyExists)], // duplicate order id
  [321, error(Code.InvalidArgument)], // error validating request
  [320, error(Code.InvalidArgument)], // error reading request
  [322, error(Code.InvalidArgument)], // error processing request
  [110, error(Code.InvalidArgument)], // price does not conform to minimum variation
  [387, error(Code.InvalidArgument)], // unsupported order type
  [10318, error(Code.InvalidArgument)],
  // State of the world forbids it.
  [201, error(Code.FailedPrecondition)], // order rejected
  [202, error(Code.Canceled)], // order cancelled
  [203, error(Code.PermissionDenied)], // security not available / allowed for this account
  [354, error(Code.PermissionDenied)], // requested market data is not subscribed
  [10090, error(Code.PermissionDenied)], // part of requested market data is not subscribed
  [10197, error(Code.PermissionDenied)], // no market data during competing live session
  [10186, error(Code.PermissionDenied)],
  [161, error(Code.FailedPrecondition)], // cancel attempted when order is not in a cancellable state
  [10147, error(Code.NotFound)], // order id to cancel not found
  [10148, error(Code.FailedPrecondition)], // order cannot be cancelled
  [326, error(Code.Unavailable)], // client id already in use
  // The gateway cannot serve right now.
  [502, error(Code.Unavailable)], // couldn't connect to TWS
  [503, error(Code.Unavailable)], // TWS is out of date
  [504, error(Code.Unavailable)], // not connected
  [507, error(Code.Unavailable)], // bad message length
  [1300, error(Code.Unavailable)], // socket port reset
  // Connectivity between the gateway and IB.
  [1100, CONNECTIVITY], // connectivity between IB and TWS lost
  [1101, CONNECTIVITY], // restored, data lost (subscriptions must be re-sent)
  [1102, CONNECTIVITY], // restored, data maintained
  [2110, CONNECTIVITY], // connectivity between TWS and server is broken
  [2103, CONNECTIVITY], // market data farm connection is broken
  [2105, CONNECTIVITY], // HMDS data farm connection is broken
  [2157, CONNECTIVITY], // sec-def data farm connection is broken
  // Notices that end nothing.
  [2100, NOTICE], // account data unsubscribed
  [2104, NOTICE], // market data farm connection is OK
  [2106, NOTICE], // HMDS data farm connection is OK
  [2107, NOTICE], // HMDS data farm connection is inactive but available
  [2108, NOTICE], // market data farm connection is inactive but available
  [2109, NOTICE], // order event warning: outside regular trading hours
  [2119, NOTICE], // market data farm is connecting
  [2137, NOTICE], // cross side warning
  [2158, NOTICE], // sec-def data farm connection is OK
  [2168, NOTICE], // etrade-only attribute not supported
  [2169, NOTICE], // firm-quote-only attribute not supported
  [10089, NOTICE], // market data requires additional subscription; delayed data available
  [10167, NOTICE], // displaying delayed market data
  [10168, NOTICE], // market data not subscribed, delayed data not enabled
  [399, NOTICE], // order message: warning (e.g. will not be placed until market opens)
]);

/** Classifies an IB message code. Unknown codes in IB's 2100-2199 warning range are notices; others are errors. */
export function classifyIbCode(code: number): IbCodeClass {
  const known = KNOWN.get(code);
  if (known) return known;
  if (code >= 2100 && code < 2200) return NOTICE;
  return error(Code.Unknown);
}

/** True for codes that only inform: they never fail or end a call. */
export function isNotice(code: number): boolean {
  return classifyIbCode(code).kind === IbMessageKind.NOTICE;
}
