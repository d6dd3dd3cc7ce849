/**
 * Typed wire fields: how one value becomes one token and back. The conventions mirror @stoqey/ib 1.6.10's decoder
 * (the judge of what the client understands) and its encoder (what requests look like):
 * "" means unset, Number.MAX_VALUE / 2147483647 / non-finite mean unset, booleans are 1/0, decimals travel as strings
 * so sizes never lose precision.
 */

/** Thrown by a codec when a token cannot be read as its declared type; the layout walker turns it into a violation. */
export class MalformedToken extends Error {
  override readonly name = "MalformedToken";
}

/**
 * Encoders also accept undefined, writing IB's "unset" token: a version-gated or conditional field is optional in the
 * values type but may still be on the wire.
 */
export interface Codec<T> {
  encode(value: T | undefined): string;
  decode(token: string): T;
}

/** Version gate: the field exists on the wire for since <= serverVersion < until. */
export interface VersionGate {
  readonly since?: number;
  readonly until?: number;
}

export type ScalarType =
  | "version"
  | "int"
  | "optInt"
  | "double"
  | "optDouble"
  | "decimal"
  | "bool"
  | "optBool"
  | "string"
  | "tagValues";

/**
 * One token. `Optional` is true when the value may be absent from a message's values: the field is version-gated,
 * or it sits in a conditional block, or it is a protocol version field (always written as a constant).
 */
export interface ScalarField<N extends string = string, T = unknown, Optional extends boolean = boolean> {
  readonly kind: "scalar";
  readonly name: N;
  readonly type: ScalarType;
  readonly codec: Codec<T>;
  readonly gate: VersionGate;
  /**
   * True when a request may end before this field: IB's reference clients send optional trailing fields that other
   * clients (@stoqey/ib among them) omit, and TWS reads a missing trailing field as empty.
   */
  readonly mayBeAbsent: boolean;
  /** Type-level marker only. */
  readonly optional?: Optional;
  since(version: number): ScalarField<N, T, true>;
  until(version: number): ScalarField<N, T, true>;
  /** The same field, allowed to be missing at the end of a message (read as the codec's value for ""). */
  orAbsent(): ScalarField<N, T, Optional>;
}

/** A count token followed by that many repetitions of `fields` (secIdList, combo legs, bars, scanner rows...). */
export interface GroupField<N extends string = string, Fs extends Fields = Fields, Optional extends boolean = boolean> {
  readonly kind: "group";
  readonly name: N;
  readonly fields: Fs;
  readonly gate: VersionGate;
  readonly optional?: Optional;
  since(version: number): GroupField<N, Fs, true>;
  until(version: number): GroupField<N, Fs, true>;
}

/**
 * Fields present only when `test` holds for the values read (or given) so far: delta-neutral blocks, BAG legs,
 * FUND-only fields. Its fields are spliced into the enclosing values object.
 */
export interface ConditionalBlock<Fs extends Fields = Fields> {
  readonly kind: "when";
  readonly test: (valuesSoFar: Readonly<Record<string, unknown>>) => boolean;
  readonly fields: Fs;
  readonly gate: VersionGate;
}

export type Field = ScalarField | GroupField | ConditionalBlock;
export type Fields = readonly Field[];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Flatten<T> = { [K in keyof T]: T[K] } & {};
type NoKeys = Record<never, never>;

type NamedValue<F> =
  F extends ScalarField<string, infer T> ? T : F extends GroupField<string, infer Inner> ? ValuesOf<Inner>[] : never;

/** The values object a field list reads to and writes from (a plain record when the list is not known statically). */
export type ValuesOf<Fs extends Fields> = Fields extends Fs ? Record<string, unknown> : KnownValuesOf<Fs>;

type KnownValuesOf<Fs extends Fields> = Flatten<
  {
    [F in Fs[number] as F extends { kind: "scalar" | "group"; optional?: false } ? F["name"] : never]: NamedValue<F>;
  } & {
    [F in Fs[number] as F extends { kind: "scalar" | "group"; optional?: true } ? F["name"] : never]?: NamedValue<F>;
  } & UnionToIntersection<
      Fs[number] extends infer F ? (F extends ConditionalBlock<infer Inner> ? Partial<ValuesOf<Inner>> : NoKeys) : never
    >
