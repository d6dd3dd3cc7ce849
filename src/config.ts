import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { type AuthScope, AUTH_SCOPES as SCOPES } from "./auth/scopes.js";
import type { GatewayEndpoint } from "./gateway/gateway-connection.js";

/**
 * Every setting of ibrpc, read from the environment (12-factor; ibconnect's names kept) and validated once at
 * start. A bad value stops the process with one line that names the variable: a service that starts on a
 * half-understood configuration fails later, at a worse time.
 */
export interface Config {
  /** IB_GW: the gateways; unset = one built-in simulator named "sim". */
  gateways: ConfiguredGateway[];
  /** True when any gateway is the built-in simulator: ibrpc starts it in-process and says so loudly. */
  simulated: boolean;
  /** IB_CID */
  baseClientId: number;
  /** DB_URL; undefined = embedded PGlite in DATA_DIR. */
  dbUrl: string | undefined;
  /** DATA_DIR, absolute. */
  dataDir: string;
  host: string;
  port: number;
  /** ACCT_REF: cron (UTC) for account snapshots. */
  accountRefresh: string;
  /** ERR_INFO: internal error details in responses. */
  errInfo: boolean;
  tls: { cert: Buffer; key: Buffer; ca: Buffer | undefined } | undefined;
  /** AUTH_TOKENS + AUTH_TOKENS_FILE. */
  authTokens: AuthToken[];
  logLevel: string;
  /** REQ_TIMEOUT_MS: the deadline of a call whose client set none. */
  requestTimeoutMs: number;
  /** SIM_SEED: the built-in simulator's seed. */
  simSeed: number;
  /** ALLOW_INSECURE_BIND: the operator accepts a non-loopback HOST without TLS and tokens. */
  allowInsecureBind: boolean;
  /** MTLS_SCOPES: client certificate subject CN (or `*`) -> scopes; needs TLS_CA. */
  certScopes: CertScope[];
  /** CORS_ORIGINS: browser origins allowed to call (exact `scheme://host[:port]`, or `*`); empty = none. */
  corsOrigins: string[];
  limits: Limits;
  /** IB's scarce per-login resources ibrpc's stream hub may hold per gateway (IB's defaults; raise with IB's quota). */
  ibLimits: IbLimits;
}

/** IB_MKT_LINES, IB_DEPTH_BOOKS, IB_TICK_BY_TICK: past them a stream is refused with RESOURCE_EXHAUSTED at once. */
export interface IbLimits {
  marketDataLines: number;
  depth: number;
  tickByTick: number;
}

/** What one client may cost the process (see README "Running in production"). */
export interface Limits {
  /** MAX_BODY_BYTES: largest request body (or gRPC message); bigger ones are refused before being read. */
  maxBodyBytes: number;
  /** MAX_DEADLINE_MS: largest deadline a unary call may ask for (streams may run longer). */
  maxDeadlineMs: number;
  /** RATE_LIMIT: unary calls per second per token (RATE_BURST at once); 0 = no limit. */
  ratePerSecond: number;
  rateBurst: number;
  /** STREAMS_PER_TOKEN: concurrent streams per token; 0 = no limit. */
  streamsPerToken: number;
  /** HTTP_HEADERS_TIMEOUT_MS: an HTTP/1.1 client must send its request headers within this. */
  headersTimeoutMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS: ... and its whole request (headers and body). */
  requestTimeoutMs: number;
  /** HTTP_IDLE_TIMEOUT_MS: a connection with nothing in flight is closed after this. */
  idleTimeoutMs: number;
  /** MAX_CONNECTIONS: open connections; more are refused at accept. */
  maxConnections: number;
}

/** An mTLS client certificate rule: `subject` is the certificate's subject CN, `*` any certificate TLS_CA signed. */
export interface CertScope {
  subject: string;
  scopes: AuthScope[];
}

/** A gateway of IB_GW. `simulated` ones get their host and port when ibrpc starts the in-process simulator. */
export interface ConfiguredGateway extends GatewayEndpoint {
  simulated: boolean;
}

export type { AuthScope };

export interface AuthToken {
  token: string;
  scopes: AuthScope[];
}

/** A configuration problem: the message names the variable and says what is expected. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
/** Shorter bearer tokens are guessable; refuse them rather than protect nothing. */
const MIN_TOKEN_LENGTH = 16;

