import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { Logger } from "pino";
import type { Limits } from "../config.js";
import { type TlsConfig, tlsServerOptions } from "./tls.js";

/**
 * Node caps what one HTTP/2 connection may hold in flight at 10 MB (maxSessionMemory): one client with many streams
 * (hundreds of market data feeds on one connection) hit it, and Node then throttled every stream of that connection
 * to a trickle (bench/streams: 1,000 streams got ~1% of their ticks). Each stream's own buffer is bounded by the
 * stream hub, so the session may hold more.
 */
const H2_SESSION = { maxSessionMemory: 256 };

/** What both HTTP stacks call for every request; connect-node's adapter fits. */
export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface ListenerOptions {
  host: string;
  port: number;
  handler: RequestHandler;
  /** Without it: cleartext HTTP/1.1 and h2c (prior knowledge) on the same port. */
  tls?: TlsConfig;
  logger: Logger;
  /** A connection that has not shown what it speaks by then is dropped (slowloris guard). Default 10 s. */
  sniffTimeoutMs?: number;
  /** HTTP timeouts and the connection cap (src/config.ts Limits); Node's defaults when absent. */
  limits?: Partial<Pick<Limits, "headersTimeoutMs" | "requestTimeoutMs" | "idleTimeoutMs" | "maxConnections">>;
}

