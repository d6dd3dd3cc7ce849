import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { type App, startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";

/** The three tokens an operator would hand out. */
export const TOKENS = {
  read: "read-token-0123456789abcdef",
  trade: "trade-token-0123456789abcdef",
  admin: "admin-token-0123456789abcdef",
} as const;

export const AUTH_TOKENS = `${TOKENS.read}:read,${TOKENS.trade}:read+trade,${TOKENS.admin}:admin`;

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The whole service in-process (simulator, database in a fresh DATA_DIR), configured by environment, logs kept. */
export async function startSecuredApp(
  env: Record<string, string> = {},
): Promise<{ app: App; lines: Record<string, unknown>[]; raw: string[] }> {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level: "info" },
    {
      write: (s: string) => {
        raw.push(s);
        lines.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
  );
  const config = loadConfig({
    PORT: "0",
    SIM_SEED: "42",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "ibrpc-security-")),
    AUTH_TOKENS,
    ...env,
  });
  return { app: await startApp(config, logger), lines, raw };
}

/** A Connect unary call with fetch, as curl makes it. */
export async function connectCall(
  baseUrl: string,
  procedure: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code?: string; message?: string; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${baseUrl}${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  return {
    status: res.status,
    code: json.code as string | undefined,
    message: json.message as string | undefined,
    json,
    headers: res.headers,
  };
}

/** One Connect-streaming request message: the 5-byte envelope around JSON. */
export function connectEnvelope(json: string): Uint8Array {
  const body = Buffer.from(json);
  const out = Buffer.alloc(5 + body.length);
  out.writeUInt32BE(body.length, 1);
  body.copy(out, 5);
  return out;
}