>;

const MAX_INT = 2147483647;
/** How the client's encoder spells Number.MAX_VALUE (lowercase e), and how its decoder recognises "unset" doubles. */
const MAX_DOUBLE_TOKEN = "1.7976931348623157E308";
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?Infinity$/;
/** How other clients spell a non-finite double: Python's str(inf) and ib_async's "Infinite" (competeAgainstBestOffset). */
const PYTHON_INFINITY = /^[+-]?(inf|infinity|infinite)$/i;

function readInteger(token: string): number {
  if (!INTEGER.test(token)) throw new MalformedToken(`expected an integer, got ${JSON.stringify(token)}`);
  return Number.parseInt(token, 10);
}

/** "" and the unset sentinels (MAX, non-finite) read as undefined. */
function readOptionalNumber(token: string): number | undefined {
  if (token === "") return undefined;
  if (!NUMBER.test(token)) {
    if (PYTHON_INFINITY.test(token)) return undefined;
    throw new MalformedToken(`expected a number, got ${JSON.stringify(token)}`);
  }
  const value = Number.parseFloat(token);
  return Number.isFinite(value) && value !== Number.MAX_VALUE ? value : undefined;
}

function writeInteger(value: number | undefined): string {
  if (value === undefined) return "";
  return Number.isInteger(value) ? String(value) : String(Math.trunc(value));
}

function isUnsetNumber(value: number | undefined): value is undefined {
  return value === undefined || !Number.isFinite(value) || value === Number.MAX_VALUE;
}

/** Protocol version fields: any integer is accepted on read, the declared constant is always written. */
function versionCodec(written: number): Codec<number | undefined> {
  return { encode: () => String(written), decode: readInteger };
}

const intCodec: Codec<number> = {
  encode: writeInteger,
  // The client reads "" as 0; requests send "" for an undefined int that the Java server would read as 0 too.
  decode: (token) => (token === "" ? 0 : readInteger(token)),
};

const optIntCodec: Codec<number | undefined> = {
  encode: (value) => (value === undefined || value === MAX_INT ? "" : writeInteger(value)),
  decode: (token) => {
    if (token === "") return undefined;
    const value = readInteger(token);
    return value === MAX_INT ? undefined : value;
  },
};

/** For tokens the client reads with readDouble: "" would read as 0, so unset must be sent as the MAX literal. */
const doubleCodec: Codec<number | undefined> = {
  encode: (value) => (isUnsetNumber(value) ? MAX_DOUBLE_TOKEN : String(value)),
  decode: readOptionalNumber,
};

/** For tokens the client reads with readDoubleOrUndefined: "" is unset. */
const optDoubleCodec: Codec<number | undefined> = {
  encode: (value) => (isUnsetNumber(value) ? "" : String(value)),
  decode: readOptionalNumber,
};

const decimalCodec: Codec<string | undefined> = {
  encode: (value) => value ?? "",
  decode: (token) => {
    if (token === "") return undefined;
    const numeric = token.replaceAll(",", "");
    if (!NUMBER.test(numeric)) {
      if (PYTHON_INFINITY.test(numeric)) return undefined;
      throw new MalformedToken(`expected a decimal, got ${JSON.stringify(token)}`);
    }
    const value = Number.parseFloat(numeric);
    return Number.isFinite(value) && value !== Number.MAX_VALUE ? numeric : undefined;
  },
};

const boolCodec: Codec<boolean> = {
  encode: (value) => (value === undefined ? "" : value ? "1" : "0"),
  // The client sends undefined booleans as "", which every TWS reads as false.
  decode: (token) => (token === "" ? false : readInteger(token) !== 0),
};

/** For request booleans whose unset default is not false (placeOrder's transmit: "" means true, as in the Java client). */
const optBoolCodec: Codec<boolean | undefined> = {
  encode: (value) => (value === undefined ? "" : value ? "1" : "0"),
  decode: (token) => (token === "" ? undefined : readInteger(token) !== 0),
};

const stringCodec: Codec<string> = {
  encode: (value = "") => {
    // A NUL inside a value would silently shift every later field.
    if (value.includes("\0")) throw new MalformedToken(`string contains NUL: ${JSON.stringify(value)}`);
    return value;
  },
  decode: (token) => token,
};

