import * as net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Listener, listen } from "../../src/server/listener.js";
import { captureLogger, withTimeout } from "./helpers.js";

let listener: Listener;
beforeAll(async () => {
  listener = await listen({
    host: "127.0.0.1",
    port: 0,
    logger: captureLogger().logger,
    sniffTimeoutMs: 300,
    handler: (req, res) => {
      res.setHeader("content-type", "text/plain");
      res.end(`HTTP/${req.httpVersion} ${req.method} ${req.url}`);
    },
  });
});
afterAll(() => listener.close(1000));

/** Opens a raw connection, writes `chunks` with pauses in between, and collects what the server sends. */
async function raw(chunks: (string | Buffer)[], until: (received: Buffer) => boolean): Promise<Buffer> {
  const socket = net.connect(listener.port, "127.0.0.1");
  let received = Buffer.alloc(0);
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on("data", (d) => {
      received = Buffer.concat([received, d]);
      if (until(received)) resolve(received);
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  for (const c of chunks) {
    socket.write(c);
    await sleep(20);
  }
  try {
    return await withTimeout(done, "server answer", 5000);
  } finally {
    socket.destroy();
  }
}

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

describe("protocol sniffing on one cleartext port", () => {
  test("an HTTP/2 preface split over several segments still reaches the HTTP/2 server", async () => {
    const chunks = [PREFACE.slice(0, 1), PREFACE.slice(1, 5), PREFACE.slice(5, 17), PREFACE.slice(17), EMPTY_SETTINGS];
    const got = await raw(chunks, (r) => r.length >= 9);
    // The server's first frame is its SETTINGS (type 4 at byte 3): it is speaking HTTP/2.
    expect(got[3]).toBe(4);
  });

  test("an HTTP/1.1 request whose first byte looks like the preface goes to the HTTP/1.1 server", async () => {
    const got = await raw(["P", "OST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"], (r) =>
      r.includes("POST /x"),
    );
    expect(got.toString()).toMatch(/^HTTP\/1\.1 200/);
    expect(got.toString()).toContain("HTTP/1.1 POST /x");
  });

  test("connections that close early, send garbage or stay silent are dropped, and serving goes on", async () => {
    // Closes before sending anything, and halfway through the preface.
    await raw([], () => true);
    await raw([PREFACE.slice(0, 10)], () => true);
    // A TLS ClientHello on the cleartext port: the HTTP/1 parser refuses it and the server hangs up.
    const tls = await raw([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])], () => false);
    expect(tls.toString()).toMatch(/^HTTP\/1\.1 400/);
    // Silent: cut after the sniff timeout (300 ms here) rather than held forever.
    const started = Date.now();
    await raw([], () => false);
    expect(Date.now() - started).toBeLessThan(4000);
    const ok = await raw(["GET /still HTTP/1.1\r\nHost: a\r\n\r\n"], (r) => r.includes("GET /still"));
    expect(ok.toString()).toContain("HTTP/1.1 GET /still");
  });
});
