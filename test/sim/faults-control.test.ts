import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/sim/clock.js";
import {
  CONNECTIVITY_BROKEN_MESSAGE,
  CONNECTIVITY_LOST_MESSAGE,
  CONNECTIVITY_RESTORED_DATA_LOST_MESSAGE,
  CONNECTIVITY_RESTORED_DATA_MAINTAINED_MESSAGE,
  type ControlledSession,
  SimulatorControl,
} from "../../src/sim/control/control.js";
import { EndMarkerGate } from "../../src/sim/control/end-marker-gate.js";
import { SubscriptionRegistry } from "../../src/sim/subscriptions.js";

const START = Date.UTC(2025, 0, 2, 14, 30, 0);

class FakeSession implements ControlledSession {
  readonly notices: Array<[number, number, string]> = [];
  readonly subscriptions = new SubscriptionRegistry();
  readonly serverVersion = 193;
  constructor(
    readonly sessionId: number,
    readonly clientId: number,
    readonly isReady = true,
  ) {}
  sendError(id: number, code: number, message: string): void {
    this.notices.push([id, code, message]);
  }
}

function harness(sessions: FakeSession[]) {
  const clock = new ManualClock(START);
  const endMarkers = new EndMarkerGate(clock);
  let drops = 0;
  const control = new SimulatorControl({
    clock,
    endMarkers,
    sessions: () => sessions,
    dropConnections: () => {
      drops++;
    },
    violationCount: () => 4,
  });
  return { clock, endMarkers, control, drops: () => drops };
}

describe("connectivity faults", () => {
  it("sends 1100 then, after the delay, 1102 to every ready session; subscriptions survive", () => {
    const ready = new FakeSession(1, 7);
    const handshaking = new FakeSession(2, -1, false);
    ready.subscriptions.add("mktData", 1, () => {});
    const { clock, control } = harness([ready, handshaking]);

    control.connectivityLost({ restore: "data-maintained", afterMs: 3000 });
    expect(ready.notices).toEqual([[-1, 1100, CONNECTIVITY_LOST_MESSAGE]]);
    expect(control.status().faults.connectivity).toBe("lost");
    clock.advance(2999);
    expect(ready.notices).toHaveLength(1);
    clock.advance(1);
    expect(ready.notices[1]).toEqual([-1, 1102, CONNECTIVITY_RESTORED_DATA_MAINTAINED_MESSAGE]);
    expect(ready.subscriptions.count()).toBe(1);
    expect(handshaking.notices).toEqual([]);
    expect(control.status().faults.connectivity).toBe("ok");
  });

  it("with data lost, cancels every subscription of every session and restores with 1101", () => {
    const [first, second] = [new FakeSession(1, 1), new FakeSession(2, 2)];
    const cancelled: string[] = [];
    first.subscriptions.add("mktData", 1, () => cancelled.push("first mktData 1"));
    first.subscriptions.add("accountUpdates", "DU1", () => cancelled.push("first accountUpdates"));
    second.subscriptions.add("mktDepth", 5, () => cancelled.push("second mktDepth 5"));
    const { clock, control } = harness([first, second]);

    control.connectivityLost({ restore: "data-lost", afterMs: 1000 });
    expect(cancelled.sort()).toEqual(["first accountUpdates", "first mktData 1", "second mktDepth 5"]);
    expect(first.subscriptions.count() + second.subscriptions.count()).toBe(0);
    clock.advance(1000);
    for (const session of [first, second]) {
      expect(session.notices.map(([, code]) => code)).toEqual([1100, 1101]);
      expect(session.notices[1]?.[2]).toBe(CONNECTIVITY_RESTORED_DATA_LOST_MESSAGE);
    }
  });

  it("a second outage replaces the first's pending restore", () => {
    const session = new FakeSession(1, 1);
    const { clock, control } = harness([session]);
    control.connectivityLost({ restore: "data-lost", afterMs: 1000 });
    clock.advance(500);
    control.connectivityLost({ restore: "data-maintained", afterMs: 1000 });
    clock.advance(5000);
    expect(session.notices.map(([, code]) => code)).toEqual([1100, 1100, 1102]);
  });

  it("sends 2110 with TWS's text", () => {
    const session = new FakeSession(1, 1);
    const { control } = harness([session]);
    control.farmBroken();
    expect(session.notices).toEqual([[-1, 2110, CONNECTIVITY_BROKEN_MESSAGE]]);
    expect(CONNECTIVITY_BROKEN_MESSAGE).toBe(
      "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
    );
  });

  it("rejects nonsense", () => {
    const { control } = harness([]);
    expect(() => control.connectivityLost({ restore: "maybe" as "data-lost", afterMs: 1 })).toThrow(/restore/);
    expect(() => control.connectivityLost({ restore: "data-lost", afterMs: -1 })).toThrow(/afterMs/);
    expect(() => control.refuseConnections(Number.NaN)).toThrow(/refuseConnections/);
    expect(() => control.withholdEnd("nextValidId", "forever")).toThrow(/not an End marker/);
  });
});

