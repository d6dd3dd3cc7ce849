import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { createHandlerRegistry } from "../../src/sim/handlers/index.js";

/**
 * Every request @stoqey/ib can send has a layout and a handler in the simulator, except the few below, each for a
 * stated reason. A new IBApi version that adds a request makes this fail instead of the simulator answering 503.
 */
const NOT_SIMULATED: Readonly<Record<string, string>> = {
  START_API: "part of the session handshake, not a request (src/sim/session.ts)",
  EXERCISE_OPTIONS: "no ibrpc service exercises options",
  REQ_SOFT_DOLLAR_TIERS: "no ibrpc service serves soft dollar tiers",
  VERIFY_REQUEST: "IB-internal API verification, unused by IBApi clients",
  VERIFY_MESSAGE: "IB-internal API verification, unused by IBApi clients",
  VERIFY_AND_AUTH_REQUEST: "IB-internal API verification, unused by IBApi clients",
  VERIFY_AND_AUTH_MESSAGE: "IB-internal API verification, unused by IBApi clients",
};

const require = createRequire(import.meta.url);
const { OUT_MSG_ID } = require("@stoqey/ib/dist/core/io/encoder.js") as { OUT_MSG_ID: Record<string, number | string> };

describe("request coverage", () => {
  it("has a handler for every request IBApi can send, but the excluded ones", () => {
    const registry = createHandlerRegistry();
    const requests = Object.entries(OUT_MSG_ID).filter(
      (entry): entry is [string, number] => typeof entry[1] === "number",
    );
    expect(requests.length).toBeGreaterThanOrEqual(80);
    const missing = requests
      .filter(([name, id]) => !registry.get(id) && !(name in NOT_SIMULATED))
      .map(([name]) => name);
    expect(missing).toEqual([]);
    const needlesslyExcluded = requests.filter(([name, id]) => registry.get(id) && name in NOT_SIMULATED);
    expect(needlesslyExcluded).toEqual([]);
  });
});
