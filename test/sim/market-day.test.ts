import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/sim/clock.js";
import { defaultAlwaysOpen, Simulator } from "../../src/sim/index.js";
import { parseBarSize, parseDuration } from "../../src/sim/market-data/bar-settings.js";
import { historicalBars } from "../../src/sim/market-data/historical-bars.js";
import { type HolidayCalendar, isHoliday } from "../../src/sim/world/holidays.js";
import { createWorld, renderSessions } from "../../src/sim/world/index.js";
import { RawClient, testLogger } from "./helpers.js";
import { placeOrder, type RefContract, ref } from "./reference-decoder/encoder.js";

/**
 * A real market day: exchange holidays, sessions named by their local date, bars that summarize exactly the trades in
 * them, live ticks that agree with the daily bars, and (in real-calendar mode) orders that wait for the session.
 */
const AAPL_CONID = 265598;
const AAPL: RefContract = { conId: AAPL_CONID, symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" };
const ACCOUNT = "DU1000001";

function holidays(calendar: HolidayCalendar, year: number): string[] {
  const days: string[] = [];
  for (let at = Date.UTC(year, 0, 1); at < Date.UTC(year + 1, 0, 1); at += 86_400_000) {
    const d = new Date(at);
    if (d.getUTCDay() % 6 === 0) continue; // weekends are closed anyway
    if (isHoliday(calendar, year, d.getUTCMonth() + 1, d.getUTCDate())) days.push(d.toISOString().slice(5, 10));
  }
  return days;
}

describe("exchange holiday calendars", () => {
  it("closes US exchanges on the ten NYSE holidays, observed on the nearest weekday", () => {
    expect(holidays("US", 2025)).toEqual([
      "01-01",
      "01-20",
      "02-17",
      "04-18",
      "05-26",
      "06-19",
      "07-04",
      "09-01",
      "11-27",
      "12-25",
    ]);
    // 2026: Independence Day is a Saturday, observed Friday 3 July; Good Friday is 3 April.
    expect(holidays("US", 2026)).toEqual([
      "01-01",
      "01-19",
      "02-16",
      "04-03",
      "05-25",
      "06-19",
      "07-03",
      "09-07",
      "11-26",
      "12-25",
    ]);
    // New Year's Day 2022 was a Saturday: no Friday closure (NYSE rule); Christmas 2022 a Sunday: Monday closed.
    expect(holidays("US", 2021)).not.toContain("12-31");
    expect(holidays("US", 2022)).toContain("12-26");
  });

  it("knows London's, Frankfurt's, Tokyo's and the FX market's main closures", () => {
    expect(holidays("LSE", 2025)).toEqual(["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"]);
    expect(holidays("XETRA", 2025)).toEqual(["01-01", "04-18", "04-21", "05-01", "12-24", "12-25", "12-26", "12-31"]);
    const tokyo = holidays("TSE", 2025);
    for (const day of ["01-01", "01-02", "01-03", "01-13", "02-11", "02-24", "03-20", "04-29", "05-05", "05-06"]) {
      expect(tokyo).toContain(day);
    }
    for (const day of ["07-21", "08-11", "09-15", "09-23", "10-13", "11-03", "11-24", "12-31"])
      expect(tokyo).toContain(day);
    expect(holidays("FX", 2025)).toEqual(["01-01", "12-25"]);
  });

  it("shows a holiday as CLOSED in contract details' trading hours", () => {
    const world = createWorld(42, [ACCOUNT], Date.UTC(2025, 10, 24, 15));
    const { schedule } = world.catalog.get(AAPL_CONID).details;
    const hours = renderSessions(schedule, schedule.liquid, Date.UTC(2025, 10, 24, 15)).split(";");
    expect(hours).toEqual([
      "20251124:0930-20251124:1600",
      "20251125:0930-20251125:1600",
      "20251126:0930-20251126:1600",
      "20251127:CLOSED",
      "20251128:0930-20251128:1600",
      "20251129:CLOSED",
      "20251130:CLOSED",
    ]);
  });
});

describe("bars and sessions", () => {
  const now = Date.UTC(2025, 10, 28, 15, 0); // Friday after Thanksgiving, 10:00 New York
  const world = createWorld(42, [ACCOUNT], now);
  const instrument = world.catalog.get(AAPL_CONID);

  function bars(duration: string, barSize: string, end = now, regularHoursOnly = true) {
    const parsedDuration = parseDuration(duration);
    const parsedBarSize = parseBarSize(barSize);
    if (!parsedDuration || !parsedBarSize) throw new Error("bad bar settings");
    return historicalBars(world.market, {
      instrument,
      end,
      duration: parsedDuration,
      barSize: parsedBarSize,
      regularHoursOnly,
      source: "TRADES",
    });
  }

  it("skips the holiday in daily bars and labels each session by its local date", () => {
    // No Thursday: Thanksgiving. Friday's session is the one in progress.
    expect(bars("1 W", "1 day").map((bar) => bar.dateLabel)).toEqual([
      "20251121",
      "20251124",
      "20251125",
      "20251126",
      "20251128",
    ]);
    // 00:30 UTC on 29 November is 19:30 on the 28th in New York: the extended session of the 28th, not the 29th.
    const evening = Date.UTC(2025, 10, 29, 0, 30);
    expect(bars("1 D", "1 day", evening, false).map((bar) => bar.dateLabel)).toEqual(["20251128"]);
  });

  it.each([
    ["1 secs", "120 S"],
    ["5 secs", "1800 S"],
    ["1 min", "1 D"],
    ["1 hour", "2 D"],
    ["1 day", "1 W"],
  ])("makes every %s TRADES bar exactly the summary of its trades, and none where nothing traded", (size, span) => {
    const produced = bars(span, size);
    expect(produced.length).toBeGreaterThan(0);
    for (const bar of produced) {
      const trades = world.market.trades(AAPL_CONID, bar.start, bar.end);
      expect(trades.length).toBeGreaterThan(0);
      expect(bar.count).toBe(trades.length);
      expect(bar.volume).toBe(trades.reduce((sum, trade) => sum + trade.size, 0));
      expect(bar.open).toBe(trades[0]?.price);
      expect(bar.close).toBe(trades.at(-1)?.price);
      expect(bar.high).toBe(Math.max(...trades.map((trade) => trade.price)));
      expect(bar.low).toBe(Math.min(...trades.map((trade) => trade.price)));
    }
    if (size === "1 secs") {
      // Seconds without a trade have no bar, as at IB.
      const last = produced.at(-1);
      const first = produced[0];
      if (!first || !last) throw new Error("no bars");
      const seconds = (last.end - first.start) / 1000;
      expect(produced.length).toBeLessThan(seconds);
    }
  });
});

describe("live views agree with the daily bars", () => {
  let simulator: Simulator;
  let client: RawClient | undefined;

  afterEach(async () => {
    client?.destroy();
    await simulator.stop();
  });

  it("sends the previous session's close as the close tick and today's session volume as the volume tick", async () => {
    const start = Date.UTC(2025, 10, 28, 15, 0); // Friday after Thanksgiving, 10:00 New York
    const clock = new ManualClock(start);
    simulator = new Simulator({ clock, logger: testLogger, alwaysOpen: false });
    const { port } = await simulator.start();
    const c = await RawClient.start(port, 1);
    client = c;
    c.send(ref.reqMktData(1, AAPL, "", false));
    clock.advance(60_000);
    const mark = c.mark();
    c.send(ref.reqCurrentTime());
    await c.nextFrame("currentTime", (f) => f[0] === "49", mark);
    const at = clock.now();

    const lastOf = (tickType: string, id: string) =>
      c.frames.filter((f) => f[0] === id && f[3] === tickType).at(-1)?.[4];
    const world = simulator.world;
    const instrument = world.catalog.get(AAPL_CONID);
    const daily = (regularHoursOnly: boolean, end: number, duration = "1 D") =>
      historicalBars(world.market, {
        instrument,
        end,
        duration: parseDuration(duration) ?? { kind: "sessions", count: 1 },
        barSize: parseBarSize("1 day") ?? { kind: "day" },
        regularHoursOnly,
        source: "TRADES",
      });
    // Close (9): Wednesday's regular session (Thursday was Thanksgiving).
    const wednesday = daily(true, start - 60 * 60_000).at(-1);
    expect(wednesday?.dateLabel).toBe("20251126");
    expect(Number(lastOf("9", "1"))).toBe(wednesday?.close);
    // Volume (8): today's full session (from 04:00) so far, to the end of the last 250 ms step shown.
    const today = world.market.bar(AAPL_CONID, Date.UTC(2025, 10, 28, 9, 0), Math.floor(at / 250) * 250 + 250);
    expect(Number(lastOf("8", "2"))).toBe(today.volume);
    expect(simulator.violations).toEqual([]);
  });
});

describe("orders follow the session in real-calendar mode", () => {
  let simulator: Simulator;
  let client: RawClient | undefined;

  afterEach(async () => {
    client?.destroy();
    await simulator.stop();
  });

  async function open(at: number, alwaysOpen: boolean) {
    const clock = new ManualClock(at);
    simulator = new Simulator({ clock, logger: testLogger, alwaysOpen });
    const { port } = await simulator.start();
    const c = await RawClient.start(port, 1);
    client = c;
    return { clock, c };
  }

  async function settle(c: RawClient, clock: ManualClock, ms: number) {
    for (let waited = 0; waited < ms; waited += 1000) {
      clock.advance(1000);
      const mark = c.mark();
      c.send(ref.reqCurrentTime());
      await c.nextFrame("currentTime", (f) => f[0] === "49", mark);
    }
  }

  /** orderStatus [3, orderId, status, ...]: the distinct statuses in order. */
  const statuses = (c: RawClient, orderId: number) =>
    c.frames
      .filter((f) => f[0] === "3" && f[1] === String(orderId))
      .map((f) => f[2])
      .filter((status, index, all) => index === 0 || all[index - 1] !== status);

  const filled = (c: RawClient, orderId: number) =>
    c.frames.some((f) => f[0] === "3" && f[1] === String(orderId) && f[2] === "Filled");

  it("holds a market order placed on Saturday until Monday's regular open", async () => {
    const saturday = Date.UTC(2025, 10, 29, 16, 0);
    const { clock, c } = await open(saturday, false);
    c.send(placeOrder(193, 1, AAPL, { action: "BUY", totalQuantity: 10, orderType: "MKT", account: ACCOUNT }));
    await settle(c, clock, 10_000);
    expect(filled(c, 1)).toBe(false);
    // TWS holds it PreSubmitted until the market opens.
    expect(statuses(c, 1).at(-1)).toBe("PreSubmitted");
    // Monday 1 December 09:29:50 New York: still closed for a market order; filled right after 09:30.
    clock.advance(Date.UTC(2025, 11, 1, 14, 29, 50) - clock.now());
    await settle(c, clock, 5000);
    expect(filled(c, 1)).toBe(false);
    await settle(c, clock, 10_000);
    expect(filled(c, 1)).toBe(true);
    expect(statuses(c, 1).slice(-2)).toEqual(["Submitted", "Filled"]);
    const execution = c.frames.find((f) => f[0] === "11");
    expect(execution?.[15]).toMatch(/^20251201 14:30:\d\d/); // [11, reqId, orderId, contract x 11, execId, time...]
  });

  it("fills an outsideRth limit order in the pre-market session, and holds one without outsideRth", async () => {
    const premarket = Date.UTC(2025, 11, 1, 12, 0); // Monday 07:00 New York
    const { clock, c } = await open(premarket, false);
    const limit = (id: number, outsideRth: boolean) =>
      placeOrder(193, id, AAPL, {
        action: "BUY",
        totalQuantity: 1,
        orderType: "LMT",
        lmtPrice: 100_000,
        account: ACCOUNT,
        outsideRth,
      });
    c.send(limit(1, true));
    c.send(limit(2, false));
    await settle(c, clock, 5000);
    expect(filled(c, 1)).toBe(true);
    expect(filled(c, 2)).toBe(false);
    expect(statuses(c, 2).at(-1)).toBe("PreSubmitted");
  });

  it("fills at any hour when always open, the programmatic default", async () => {
    expect(defaultAlwaysOpen({})).toBe(true);
    expect(defaultAlwaysOpen({ SIM_ALWAYS_OPEN: "0" })).toBe(false);
    expect(defaultAlwaysOpen({ SIM_ALWAYS_OPEN: "off" })).toBe(false);
    expect(defaultAlwaysOpen({ SIM_ALWAYS_OPEN: "1" })).toBe(true);
    const sunday = Date.UTC(2025, 10, 30, 8, 0); // 03:00 New York on a Sunday
    const { clock, c } = await open(sunday, true);
    expect(simulator.alwaysOpen).toBe(true);
    c.send(placeOrder(193, 1, AAPL, { action: "BUY", totalQuantity: 10, orderType: "MKT", account: ACCOUNT }));
    await settle(c, clock, 5000);
    expect(filled(c, 1)).toBe(true);
  });
});