describe("refusals and the nightly restart", () => {
  it("refuses for the duration on the simulator clock; a shorter refusal does not cut a longer one", () => {
    const { clock, control } = harness([]);
    control.refuseConnections(10_000);
    control.refuseConnections(1000);
    clock.advance(9999);
    expect(control.refusingConnections).toBe(true);
    clock.advance(1);
    expect(control.refusingConnections).toBe(false);
  });

  it("nightly restart drops every connection and refuses for the outage", () => {
    const { clock, control, drops } = harness([]);
    control.nightlyRestart({ durationMs: 60_000 });
    expect(drops()).toBe(1);
    expect(control.status().faults.refusingConnections).toBe(true);
    clock.advance(60_000);
    expect(control.refusingConnections).toBe(false);
  });

  it("clearFaults lifts a refusal and End-marker rules at once", () => {
    const { control } = harness([]);
    control.refuseConnections(60_000);
    control.withholdEnd("all", "forever");
    control.clearFaults();
    expect(control.status().faults).toEqual({ refusingConnections: false, connectivity: "ok", withheldEnds: [] });
  });
});

describe("End marker gate", () => {
  class Sink {
    readonly frames: string[][] = [];
    push(tokens: readonly string[]): void {
      this.frames.push([...tokens]);
    }
  }

  it("passes everything when no rule is set", () => {
    const gate = new EndMarkerGate(new ManualClock(START));
    expect(gate.intercept("contractDataEnd", ["52", "1", "9"], new Sink())).toBe(false);
  });

  it("withholds one End marker forever and delays another, leaving other messages alone", () => {
    const clock = new ManualClock(START);
    const gate = new EndMarkerGate(clock);
    const out = new Sink();
    gate.hold("positionEnd", "forever");
    gate.hold("contractDataEnd", { delayMs: 2000 });
    expect(gate.intercept("position", ["61"], out)).toBe(false);
    expect(gate.intercept("positionEnd", ["62", "1"], out)).toBe(true);
    expect(gate.intercept("contractDataEnd", ["52", "1", "9"], out)).toBe(true);
    expect(gate.intercept("accountSummaryEnd", ["64", "1", "3"], out)).toBe(false);
    clock.advance(1999);
    expect(out.frames).toEqual([]);
    clock.advance(1);
    expect(out.frames).toEqual([["52", "1", "9"]]);
    clock.advance(60_000);
    expect(out.frames).toHaveLength(1);
  });

  it('"all" holds every End marker; a named rule wins over it', () => {
    const clock = new ManualClock(START);
    const gate = new EndMarkerGate(clock);
    const out = new Sink();
    gate.hold("all", "forever");
    gate.hold("execDetailsEnd", { delayMs: 0 });
    expect(gate.intercept("accountDownloadEnd", ["54"], out)).toBe(true);
    expect(gate.intercept("execDetailsEnd", ["55"], out)).toBe(true);
    clock.advance(0);
    expect(out.frames).toEqual([["55"]]);
    expect(gate.holds).toEqual([
      { message: "all", hold: "forever" },
      { message: "execDetailsEnd", hold: { delayMs: 0 } },
    ]);
  });

  it("dispose cancels delayed frames", () => {
    const clock = new ManualClock(START);
    const gate = new EndMarkerGate(clock);
    const out = new Sink();
    gate.hold("all", { delayMs: 10 });
    gate.intercept("openOrderEnd", ["53"], out);
    gate.dispose();
    clock.advance(100);
    expect(out.frames).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("status", () => {
  it("lists ready sessions, their client ids, subscriptions and the violation count", () => {
    const first = new FakeSession(3, 9);
    first.subscriptions.add("pnl", 1, () => {});
    const { control } = harness([first, new FakeSession(1, 2), new FakeSession(4, -1, false)]);
    control.withholdEnd("contractDataEnd", { delayMs: 500 });
    expect(control.status()).toEqual({
      sessions: [
        { sessionId: 3, clientId: 9, serverVersion: 193, subscriptions: 1 },
        { sessionId: 1, clientId: 2, serverVersion: 193, subscriptions: 0 },
      ],
      clientIds: [2, 9],
      violations: 4,
      faults: {
        refusingConnections: false,
        connectivity: "ok",
        withheldEnds: [{ message: "contractDataEnd", delayMs: 500 }],
      },
    });
  });
});
