import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  FundamentalDataService,
  ReqFundamentalDataRequestSchema,
  ReqFundamentalDataResponseSchema,
} from "../../gen/ibrpc/v1/fundamental_data_pb.js";
import { wshMetaDataJson } from "../../src/sim/reference/wsh.js";
import { clientFor, transports } from "../e2e/app-harness.js";
import { connectGet, grpcJsCall, serviceAppPerFile } from "../support/service-app.js";
import { failure, postOk } from "./reference-data-calls.js";

/**
 * FundamentalDataService against `npm start`'s simulator: Refinitiv-style XML reports of a stock, WSH meta data and
 * events as IB's JSON, and IB's refusals mapped as the contract says.
 */

const FUNDAMENTALS = "ibrpc.v1.FundamentalDataService";
const AAPL_CON_ID = 265598;
const AAPL = { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };

const served = serviceAppPerFile();

interface WshEvent {
  event_type: string;
  conid: number;
  symbol: string;
  index_date: string;
}

describe("FundamentalDataService against the built-in simulator", () => {
  it("ReqFundamentalData (@grpc/grpc-js) answers AAPL's ReportSnapshot XML", async () => {
    const res = await grpcJsCall(
      served.url,
      `/${FUNDAMENTALS}/ReqFundamentalData`,
      ReqFundamentalDataRequestSchema,
      ReqFundamentalDataResponseSchema,
      { contract: AAPL, reportType: "ReportSnapshot" },
    );
    const aapl = served.sim.world.catalog.get(AAPL_CON_ID);
    expect(res.data).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ReportSnapshot /);
    expect(res.data).toContain(`<IssueID Type="Ticker">AAPL</IssueID>`);
    expect(res.data).toContain(`<CoID Type="CompanyName">${aapl.details.longName}</CoID>`);
    expect(res.data).toContain("</ReportSnapshot>");
  });

  it("ReqFundamentalData over Connect JSON (POST and GET): each report type is its own document", async () => {
    const summary = await postOk(served.url, `${FUNDAMENTALS}/ReqFundamentalData`, {
      contract: AAPL,
      reportType: "ReportsFinSummary",
    });
    expect(summary.data).toContain("<FinancialSummary>");
    expect(summary.data).toContain("<EPSs>");
    const get = await connectGet(served.url, `${FUNDAMENTALS}/ReqFundamentalData`, {
      contract: { conId: AAPL_CON_ID, exchange: "SMART" },
      reportType: "RESC",
    });
    expect(get.status).toBe(200);
    expect(get.json.data).toContain("<Ticker>AAPL</Ticker>");
  });

  it("no fundamentals for a future is NOT_FOUND (IB 430); an unknown contract NOT_FOUND (IB 200)", async () => {
    const client = clientFor(FundamentalDataService, transports(served.url).grpc);
    const [es] = served.sim.world.catalog.find({ symbol: "ES", secType: "FUT" });
    if (!es) throw new Error("the simulator lists no ES future");
    const noData = await failure(
      client.reqFundamentalData({
        contract: { conId: es.instrument.contract.conId, exchange: es.exchange },
        reportType: "ReportSnapshot",
      }),
      Code.NotFound,
    );
    expect(noData.ibCode).toBe("430");
    const unknown = await failure(
      client.reqFundamentalData({
        contract: { symbol: "NOSUCHSYM", secType: "STK", exchange: "SMART", currency: "USD" },
        reportType: "ReportSnapshot",
      }),
      Code.NotFound,
    );
    expect(unknown.ibCode).toBe("200");
    // Not one of IB's report types: refused before IB is asked.
    await failure(client.reqFundamentalData({ contract: AAPL, reportType: "Gossip" }), Code.InvalidArgument);
  });

  it("ReqWshMetaData answers IB's JSON (gRPC and Connect GET)", async () => {
    const client = clientFor(FundamentalDataService, transports(served.url).grpc);
    const res = await client.reqWshMetaData({});
    expect(JSON.parse(res.dataJson)).toEqual(JSON.parse(wshMetaDataJson()));
    const get = await connectGet(served.url, `${FUNDAMENTALS}/ReqWshMetaData`, {});
    expect(get.status).toBe(200);
    expect(get.json.dataJson).toBe(res.dataJson);
  });

  it("ReqWshEventData answers a contract's events, by conId and by filter, within the limit", async () => {
    const byConId = await postOk(served.url, `${FUNDAMENTALS}/ReqWshEventData`, {
      wshEventData: { conId: AAPL_CON_ID, totalLimit: 5 },
    });
    const events = JSON.parse(String(byConId.dataJson)) as WshEvent[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(5);
    for (const event of events) {
      expect(event.conid).toBe(AAPL_CON_ID);
      expect(event.symbol).toBe("AAPL");
    }
    const sorted = events.map((e) => e.index_date);
    expect([...sorted].sort()).toEqual(sorted);

    const byFilter = await connectGet(served.url, `${FUNDAMENTALS}/ReqWshEventData`, {
      wshEventData: { filter: JSON.stringify({ watchlist: [String(AAPL_CON_ID)], wshe_ed: "true" }) },
    });
    expect(byFilter.status).toBe(200);
    const earnings = JSON.parse(String(byFilter.json.dataJson)) as WshEvent[];
    expect(earnings.length).toBeGreaterThan(0);
    for (const event of earnings) {
      expect(event.conid).toBe(AAPL_CON_ID);
      expect(event.event_type).toBe("wshe_ed");
    }
  });

  it("ReqWshEventData refusals: both conId and filter or neither (before IB), an unknown conId (IB 200)", async () => {
    const client = clientFor(FundamentalDataService, transports(served.url).connectJson);
    await failure(
      client.reqWshEventData({ wshEventData: { conId: AAPL_CON_ID, filter: '{"watchlist":["8314"]}' } }),
      Code.InvalidArgument,
    );
    await failure(client.reqWshEventData({ wshEventData: {} }), Code.InvalidArgument);
    const unknown = await failure(client.reqWshEventData({ wshEventData: { conId: 999_999_999 } }), Code.NotFound);
    expect(unknown.ibCode).toBe("200");
    const badFilter = await failure(
      client.reqWshEventData({ wshEventData: { filter: "not json" } }),
      Code.InvalidArgument,
    );
    expect(badFilter.ibCode).toBe("321");
  });
});
