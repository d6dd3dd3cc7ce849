import { EventName } from "@stoqey/ib";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame, encodeHandshake, MAX_CLIENTS, Simulator, TwsCode } from "../../src/sim/index.js";
import { FIXED_NOW, IbClient, RawClient, testLogger } from "./helpers.js";

let simulator: Simulator;
const raws: RawClient[] = [];
const ibs: IbClient[] = [];

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.destroy();
  for (const ib of ibs.splice(0)) ib.disconnect();
  await simulator.stop();
});

async function startSimulator(options: ConstructorParameters<typeof Simulator>[0] = {}): Promise<number> {
  simulator = new Simulator({ now: () => FIXED_NOW, logger: testLogger, ...options });
  return (await simulator.start()).port;
}

async function raw(port: number, clientId: number, versionRange?: string): Promise<RawClient> {
  const client = await RawClient.start(port, clientId, versionRange);
  raws.push(client);
  return client;
}

const isError = (code: number) => (fields: string[]) => fields[0] === "4" && fields[3] === String(code);

describe("sessions over raw TCP", () => {
  it("answers a request written one byte at a time", async () => {
    const port = await startSimulator();
    const client = await RawClient.connect(port);
    raws.push(client);
    const bytes = Buffer.concat([encodeHandshake("v100..193")]);
    for (const byte of bytes) client.write(Buffer.from([byte]));
    expect(await client.nextFrame("server version", () => true)).toEqual(["193", "20250102 14:30:00 UTC"]);
    for (const byte of encodeFrame(["71", "2", "3", ""])) client.write(Buffer.from([byte]));
    await client.nextFrame("nextValidId", (fields) => fields[0] === "9");
    const mark = client.mark();
    for (const byte of encodeFrame(["49", "1"])) client.write(Buffer.from([byte]));
    expect(await client.nextFrame("currentTime", (fields) => fields[0] === "49", mark)).toEqual([
      "49",
      "1",
      String(FIXED_NOW / 1000),
    ]);
    expect(simulator.violations).toEqual([]);
  });

  it("sends the welcome sequence: accounts, next id, farm notices", async () => {
    const port = await startSimulator({ accounts: ["U1", "U2"] });
    const client = await raw(port, 5);
    await client.nextFrame("last farm notice", isError(TwsCode.SEC_DEF_FARM_OK));
    expect(client.frames.slice(1)).toEqual([
      ["15", "1", "U1,U2"],
      ["9", "1", "1"],
      ["4", "2", "-1", "2104", "Market data farm connection is OK:usfarm", ""],
      ["4", "2", "-1", "2106", "HMDS data farm connection is OK:ushmds", ""],
      ["4", "2", "-1", "2158", "Sec-def data farm connection is OK:secdefnj", ""],
    ]);
  });

  it("negotiates min(client max, simulator max) and disconnects a client with no common version", async () => {
    const port = await startSimulator({ serverVersion: 187 });
    const older = await raw(port, 1, "v100..180");
    expect(older.frames[0]?.[0]).toBe("180");
    const newer = await raw(port, 2, "v100..193");
    expect(newer.frames[0]?.[0]).toBe("187");

    const ancient = await RawClient.connect(port);
    raws.push(ancient);
    ancient.write(encodeHandshake("v100..150"));
    await ancient.whenClosed();
    expect(ancient.frames).toEqual([]);
    expect(simulator.violations.map((violation) => violation.kind)).toEqual(["unsupported-version"]);
  });

  it("records garbage and unknown requests, answers with an error and keeps every session open", async () => {
    const port = await startSimulator();
    const bystander = new IbClient(port, 1).connect();
    ibs.push(bystander);
    await bystander.ready();
    const offender = await raw(port, 2);

    let mark = offender.mark();
    offender.send(["9999", "1"]);
    const unsupported = await offender.nextFrame("503", isError(TwsCode.UNSUPPORTED_REQUEST), mark);
    expect(unsupported[2]).toBe("-1");
    expect(unsupported[4]).toMatch(/message id "9999" is not implemented/);

    mark = offender.mark();
    offender.send(["garbage", "\u0001"]);
    await offender.nextFrame("503 for garbage", isError(TwsCode.UNSUPPORTED_REQUEST), mark);

    mark = offender.mark();
    offender.send(["104", "12", "leftover"]);
    const leftover = await offender.nextFrame("320 for leftover", isError(TwsCode.ERROR_READING_REQUEST), mark);
    expect(leftover[2]).toBe("12"); // routed to the request it concerns
    expect(leftover[4]).toMatch(/reqUserInfo .*leftover-field/);

    mark = offender.mark();
    offender.send(["8", "1"]);
    const missing = await offender.nextFrame("320 for missing", isError(TwsCode.ERROR_READING_REQUEST), mark);
    expect(missing[4]).toMatch(/reqIds .*missing-field numIds/);

    expect(
      simulator.violations.map(({ kind, messageId, messageName, field, clientId }) => ({
        kind,
        messageId,
        messageName,
        field,
        clientId,
      })),
    ).toEqual([
      { kind: "unknown-message", messageId: "9999", messageName: undefined, field: undefined, clientId: 2 },
      { kind: "unknown-message", messageId: "garbage", messageName: undefined, field: undefined, clientId: 2 },
      { kind: "leftover-field", messageId: "104", messageName: "reqUserInfo", field: undefined, clientId: 2 },
      { kind: "missing-field", messageId: "8", messageName: "reqIds", field: "numIds", clientId: 2 },
    ]);

    // Both connections still work.
    mark = offender.mark();
    offender.send(["49", "1"]);
    await offender.nextFrame("currentTime after violations", (fields) => fields[0] === "49", mark);
    const ibMark = bystander.mark();
    bystander.api.reqCurrentTime();
    await bystander.next(EventName.currentTime, "bystander currentTime", ibMark);
    expect(offender.closed).toBe(false);
    expect(simulator.sessionCount).toBe(2);
  });

  it("closes a connection whose first frame is not startApi", async () => {
    const port = await startSimulator();
    const client = await RawClient.connect(port);
    raws.push(client);
    client.write(encodeHandshake("v100..193"));
    await client.nextFrame("server version", () => true);
    client.send(["49", "1"]);
    await client.whenClosed();
    expect(simulator.violations.map((violation) => violation.kind)).toEqual(["unexpected-message"]);
  });

  it(`admits ${MAX_CLIENTS} clients and refuses one more`, async () => {
    const port = await startSimulator();
    for (let clientId = 0; clientId < MAX_CLIENTS; clientId++) await raw(port, clientId);
    expect(simulator.sessionCount).toBe(MAX_CLIENTS);
    const extra = await RawClient.connect(port);
    raws.push(extra);
    extra.write(encodeHandshake("v100..193"));
    await extra.nextFrame("server version", () => true);
    extra.send(["71", "2", "1000", ""]);
    await extra.nextFrame("refusal", isError(TwsCode.TOO_MANY_CLIENTS));
    await extra.whenClosed();
    expect(simulator.sessionCount).toBe(MAX_CLIENTS);
  });
});

