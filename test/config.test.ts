import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("defaults to the built-in simulator on loopback:50051", () => {
    const c = loadConfig({});
    expect(c.simulated).toBe(true);
    expect(c.gateways).toEqual([{ name: "sim", host: "127.0.0.1", port: 0, simulated: true }]);
    expect(c.host).toBe("127.0.0.1");
    expect(c.port).toBe(50051);
    expect(c.baseClientId).toBe(5555);
    expect(c.accountRefresh).toBe("@hourly");
    expect(c.errInfo).toBe(false);
    expect(c.dbUrl).toBeUndefined();
    expect(path.isAbsolute(c.dataDir)).toBe(true);
  });

  it("parses IB_GW entries with and without names", () => {
    const c = loadConfig({ IB_GW: "127.0.0.1:4002, live=gw.example:4001,[::1]:7497,paper=sim" });
    expect(c.gateways).toEqual([
      { name: "127.0.0.1:4002", host: "127.0.0.1", port: 4002, simulated: false },
      { name: "live", host: "gw.example", port: 4001, simulated: false },
      { name: "::1:7497", host: "::1", port: 7497, simulated: false },
      { name: "paper", host: "127.0.0.1", port: 0, simulated: true },
    ]);
    expect(c.simulated).toBe(true);
  });

  it.each([
    [{ IB_GW: "localhost" }, /^IB_GW: "localhost" is not host:port/],
    [{ IB_GW: "a=h:1,a=h:2" }, /^IB_GW: gateway name "a" appears twice/],
    [{ IB_GW: "h:70000" }, /^IB_GW/],
    [{ PORT: "http" }, /^PORT: "http" is not a whole number/],
    [{ IB_CID: "-1" }, /^IB_CID/],
    [{ ERR_INFO: "maybe" }, /^ERR_INFO/],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL/],
    [{ DB_URL: "mysql://x" }, /^DB_URL: scheme mysql: is not postgres/],
    [{ ACCT_REF: "every hour" }, /^ACCT_REF/],
    [{ TLS_CERT: "/nonexistent/cert.pem" }, /^TLS_KEY: TLS needs both/],
    [{ TLS_CERT: "/nonexistent/c", TLS_KEY: "/nonexistent/k" }, /^TLS_CERT: cannot read \/nonexistent\/c \(ENOENT\)/],
    [{ AUTH_TOKENS: "short" }, /^AUTH_TOKENS: every token needs at least 16/],
    [{ AUTH_TOKENS: "0123456789abcdef:fly" }, /^AUTH_TOKENS: unknown scope "fly"/],
    [{ MTLS_SCOPES: "desk:read" }, /^MTLS_SCOPES: needs TLS_CA/],
    [{ CORS_ORIGINS: "app.example.com" }, /^CORS_ORIGINS: "app.example.com" is not an origin/],
    [{ CORS_ORIGINS: "https://app.example.com/" }, /^CORS_ORIGINS: .*did you mean https:\/\/app.example.com\?/],
    [{ MAX_BODY_BYTES: "10" }, /^MAX_BODY_BYTES: "10" is not a whole number from 1024/],
    [{ RATE_LIMIT: "-1" }, /^RATE_LIMIT/],
    [{ STREAMS_PER_TOKEN: "many" }, /^STREAMS_PER_TOKEN/],
    [{ MAX_DEADLINE_MS: "5000", REQ_TIMEOUT_MS: "10000" }, /^MAX_DEADLINE_MS: 5000 is below REQ_TIMEOUT_MS=10000/],
    [{ HTTP_HEADERS_TIMEOUT_MS: "0" }, /^HTTP_HEADERS_TIMEOUT_MS/],
  ])("rejects %o with a line naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("has limits that protect the process by default, each configurable", () => {
    const c = loadConfig({});
    expect(c.limits).toEqual({
      maxBodyBytes: 4 * 1024 * 1024,
      maxDeadlineMs: 600_000,
      ratePerSecond: 100,
      rateBurst: 200,
      streamsPerToken: 256,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      maxConnections: 1024,
    });
    expect(c.corsOrigins).toEqual([]);
    expect(c.certScopes).toEqual([]);
    const custom = loadConfig({
      MAX_BODY_BYTES: "1048576",
      RATE_LIMIT: "0",
      CORS_ORIGINS: "https://a.example, http://localhost:5173",
    });
    expect(custom.limits.maxBodyBytes).toBe(1048576);
    expect(custom.limits.ratePerSecond).toBe(0);
    expect(custom.corsOrigins).toEqual(["https://a.example", "http://localhost:5173"]);
  });

  it("accepts cron expressions and macros for ACCT_REF", () => {
    expect(loadConfig({ ACCT_REF: "*/15 * * * *" }).accountRefresh).toBe("*/15 * * * *");
    expect(loadConfig({ ACCT_REF: "0 22 * * 1-5" }).accountRefresh).toBe("0 22 * * 1-5");
    expect(loadConfig({ ACCT_REF: "@daily" }).accountRefresh).toBe("@daily");
  });

  it("refuses a non-loopback HOST without TLS and tokens unless explicitly allowed", () => {
    expect(() => loadConfig({ HOST: "0.0.0.0" })).toThrow(/^HOST=0\.0\.0\.0 is not a loopback address/);
    expect(() => loadConfig({ HOST: "0.0.0.0", AUTH_TOKENS: "0123456789abcdef" })).toThrow(/^HOST=/);
    expect(loadConfig({ HOST: "0.0.0.0", ALLOW_INSECURE_BIND: "true" }).host).toBe("0.0.0.0");
    expect(loadConfig({ HOST: "127.0.0.2" }).host).toBe("127.0.0.2");
    expect(loadConfig({ HOST: "::1" }).host).toBe("::1");
  });

  it("allows a non-loopback HOST with TLS and tokens, and reads token files", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ibrpc-config-"));
    writeFileSync(path.join(dir, "cert.pem"), "CERT");
    writeFileSync(path.join(dir, "key.pem"), "KEY");
    writeFileSync(path.join(dir, "tokens"), "# ops\nfedcba9876543210:read+trade\n\n");
    const c = loadConfig({
      HOST: "0.0.0.0",
      TLS_CERT: path.join(dir, "cert.pem"),
      TLS_KEY: path.join(dir, "key.pem"),
      AUTH_TOKENS: "0123456789abcdef:admin",
      AUTH_TOKENS_FILE: path.join(dir, "tokens"),
    });
    expect(c.tls?.cert.toString()).toBe("CERT");
    expect(c.authTokens).toEqual([
      { token: "0123456789abcdef", scopes: ["admin"] },
      { token: "fedcba9876543210", scopes: ["read", "trade"] },
    ]);
  });
});
