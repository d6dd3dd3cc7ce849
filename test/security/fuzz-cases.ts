import { type DescField, type DescMessage, fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { PROCEDURES, type ProcedureInfo } from "../../src/auth/scopes.js";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";
import { seededRandom } from "../../src/sim/random.js";

/** One hostile request, protocol-neutral: the sender frames it for its wire. */
export interface FuzzCase {
  wire: "connect-json" | "connect-proto" | "connect-get" | "connect-stream" | "grpc-web" | "grpc";
  path: string;
  /** The request body before protocol framing (JSON text or protobuf bytes). */
  body: Uint8Array;
  headers: Record<string, string>;
  /** What was done to it, for the failure message. */
  kind: string;
}

const WIRES: FuzzCase["wire"][] = [
  "connect-json",
  "connect-proto",
  "connect-get",
  "connect-stream",
  "grpc-web",
  "grpc",
];

/** Strings an attacker (or a confused client) sends. */
const HOSTILE_STRINGS = [
  "",
  "\u0000",
  "'; DROP TABLE account_snapshots; --",
  "../../../../etc/passwd",
  "%00%ff",
  "\ud83d\ude80".repeat(1000),
  "\ud800",
  "A".repeat(65_536),
  "<script>alert(1)</script>",
  // Log4Shell's lookup: harmless here, which is the point.
  ["$", "{jndi:ldap://x/a}"].join(""),
  "9223372036854775808",
  "-1",
  "NaN",
  "1.7976931348623157E308",
  "2147483647",
];
const HOSTILE_NUMBERS: unknown[] = [
  -1,
  0,
  2147483647,
  -2147483648,
  2147483648,
  "9223372036854775807",
  "-9223372036854775808",
  "18446744073709551616",
  1e308,
  -1e308,
  "NaN",
  "Infinity",
  "-Infinity",
  1.5,
  "1e999",
];
/** A value of the wrong JSON type for a field of each kind. */
const WRONG_TYPES: unknown[] = [
  "abc",
  {},
  [],
  true,
  null,
  Number.MAX_VALUE,
  { a: { b: { c: [] } } },
  [[[[[]]]]],
  "\u0000",
];

export function fuzzCases(count: number, seed: number): FuzzCase[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const procedures = [...PROCEDURES.values()].filter((p) => !p.path.includes("ServerReflection"));
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const p = pick(procedures);
    const wire = pick(WIRES);
    const roll = random();
    let c: FuzzCase;
    if (roll < 0.2) c = randomBytes(p, wire, random);
    else if (roll < 0.4) c = wrongTypes(p, wire, random, pick);
    else if (roll < 0.5) c = brokenJson(p, wire, random, pick);
    else if (roll < 0.65) c = hostileValues(p, wire, random, pick);
    else if (roll < 0.8) c = badHeaders(p, wire, random, pick);
    else if (roll < 0.88) c = unknownPath(wire, random, pick);
    else if (roll < 0.97) c = deepNesting(p, wire, random);
    else c = oversized(p, wire, random);
    cases.push(c);
  }
  return cases;
}

const text = (s: string) => new TextEncoder().encode(s);

function randomBytes(p: ProcedureInfo, wire: FuzzCase["wire"], random: () => number): FuzzCase {
  const n = Math.floor(random() * 512);
  const body = new Uint8Array(n);
  for (let i = 0; i < n; i++) body[i] = Math.floor(random() * 256);
  return { wire, path: p.path, body, headers: {}, kind: `random ${n} bytes` };
}

function wrongTypes(
  p: ProcedureInfo,
  wire: FuzzCase["wire"],
  random: () => number,
  pick: <T>(xs: readonly T[]) => T,
): FuzzCase {
  const fields = inputFields(p);
  const json: Record<string, unknown> = {};
  for (const f of fields) if (random() < 0.5) json[f.jsonName] = pick(WRONG_TYPES);
  if (fields.length === 0 || random() < 0.2) json[`unknown_${Math.floor(random() * 100)}`] = 1;
  return { wire, path: p.path, body: text(JSON.stringify(json)), headers: {}, kind: "wrong JSON types" };
}

function brokenJson(
  p: ProcedureInfo,
  wire: FuzzCase["wire"],
  _random: () => number,
  pick: <T>(xs: readonly T[]) => T,
): FuzzCase {
  const broken = pick([
    '{"a":',
    "[",
    "{}}",
    "nul",
    '{"\\ud800":1}',
    "\u0000{}",
    '{"a":1,"a":2}',
    "1",
    '"str"',
    "",
    "{,}",
  ]);
  return { wire, path: p.path, body: text(broken), headers: {}, kind: `broken JSON ${JSON.stringify(broken)}` };
}

/** Well-typed but hostile values: they decode, so they reach validation and the handler. */
function hostileValues(
  p: ProcedureInfo,
  wire: FuzzCase["wire"],
  random: () => number,
  pick: <T>(xs: readonly T[]) => T,
): FuzzCase {
  const json: Record<string, unknown> = {};
  for (const f of inputFields(p)) {
    if (random() < 0.4) continue;
    const v = valueFor(f, pick, random);
    if (v !== undefined) json[f.jsonName] = v;
  }
  return { wire, path: p.path, body: text(JSON.stringify(json)), headers: {}, kind: "hostile values" };
}

