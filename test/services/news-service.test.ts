import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  NewsService,
  ReqHistoricalNewsRequestSchema,
  ReqHistoricalNewsResponseSchema,
} from "../../gen/ibrpc/v1/news_pb.js";
import { NEWS_PROVIDERS } from "../../src/sim/reference/news.js";
import { clientFor, postJson, transports } from "../e2e/app-harness.js";
import { connectGet, grpcJsCall, serviceAppPerFile } from "../support/service-app.js";
import { failure, postOk } from "./reference-data-calls.js";

/**
 * NewsService's unary RPCs as a new user meets them: `npm start` (the built-in simulator), then gRPC and plain Connect
 * JSON. Providers are the simulator's; headlines are checked against the articles they name.
 */

const AAPL_CON_ID = 265598;
const NEWS = "ibrpc.v1.NewsService";
const WEEK_MS = 7 * 24 * 3_600_000;

const served = serviceAppPerFile();

describe("NewsService against the built-in simulator", () => {
  it("ReqNewsProviders answers the login's providers (gRPC, Connect JSON POST and GET)", async () => {
    const expected = NEWS_PROVIDERS.map((p) => ({ providerCode: p.providerCode, providerName: p.providerName }));
    const res = await clientFor(NewsService, transports(served.url).grpc).reqNewsProviders({});
    expect(res.newsProviders.map(({ providerCode, providerName }) => ({ providerCode, providerName }))).toEqual(
      expected,
    );
    expect((await postOk(served.url, `${NEWS}/ReqNewsProviders`, {})).newsProviders).toEqual(expected);
    const get = await connectGet(served.url, `${NEWS}/ReqNewsProviders`, {});
    expect(get.status).toBe(200);
    expect(get.json.newsProviders).toEqual(expected);
  });

  it("ReqHistoricalNews (@grpc/grpc-js) answers a contract's latest headlines, newest first, with hasMore", async () => {
    const res = await grpcJsCall(
      served.url,
      `/${NEWS}/ReqHistoricalNews`,
      ReqHistoricalNewsRequestSchema,
      ReqHistoricalNewsResponseSchema,
      { conId: AAPL_CON_ID, providerCodes: "BRFG+DJNL", totalResults: 10 },
    );
    expect(res.historicalNews).toHaveLength(10);
    // A week of two providers' stories holds far more than 10.
    expect(res.hasMore).toBe(true);
    const times = res.historicalNews.map((h) => {
      if (!h.time) throw new Error(`headline ${h.articleId} has no time`);
      return timestampDate(h.time).getTime();
    });
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const [i, headline] of res.historicalNews.entries()) {
      expect(["BRFG", "DJNL"]).toContain(headline.providerCode);
      expect(headline.articleId.startsWith(`${headline.providerCode}$`)).toBe(true);
      expect(headline.headline).toMatch(/AAPL|APPLE/i);
      // IB's times are UTC instants: none in the future, all within the default week.
      expect(times[i]).toBeLessThanOrEqual(Date.now());
      expect(times[i]).toBeGreaterThan(Date.now() - WEEK_MS - 60_000);
    }
  });

  it("ReqHistoricalNews over Connect JSON (POST and GET) with a time range, and ReqNewsArticle opens a headline", async () => {
    const end = new Date();
    const start = new Date(end.getTime() - 2 * 24 * 3_600_000);
    const ibTime = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")}.0`;
    const body = {
      conId: AAPL_CON_ID,
      providerCodes: "BRFUPDN",
      startDateTime: ibTime(start),
      endDateTime: ibTime(end),
      totalResults: 300,
    };
    const post = await postOk(served.url, `${NEWS}/ReqHistoricalNews`, body);
    const headlines = post.historicalNews as Array<{
      time: string;
      providerCode: string;
      articleId: string;
      headline: string;
    }>;
    expect(headlines.length).toBeGreaterThan(5);
    expect(post.hasMore ?? false).toBe(false);
    for (const h of headlines) {
      expect(h.providerCode).toBe("BRFUPDN");
      // JSON times are RFC 3339 UTC, inside the asked range (IB's range is in whole seconds).
      expect(Date.parse(h.time)).toBeGreaterThanOrEqual(Math.floor(start.getTime() / 1000) * 1000);
      expect(Date.parse(h.time)).toBeLessThanOrEqual(end.getTime());
    }
    const get = await connectGet(served.url, `${NEWS}/ReqHistoricalNews`, body);
    expect(get.status).toBe(200);
    expect(get.json.historicalNews).toEqual(headlines);

    const [first] = headlines;
    if (!first) throw new Error("no headline");
    const article = await postOk(served.url, `${NEWS}/ReqNewsArticle`, {
      providerCode: first.providerCode,
      articleId: first.articleId,
    });
    // Plain text (type 0) whose first paragraph is the story's headline.
    expect(article.articleType ?? 0).toBe(0);
    expect(String(article.articleText).split("\n\n")[0]).toBe(first.headline);
    const viaGet = await connectGet(served.url, `${NEWS}/ReqNewsArticle`, {
      providerCode: first.providerCode,
      articleId: first.articleId,
    });
    expect(viaGet.status).toBe(200);
    expect(viaGet.json.articleText).toBe(article.articleText);
  });

  it("an unknown article is NOT_FOUND with IB's code in ErrorInfo", async () => {
    const client = clientFor(NewsService, transports(served.url).grpc);
    const info = await failure(
      client.reqNewsArticle({ providerCode: "BRFG", articleId: "BRFG$nosuch.article.00000000" }),
      Code.NotFound,
    );
    expect(info.ibCode).toBe("321");
    const res = await postJson(
      served.url,
      `/${NEWS}/ReqNewsArticle`,
      JSON.stringify({ providerCode: "DJNL", articleId: "DJNL$0.0.deadbeef" }),
    );
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("not_found");
  });

  it("a provider the login does not subscribe to is PERMISSION_DENIED (IB 10276)", async () => {
    const client = clientFor(NewsService, transports(served.url).connectJson);
    const info = await failure(
      client.reqHistoricalNews({ conId: AAPL_CON_ID, providerCodes: "FLY", totalResults: 5 }),
      Code.PermissionDenied,
    );
    expect(info.ibCode).toBe("10276");
    await failure(client.reqNewsArticle({ providerCode: "FLY", articleId: "FLY$1.2.abcdef01" }), Code.PermissionDenied);
  });

  it("an unknown conId is NOT_FOUND (IB 200); bad requests are refused before IB is asked", async () => {
    const client = clientFor(NewsService, transports(served.url).grpc);
    const info = await failure(
      client.reqHistoricalNews({ conId: 999_999_999, providerCodes: "BRFG", totalResults: 5 }),
      Code.NotFound,
    );
    expect(info.ibCode).toBe("200");
    await failure(
      client.reqHistoricalNews({ conId: AAPL_CON_ID, providerCodes: "BRFG", totalResults: 301 }),
      Code.InvalidArgument,
    );
    await failure(client.reqHistoricalNews({ providerCodes: "BRFG", totalResults: 5 }), Code.InvalidArgument);
    await failure(client.reqNewsArticle({ providerCode: "BRFG" }), Code.InvalidArgument);
    // IB's own refusal of a malformed time (321) stays INVALID_ARGUMENT.
    const bad = await failure(
      client.reqHistoricalNews({
        conId: AAPL_CON_ID,
        providerCodes: "BRFG",
        startDateTime: "yesterday",
        totalResults: 5,
      }),
      Code.InvalidArgument,
    );
    expect(bad.ibCode).toBe("321");
  });

  it("a historicalNewsEnd that never comes is DEADLINE_EXCEEDED saying what was gathered", async () => {
    served.sim.control.withholdEnd("historicalNewsEnd", "forever");
    try {
      // The server's deadline (connect-timeout-ms) ends the call; the client waits longer to read what it says.
      const res = await postJson(
        served.url,
        `/${NEWS}/ReqHistoricalNews`,
        JSON.stringify({ conId: AAPL_CON_ID, providerCodes: "BRFG", totalResults: 4 }),
        { "connect-timeout-ms": "1000" },
      );
      expect(res.json.code).toBe("deadline_exceeded");
      expect(res.json.message).toMatch(
        /reqHistoricalNews: 4 headlines gathered, no historicalNewsEnd from gateway sim/,
      );
    } finally {
      served.sim.control.clearFaults();
    }
    // The gateway is fine afterwards.
    const after = await clientFor(NewsService, transports(served.url).grpc).reqHistoricalNews({
      conId: AAPL_CON_ID,
      providerCodes: "BRFG",
      totalResults: 4,
    });
    expect(after.historicalNews).toHaveLength(4);
  });
});
