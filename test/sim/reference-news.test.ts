import { EventName } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { BULLETIN_PERIOD_MS } from "../../src/sim/reference/news.js";
import { collectUntil, nextError, referenceHarness, roundTrip, SERVER_VERSIONS } from "./reference-harness.js";

const AAPL = 265598;

describe.each(SERVER_VERSIONS)("news through IBApi at server version %i", (serverVersion) => {
  const harness = referenceHarness();

  it("lists providers, pages historical headlines and opens their articles", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(21);

    let mark = client.mark();
    client.api.reqNewsProviders();
    const [providers] = (await client.next(EventName.newsProviders, "newsProviders", mark)).args as [
      { providerCode: string; providerName: string }[],
    ];
    expect(providers.map((provider) => provider.providerCode)).toEqual(["BRFG", "BRFUPDN", "DJNL"]);
    expect(providers.every((provider) => provider.providerName.length > 0)).toBe(true);

    mark = client.mark();
    client.api.reqHistoricalNews(5, AAPL, "BRFG+DJNL", "", "", 10);
    const rows = await collectUntil(client, EventName.historicalNews, EventName.historicalNewsEnd, mark);
    const end = client.events.slice(mark).find((event) => event.name === EventName.historicalNewsEnd);
    expect(end?.args).toEqual([5, true]);
    expect(rows).toHaveLength(10);
    const times = rows.map((row) => row.args[1] as string);
    expect(times.every((time) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.0$/.test(time))).toBe(true);
    expect(times).toEqual([...times].sort().reverse());
    expect(times[0] && times[0] <= "2025-01-02 14:30:00.0").toBe(true);
    expect(new Set(rows.map((row) => row.args[2]))).toEqual(new Set(["BRFG", "DJNL"]));

    const [, , providerCode, articleId, headline] = (rows[0]?.args ?? []) as [number, string, string, string, string];
    mark = client.mark();
    client.api.reqNewsArticle(6, providerCode, articleId);
    const article = await client.next(EventName.newsArticle, "newsArticle", mark);
    expect(article.args[0]).toBe(6);
    expect(article.args[1]).toBe(0);
    expect(article.args[2]).toContain(headline);

    mark = client.mark();
    client.api.reqNewsArticle(7, providerCode, `${articleId}0`);
    await nextError(client, 321, 7, mark);
    client.api.reqNewsArticle(8, "NOPE", articleId);
    await nextError(client, 10276, 8, mark);
    client.api.reqHistoricalNews(9, 123456789, "BRFG", "", "", 5);
    await nextError(client, 200, 9, mark);
    client.api.reqHistoricalNews(10, AAPL, "BRFG", "2025-01-02 10:00:00.0", "2025-01-02 14:00:00.0", 300);
    const ranged = await collectUntil(
      client,
      EventName.historicalNews,
      EventName.historicalNewsEnd,
      mark,
      (args) => args[0] === 10,
    );
    const rangedTimes = ranged.filter((row) => row.args[0] === 10).map((row) => row.args[1] as string);
    expect(rangedTimes.every((time) => time >= "2025-01-02 10:00:00.0" && time <= "2025-01-02 14:00:00.0")).toBe(true);
    harness.expectClean();
  });

  it("streams bulletins on the simulator clock until cancelled", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(22);

    let mark = client.mark();
    client.api.reqNewsBulletins(true);
    await roundTrip(client);
    const backlog = client.events.slice(mark).filter((event) => event.name === EventName.updateNewsBulletin);
    expect(backlog).toHaveLength(3);
    const ids = backlog.map((event) => event.args[0] as number);
    expect(ids[2]).toBe(Math.floor(harness.clock.now() / BULLETIN_PERIOD_MS));
    expect(ids).toEqual([(ids[2] ?? 0) - 2, (ids[2] ?? 0) - 1, ids[2]]);
    for (const event of backlog) {
      expect([1, 2, 3]).toContain(event.args[1]);
      expect(String(event.args[2]).length).toBeGreaterThan(0);
    }

    mark = client.mark();
    harness.clock.advance(2 * BULLETIN_PERIOD_MS);
    await roundTrip(client);
    const fresh = client.events.slice(mark).filter((event) => event.name === EventName.updateNewsBulletin);
    expect(fresh.map((event) => event.args[0])).toEqual([(ids[2] ?? 0) + 1, (ids[2] ?? 0) + 2]);

    client.api.cancelNewsBulletins();
    await roundTrip(client);
    mark = client.mark();
    harness.clock.advance(5 * BULLETIN_PERIOD_MS);
    await roundTrip(client);
    expect(client.events.slice(mark).filter((event) => event.name === EventName.updateNewsBulletin)).toEqual([]);
    harness.expectClean();
  });
});
