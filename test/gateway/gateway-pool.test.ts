import { Code, ConnectError } from "@connectrpc/connect";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayPool } from "../../src/gateway/gateway-pool.js";
import { Simulator } from "../../src/sim/index.js";
import { eventually } from "../support/wait.js";

const logger = pino({ level: "silent" });

/** Two gateways with their own accounts and one account both manage: DESIGN.md's routing rules. */
describe("GatewayPool routing", () => {
  const sims: Simulator[] = [];
  let pool: GatewayPool;

  beforeAll(async () => {
    sims.push(new Simulator({ accounts: ["U111", "U222", "SHARED1"], logger }));
    sims.push(new Simulator({ accounts: ["U333", "SHARED1"], logger }));
    const [a, b] = await Promise.all(sims.map((s) => s.start()));
    pool = new GatewayPool({
      endpoints: [
        { name: "a", ...(a as { host: string; port: number }) },
        { name: "b", ...(b as { host: string; port: number }) },
      ],
      baseClientId: 9,
      logger,
    });
    pool.start();
    await eventually("both gateways ready", 10_000, async () => pool.gateways.every((g) => g.isReady));
  });

  afterAll(async () => {
    await pool?.close();
    await Promise.all(sims.map((s) => s.stop()));
  });

  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return ConnectError.from(err).code;
    }
    return undefined;
  };

  it("sends a request for an account to the gateway that manages it", () => {
    expect(pool.forAccount("U222").name).toBe("a");
    expect(pool.forAccount("U333").name).toBe("b");
  });

  it("refuses to guess an account two gateways manage, unless the caller names one", () => {
    expect(codeOf(() => pool.forAccount("SHARED1"))).toBe(Code.InvalidArgument);
    expect(pool.forAccount("SHARED1", "b").name).toBe("b");
  });

  it("says NOT_FOUND for an account no gateway manages, or one the named gateway does not", () => {
    expect(codeOf(() => pool.forAccount("U999"))).toBe(Code.NotFound);
    expect(codeOf(() => pool.forAccount("U111", "b"))).toBe(Code.NotFound);
    expect(codeOf(() => pool.pick("c"))).toBe(Code.NotFound);
  });

  it("needs a name for a request without an account when there are several gateways", () => {
    expect(codeOf(() => pool.pick())).toBe(Code.InvalidArgument);
    expect(pool.pick("a").name).toBe("a");
  });

  it("answers UNAVAILABLE, not NOT_FOUND, for an unknown account while a gateway is down", async () => {
    sims[1]?.control.refuseConnections(5_000);
    sims[1]?.dropConnections();
    await eventually("gateway b down", 5_000, async () => !pool.gateways[1]?.isReady);
    expect(codeOf(() => pool.forAccount("U999"))).toBe(Code.Unavailable);
    expect(pool.forAccount("U111").name).toBe("a");
  });
});
