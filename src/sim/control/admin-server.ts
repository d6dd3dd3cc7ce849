import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { SimulatorControl } from "./control.js";

/** A fault request the admin port could not accept; answered with 400 and the message. */
class BadRequest extends Error {}

const MAX_BODY_BYTES = 64 * 1024;
const LOOPBACK = "127.0.0.1";

type Body = Record<string, unknown>;
type Route = (control: SimulatorControl, body: Body) => unknown;

function durationField(body: Body, name: string): number {
  const value = body[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new BadRequest(`"${name}" must be a number of milliseconds >= 0`);
  }
  return value;
}

/** POST routes: each drives one method of the control API and answers what it did. */
const FAULTS: Record<string, Route> = {
  "/faults/drop": (control) => {
    control.dropConnections();
    return { dropped: true };
  },
  "/faults/refuse": (control, body) => {
    const ms = durationField(body, "ms");
    control.refuseConnections(ms);
    return { refusingForMs: ms };
  },
  "/faults/connectivity": (control, body) => {
    const restore = body.restore ?? "data-maintained";
    if (restore !== "data-maintained" && restore !== "data-lost") {
      throw new BadRequest(`"restore" must be "data-maintained" or "data-lost"`);
    }
    const afterMs = durationField(body, "afterMs");
    control.connectivityLost({ restore, afterMs });
    return { restore, afterMs };
  },
  "/faults/farm-broken": (control) => {
    control.farmBroken();
    return { sent: 2110 };
  },
  "/faults/withhold-end": (control, body) => {
    const message = body.message;
    if (typeof message !== "string") throw new BadRequest(`"message" must be an End marker name or "all"`);
    const hold = body.forever === true ? "forever" : { delayMs: durationField(body, "delayMs") };
    try {
      control.withholdEnd(message, hold);
    } catch (error) {
      throw new BadRequest((error as Error).message);
    }
    return { message, delayMs: hold === "forever" ? "forever" : hold.delayMs };
  },
  "/faults/nightly-restart": (control, body) => {
    const durationMs = durationField(body, "durationMs");
    control.nightlyRestart({ durationMs });
    return { durationMs };
  },
  "/faults/clear": (control) => {
    control.clearFaults();
    return { cleared: true };
  },
};

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The control API over HTTP for manual use (`ibrpc sim --admin-port 4003`): loopback only, JSON in and out.
 * POSTs must say `content-type: application/json`, which a web page cannot send cross-origin without a preflight
 * this server never approves, so a browser tab cannot inject faults.
 */
export async function startAdminServer(control: SimulatorControl, port: number, logger: Logger): Promise<AdminServer> {
  const server = createServer((request, response) => {
    handle(control, request, response).catch((error: unknown) => {
      logger.error({ err: error }, "admin request failed");
      reply(response, 500, { error: "internal error" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info(`simulator admin API on http://${LOOPBACK}:${bound} (GET /status, POST /faults/...)`);
  return { port: bound, close: () => closeServer(server) };
}

async function handle(control: SimulatorControl, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // A page on a rebound DNS name reaches 127.0.0.1 too, but its Host header still names its own domain.
  if (!isLoopbackHost(request.headers.host)) return reply(response, 403, { error: "loopback host names only" });
  const path = new URL(request.url ?? "/", "http://admin").pathname;
  if (path === "/status") {
    if (request.method !== "GET") return reply(response, 405, { error: "use GET" }, { allow: "GET" });
    return reply(response, 200, control.status());
  }
  const route = FAULTS[path];
  if (!route) return reply(response, 404, { error: `no route ${path}`, routes: ["/status", ...Object.keys(FAULTS)] });
  if (request.method !== "POST") return reply(response, 405, { error: "use POST" }, { allow: "POST" });
  if (!request.headers["content-type"]?.startsWith("application/json")) {
    return reply(response, 415, { error: "content-type must be application/json" });
  }
  try {
    reply(response, 200, route(control, await readJsonObject(request)));
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    reply(response, 400, { error: error.message });
  }
}

async function readJsonObject(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  // Decoded once at the end: a multi-byte character may straddle two chunks.
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequest("body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BadRequest("body must be a JSON object");
  }
  return parsed as Body;
}

function isLoopbackHost(host: string | undefined): boolean {
  const name = host?.replace(/:\d+$/, "");
  return name === LOOPBACK || name === "localhost" || name === "[::1]";
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(`${JSON.stringify(body)}\n`);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