describe("faults", () => {
  it("dropConnections disconnects every client and lets them reconnect with the same id", async () => {
    const port = await startSimulator();
    const ib = new IbClient(port, 9).connect();
    ibs.push(ib);
    await ib.ready();
    const mark = ib.mark();
    simulator.dropConnections();
    await ib.next(EventName.disconnected, "disconnect after drop", mark);
    await expect.poll(() => simulator.sessionCount, { timeout: 5000 }).toBe(0);

    const again = await raw(port, 9);
    expect(again.frames.some((fields) => fields[0] === "9")).toBe(true);
  });

  it("refuseConnections closes new connections for a while, then accepts again", async () => {
    const port = await startSimulator();
    const windowMs = 150;
    simulator.refuseConnections(windowMs);
    const refused = await RawClient.connect(port);
    raws.push(refused);
    await refused.whenClosed();
    expect(refused.frames).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, windowMs + 50));
    const accepted = await raw(port, 1);
    expect(accepted.frames[0]?.[0]).toBe("193");
  });

  it("stop closes every connection and is idempotent", async () => {
    const port = await startSimulator();
    const client = await raw(port, 1);
    await Promise.all([simulator.stop(), simulator.stop()]);
    await client.whenClosed();
    expect(simulator.address).toBeUndefined();
    expect(simulator.sessionCount).toBe(0);
    await expect(simulator.start()).rejects.toThrow(/stopped/);
  });
});
