import { describe, expect, it } from "vitest";
import { bool, decimal, double, group, int, optDouble, optInt, str, version, when } from "../../src/sim/wire/fields.js";
import { encodeFrame, encodeHandshake, FrameReader } from "../../src/sim/wire/frame.js";
import { FrameBatch } from "../../src/sim/wire/frame-batch.js";
import { decodeMessage, defineMessage, encodeMessage } from "../../src/sim/wire/layout.js";

function collect(expectHandshake: boolean) {
  const handshakes: string[] = [];
  const frames: string[][] = [];
  const corrupt: string[] = [];
  const reader = new FrameReader(
    {
      onHandshake: (payload) => handshakes.push(payload),
      onFrame: (fields) => frames.push(fields),
      onCorrupt: (detail) => corrupt.push(detail),
    },
    { expectHandshake },
  );
  return { reader, handshakes, frames, corrupt };
}

describe("framing", () => {
  const messages = [
    ["49", "1"],
    ["4", "2", "-1", "2104", "Market data farm connection is OK:usfarm", ""],
    ["15", "1", "DÜ1,ü€𝄞"],
    [""],
  ];

  it("encodes length-prefixed frames with every field NUL-terminated", () => {
    const frame = encodeFrame(["9", "1", "42"]);
    expect(frame.readUInt32BE(0)).toBe(7);
    expect(frame.subarray(4).toString("latin1")).toBe("9\u00001\u000042\u0000");
  });

  it("reads a handshake and frames split at every possible byte boundary", () => {
    const stream = Buffer.concat([encodeHandshake("v100..193"), ...messages.map(encodeFrame)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { reader, handshakes, frames, corrupt } = collect(true);
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      expect(handshakes).toEqual(["v100..193"]);
      expect(frames).toEqual(messages);
      expect(corrupt).toEqual([]);
    }
  });

  it("reads a stream fed one byte at a time and coalesced in one chunk", () => {
    const stream = Buffer.concat(messages.map(encodeFrame));
    const byByte = collect(false);
    for (const byte of stream) byByte.reader.push(Buffer.from([byte]));
    const whole = collect(false);
    whole.reader.push(stream);
    expect(byByte.frames).toEqual(messages);
    expect(whole.frames).toEqual(messages);
  });

  it("reports a frame without its final NUL and a handshake without API\\0", () => {
    const unterminated = Buffer.from([0, 0, 0, 2, 0x34, 0x39]);
    const a = collect(false);
    a.reader.push(unterminated);
    expect(a.corrupt).toEqual(["frame of 2 byte(s) does not end with a NUL terminator"]);
    const b = collect(true);
    b.reader.push(Buffer.from("GET / HTTP/1.1\r\n"));
    expect(b.corrupt[0]).toMatch(/handshake does not start with "API\\0"/);
    expect(b.handshakes).toEqual([]);
  });

  it("batches frames into one write per flush, byte-identical to single frames", () => {
    const writes: Buffer[] = [];
    let scheduled: (() => void) | undefined;
    const batch = new FrameBatch({ write: (chunk) => writes.push(chunk) }, (flush) => {
      scheduled = flush;
    });
    const long = "x".repeat(100_000); // forces the buffer to grow mid-frame
    const all = [...messages, ["1", long, "é"]];
    for (const fields of all) batch.push(fields);
    expect(writes).toEqual([]);
    scheduled?.();
    expect(writes).toHaveLength(1);
    expect(writes[0]?.equals(Buffer.concat(all.map(encodeFrame)))).toBe(true);
  });
});

const contractDetailsLike = defineMessage(10, "sample", [
  version(8),
  int("reqId"),
  str("secType"),
  optInt("maxInt"),
  double("price"),
  optDouble("optionalPrice"),
  decimal("size"),
  bool("flag"),
  str("lastTradeDate").since(182),
  str("faProfile").until(177),
  group("secIdList", [str("tag"), str("value")]),
  when((values) => values.secType === "FUND", [str("fundName"), decimal("fundFee")]),
]);

describe("layouts", () => {
  const values = {
    reqId: 7,
    secType: "FUND",
    maxInt: undefined,
    price: undefined,
    optionalPrice: undefined,
    size: "0.00001",
    flag: true,
    lastTradeDate: "20250321",
    faProfile: "old",
    secIdList: [
      { tag: "ISIN", value: "US0378331005" },
      { tag: "CUSIP", value: "037833100" },
    ],
    fundName: "Fund",
    fundFee: "1.5",
  };

  it("writes IB's unset tokens and honours version gates, groups and conditional blocks", () => {
    expect(encodeMessage(contractDetailsLike, values, 193)).toEqual([
      "10",
      "8",
      "7",
      "FUND",
      "",
      "1.7976931348623157E308",
      "",
      "0.00001",
      "1",
      "20250321",
      "2",
      "ISIN",
      "US0378331005",
      "CUSIP",
      "037833100",
      "Fund",
      "1.5",
    ]);
    const at176 = encodeMessage(contractDetailsLike, { ...values, secType: "STK" }, 176);
    expect(at176.slice(9)).toEqual(["old", "2", "ISIN", "US0378331005", "CUSIP", "037833100"]);
  });

  it.each([176, 187, 193])("round-trips through the same table at version %i", (serverVersion) => {
    const tokens = encodeMessage(contractDetailsLike, values, serverVersion);
    const { values: decoded, problems } = decodeMessage(contractDetailsLike, tokens, serverVersion);
    expect(problems).toEqual([]);
    expect(decoded).toEqual({
      ...values,
      version: 8,
      lastTradeDate: serverVersion >= 182 ? "20250321" : undefined,
      faProfile: serverVersion < 177 ? "old" : undefined,
    });
  });

  it("reads the client's spellings of unset as undefined", () => {
    const message = defineMessage(99, "unset", [optInt("a"), optDouble("b"), double("c"), decimal("d"), decimal("e")]);
    const tokens = ["99", "2147483647", "1.7976931348623157e+308", "Infinity", "", "1,000.5"];
    const { values: decoded, problems } = decodeMessage(message, tokens, 193);
    expect(problems).toEqual([]);
    expect(decoded).toEqual({ a: undefined, b: undefined, c: undefined, d: undefined, e: "1000.5" });
  });

  it("names missing, leftover and malformed fields", () => {
    const reqIds = defineMessage(8, "reqIds", [version(), int("numIds")]);
    expect(decodeMessage(reqIds, ["8", "1"], 193).problems).toEqual([
      { kind: "missing-field", field: "numIds", detail: "message ended before this field" },
    ]);
    expect(decodeMessage(reqIds, ["8", "1", "5", "x", "y"], 193).problems).toEqual([
      { kind: "leftover-field", field: "", detail: '2 token(s) left after the last field: ["x","y"]' },
    ]);
    expect(decodeMessage(reqIds, ["8", "1", "five"], 193).problems).toEqual([
      { kind: "malformed-field", field: "numIds", detail: 'expected an integer, got "five"' },
    ]);
    const grouped = defineMessage(1, "grouped", [group("legs", [int("conId"), str("side")])]);
    expect(decodeMessage(grouped, ["1", "2", "5", "BUY", "6"], 193).problems).toEqual([
      { kind: "missing-field", field: "legs[1].side", detail: "message ended before this field" },
    ]);
    expect(decodeMessage(grouped, ["1", "9", "5"], 193).problems[0]?.kind).toBe("malformed-field");
  });
});
