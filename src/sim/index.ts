/**
 * The IB Gateway simulator: a TCP server speaking the TWS socket protocol as @stoqey/ib 1.6.10 expects it.
 */
export { DEFAULT_ACCOUNT_COUNT } from "./accounts.js";
export { type CancelTimer, type Clock, ManualClock, type SimClock, systemClock } from "./clock.js";
export { type AdminServer, startAdminServer } from "./control/admin-server.js";
export type { ConnectivityLoss, DataRestore, SimulatorControl, SimulatorStatus } from "./control/control.js";
export type { EndMarkerHold } from "./control/end-marker-gate.js";
export type { ClientSession, RequestHandler } from "./handlers/registry.js";
export type { HistoricalPacingOptions, LimitOptions } from "./limits/options.js";
export type { AccountStreamOptions } from "./portfolio/stream-options.js";
export { MAX_SERVER_VERSION, MIN_SERVER_VERSION } from "./server-version.js";
export {
  DEFAULT_SEED,
  defaultAlwaysOpen,
  Simulator,
  type SimulatorAddress,
  type SimulatorOptions,
} from "./simulator.js";
export { MAX_CLIENTS, NO_REQUEST_ID, TwsCode } from "./tws-codes.js";
export type { ProtocolViolation, ViolationKind } from "./violations.js";
export { encodeFrame, encodeHandshake, FrameReader, MAX_FRAME_LENGTH } from "./wire/frame.js";
export { decodeMessage, encodeMessage, type MessageLayout, type MessageValues } from "./wire/layout.js";
