import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ContractSchema, GapReason } from "../../gen/ibrpc/v1/common_pb.js";
import { DisplayGroupService } from "../../gen/ibrpc/v1/display_group_pb.js";
import { HistoricalDataService, type WatchHistoricalDataResponse } from "../../gen/ibrpc/v1/historical_data_pb.js";
import { NewsService } from "../../gen/ibrpc/v1/news_pb.js";
import { ScannerService } from "../../gen/ibrpc/v1/scanner_pb.js";
import { StreamReader, until } from "../hub/harness.js";
import { type StreamsBench, startStreamsBench } from "./harness.js";

const AAPL = create(ContractSchema, { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" });

let bench: StreamsBench;
const cancels: Array<() => void> = [];

beforeAll(async () => {
  bench = await startStreamsBench();
});
afterAll(async () => {
  // Everything ibrpc sent the simulator was a request it could read exactly.
  const violations = bench.market.sim.violations;
  await bench.close();
  expect(violations).toEqual([]);
});
afterEach(async () => {
  for (const c of cancels.splice(0)) c();
  await until("no subscription left at IB", () => bench.market.feedsAtIb() === 0, 10_000);
});

function signal(): AbortSignal {
  const controller = new AbortController();
  cancels.push(() => controller.abort());
  return controller.signal;
}

const is =
  (c: string) =>
  (m: { event: { case: string | undefined } }): boolean =>
    m.event.case === c;

describe("HistoricalDataService.WatchHistoricalData", () => {
  it("sends the bars, HistoricalDataEnd, then updates; a late joiner gets the same; after 1101, a Gap and the bars again", async () => {
    const client = createClient(HistoricalDataService, bench.grpc);
    const req = { contract: AAPL, durationStr: "1800 S", barSizeSetting: "1 min", whatToShow: "TRADES" };
    const first = new StreamReader<WatchHistoricalDataResponse>(client.watchHistoricalData(req, { signal: signal() }));
    await first.until(is("historicalDataEnd"), "HistoricalDataEnd");
    const bars = first.received.filter(is("bar")).length;
    expect(bars).toBeGreaterThan(0);
    await first.until(is("historicalDataUpdate"), "an update");

    const late = new StreamReader<WatchHistoricalDataResponse>(
      createClient(HistoricalDataService, bench.connect).watchHistoricalData(req, { signal: signal() }),
    );
    await late.until(is("historicalDataEnd"), "HistoricalDataEnd for the late joiner");
    expect(late.received.filter(is("bar")).length).toBe(bars);
    expect(bench.market.feedsAtIb()).toBe(1);

    const mark = first.mark;
    bench.market.sim.control.connectivityLost({ restore: "data-lost", afterMs: 250 });
    const gap = await first.until(is("gap"), "a Gap", { from: mark });
    expect(gap.event.case === "gap" && gap.event.value.reason).toBe(GapReason.IB_DATA_LOST);
    // The re-request is identical to one sent moments ago: IB's 15-second rule holds it (no 162), then the bars come.
    await first.until(is("historicalDataEnd"), "HistoricalDataEnd after the Gap", {
      from: first.received.indexOf(gap),
      ms: 25_000,
    });
  });
});

describe("NewsService.ReqNewsBulletins", () => {
  it("streams bulletins: today's first with all_msgs", async () => {
    const client = createClient(NewsService, bench.grpc);
    const reader = new StreamReader(client.reqNewsBulletins({ allMsgs: true }, { signal: signal() }));
    const bulletin = await reader.until(is("updateNewsBulletin"), "a bulletin");
    expect(bulletin.event.case === "updateNewsBulletin" && bulletin.event.value.message).not.toBe("");
  });
});

describe("ScannerService.ReqScannerSubscription", () => {
  it("streams result lists, each closed by ScannerDataEnd", async () => {
    const client = createClient(ScannerService, bench.connect);
    const reader = new StreamReader(
      client.reqScannerSubscription(
        {
          subscription: {
            instrument: "STK",
            locationCode: "STK.US.MAJOR",
            scanCode: "MOST_ACTIVE",
            numberOfRows: 10,
          },
        },
        { signal: signal() },
      ),
    );
    await reader.until(is("scannerDataEnd"), "ScannerDataEnd");
    const rows = reader.received.filter(is("scannerData"));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(10);
  });
});

describe("DisplayGroupService.SubscribeToGroupEvents", () => {
  it("sends the group's current contract", async () => {
    const client = createClient(DisplayGroupService, bench.grpc);
    const reader = new StreamReader(client.subscribeToGroupEvents({ groupId: 1 }, { signal: signal() }));
    const update = await reader.until(is("displayGroupUpdated"), "the group's contract");
    expect(update.event.case === "displayGroupUpdated" && update.event.value.contractInfo).not.toBe("");
  });
});
