import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import {
  AccountService,
  type WatchAccountSummaryResponse,
  type WatchAccountUpdatesResponse,
  type WatchPositionsResponse,
} from "../../gen/ibrpc/v1/account_pb.js";
import { GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import { StreamReader } from "../hub/harness.js";
import { type StreamsBench, startStreamsBench } from "./harness.js";

let bench: StreamsBench | undefined;
const controllers: AbortController[] = [];

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  await bench?.close();
  bench = undefined;
});

function signal(): AbortSignal {
  const controller = new AbortController();
  controllers.push(controller);
  return controller.signal;
}

const is =
  <C extends string>(c: C) =>
  (m: { event: { case: string | undefined } }) =>
    m.event.case === c;

describe("AccountService streams on the hub", () => {
  it("ReqPnL streams an account's PnL; two clients share one IB subscription", async () => {
    bench = await startStreamsBench();
    const account = bench.market.sim.accounts[0] as string;
    const client = createClient(AccountService, bench.grpc);
    const a = new StreamReader(client.reqPnL({ account }, { signal: signal() }));
    const b = new StreamReader(createClient(AccountService, bench.connect).reqPnL({ account }, { signal: signal() }));
    const first = await a.until(is("pnl"), "a PnL");
    await b.until(is("pnl"), "a PnL on the second client");
    expect(first.event.case === "pnl" && first.event.value.dailyPnl).toBeTypeOf("number");
    expect(bench.market.subscriptionsAtIbOf("pnl")).toBe(1);
  });

  it("ReqPnLSingle streams one position's PnL", async () => {
    bench = await startStreamsBench();
    const client = createClient(AccountService, bench.grpc);
    const positions = new StreamReader(client.watchPositions({}, { signal: signal() }));
    const row = await positions.until(is("position"), "a position");
    if (row.event.case !== "position") throw new Error("unreachable");
    const { account, contract } = row.event.value;
    const single = new StreamReader(client.reqPnLSingle({ account, conId: contract?.conId }, { signal: signal() }));
    const pnl = await single.until(is("pnlSingle"), "a PnL single");
    expect(pnl.event.case === "pnlSingle" && pnl.event.value.pos).toMatch(/^-?\d/);
  });

  it("WatchPositions: every position, then PositionEnd; a late joiner gets the same at once; a drop is a Gap, then all again", async () => {
    bench = await startStreamsBench();
    const client = createClient(AccountService, bench.grpc);
    const first = new StreamReader<WatchPositionsResponse>(client.watchPositions({}, { signal: signal() }));
    await first.until(is("positionEnd"), "PositionEnd");
    const count = first.received.filter(is("position")).length;
    expect(count).toBeGreaterThan(0);

    const late = new StreamReader<WatchPositionsResponse>(client.watchPositions({}, { signal: signal() }));
    await late.until(is("positionEnd"), "PositionEnd for the late joiner");
    expect(late.received.filter(is("position")).length).toBe(count);
    expect(bench.market.subscriptionsAtIbOf("positions")).toBe(1);

    const mark = first.mark;
    bench.market.sim.dropConnections();
    const gap = await first.until(is("gap"), "a Gap", { from: mark });
    expect(gap.event.case === "gap" && gap.event.value.reason).toBe(GapReason.GATEWAY_RECONNECTED);
    const at = first.received.indexOf(gap);
    await first.until(is("positionEnd"), "PositionEnd after the Gap", { from: at });
    expect(first.received.slice(at).filter(is("position")).length).toBe(count);
  });

  it("WatchAccountSummary: the rows of the tags asked, then AccountSummaryEnd", async () => {
    bench = await startStreamsBench();
    const client = createClient(AccountService, bench.connect);
    const reader = new StreamReader<WatchAccountSummaryResponse>(
      client.watchAccountSummary({ tags: ["NetLiquidation", "TotalCashValue"] }, { signal: signal() }),
    );
    await reader.until(is("accountSummaryEnd"), "AccountSummaryEnd");
    const tags = new Set(
      reader.received.flatMap((m) => (m.event.case === "accountSummary" ? [m.event.value.tag] : [])),
    );
    expect([...tags].sort()).toEqual(["NetLiquidation", "TotalCashValue"]);
  });

  it("WatchAccountUpdates shares one account; a second account is refused, naming the one watched", async () => {
    bench = await startStreamsBench();
    const [first, second] = bench.market.sim.accounts as [string, string];
    const client = createClient(AccountService, bench.grpc);
    const reader = new StreamReader<WatchAccountUpdatesResponse>(
      client.watchAccountUpdates({ acctCode: first }, { signal: signal() }),
    );
    await reader.until(is("accountDownloadEnd"), "AccountDownloadEnd", { ms: 15_000 });
    expect(reader.received.some(is("updateAccountValue"))).toBe(true);
    expect(reader.received.some(is("updatePortfolio"))).toBe(true);

    const other = new StreamReader(client.watchAccountUpdates({ acctCode: second }, { signal: signal() }));
    const err = ConnectError.from(await other.ending("the second account is refused"));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toContain(`account updates of ${first}`);
  });
});
