import { createServer, type Server, type Socket } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventName, IBApi } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import { deadlineSignal } from "../../src/gateway/deadline.js";
import { GatewayConnection, type GatewaySnapshot } from "../../src/gateway/gateway-connection.js";
import { IbError } from "../../src/gateway/ib-error.js";
import { encodeFrame } from "../../src/sim/index.js";
import { withTimeout } from "../support/wait.js";
import {
  connectTo,
  FAST_BACKOFF,
  fakeGateway,
  logger,
  onCleanup,
  reach,
  squatClientIds,
  startSim,
  WIRE,
} from "./harness.js";

function currentTime(conn: GatewayConnection, timeoutMs = 2_000): Promise<number> {
  const signal = deadlineSignal({ timeoutMs }, () => "no currentTime");
  return conn.correlator.next({
    request: "reqCurrentTime",
    event: EventName.currentTime,
    send: () => conn.ib.reqCurrentTime(),
    map: (e) => e.time,
    signal,
  });
}

describe("GatewayConnection against the simulator", () => {
  it("is READY only after nextValidId, with the session's accounts and version", async () => {
    const sim = await startSim();
    const conn = connectTo(sim.address?.port as number);
    expect(conn.snapshot().state).toBe(GatewayState.CONNECTING);
    await expect(currentTime(conn)).rejects.toMatchObject({ ibCode: 504 });
    await reach(conn, GatewayState.READY);
    const s = conn.snapshot();
    expect(s.managedAccounts).toEqual(sim.accounts);
    expect(s.serverVersion).toBe(193);
    expect(s.clientId).toBe(100);
    expect(s.nextValidId).toBeGreaterThan(0);
    expect(await currentTime(conn)).toBeGreaterThan(1_600_000_000);
  });

  it("fails waiting requests at once when the socket drops, then reconnects by itself", async () => {
    const sim = await startSim();
    const conn = connectTo(sim.address?.port as number);
    await reach(conn, GatewayState.READY);
    const never = conn.correlator.gather({
      request: "test",
      send: () => {},
      items: {},
      end: EventName.contractDetailsEnd,
      signal: deadlineSignal({ timeoutMs: 10_000 }, () => "test"),
    });
    const started = performance.now();
    sim.dropConnections();
    await expect(never).rejects.toBeInstanceOf(IbError);
    await expect(never).rejects.toMatchObject({ ibCode: 504, grpcCode: Code.Unavailable });
    expect(performance.now() - started).toBeLessThan(1_000);
    await reach(conn, GatewayState.READY);
    expect(await currentTime(conn)).toBeGreaterThan(0);
  });

  it("answers UNAVAILABLE while the gateway is down and recovers when it comes back on the same port", async () => {
    const sim = await startSim();
    const port = sim.address?.port as number;
    const conn = connectTo(port);
    await reach(conn, GatewayState.READY);
    await sim.stop();
    await reach(conn, GatewayState.DISCONNECTED);
    await expect(currentTime(conn)).rejects.toMatchObject({ grpcCode: Code.Unavailable });
    expect(conn.snapshot().nextAttemptAt).toBeInstanceOf(Date);
    await startSim({ port });
    await reach(conn, GatewayState.READY);
    expect(await currentTime(conn)).toBeGreaterThan(0);
  });

  it("tries the next client id when IB says 326 (in use)", async () => {
    const sim = await startSim();
    const port = sim.address?.port as number;
    const squatter = new IBApi({ host: "127.0.0.1", port, clientId: 100 });
    const squatterReady = new Promise((r) => squatter.once(EventName.nextValidId, r));
    squatter.connect(100);
    onCleanup(() => squatter.disconnect());
    await squatterReady;
    const conn = connectTo(port);
    await reach(conn, GatewayState.READY);
    expect(conn.clientId).toBe(101);
    expect(conn.snapshot().lastError?.code).toBe(326);
  });

  it("gives up a handshake that never completes and retries", async () => {
    const silent: Server = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    onCleanup(() => new Promise((r) => silent.close(r)));
    const port = (silent.address() as { port: number }).port;
    let attempts = 0;
    silent.on("connection", (s) => {
      attempts++;
      onCleanup(() => s.destroy());
    });
    const conn = connectTo(port, { handshakeTimeoutMs: 200 });
    await reach(conn, GatewayState.DISCONNECTED, 3_000);
    expect(conn.snapshot().lastError?.message).toMatch(/no nextValidId within 200 ms/);
    await reach(conn, GatewayState.CONNECTING, 3_000);
    expect(attempts).toBeGreaterThanOrEqual(1);
  });

  it("ends a request whose End marker never comes with DEADLINE_EXCEEDED naming what was gathered", async () => {
    const sim = await startSim();
    const conn = connectTo(sim.address?.port as number);
    await reach(conn, GatewayState.READY);
    const cancelled: number[] = [];
    const err = await conn.correlator
      .gather({
        request: "reqUserInfo",
        send: (id) => conn.ib.reqUserInfo(id),
        cancel: (id) => cancelled.push(id),
        items: { [EventName.userInfo]: (e) => e.whiteBrandingId },
        noun: "userInfo answers",
        end: EventName.contractDetailsEnd, // never sent for this request
        signal: deadlineSignal({ timeoutMs: 300 }, () => "reqUserInfo: no contractDetailsEnd"),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((err as ConnectError).rawMessage).toBe(
      "reqUserInfo: 1 userInfo answers gathered, no contractDetailsEnd from gateway test within 300 ms",
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(cancelled).toHaveLength(1);
    expect(conn.correlator.pendingCount).toBe(0);
  });

  it("shares one reqCurrentTime among concurrent callers", async () => {
    const sim = await startSim();
    const conn = connectTo(sim.address?.port as number);
    await reach(conn, GatewayState.READY);
    let sent = 0;
    conn.on("event", (name) => {
      if (name === EventName.currentTime) sent++;
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => currentTime(conn)));
    expect(new Set(answers).size).toBe(1);
    expect(sent).toBe(1);
  });
});

describe("GatewayConnection heartbeat", () => {
  it("drops and reconnects a gateway that keeps its socket open but stops answering", async () => {
    // A gateway that completes the handshake, then never answers a request (a hung TWS).
    let connections = 0;
    const hung: Server = createServer((socket) => {
      connections++;
      let started = false;
      socket.on("data", (chunk) => {
        if (!started && chunk.includes("API\0")) {
          socket.write(encodeFrame(["193", "20250102 14:30:00 UTC"]));
        } else if (!started) {
          started = true;
          socket.write(encodeFrame(["15", "1", "DU1"]));
          socket.write(encodeFrame(["9", "1", "1"]));
        }
      });
      socket.on("error", () => {});
      onCleanup(() => socket.destroy());
    });
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    onCleanup(() => new Promise((r) => hung.close(r)));
    const conn = new GatewayConnection({
      endpoint: { name: "hung", host: "127.0.0.1", port: (hung.address() as { port: number }).port },
      baseClientId: 1,
      logger,
      backoff: FAST_BACKOFF,
      heartbeat: { intervalMs: 100, timeoutMs: 200 },
    });
    onCleanup(() => conn.close());
    conn.start();
    await reach(conn, GatewayState.READY);
    await reach(conn, GatewayState.DISCONNECTED, 3_000);
    expect(conn.snapshot().lastError?.message).toMatch(/stopped answering: no currentTime within 200 ms/);
    await reach(conn, GatewayState.READY, 3_000);
    expect(connections).toBeGreaterThanOrEqual(2);
  });

  it("keeps a healthy gateway connected", async () => {
    const sim = await startSim();
    const conn = new GatewayConnection({
      endpoint: { name: "ok", host: "127.0.0.1", port: sim.address?.port as number },
      baseClientId: 1,
      logger,
      heartbeat: { intervalMs: 50, timeoutMs: 500 },
    });
    onCleanup(() => conn.close());
    conn.start();
    await reach(conn, GatewayState.READY);
    const since = conn.snapshot().stateSince;
    await new Promise((r) => setTimeout(r, 500));
    expect(conn.snapshot().state).toBe(GatewayState.READY);
    expect(conn.snapshot().stateSince).toEqual(since);
  });
});

describe("GatewayConnection handshake and client ids", () => {
  it("is READY only once it has both nextValidId and managedAccounts, whatever their order", async () => {
    // IB Gateway may send nextValidId first; this one then sends managedAccounts only when asked (reqManagedAccts).
    const gw = await fakeGateway((fields, socket) => {
      if (fields[0] === WIRE.startApi) socket.write(encodeFrame([WIRE.nextValidId, "1", "1"]));
      if (fields[0] === WIRE.reqManagedAccts) socket.write(encodeFrame([WIRE.managedAccounts, "1", "DU1,DU2"]));
    });
    const readyStates: GatewaySnapshot[] = [];
    const conn = new GatewayConnection({
      endpoint: { name: "late-accounts", host: "127.0.0.1", port: gw.port },
      baseClientId: 1,
      logger,
      backoff: FAST_BACKOFF,
      handshakeTimeoutMs: 2_000,
    });
    onCleanup(() => conn.close());
    conn.on("change", (s) => {
      if (s.state === GatewayState.READY) readyStates.push(s);
    });
    conn.start();
    await reach(conn, GatewayState.READY);
    expect(readyStates[0]?.managedAccounts).toEqual(["DU1", "DU2"]);
    expect(conn.accounts).toEqual(["DU1", "DU2"]);
  });

  it("gives up a handshake whose managedAccounts never comes, within the handshake deadline", async () => {
    const gw = await fakeGateway((fields, socket) => {
      if (fields[0] === WIRE.startApi) socket.write(encodeFrame([WIRE.nextValidId, "1", "1"]));
    });
    let everReady = false;
    const conn = connectTo(gw.port, { handshakeTimeoutMs: 200 });
    conn.on("change", (s) => {
      everReady ||= s.state === GatewayState.READY;
    });
    await reach(conn, GatewayState.DISCONNECTED, 3_000);
    expect(everReady).toBe(false);
    expect(conn.snapshot().lastError?.message).toMatch(/no managedAccounts within 200 ms/);
  });

  it("backs off once every client id of its span was refused with 326, instead of retrying at once forever", async () => {
    const sim = await startSim();
    const port = sim.address?.port as number;
    const base = 200;
    // Squatters on all 32 ids ibrpc may use (base .. base + 31).
    await squatClientIds(port, base);
    const conn = connectTo(port, { baseClientId: base });
    let refused = 0;
    conn.on("notice", (n) => {
      if (n.code === 326) refused++;
    });
    // The retry after the 32nd refusal is the one that must wait.
    const afterSpan = await withTimeout(
      new Promise<GatewaySnapshot>((resolve) => {
        conn.on("change", (s) => {
          if (refused >= 32 && s.state === GatewayState.DISCONNECTED) resolve(s);
        });
      }),
      "the disconnect after the 32nd refusal",
      10_000,
    );
    expect(refused).toBe(32);
    const retryInMs = (afterSpan.nextAttemptAt?.getTime() ?? 0) - afterSpan.stateSince.getTime();
    expect(retryInMs).toBeGreaterThanOrEqual(FAST_BACKOFF.initialMs - 5);
  });
});

describe("GatewayConnection and IB's farm notices", () => {
  /** IB's error message (id 4, version 2) for the whole connection (id -1), as TWS 193 writes it. */
  const connectionMessage = (code: number, text: string) => encodeFrame(["4", "2", "-1", String(code), text, ""]);

  /** A READY connection to a fake gateway that answers the handshake, and that gateway's socket to write notices on. */
  async function readyOnFakeGateway(): Promise<{ conn: GatewayConnection; gatewaySocket: Socket | undefined }> {
    let gatewaySocket: Socket | undefined;
    const gw = await fakeGateway((fields, socket) => {
      if (fields[0] !== WIRE.startApi) return;
      gatewaySocket = socket;
      socket.write(encodeFrame([WIRE.managedAccounts, "1", "DU1"]));
      socket.write(encodeFrame([WIRE.nextValidId, "1", "1"]));
    });
    const conn = connectTo(gw.port);
    await reach(conn, GatewayState.READY);
    return { conn, gatewaySocket };
  }

  it("keeps a 2110 as lastError while staying READY (TWS still answers), until a farm reports OK", async () => {
    const { conn, gatewaySocket } = await readyOnFakeGateway();
    const since = conn.snapshot().stateSince;
    const changed = (test: (s: GatewaySnapshot) => boolean) =>
      withTimeout(new Promise<GatewaySnapshot>((resolve) => conn.on("change", (s) => test(s) && resolve(s))), "change");

    const broken = changed((s) => s.lastError?.code === 2110);
    gatewaySocket?.write(
      connectionMessage(
        2110,
        "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
      ),
    );
    expect((await broken).state).toBe(GatewayState.READY);
    expect(conn.isReady).toBe(true);
    expect(conn.snapshot().stateSince).toEqual(since);

    const restored = changed((s) => s.lastError === undefined);
    gatewaySocket?.write(connectionMessage(2104, "Market data farm connection is OK:usfarm"));
    expect((await restored).state).toBe(GatewayState.READY);
    expect(conn.snapshot().stateSince).toEqual(since);
  });

  it("a farm-OK notice leaves other errors alone; 1100 is an outage (IB_DISCONNECTED) until 1102", async () => {
    const { conn, gatewaySocket } = await readyOnFakeGateway();
    gatewaySocket?.write(connectionMessage(1100, "Connectivity between IB and Trader Workstation has been lost."));
    await reach(conn, GatewayState.IB_DISCONNECTED);
    const notices: number[] = [];
    const farmOk = new Promise<void>((resolve) =>
      conn.on("notice", (n) => {
        notices.push(n.code);
        if (n.code === 2104) resolve();
      }),
    );
    gatewaySocket?.write(connectionMessage(2104, "Market data farm connection is OK:usfarm"));
    await withTimeout(farmOk, "the 2104 notice");
    expect(conn.snapshot()).toMatchObject({ state: GatewayState.IB_DISCONNECTED, lastError: { code: 1100 } });
    gatewaySocket?.write(
      connectionMessage(1102, "Connectivity between IB and Trader Workstation has been restored - data maintained."),
    );
    await reach(conn, GatewayState.READY);
    expect(conn.snapshot().lastError?.code).toBe(1100);
  });
});