function scalar<N extends string, T, O extends boolean>(
  name: N,
  type: ScalarType,
  codec: Codec<T>,
  gate: VersionGate = {},
  mayBeAbsent = false,
): ScalarField<N, T, O> {
  return {
    kind: "scalar",
    name,
    type,
    codec,
    gate,
    mayBeAbsent,
    since: (version) => scalar(name, type, codec, { ...gate, since: version }, mayBeAbsent),
    until: (version) => scalar(name, type, codec, { ...gate, until: version }, mayBeAbsent),
    orAbsent: () => scalar(name, type, codec, gate, true),
  };
}

/** A message's own version token. Named "version" in the values; written as `written`, read as any int. */
export const version = (written = 1) =>
  scalar<"version", number | undefined, true>("version", "version", versionCodec(written));
export const int = <N extends string>(name: N) => scalar<N, number, false>(name, "int", intCodec);
export const optInt = <N extends string>(name: N) => scalar<N, number | undefined, false>(name, "optInt", optIntCodec);
export const double = <N extends string>(name: N) => scalar<N, number | undefined, false>(name, "double", doubleCodec);
export const optDouble = <N extends string>(name: N) =>
  scalar<N, number | undefined, false>(name, "optDouble", optDoubleCodec);
export const decimal = <N extends string>(name: N) =>
  scalar<N, string | undefined, false>(name, "decimal", decimalCodec);
export const bool = <N extends string>(name: N) => scalar<N, boolean, false>(name, "bool", boolCodec);
export const optBool = <N extends string>(name: N) =>
  scalar<N, boolean | undefined, false>(name, "optBool", optBoolCodec);
export const str = <N extends string>(name: N) => scalar<N, string, false>(name, "string", stringCodec);

/**
 * A TagValue list at the END of a request (mktDataOptions, chartOptions, fundamentalDataOptions...), read the way TWS
 * tolerates every client's spelling of it, always as IB's "tag=value;tag=value;" string:
 * - absent (an older or minimal client), or one string token (@stoqey/ib, IB's clients for most requests);
 * - a count then one string token (IB's reference clients for reqFundamentalData and calculateImpliedVolatility /
 *   calculateOptionPrice);
 * - a count then that many (tag, value) pairs (the encoding placeOrder uses for algoParams).
 * It consumes the rest of the message, so it must be the layout's last field. Written as one string token.
 */
export const tagValues = <N extends string>(name: N) =>
  scalar<N, string, false>(name, "tagValues", stringCodec, {}, true);

/** Reads a trailing TagValue list from `rest` (every token after the fixed fields); undefined if it is malformed. */
export function readTagValues(rest: readonly string[]): string | undefined {
  if (rest.length === 0) return "";
  if (rest.length === 1) return rest[0];
  const count = rest[0] ?? "";
  if (!INTEGER.test(count)) return undefined;
  const n = Number.parseInt(count, 10);
  if (rest.length === 2) return n === 0 && rest[1] !== "" ? undefined : rest[1];
  if (rest.length !== 1 + 2 * n) return undefined;
  let joined = "";
  for (let index = 1; index < rest.length; index += 2) joined += `${rest[index]}=${rest[index + 1]};`;
  return joined;
}

function makeGroup<N extends string, const Fs extends Fields, O extends boolean>(
  name: N,
  fields: Fs,
  gate: VersionGate,
): GroupField<N, Fs, O> {
  return {
    kind: "group",
    name,
    fields,
    gate,
    since: (version) => makeGroup(name, fields, { ...gate, since: version }),
    until: (version) => makeGroup(name, fields, { ...gate, until: version }),
  };
}

export const group = <N extends string, const Fs extends Fields>(name: N, fields: Fs) =>
  makeGroup<N, Fs, false>(name, fields, {});

export const when = <const Fs extends Fields>(
  test: (valuesSoFar: Readonly<Record<string, unknown>>) => boolean,
  fields: Fs,
  gate: VersionGate = {},
): ConditionalBlock<Fs> => ({ kind: "when", test, fields, gate });

export function isPresentAt(gate: VersionGate, serverVersion: number): boolean {
  return (
    (gate.since === undefined || serverVersion >= gate.since) &&
    (gate.until === undefined || serverVersion < gate.until)
  );
}
