import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/sim/clock.js";
import type { SimulatorContext } from "../../src/sim/context.js";
import { DisplayGroups } from "../../src/sim/reference/display-groups.js";
import { FaConfiguration, FaDataType } from "../../src/sim/reference/fa.js";
import { publishedNews } from "../../src/sim/reference/feeds.js";
import { companyProfile, fundamentalReport } from "../../src/sim/reference/fundamentals.js";
import { BULLETIN_PERIOD_MS, bulletinAt, NewsWire } from "../../src/sim/reference/news.js";
import { runScan } from "../../src/sim/reference/scanner.js";
import { scannerParametersXml } from "../../src/sim/reference/scanner-parameters.js";
import { referenceWorld } from "../../src/sim/reference/world-adapter.js";
import { wshEvents } from "../../src/sim/reference/wsh.js";
import { createWorld } from "../../src/sim/world/index.js";
import { FIXED_NOW } from "./helpers.js";

const ACCOUNTS = ["DU1000001", "DU1000002", "DU1000003"];
const world = referenceWorld(createWorld(42, ACCOUNTS, FIXED_NOW), () => FIXED_NOW);
const aapl = world.byConId(265598);
if (!aapl) throw new Error("the stand-in world lists AAPL");

/** Open and close tags balance: the shape check a client's XML parser would fail first. */
function expectBalancedXml(xml: string, root: string): void {
  expect(xml).toMatch(new RegExp(`<${root}[ >]`));
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of xml
    .replace(/<\?xml[^>]*\?>/, "")
    .matchAll(/<(\/?)([\w.-]+)[^>]*?(\/?)>/g)) {
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name as string);
  }
  expect(stack).toEqual([]);
}

describe("news generation", () => {
  it("is a pure function of the seed: same headlines and articles for two wires, different for another seed", () => {
    const wire = new NewsWire(42, (conId) => world.byConId(conId));
    const twin = new NewsWire(42, (conId) => world.byConId(conId));
    const other = new NewsWire(7, (conId) => world.byConId(conId));
    const day = 24 * 60 * 60 * 1000;
    const listed = wire.headlines(aapl, ["BRFG", "DJNL"], FIXED_NOW - day, FIXED_NOW, 50);
    expect(listed.rows.length).toBeGreaterThan(5);
    expect(twin.headlines(aapl, ["BRFG", "DJNL"], FIXED_NOW - day, FIXED_NOW, 50)).toEqual(listed);
    expect(other.headlines(aapl, ["BRFG", "DJNL"], FIXED_NOW - day, FIXED_NOW, 50).rows[0]?.articleId).not.toBe(
      listed.rows[0]?.articleId,
    );
    const times = listed.rows.map((row) => row.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times.every((time) => time >= FIXED_NOW - day && time <= FIXED_NOW)).toBe(true);

    const first = listed.rows[0];
    if (!first) throw new Error("no headline");
    expect(wire.article(first.providerCode, first.articleId)).toContain(first.headline);
    expect(wire.article(first.providerCode, `${first.articleId.slice(0, -1)}x`)).toBeUndefined();
    const otherProvider = first.providerCode === "DJNL" ? "BRFG" : "DJNL";
    expect(wire.article(otherProvider, first.articleId.replace(/^[A-Z]+/, otherProvider))).toBeUndefined();
    expect(wire.latest(aapl, FIXED_NOW).time).toBeLessThanOrEqual(FIXED_NOW);
  });

  it("hands tickNews the stories published in a window, oldest first, each exactly once across windows", () => {
    // Only what the reference feeds read from a simulator context.
    const sim = {
      seed: 42,
      accounts: ACCOUNTS,
      clock: new ManualClock(FIXED_NOW),
      world: createWorld(42, ACCOUNTS, FIXED_NOW),
    } as unknown as SimulatorContext;
    const hour = 3_600_000;
    const whole = publishedNews(sim, 265598, FIXED_NOW - 12 * hour, FIXED_NOW);
    const halves = [
      ...publishedNews(sim, 265598, FIXED_NOW - 12 * hour, FIXED_NOW - 6 * hour),
      ...publishedNews(sim, 265598, FIXED_NOW - 6 * hour, FIXED_NOW),
    ];
    expect(whole.length).toBeGreaterThan(3);
    expect(halves).toEqual(whole);
    expect(whole.map((headline) => headline.time)).toEqual(
      whole.map((headline) => headline.time).sort((a, b) => a - b),
    );
    expect(publishedNews(sim, 1, FIXED_NOW - hour, FIXED_NOW)).toEqual([]);
  });

  it("pages with hasMore when the range holds more than the limit", () => {
    const wire = new NewsWire(42, (conId) => world.byConId(conId));
    const page = wire.headlines(aapl, ["BRFG"], FIXED_NOW - 3 * 24 * 3600_000, FIXED_NOW, 4);
    expect(page.rows).toHaveLength(4);
    expect(page.hasMore).toBe(true);
  });

  it("numbers bulletins by slot, the same for every caller", () => {
    const slot = Math.floor(FIXED_NOW / BULLETIN_PERIOD_MS);
    expect(bulletinAt(42, slot, ["AAPL"])).toEqual(bulletinAt(42, slot, ["AAPL"]));
    expect(bulletinAt(42, slot, ["AAPL"]).msgId).toBe(slot);
    expect([1, 2, 3]).toContain(bulletinAt(42, slot + 1, ["AAPL"]).type);
  });
});