export function loadConfig(env: Env = process.env): Config {
  const gateways = parseGateways(nonEmpty(env.IB_GW) ?? "sim");
  const tls = readTls(env);
  const authTokens = [...parseTokens(nonEmpty(env.AUTH_TOKENS), "AUTH_TOKENS"), ...readTokensFile(env)];
  const config: Config = {
    gateways,
    simulated: gateways.some((g) => g.simulated),
    baseClientId: int(env, "IB_CID", 5555, 0, 2_147_483_647 - 32),
    dbUrl: parseDbUrl(nonEmpty(env.DB_URL)),
    dataDir: path.resolve(nonEmpty(env.DATA_DIR) ?? "./data"),
    host: parseHost(nonEmpty(env.HOST) ?? "127.0.0.1"),
    port: int(env, "PORT", 50051, 0, 65535),
    accountRefresh: parseCron(nonEmpty(env.ACCT_REF) ?? "@hourly"),
    errInfo: bool(env, "ERR_INFO", false),
    tls,
    authTokens,
    logLevel: oneOf(env, "LOG_LEVEL", "info", LOG_LEVELS),
    requestTimeoutMs: int(env, "REQ_TIMEOUT_MS", 10_000, 100, 3_600_000),
    simSeed: int(env, "SIM_SEED", 42, 0, 2_147_483_647),
    allowInsecureBind: bool(env, "ALLOW_INSECURE_BIND", false),
    certScopes: parseCertScopes(nonEmpty(env.MTLS_SCOPES), tls),
    corsOrigins: parseOrigins(nonEmpty(env.CORS_ORIGINS)),
    limits: readLimits(env),
    ibLimits: {
      marketDataLines: int(env, "IB_MKT_LINES", 100, 0, 100_000),
      depth: int(env, "IB_DEPTH_BOOKS", 3, 0, 1_000),
      tickByTick: int(env, "IB_TICK_BY_TICK", 3, 0, 1_000),
    },
  };
  if (config.limits.maxDeadlineMs < config.requestTimeoutMs) {
    throw new ConfigError(
      `MAX_DEADLINE_MS: ${config.limits.maxDeadlineMs} is below REQ_TIMEOUT_MS=${config.requestTimeoutMs}, ` +
        "the deadline calls without one get",
    );
  }
  const authenticated = config.authTokens.length > 0 || config.certScopes.length > 0;
  if (!isLoopback(config.host) && !(config.tls && authenticated) && !config.allowInsecureBind) {
    throw new ConfigError(
      `HOST=${config.host} is not a loopback address: binding it needs TLS (TLS_CERT, TLS_KEY) and AUTH_TOKENS, ` +
        "or ALLOW_INSECURE_BIND=true to accept serving IB accounts unencrypted and unauthenticated",
    );
  }
  return config;
}

/**
 * `host:port`, `name=host:port`, `sim` or `name=sim`, comma separated. Names must be unique: requests route by them.
 */
export function parseGateways(raw: string): ConfiguredGateway[] {
  const endpoints = raw.split(",").map((entry) => parseGateway(entry.trim()));
  const seen = new Set<string>();
  for (const e of endpoints) {
    if (seen.has(e.name))
      throw new ConfigError(`IB_GW: gateway name "${e.name}" appears twice; name them (name=host:port)`);
    seen.add(e.name);
  }
  return endpoints;
}

function parseGateway(entry: string): ConfiguredGateway {
  const eq = entry.indexOf("=");
  const name = eq >= 0 ? entry.slice(0, eq).trim() : undefined;
  const address = eq >= 0 ? entry.slice(eq + 1).trim() : entry;
  if (name !== undefined && !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new ConfigError(`IB_GW: gateway name "${name}" may only hold letters, digits, '_', '.', '-'`);
  }
  if (address === "sim") return { name: name ?? "sim", host: "127.0.0.1", port: 0, simulated: true };
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port < 1 || port > 65535) {
    throw new ConfigError(
      `IB_GW: "${entry}" is not host:port or name=host:port (e.g. 127.0.0.1:4002 or paper=gw1:4002)`,
    );
  }
  const host = (m[1] as string).replace(/^\[|\]$/g, "");
  return { name: name ?? `${host}:${port}`, host, port, simulated: false };
}

function parseDbUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("DB_URL: not a URL (expected postgres://user@host:5432/db)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(`DB_URL: scheme ${url.protocol} is not postgres: or postgresql:`);
  }
  return raw;
}

function parseHost(host: string): string {
  if (isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host))
    throw new ConfigError(`HOST: "${host}" is not an IP address or host name`);
  return host;
}

