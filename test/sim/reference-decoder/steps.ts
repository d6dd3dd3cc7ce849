/**
 * The vocabulary of the reference layouts: how IB's own decoders (EDecoder / EOrderDecoder in the Java, Python and
 * C# clients, and faithful ports such as scmhub/ibapi for Go) read each token. Written from those public sources, not
 * from src/sim, so a mistake in the simulator's tables cannot hide in here too.
 *
 * s   readStr: any text. Must not be the unset-double literal (a client keeping it as a string echoes it back).
 * i   readInt / readLong: an integer, "" reads as 0.
 * im  readIntMax (SHOW_UNSET): an integer or "" (unset).
 * f   readDouble: a number, "" reads as 0. The unset literal only where `unsetAllowed` (TWS itself sends it there).
 * fm  readDoubleMax (SHOW_UNSET): a number or "" (unset). TWS writes unset as "", never as the literal.
 * d   readDecimal: a decimal or "" (unset).
 * b   readBoolFromInt: an integer, "" reads as false.
 */
export type TokenType = "s" | "i" | "im" | "f" | "fm" | "d" | "b";

export type Values = Record<string, unknown>;

/** One token. `since`/`until`: present for since <= serverVersion < until. */
export interface TokenStep {
  readonly type: TokenType;
  readonly name: string;
  readonly since?: number;
  readonly until?: number;
  /** The unset-double literal is what TWS sends here when there is no value (e.g. commissionReport.realizedPNL). */
  readonly unsetAllowed?: boolean;
}

/** A count, then that many repetitions of `item`. */
export interface ListStep {
  readonly list: string;
  readonly item: readonly Step[];
  readonly since?: number;
  readonly until?: number;
}

/** Steps read only when `when` holds for what was read so far (IB's "if secType == FUND", "if hedgeType != ''"). */
export interface BranchStep {
  readonly when: (values: Values, serverVersion: number) => boolean;
  readonly then: readonly Step[];
}

export type Step = TokenStep | ListStep | BranchStep;

export const t = (type: TokenType, name: string, gate: { since?: number; until?: number } = {}): TokenStep => ({
  type,
  name,
  ...gate,
});
export const since = (version: number, type: TokenType, name: string): TokenStep => ({ type, name, since: version });
export const unsetOk = (name: string): TokenStep => ({ type: "f", name, unsetAllowed: true });
export const list = (name: string, item: readonly Step[], gate: { since?: number } = {}): ListStep => ({
  list: name,
  item,
  ...gate,
});
export const branch = (when: BranchStep["when"], then: readonly Step[]): BranchStep => ({ when, then });

/** Shorthand: `fields("s:symbol s:secType f:strike")`. */
export function fields(spec: string): TokenStep[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((part) => {
      const [type, name] = part.split(":") as [TokenType, string];
      return { type, name };
    });
}
