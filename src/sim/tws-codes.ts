/** The TWS message codes the simulator sends, named once so tests and handlers agree on them. */
export const TwsCode = {
  /** A request whose fields do not match its layout. */
  ERROR_READING_REQUEST: 320,
  /** A handler failed; the request was well-formed. */
  ERROR_PROCESSING_REQUEST: 322,
  CLIENT_ID_IN_USE: 326,
  /** "No security definition has been found for the request": a contract TWS cannot find (or not uniquely). */
  NO_SECURITY_DEFINITION: 200,
  /** A well-formed frame whose message id the simulator does not implement (TWS: "out of date"). */
  UNSUPPORTED_REQUEST: 503,
  /** Refusal of a 33rd concurrent client. */
  TOO_MANY_CLIENTS: 502,
  /** More than the allowed messages per second from one client; repeated, the connection is dropped. */
  MAX_RATE_EXCEEDED: 100,
  /** Every market data line of the login is in use. */
  MAX_TICKERS: 101,
  /** Historical data service error; the simulator sends it for pacing violations. */
  HISTORICAL_DATA_ERROR: 162,
  /** Every market depth subscription of the login is in use. */
  MAX_DEPTH_REQUESTS: 309,
  /** "Error validating request": a well-formed request with values TWS rejects (bar size, duration, tick type...). */
  VALIDATION_ERROR: 321,
  CONNECTIVITY_LOST: 1100,
  CONNECTIVITY_RESTORED_DATA_LOST: 1101,
  CONNECTIVITY_RESTORED_DATA_MAINTAINED: 1102,
  /** Gateway-to-server connection broken (farms); TWS restores it by itself. */
  CONNECTIVITY_BROKEN: 2110,
  MARKET_DATA_FARM_OK: 2104,
  HMDS_FARM_OK: 2106,
  SEC_DEF_FARM_OK: 2158,
} as const;

/** TWS's "no request id": errMsg with this id is a notice, not a request failure. */
export const NO_REQUEST_ID = -1;

/** Concurrent API clients per TWS / IB Gateway. */
export const MAX_CLIENTS = 32;