describe("scanner", () => {
  it("ranks gainers by % change, losers the other way, and honours filters and row counts", () => {
    const base = { instrument: "STK", locationCode: "STK.US.MAJOR", filterOptions: "" };
    const change = (conId: number) => {
      const quote = world.quote(conId);
      if (!quote) throw new Error(`no quote for ${conId}`);
      return (quote.last - quote.previousClose) / quote.previousClose;
    };
    const gainers = runScan(world, 42, { ...base, scanCode: "TOP_PERC_GAIN" });
    expect(gainers.map((instrument) => instrument.symbol).sort()).toEqual(["AAPL", "IBM", "MSFT"]);
    expect(gainers.every((instrument) => instrument.currency === "USD")).toBe(true);
    const changes = gainers.map((instrument) => change(instrument.conId));
    expect(changes).toEqual([...changes].sort((a, b) => b - a));
    const losers = runScan(world, 42, { ...base, scanCode: "TOP_PERC_LOSE" });
    expect(losers.map((instrument) => instrument.conId)).toEqual(
      gainers.map((instrument) => instrument.conId).reverse(),
    );

    expect(runScan(world, 42, { ...base, scanCode: "MOST_ACTIVE", numberOfRows: 2 })).toHaveLength(2);
    const prices = gainers.map((instrument) => world.quote(instrument.conId)?.last ?? 0).sort((a, b) => a - b);
    const threshold = prices[1] ?? 0;
    const cheap = runScan(world, 42, { ...base, scanCode: "MOST_ACTIVE", filterOptions: `priceBelow=${threshold};` });
    expect(cheap).toHaveLength(2);
    expect(cheap.every((instrument) => (world.quote(instrument.conId)?.last ?? 0) <= threshold)).toBe(true);
    expect(
      runScan(world, 42, { ...base, locationCode: "STK.EU.IBIS", scanCode: "MOST_ACTIVE" }).map((i) => i.symbol),
    ).toEqual(["SAP"]);
    expect(runScan(world, 42, { ...base, instrument: "FUT.US", scanCode: "MOST_ACTIVE" })).toEqual([]);
  });

  it("describes its scan codes and locations in balanced XML", () => {
    const xml = scannerParametersXml();
    expectBalancedXml(xml, "ScanParameterResponse");
    for (const code of ["TOP_PERC_GAIN", "HOT_BY_VOLUME", "MOST_ACTIVE", "STK.US.MAJOR", "PRICE"])
      expect(xml).toContain(code);
  });
});