function valueFor(f: DescField, pick: <T>(xs: readonly T[]) => T, random: () => number): unknown {
  const one = (): unknown => {
    switch (f.fieldKind) {
      case "scalar":
        return f.scalar === 9 ? pick(HOSTILE_STRINGS) : f.scalar === 8 ? random() < 0.5 : pick(HOSTILE_NUMBERS);
      case "enum":
        return pick([...f.enum.values.map((v) => v.name), 99999, -1]);
      case "message":
        return random() < 0.5 ? {} : { unknownNested: 1 };
      default:
        return undefined;
    }
  };
  if (f.fieldKind === "list") return Array.from({ length: Math.floor(random() * 50) }, () => pick(HOSTILE_STRINGS));
  if (f.fieldKind === "map") return { [pick(HOSTILE_STRINGS)]: pick(HOSTILE_STRINGS) };
  return one();
}

function badHeaders(
  p: ProcedureInfo,
  wire: FuzzCase["wire"],
  _random: () => number,
  pick: <T>(xs: readonly T[]) => T,
): FuzzCase {
  const variants: [string, Record<string, string>][] = [
    ["bad grpc-timeout", { "grpc-timeout": pick(["abc", "-1S", "99999999999H", "1x"]) }],
    ["bad connect-timeout-ms", { "connect-timeout-ms": pick(["-5", "abc", "1e99", "99999999999999999999"]) }],
    [
      "unknown compression",
      { "content-encoding": "zstd", "grpc-encoding": "zstd", "connect-content-encoding": "zstd" },
    ],
    ["gzip that is not", { "content-encoding": "gzip", "grpc-encoding": "gzip", "connect-content-encoding": "gzip" }],
    [
      "garbage authorization",
      { authorization: pick(["Bearer", "Bearer \u00ff\u00fe", "Basic Zm9vOmJhcg==", "x".repeat(8000)]) },
    ],
    ["bad protocol version", { "connect-protocol-version": "999" }],
    ["huge header", { "x-filler": "f".repeat(12_000) }],
    [
      "wrong content type",
      {
        "content-type": pick([
          "text/plain",
          "application/xml",
          "multipart/form-data; boundary=x",
          "application/grpc-web-text",
          "application/json; charset=latin1",
        ]),
      },
    ],
    ["gateway that is not", { "ib-gateway": pick(["nope", "", "../../x", "sim,sim"]) }],
  ];
  const [kind, headers] = pick(variants);
  return { wire, path: p.path, body: text("{}"), headers, kind };
}

function unknownPath(wire: FuzzCase["wire"], _random: () => number, pick: <T>(xs: readonly T[]) => T): FuzzCase {
  const path = pick([
    "/ibrpc.v1.NoSuchService/Call",
    "/ibrpc.v1.OrderService/NoSuchMethod",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/",
    `/${"a".repeat(4000)}`,
    "/ibrpc.v1.OrderService/PlaceOrder/extra",
    "//ibrpc.v1.OrderService/PlaceOrder",
    "/metrics/../ibrpc.v1.OrderService/PlaceOrder",
  ]);
  return { wire, path, body: text("{}"), headers: {}, kind: `path ${path.slice(0, 40)}` };
}

/** A body over the server's cap (the fuzz runs with MAX_BODY_BYTES=64 KiB). */
function oversized(p: ProcedureInfo, wire: FuzzCase["wire"], random: () => number): FuzzCase {
  const size = 70_000 + Math.floor(random() * 130_000);
  const first = inputFields(p)[0]?.jsonName ?? "x";
  return {
    wire,
    path: p.path,
    body: text(JSON.stringify({ [first]: "o".repeat(size) })),
    headers: {},
    kind: `oversized ${size}`,
  };
}

function deepNesting(p: ProcedureInfo, wire: FuzzCase["wire"], random: () => number): FuzzCase {
  const depth = 100 + Math.floor(random() * 5000);
  const first = inputFields(p)[0]?.jsonName ?? "x";
  return {
    wire,
    path: p.path,
    body: text(`{"${first}":${"[".repeat(depth)}${"]".repeat(depth)}}`),
    headers: {},
    kind: `nesting ${depth}`,
  };
}

/** Every procedure's request message, to aim wrong types and hostile values at real fields. */
const inputs = new Map<string, DescMessage>(
  [Health, ...IBRPC_SERVICES].flatMap((s) => s.methods.map((m) => [`/${s.typeName}/${m.name}`, m.input] as const)),
);

/**
 * Whether the server can decode the request at all (then it may legitimately reach IB and meet its deadline there):
 * JSON wires need valid JSON of the request type, binary ones valid protobuf.
 */
export function decodesAsRequest(c: FuzzCase): boolean {
  const input = inputs.get(c.path);
  if (!input) return false;
  try {
    if (c.wire === "connect-proto" || c.wire === "grpc" || c.wire === "grpc-web") fromBinary(input, c.body);
    else fromJsonString(input, new TextDecoder().decode(c.body));
    return true;
  } catch {
    return false;
  }
}

function inputFields(p: ProcedureInfo): DescField[] {
  return inputs.get(p.path)?.fields ?? [];
}
