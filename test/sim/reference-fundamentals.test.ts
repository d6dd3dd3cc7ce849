import { EventName, SecType, WshEventData } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { nextError, referenceHarness, SERVER_VERSIONS } from "./reference-harness.js";

const AAPL = 265598;
const IBM = 8314;
const REPORT_ROOTS = {
  ReportSnapshot: "ReportSnapshot",
  ReportsFinSummary: "FinancialSummary",
  ReportRatios: "Ratios",
  ReportsFinStatements: "ReportFinancialStatements",
  RESC: "REPORT",
} as const;

describe.each(SERVER_VERSIONS)("fundamentals and WSH through IBApi at server version %i", (serverVersion) => {
  const harness = referenceHarness();

  it("answers every report type for a stock, 430 for the rest and 200 for an unknown contract", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(41);
    const aapl = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };

    let reqId = 100;
    for (const [reportType, root] of Object.entries(REPORT_ROOTS)) {
      const mark = client.mark();
      const id = reqId++;
      client.api.reqFundamentalData(id, aapl, reportType);
      const [answeredId, xml] = (
        await client.next(EventName.fundamentalData, reportType, mark, (args) => args[0] === id)
      ).args as [number, string];
      expect(answeredId).toBe(id);
      expect(xml).toMatch(new RegExp(`<${root}[ >][\\s\\S]*</${root}>\\s*$`));
    }
    let mark = client.mark();
    client.api.reqFundamentalData(200, { conId: AAPL, exchange: "SMART" }, "ReportSnapshot");
    const byConId = (await client.next(EventName.fundamentalData, "snapshot by conId", mark)).args[1] as string;
    expect(byConId).toContain("APPLE INC");
    client.api.cancelFundamentalData(200);

    mark = client.mark();
    client.api.reqFundamentalData(201, aapl, "ReportEarnings");
    await nextError(client, 430, 201, mark);
    client.api.reqFundamentalData(
      202,
      { symbol: "EUR", secType: SecType.CASH, currency: "USD", exchange: "IDEALPRO" },
      "ReportSnapshot",
    );
    await nextError(client, 430, 202, mark);
    client.api.reqFundamentalData(
      203,
      { symbol: "NOSUCH", secType: SecType.STK, currency: "USD", exchange: "SMART" },
      "ReportSnapshot",
    );
    await nextError(client, 200, 203, mark);
    harness.expectClean();
  });

  it("sends WSH metadata and seeded events by conId and by filter", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(42);

    let mark = client.mark();
    client.api.reqWshMetaData(300);
    const meta = JSON.parse((await client.next(EventName.wshMetaData, "wshMetaData", mark)).args[1] as string);
    expect(meta.data.event_types.map((type: { tag: string }) => type.tag)).toEqual(["wshe_ed", "wshe_div"]);
    client.api.reqCancelWshMetaData(300);

    mark = client.mark();
    client.api.reqWshEventData(301, new WshEventData(AAPL, false, false, false, "20250101", "20251231", 50));
    const events = JSON.parse(
      (await client.next(EventName.wshEventData, "events by conId", mark)).args[1] as string,
    ) as {
      event_type: string;
      conid: number;
      index_date: string;
    }[];
    expect(events.filter((event) => event.event_type === "wshe_ed")).toHaveLength(4);
    expect(events.every((event) => event.conid === AAPL && event.index_date.startsWith("2025"))).toBe(true);
    client.api.reqCancelWshEventData(301);

    mark = client.mark();
    const byFilter = new WshEventData(undefined as unknown as number);
    byFilter.filter = JSON.stringify({ watchlist: [String(IBM)], wshe_ed: "true" });
    client.api.reqWshEventData(302, byFilter);
    const filtered = JSON.parse(
      (await client.next(EventName.wshEventData, "events by filter", mark)).args[1] as string,
    ) as {
      event_type: string;
      conid: number;
    }[];
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((event) => event.conid === IBM && event.event_type === "wshe_ed")).toBe(true);

    mark = client.mark();
    client.api.reqWshEventData(303, 987654321);
    await nextError(client, 200, 303, mark);
    const bad = new WshEventData(undefined as unknown as number);
    bad.filter = "{not json";
    client.api.reqWshEventData(304, bad);
    await nextError(client, 321, 304, mark);
    harness.expectClean();
  });
});