/** ACCT_REF: a 5-field cron expression or one of the @ macros (UTC). */
function parseCron(expr: string): string {
  const macros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
  if (macros.includes(expr)) return expr;
  const field = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
  const fields = expr.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => field.test(f))) {
    throw new ConfigError(`ACCT_REF: "${expr}" is not a 5-field cron expression or one of ${macros.join(", ")}`);
  }
  return expr;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function readTls(env: Env): Config["tls"] {
  const certPath = nonEmpty(env.TLS_CERT);
  const keyPath = nonEmpty(env.TLS_KEY);
  const caPath = nonEmpty(env.TLS_CA);
  if (!certPath && !keyPath) {
    if (caPath) throw new ConfigError("TLS_CA: set TLS_CERT and TLS_KEY too (client certificates need TLS)");
    return undefined;
  }
  if (!certPath || !keyPath)
    throw new ConfigError(`${certPath ? "TLS_KEY" : "TLS_CERT"}: TLS needs both TLS_CERT and TLS_KEY`);
  return {
    cert: readFile("TLS_CERT", certPath),
    key: readFile("TLS_KEY", keyPath),
    ca: caPath ? readFile("TLS_CA", caPath) : undefined,
  };
}

function readTokensFile(env: Env): AuthToken[] {
  const file = nonEmpty(env.AUTH_TOKENS_FILE);
  if (!file) return [];
  const lines = readFile("AUTH_TOKENS_FILE", file)
    .toString("utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith("#"));
  return parseTokens(lines.join(","), "AUTH_TOKENS_FILE");
}

/** `TOKEN` (scope read) or `TOKEN:scope+scope`, comma separated. */
export function parseTokens(raw: string | undefined, variable: string): AuthToken[] {
  if (!raw) return [];
  return raw.split(",").map((entry) => {
    const [token = "", scopeList] = entry.trim().split(":");
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new ConfigError(`${variable}: every token needs at least ${MIN_TOKEN_LENGTH} characters`);
    }
    return { token, scopes: parseScopes(scopeList ?? "read", variable) };
  });
}

function parseScopes(list: string, variable: string): AuthScope[] {
  const scopes = list.split("+").map((s) => s.trim());
  for (const s of scopes) {
    if (!SCOPES.includes(s as AuthScope))
      throw new ConfigError(`${variable}: unknown scope "${s}" (read, trade, admin)`);
  }
  return scopes as AuthScope[];
}

/** `CN:scope+scope` or `*:scope`, comma separated. A CN may hold anything but ',' and ':'. */
function parseCertScopes(raw: string | undefined, tls: Config["tls"]): CertScope[] {
  if (!raw) return [];
  if (!tls?.ca) throw new ConfigError("MTLS_SCOPES: needs TLS_CA (client certificates are only checked with mTLS)");
  return raw.split(",").map((entry) => {
    const colon = entry.lastIndexOf(":");
    const subject = colon > 0 ? entry.slice(0, colon).trim() : "";
    if (!subject)
      throw new ConfigError(`MTLS_SCOPES: "${entry.trim()}" is not CN:scope+scope (e.g. trader1:read+trade)`);
    return { subject, scopes: parseScopes(entry.slice(colon + 1), "MTLS_SCOPES") };
  });
}

/** Exact origins as browsers send them (`https://app.example.com`, with a port when not the default), or `*`. */
function parseOrigins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split(",").map((o) => {
    const origin = o.trim();
    if (origin === "*") return origin;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin (e.g. https://app.example.com)`);
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin; did you mean ${url.origin}?`);
    }
    return origin;
  });
}

/** The limits with nothing configured. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze(readLimits({}));

function readLimits(env: Env): Limits {
  const ratePerSecond = int(env, "RATE_LIMIT", 100, 0, 1_000_000);
  return {
    maxBodyBytes: int(env, "MAX_BODY_BYTES", 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxDeadlineMs: int(env, "MAX_DEADLINE_MS", 600_000, 1000, 86_400_000),
    ratePerSecond,
    rateBurst: int(env, "RATE_BURST", Math.max(1, ratePerSecond * 2), 1, 10_000_000),
    streamsPerToken: int(env, "STREAMS_PER_TOKEN", 256, 0, 1_000_000),
    headersTimeoutMs: int(env, "HTTP_HEADERS_TIMEOUT_MS", 10_000, 100, 600_000),
    requestTimeoutMs: int(env, "HTTP_REQUEST_TIMEOUT_MS", 30_000, 100, 3_600_000),
    idleTimeoutMs: int(env, "HTTP_IDLE_TIMEOUT_MS", 120_000, 100, 86_400_000),
    maxConnections: int(env, "MAX_CONNECTIONS", 1024, 1, 1_000_000),
  };
}

function readFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name}: "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function bool(env: Env, name: string, dflt: boolean): boolean {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return dflt;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(`${name}: "${raw}" is not true or false`);
}

function oneOf(env: Env, name: string, dflt: string, allowed: readonly string[]): string {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return dflt;
  if (!allowed.includes(raw)) throw new ConfigError(`${name}: "${raw}" is not one of ${allowed.join(", ")}`);
  return raw;
}
