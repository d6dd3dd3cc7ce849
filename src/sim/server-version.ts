/**
 * Server versions the simulator speaks. Below 176 the layouts are not maintained; 193 is the newest @stoqey/ib 1.6.10
 * accepts. A real gateway answers min(its max, the client's max), so tests pin the simulator's max to reach 176/187.
 */
export const MIN_SERVER_VERSION = 176;
export const MAX_SERVER_VERSION = 193;

/** Version gates used by the layout tables (names as in the IB clients' MIN_SERVER_VER). */
export const ServerVersion = {
  FA_PROFILE_DESUPPORT: 177,
  PENDING_PRICE_REVISION: 178,
  FUND_DATA_FIELDS: 179,
  LAST_TRADE_DATE: 182,
  CUSTOMER_ACCOUNT: 183,
  PROFESSIONAL_CUSTOMER: 184,
  BOND_ACCRUED_INTEREST: 185,
  INELIGIBILITY_REASONS: 186,
  RFQ_FIELDS: 187,
  BOND_TRADING_HOURS: 188,
  INCLUDE_OVERNIGHT: 189,
  UNDO_RFQ_FIELDS: 190,
  PERM_ID_AS_LONG: 191,
  CME_TAGGING_FIELDS: 192,
  CME_TAGGING_FIELDS_IN_OPEN_ORDER: 193,
} as const;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** Parses the handshake payload: "v100..193" or "v176", optionally followed by " connectOptions". */
export function parseVersionRange(payload: string): VersionRange | undefined {
  const match = /^v(\d+)(?:\.\.(\d+))?(?: .*)?$/s.exec(payload);
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  return min <= max ? { min, max } : undefined;
}

/** The version to answer, or undefined when the client cannot speak one the simulator supports. */
export function negotiateVersion(client: VersionRange, simulatorMax: number): number | undefined {
  const chosen = Math.min(client.max, simulatorMax);
  return chosen >= client.min && chosen >= MIN_SERVER_VERSION ? chosen : undefined;
}

export function assertSupportedVersion(version: number): void {
  if (!Number.isInteger(version) || version < MIN_SERVER_VERSION || version > MAX_SERVER_VERSION) {
    throw new RangeError(
      `server version ${version} is not supported: expected an integer ${MIN_SERVER_VERSION}..${MAX_SERVER_VERSION}`,
    );
  }
}
