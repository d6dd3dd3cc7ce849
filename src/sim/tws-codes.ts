/** The TWS message codes the simulator sends, named once so tests and handlers agree on them. */
export const TwsCode = {
  /** A request whose fields do not match its layout. */
  ERROR_READING_REQUEST: 320,
  /** A handler failed; the request was well-formed. */
  ERROR_PROCESSING_REQUEST: 322,
  CLIENT_ID_IN_USE: 326,
  /** A well-formed frame whose message id the simulator does not implement (TWS: "out of date"). */
  UNSUPPORTED_REQUEST: 503,
  /** Refusal of a 33rd concurrent client. */
  TOO_MANY_CLIENTS: 502,
  MARKET_DATA_FARM_OK: 2104,
  HMDS_FARM_OK: 2106,
  SEC_DEF_FARM_OK: 2158,
} as const;

/** TWS's "no request id": errMsg with this id is a notice, not a request failure. */
export const NO_REQUEST_ID = -1;

/** Concurrent API clients per TWS / IB Gateway. */
export const MAX_CLIENTS = 32;
