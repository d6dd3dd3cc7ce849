import { describe, expect, it } from "vitest";
import { createHandlerRegistry } from "../../src/sim/handlers/index.js";
import * as accounts from "../../src/sim/messages/accounts.js";
import * as contracts from "../../src/sim/messages/contracts.js";
import * as depth from "../../src/sim/messages/depth.js";
import * as displayGroups from "../../src/sim/messages/display-groups.js";
import * as executions from "../../src/sim/messages/executions.js";
import * as fa from "../../src/sim/messages/fa.js";
import * as fundamentals from "../../src/sim/messages/fundamentals.js";
import * as historical from "../../src/sim/messages/historical.js";
import * as marketData from "../../src/sim/messages/market-data.js";
import * as news from "../../src/sim/messages/news.js";
import * as optionCalculations from "../../src/sim/messages/option-calculations.js";
import * as orders from "../../src/sim/messages/orders.js";
import * as outgoing from "../../src/sim/messages/outgoing.js";
import * as realtimeBars from "../../src/sim/messages/realtime-bars.js";
import * as scanner from "../../src/sim/messages/scanner.js";
import * as tickByTick from "../../src/sim/messages/tick-by-tick.js";
import * as wsh from "../../src/sim/messages/wsh.js";
import type { Fields } from "../../src/sim/wire/fields.js";
import { encodeMessage, type MessageLayout } from "../../src/sim/wire/layout.js";
import { decodeReferenceFrame, referenceViolations } from "./reference-decoder/decoder.js";

/**
 * Every message type the simulator can send, encoded by its own tables at 176, 178, 187 and 193 with every
 * conditional block both off ("quiet": empty strings, zeros, no list items) and on ("busy": every string set, every
 * list with two items, the FUND / delta-neutral / scale / hedge / algo / PEG BENCH / condition blocks present), then
 * read by the independent reference decoder: zero violations. The live program in reference-conformance.test.ts
 * checks the values real handlers put in them.
 */
const SERVER_VERSIONS = [176, 178, 187, 193];

const modules = [
  accounts,
  contracts,
  depth,
  displayGroups,
  executions,
  fa,
  fundamentals,
  historical,
  marketData,
  news,
  optionCalculations,
  orders,
  outgoing,
  realtimeBars,
  scanner,
  tickByTick,
  wsh,
];

function isLayout(value: unknown): value is MessageLayout {
  return typeof value === "object" && value !== null && "id" in value && "fields" in value && "name" in value;
}

const registry = createHandlerRegistry();
const requestLayouts = new Set<unknown>();
for (let id = 0; id < 256; id++) {
  const handler = registry.get(id);
  if (handler) requestLayouts.add(handler.layout);
}
const outgoingLayouts = modules
  .flatMap((module) => Object.values(module).filter(isLayout))
  .filter(
    (layout) =>
      !requestLayouts.has(layout) &&
      !/^(req|cancel|start|query|subscribe|unsubscribe|update(?!M|A|P)|replaceFA$|requestFA|set|place|calc)/.test(
        layout.name,
      ),
  );

/** Values that switch every conditional block on, with plausible tokens of each type. */
const busyScalar: Record<string, unknown> = {
  secType: "FUND",
  deltaNeutralOrderType: "LMT",
  hedgeType: "D",
  algoStrategy: "Adaptive",
  orderType: "PEG BENCH",
  scalePriceIncrement: 0.5,
  deltaNeutralContractPresent: true,
  hasDeltaNeutralContract: true,
  tickType: 1,
};

function valuesFor(fields: Fields, busy: boolean, tickType?: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === "when") {
      Object.assign(values, valuesFor(field.fields, busy, tickType));
      continue;
    }
    if (field.kind === "group") {
      values[field.name] = busy ? [valuesFor(field.fields, busy), valuesFor(field.fields, busy)] : [];
      continue;
    }
    if (field.name === "tickType" && tickType !== undefined) {
      values.tickType = tickType;
      continue;
    }
    if (busy && field.name in busyScalar) {
      values[field.name] = busyScalar[field.name];
      continue;
    }
    switch (field.type) {
      case "int":
      case "optInt":
      case "version":
        values[field.name] = busy ? 7 : 0;
        break;
      case "double":
      case "optDouble":
        values[field.name] = busy ? 1.25 : 0;
        break;
      case "decimal":
        values[field.name] = busy ? "100" : "0";
        break;
      case "bool":
      case "optBool":
        values[field.name] = busy;
        break;
      default:
        values[field.name] = busy ? "x" : "";
    }
  }
  return values;
}