/** One TCP port speaking HTTP/1.1 and HTTP/2. */
export interface Listener {
  readonly host: string;
  /** The port actually bound (differs from the requested one for port 0). */
  readonly port: number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`, then destroys what is left.
   * Resolves once every connection is gone.
   */
  close(graceMs: number): Promise<void>;
}

/** Every HTTP/2 client sends this first; HTTP/1 request lines differ from it by the second byte. */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export async function listen(opts: ListenerOptions): Promise<Listener> {
  const log = opts.logger;
  const sockets = new Set<net.Socket>();
  /** Connections speaking HTTP/1: once nothing is in flight they are idle keep-alives, safe to end. */
  const h1Sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  let inFlight = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;

  // Counting requests at the HTTP layer covers every protocol and every streaming shape alike.
  const handler: RequestHandler = (req, res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    if (draining && req.httpVersionMajor < 2) {
      // HTTP/1.1 has no GOAWAY: telling keep-alive clients to reconnect elsewhere is the closest thing.
      (res as http.ServerResponse).setHeader("connection", "close");
    }
    opts.handler(req, res);
  };

  const limits = opts.limits ?? {};
  const headersTimeoutMs = limits.headersTimeoutMs ?? 10_000;
  const idleTimeoutMs = limits.idleTimeoutMs ?? 60_000;
  const trackH2 = (s: http2.Http2Session) => {
    track(sessions, s);
    closeWhenIdle(s, idleTimeoutMs);
  };

  const slowTimers = new WeakMap<object, NodeJS.Timeout>();
  /** Stops HTTP/1 timeout checks when closing. */
  let stopH1: (() => void) | undefined;
  let server: net.Server;
  if (opts.tls) {
    // With TLS, ALPN tells the protocols apart, so Node's own allowHTTP1 fallback works.
    const secure = http2.createSecureServer({ ...tlsServerOptions(opts.tls), ...H2_SESSION }, handler);
    secure.on("session", trackH2);
    secure.on("secureConnection", (socket) => {
      if (socket.alpnProtocol === "h2") return;
      track(h1Sockets, socket);
      // Node's HTTP/1 header and request timeouts do not run for http2's HTTP/1 fallback: a client must at least
      // send its first request's headers in time, and an idle keep-alive connection is closed.
      const slow = setTimeout(() => socket.destroy(), headersTimeoutMs);
      slow.unref();
      slowTimers.set(socket, slow);
      socket.once("close", () => clearTimeout(slow));
      socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    });
    secure.on("request", (req: http2.Http2ServerRequest | http.IncomingMessage) => {
      if (req.httpVersionMajor < 2) clearTimeout(slowTimers.get(req.socket));
    });
    secure.on("tlsClientError", (err) => log.debug({ err }, "tls handshake failed"));
    server = secure;
  } else {
    // http2.createServer({allowHTTP1}) only falls back for TLS sockets, so cleartext needs the sniffing below.
    const h1 = http.createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: Math.max(limits.requestTimeoutMs ?? 30_000, headersTimeoutMs),
        keepAliveTimeout: idleTimeoutMs,
        // How often the two timeouts above are checked.
        connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
      },
      handler,
    );
    // Node checks HTTP/1 header and request timeouts only for servers that listened themselves; this one gets its
    // sockets from the sniffer below, so start the checks as 'listening' would (h1.close() stops them).
    h1.emit("listening");
    stopH1 = () => h1.close();
    const h2 = http2.createServer(H2_SESSION, handler);
    h2.on("session", trackH2);
    h1.on("clientError", (err, socket) => {
      log.debug({ err }, "bad http/1 request");
      // What Node does without a listener: a client that spoke broken HTTP still learns why it is cut off.
      if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(err)}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
    const sniffTimeoutMs = opts.sniffTimeoutMs ?? 10_000;
    server = net.createServer((socket) => {
      sniffPreface(socket, sniffTimeoutMs, (isH2) => {
        if (!isH2) track(h1Sockets, socket);
        (isH2 ? h2 : h1).emit("connection", socket);
      });
    });
  }
  server.maxConnections = limits.maxConnections ?? 1024;
  server.on("drop", (data) => log.warn({ remote: data?.remoteAddress }, "connection refused: MAX_CONNECTIONS reached"));
  server.on("connection", (socket: net.Socket) => {
    // A reset before an HTTP stack owns the socket must not become an uncaught 'error'.
    socket.on("error", (err) => log.debug({ err }, "socket error"));
    track(sockets, socket);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => log.error({ err }, "listener error"));
  const address = server.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  const close = async (graceMs: number): Promise<void> => {
    draining = true;
    stopH1?.();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // GOAWAY: HTTP/2 clients open no new streams here; sessions end by themselves once their streams are done.
    for (const s of sessions) s.close();
    const idle = new Promise<void>((resolve) => {
      onIdle = resolve;
      if (inFlight === 0) resolve();
    });
    const deadline = Date.now() + graceMs;
    if (await within(idle, graceMs)) {
      // Nothing in flight: what is left are idle keep-alive connections, and ending them loses nothing.
      for (const s of h1Sockets) s.end();
      await within(closed, Math.max(0, deadline - Date.now()));
    }
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
    await closed;
  };

  return {
    host: address.address,
    port: address.port,
    close(graceMs) {
      closing ??= close(graceMs);
      return closing;
    },
  };
}

/**
 * Reads until the bytes either match the whole HTTP/2 preface or stop matching it, then puts them back and hands
 * the socket on. The preface may arrive split over several segments; a socket that closes or stays silent before
 * the decision is simply dropped.
 */
function sniffPreface(socket: net.Socket, timeoutMs: number, decided: (isH2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const done = () => {
    clearTimeout(timer);
    socket.off("readable", onReadable);
    socket.off("close", done);
  };
  // 'readable' + read() rather than 'data': pausing a flowing socket would leave it paused for the HTTP/1 parser,
  // which only listens for 'data'. Without a listener of either kind the stream falls back to its initial mode.
  const onReadable = () => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    }
    const n = Math.min(seen.length, H2_PREFACE.length);
    const matches = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (seen.length === 0 || (matches && n < H2_PREFACE.length)) return;
    done();
    socket.unshift(seen);
    decided(matches);
  };
  socket.on("readable", onReadable);
  socket.once("close", done);
}

function track<T extends { once(event: "close", listener: () => void): unknown }>(set: Set<T>, item: T): void {
  set.add(item);
  item.once("close", () => set.delete(item));
}

/** Resolves true if `p` settles within `ms`, false otherwise. */
async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes an HTTP/2 session that carried nothing for `idleMs`. A session with open streams (a quiet market data
 * stream) stays: it is in use, just silent.
 */
function closeWhenIdle(session: http2.Http2Session, idleMs: number): void {
  let open = 0;
  session.on("stream", (stream: http2.Http2Stream) => {
    open++;
    stream.once("close", () => open--);
  });
  session.setTimeout(idleMs, () => {
    if (open === 0) session.close();
  });
}

/** The status line for a request Node's HTTP/1 parser gave up on: slow clients get 408, huge headers 431. */
function clientErrorStatus(err: NodeJS.ErrnoException): string {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") return "408 Request Timeout";
  if (err.code === "HPE_HEADER_OVERFLOW") return "431 Request Header Fields Too Large";
  return "400 Bad Request";
}