describe("fundamentals and WSH", () => {
  it("writes every report type as balanced XML from one seeded profile", () => {
    const input = {
      seed: 42,
      instrument: aapl,
      profile: companyProfile(42, aapl),
      price: 190.5,
      lastFiscalYear: 2024,
      today: "2025-01-02",
    };
    expect(companyProfile(42, aapl)).toEqual(input.profile);
    const roots = {
      ReportSnapshot: "ReportSnapshot",
      ReportsFinSummary: "FinancialSummary",
      ReportRatios: "Ratios",
      ReportsFinStatements: "ReportFinancialStatements",
      RESC: "REPORT",
    } as const;
    for (const [type, root] of Object.entries(roots)) {
      const xml = fundamentalReport(type as keyof typeof roots, input);
      expectBalancedXml(xml, root);
    }
    expect(fundamentalReport("ReportSnapshot", input)).toContain("APPLE INC");
  });

  it("dates earnings quarterly within the range asked", () => {
    const year = Date.UTC(2025, 0, 1);
    const events = wshEvents(
      42,
      [{ instrument: aapl, dividendPerShare: 1 }],
      new Set(["wshe_ed", "wshe_div"]),
      year,
      year + 364 * 86_400_000,
      100,
    );
    expect(events.filter((event) => event.event_type === "wshe_ed")).toHaveLength(4);
    expect(events.filter((event) => event.event_type === "wshe_div")).toHaveLength(4);
    const dates = events.map((event) => event.index_date);
    expect(dates).toEqual([...dates].sort());
    expect(dates.every((date) => date.startsWith("2025"))).toBe(true);
  });
});

describe("FA configuration", () => {
  it("describes the managed accounts, stores a valid replacement and refuses bad XML", () => {
    const fa = new FaConfiguration(ACCOUNTS);
    const groups = fa.document(FaDataType.GROUPS);
    expectBalancedXml(groups, "ListOfGroups");
    for (const account of ACCOUNTS) expect(groups).toContain(`<acct>${account}</acct>`);
    expectBalancedXml(fa.document(FaDataType.ALIASES), "ListOfAccountAliases");
    expectBalancedXml(fa.document(FaDataType.PROFILES), "ListOfAllocationProfiles");

    const replacement =
      '<?xml version="1.0"?><ListOfGroups><Group><name>Tech</name><ListOfAccts varName="list"><Account><acct>DU1000002</acct></Account></ListOfAccts><defaultMethod>Equal</defaultMethod></Group></ListOfGroups>';
    expect(fa.replace(FaDataType.GROUPS, replacement)).toEqual({ ok: true });
    expect(fa.document(FaDataType.GROUPS)).toBe(replacement);

    const refusals = [
      "<ListOfGroups><Group></ListOfGroups>",
      "<ListOfGroups/><ListOfGroups/>",
      "<ListOfAccountAliases/>",
      "<ListOfGroups><Group><acct>U999</acct></Group></ListOfGroups>",
      "",
      "not xml",
    ];
    for (const xml of refusals) expect(fa.replace(FaDataType.GROUPS, xml).ok, xml).toBe(false);
    expect(fa.document(FaDataType.GROUPS)).toBe(replacement);
  });
});

describe("display groups", () => {
  it("tells subscribers the current contract, then each update, until they unsubscribe", () => {
    const groups = new DisplayGroups("265598@SMART");
    expect(groups.list()).toBe("1|2|3|4|5|6|7");
    const seen: string[] = [];
    const unsubscribe = groups.subscribe(1, (info) => seen.push(info));
    groups.update(1, "8314@SMART");
    groups.update(2, "272093@SMART");
    unsubscribe();
    groups.update(1, "none");
    expect(seen).toEqual(["265598@SMART", "8314@SMART"]);
  });
});