/** String fields of the simulator's tables that carry a number on the wire (IB reads them as numbers). */
const NUMERIC_STRINGS: Record<string, Record<string, string>> = {
  tickReqParams: { minTick: "0.01" },
  tickByTick: { time: "1735828200" },
};

/** Order conditions: the busy profile carries one of each type the reference knows. */
function withConditions(values: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(values.conditions) || values.conditions.length === 0) return values;
  const conditions = [1, 3, 4, 5, 6, 7].map((type) => ({
    ...(values.conditions as Record<string, unknown>[])[0],
    type,
  }));
  return { ...values, conditions };
}

describe("every message the simulator sends, read by IB's reference layouts", () => {
  it("covers the messages a broad program receives", () => {
    const ids = new Set(outgoingLayouts.map((layout) => layout.id));
    for (const id of [1, 2, 3, 4, 5, 10, 11, 17, 21, 59, 61, 75, 90, 99, 101]) expect(ids).toContain(id);
  });

  it.each(SERVER_VERSIONS)("decodes each one at %i, quiet and busy, with zero violations", (serverVersion) => {
    const problems: string[] = [];
    for (const layout of outgoingLayouts) {
      const tickTypes = layout.name === "tickByTick" ? [1, 2, 3, 4] : [undefined];
      for (const busy of [false, true]) {
        for (const tickType of tickTypes) {
          const values = {
            ...withConditions(valuesFor(layout.fields, busy, tickType)),
            ...NUMERIC_STRINGS[layout.name],
          };
          const frame = encodeMessage(layout, values as never, serverVersion);
          problems.push(...referenceViolations([frame], serverVersion).map((line) => `${layout.name}: ${line}`));
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("the reference decoder itself", () => {
  it("reports a sentinel in a string field, a leftover token, a missing one and a malformed one", () => {
    const execution = encodeMessage(
      executions.execDetails,
      valuesFor(executions.execDetails.fields, false) as never,
      193,
    );
    const sentinel = [...execution];
    sentinel[9] = "1.7976931348623157E308"; // multiplier
    expect(decodeReferenceFrame(sentinel, 193).violations.map((v) => [v.field, v.problem])).toEqual([
      ["multiplier", "unset-sentinel"],
    ]);
    expect(decodeReferenceFrame([...execution, "extra"], 193).violations.map((v) => v.problem)).toEqual(["leftover"]);
    expect(decodeReferenceFrame(execution.slice(0, -1), 193).violations.map((v) => v.problem)).toEqual(["missing"]);
    const malformed = [...execution];
    malformed[3] = "AAPL"; // conId
    expect(decodeReferenceFrame(malformed, 193).violations.map((v) => [v.field, v.problem])).toEqual([
      ["conId", "malformed"],
    ]);
    expect(decodeReferenceFrame(["12345"], 193).violations.map((v) => v.problem)).toEqual(["unknown-message"]);
  });

  it("allows the unset literal only where TWS sends it: a commission report's realized PnL and yield", () => {
    const report = ["59", "1", "0001f4e8.01.01", "1.0", "USD", "1.7976931348623157E308", "1.7976931348623157E308", "0"];
    expect(decodeReferenceFrame(report, 193).violations).toEqual([]);
  });

  it("reads completedOrder's faProfile below 177 on the server version, as IB does", () => {
    const values = valuesFor(orders.completedOrder.fields, false);
    expect(encodeMessage(orders.completedOrder, values as never, 176).length).toBe(
      encodeMessage(orders.completedOrder, values as never, 177).length + 1,
    );
  });
});
