import { type Contract, EventName } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { valueMultiplier, type World } from "../../src/sim/world/index.js";
import type { IbClient, RecordedEvent } from "./helpers.js";
import { collectUntil, nextError, referenceHarness, roundTrip, SERVER_VERSIONS } from "./reference-harness.js";

/**
 * Accounts and portfolio through the real IBApi: every figure is checked against arithmetic done here from the
 * ledger's books and the market walk (not against the simulator's own valuation code), at each server version.
 */

/** Cash in every currency plus positions valued at the walk, in USD; futures count only their open PnL. */
function expectedNetLiquidation(world: World, account: string, at: number): number {
  const { ledger, market, catalog } = world;
  let total = 0;
  for (const [currency, amount] of ledger.account(account).cash) total += market.convert(amount, currency, "USD", at);
  for (const held of ledger.positions(account)) {
    const instrument = catalog.get(held.conId);
    const multiplier = valueMultiplier(instrument);
    const price = market.price(held.conId, at);
    const value =
      instrument.contract.secType === "FUT"
        ? held.quantity * (price - held.averagePrice) * multiplier
        : held.quantity * price * multiplier;
    total += market.convert(value, instrument.contract.currency, "USD", at);
  }
  return total;
}

/** The currencies an account holds cash or positions in: each gets its own ledger column. */
function heldCurrencies(world: World, account: string): Set<string> {
  const positions = world.ledger.positions(account).map((held) => world.catalog.get(held.conId).contract.currency);
  return new Set([...world.ledger.account(account).cash.keys(), ...positions]);
}

const named = (name: string) => (event: RecordedEvent) => event.name === name;
const since = (client: IbClient, mark: number) => client.events.slice(mark);

interface PortfolioRow {
  contract: Contract;
  position: number;
  marketPrice: number;
  marketValue: number;
  averageCost: number;
  account: string;
}

function portfolioRows(events: readonly RecordedEvent[]): PortfolioRow[] {
  return events.filter(named(EventName.updatePortfolio)).map(({ args }) => ({
    contract: args[0] as Contract,
    position: args[1] as number,
    marketPrice: args[2] as number,
    marketValue: args[3] as number,
    averageCost: args[4] as number,
    account: args[7] as string,
  }));
}

/** updateAccountValue rows as "key|currency" -> value. */
function accountValues(events: readonly RecordedEvent[], account: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const { name, args } of events) {
    if (name === EventName.updateAccountValue && args[3] === account)
      values.set(`${args[0]}|${args[2]}`, String(args[1]));
  }
  return values;
}

describe.each(SERVER_VERSIONS)("accounts and portfolio through IBApi at server version %i", (serverVersion) => {
  const harness = referenceHarness();

  it("reports each managed account's values and portfolio, valued at the walk", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(1);
    const accounts = String((await client.next(EventName.managedAccounts, "managedAccounts")).args[0]).split(",");
    expect(accounts.length).toBeGreaterThanOrEqual(3);
    const { world } = harness.simulator;
    const now = harness.clock.now();

    for (const account of accounts) {
      const mark = client.mark();
      client.api.reqAccountUpdates(true, account);
      await client.next(
        EventName.accountDownloadEnd,
        `accountDownloadEnd ${account}`,
        mark,
        (args) => args[0] === account,
      );
      const events = since(client, mark);
      const values = accountValues(events, account);

      const netLiquidation = Number(values.get("NetLiquidation|USD"));
      expect(netLiquidation).toBeCloseTo(expectedNetLiquidation(world, account, now), 1);
      expect(values.get("AccountCode|")).toBe(account);
      expect(values.get("Currency|BASE")).toBe("BASE");
      expect(values.get("ExchangeRate|BASE")).toBe("1");
      for (const key of ["TotalCashValue", "BuyingPower", "AvailableFunds", "ExcessLiquidity", "GrossPositionValue"]) {
        expect(Number.isFinite(Number(values.get(`${key}|USD`))), key).toBe(true);
      }
      // Per-currency columns: every cash currency has its own CashBalance, and the BASE total converts them all.
      const cash = world.ledger.account(account).cash;
      expect(cash.size).toBeGreaterThanOrEqual(1);
      let cashInBase = 0;
      for (const [currency, amount] of cash) {
        expect(Number(values.get(`CashBalance|${currency}`))).toBeCloseTo(amount, 1);
        cashInBase += world.market.convert(amount, currency, "USD", now);
      }
      expect(Number(values.get("CashBalance|BASE"))).toBeCloseTo(cashInBase, 1);
      expect(Number(values.get("TotalCashValue|USD"))).toBeCloseTo(cashInBase, 1);

      const portfolio = portfolioRows(events);
      const held = world.ledger.positions(account);
      expect(portfolio.map((row) => row.contract.conId)).toEqual(held.map((position) => position.conId));
      for (const row of portfolio) {
        const instrument = world.catalog.get(row.contract.conId as number);
        const price = world.market.price(instrument.contract.conId, now);
        expect(row.account).toBe(account);
        expect(row.marketPrice).toBe(price);
        expect(row.marketValue).toBeCloseTo(row.position * price * valueMultiplier(instrument), 1);
      }
      // Values, then portfolio, then the time, then the End marker, as TWS orders them.
      const order = events.map((event) => event.name).filter((name) => name !== EventName.all);
      expect(order.lastIndexOf(EventName.updateAccountValue)).toBeLessThan(order.indexOf(EventName.updatePortfolio));
      expect(order.indexOf(EventName.updateAccountTime)).toBeGreaterThan(order.lastIndexOf(EventName.updatePortfolio));
      expect(events.find(named(EventName.updateAccountTime))?.args).toEqual(["14:30"]);
    }
    harness.expectClean();
  });

  it("moves portfolio values with the clock, follows one account at a time and stops on unsubscribe", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(2);
    const [first = "", second = ""] = harness.simulator.accounts;
    const { world } = harness.simulator;
    let mark = client.mark();
    client.api.reqAccountUpdates(true, first);
    await client.next(EventName.accountDownloadEnd, "first download", mark);
    const before = portfolioRows(since(client, mark));

    // Prices step every 250 ms but may sit on one tick for seconds: refresh until a portfolio row moves.
    const last = new Map(before.map((row) => [row.contract.conId, row.marketValue]));
    let moved: PortfolioRow[] = [];
    mark = client.mark();
    for (let refresh = 0; refresh < 40 && moved.length === 0; refresh++) {
      const batch = client.mark();
      harness.clock.advance(3000);
      await roundTrip(client);
      moved = portfolioRows(since(client, batch));
      for (const row of moved) {
        expect(row.account).toBe(first);
        expect(row.marketPrice).toBe(world.market.price(row.contract.conId as number, harness.clock.now()));
        expect(row.marketValue).not.toBe(last.get(row.contract.conId));
      }
    }
    expect(moved.length).toBeGreaterThan(0);
    expect(since(client, mark).some(named(EventName.updateAccountTime))).toBe(true);

    // Subscribing another account switches: the first one's rows stop.
    mark = client.mark();
    client.api.reqAccountUpdates(true, second);
    await client.next(EventName.accountDownloadEnd, "second download", mark, (args) => args[0] === second);
    harness.clock.advance(6000);
    await roundTrip(client);
    const accountsSeen = new Set(
      since(client, mark)
        .filter((event) => event.name === EventName.updateAccountValue || event.name === EventName.updatePortfolio)
        .map((event) => (event.name === EventName.updateAccountValue ? event.args[3] : event.args[7])),
    );
    expect([...accountsSeen]).toEqual([second]);

    client.api.reqAccountUpdates(false, second);
    await roundTrip(client);
    mark = client.mark();
    harness.clock.advance(9000);
    await roundTrip(client);
    expect(since(client, mark).filter(named(EventName.updatePortfolio))).toEqual([]);
    expect(since(client, mark).filter(named(EventName.updateAccountValue))).toEqual([]);

    // An account the login does not manage is refused.
    mark = client.mark();
    client.api.reqAccountUpdates(true, "DU9999999");
    const refusal = await client.next(EventName.info, "321 for an unknown account", mark, (args) => args[1] === 321);
    expect(String(refusal.args[0])).toContain("Invalid account code");
    harness.expectClean();
  });

  it("serves account summary tags, ledgers and groups, updates until cancelled and caps subscriptions at two", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(3);
    const accounts = harness.simulator.accounts;
    const { world } = harness.simulator;
    const now = harness.clock.now();

    let mark = client.mark();
    client.api.reqAccountSummary(1, "All", "NetLiquidation,BuyingPower,NoSuchTag,$LEDGER:ALL");
    let rows = await collectUntil(client, EventName.accountSummary, EventName.accountSummaryEnd, mark);
    expect(new Set(rows.map((row) => row.args[1]))).toEqual(new Set(accounts));
    expect(rows.every((row) => row.args[0] === 1)).toBe(true);
    expect(rows.some((row) => row.args[2] === "NoSuchTag")).toBe(false);
    for (const account of accounts) {
      const mine = rows.filter((row) => row.args[1] === account);
      const netLiquidation = mine.find((row) => row.args[2] === "NetLiquidation");
      expect(netLiquidation?.args[4]).toBe("USD");
      expect(Number(netLiquidation?.args[3])).toBeCloseTo(expectedNetLiquidation(world, account, now), 1);
      const ledgerCurrencies = new Set(mine.filter((row) => row.args[2] === "CashBalance").map((row) => row.args[4]));
      expect(ledgerCurrencies).toEqual(new Set(["BASE", ...heldCurrencies(world, account)]));
    }

    // $LEDGER:<currency> answers only for accounts holding it (cash or positions), and only in it.
    const holders = (currency: string) => accounts.filter((account) => heldCurrencies(world, account).has(currency));
    const currency = ["GBP", "EUR", "JPY"].find(
      (code) => holders(code).length > 0 && holders(code).length < accounts.length,
    );
    if (!currency) throw new Error("every account holds the same currencies: nothing to select");
    mark = client.mark();
    client.api.reqAccountSummary(2, "All", `$LEDGER:${currency}`);
    rows = await collectUntil(client, EventName.accountSummary, EventName.accountSummaryEnd, mark, (a) => a[0] === 2);
    expect(new Set(rows.map((row) => row.args[1]))).toEqual(new Set(holders(currency)));
    expect(rows.every((row) => row.args[4] === currency)).toBe(true);
    client.api.cancelAccountSummary(2);

    // An advisor group from the FA configuration narrows the accounts; an unknown group is refused.
    mark = client.mark();
    client.api.reqAccountSummary(3, "Primary", "NetLiquidation");
    rows = await collectUntil(client, EventName.accountSummary, EventName.accountSummaryEnd, mark, (a) => a[0] === 3);
    expect(rows.map((row) => row.args[1])).toEqual([accounts[0]]);
    client.api.cancelAccountSummary(3);
    mark = client.mark();
    client.api.reqAccountSummary(4, "NoSuchGroup", "NetLiquidation");
    await nextError(client, 321, 4, mark);

    // Updates follow the walk until cancelAccountSummary.
    mark = client.mark();
    harness.clock.advance(3000);
    await roundTrip(client);
    const updates = since(client, mark).filter(named(EventName.accountSummary));
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((row) => row.args[0] === 1)).toBe(true);
    client.api.cancelAccountSummary(1);
    await roundTrip(client);
    mark = client.mark();
    harness.clock.advance(9000);
    await roundTrip(client);
    expect(since(client, mark).filter(named(EventName.accountSummary))).toEqual([]);

    // TWS keeps two summaries per client; a third is refused with 322.
    client.api.reqAccountSummary(5, "All", "NetLiquidation");
    client.api.reqAccountSummary(6, "All", "NetLiquidation");
    mark = client.mark();
    client.api.reqAccountSummary(7, "All", "NetLiquidation");
    const refusal = await nextError(client, 322, 7, mark);
    expect(String((refusal.args[0] as Error).message ?? refusal.args[0])).toContain(
      "Maximum number of account summary",
    );
    expect(client.decodeErrors()).toEqual([]);
    expect(harness.simulator.violations).toEqual([]);
  });

  it("lists positions of every account, single-account multi positions, and reports fills at once", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(4);
    const accounts = harness.simulator.accounts;
    const { world } = harness.simulator;

    let mark = client.mark();
    client.api.reqPositions();
    const positions = await collectUntil(client, EventName.position, EventName.positionEnd, mark);
    for (const account of accounts) {
      const held = world.ledger.positions(account);
      expect(held.length).toBeGreaterThan(0);
      const rows = positions.filter((row) => row.args[0] === account);
      expect(rows.map((row) => (row.args[1] as Contract).conId)).toEqual(held.map((position) => position.conId));
      for (const [index, row] of rows.entries()) {
        const position = held[index];
        if (!position) throw new Error("missing position");
        const instrument = world.catalog.get(position.conId);
        expect(row.args[2]).toBe(position.quantity);
        expect(row.args[3]).toBeCloseTo(position.averagePrice * valueMultiplier(instrument), 6);
        expect((row.args[1] as Contract).symbol).toBe(instrument.contract.symbol);
      }
    }

    const [account = ""] = accounts;
    mark = client.mark();
    client.api.reqPositionsMulti(11, account, "");
    const multi = await collectUntil(client, EventName.positionMulti, EventName.positionMultiEnd, mark);
    expect(multi.length).toBe(world.ledger.positions(account).length);
    expect(multi.every((row) => row.args[0] === 11 && row.args[1] === account && row.args[2] === "")).toBe(true);

    // A fill in the books reaches both streams at once, with the new quantity.
    const [first] = world.ledger.positions(account);
    if (!first) throw new Error("the account holds nothing");
    const price = world.market.price(first.conId, harness.clock.now());
    const expected = first.quantity + 7;
    mark = client.mark();
    world.ledger.applyFill(account, first.conId, 7, price, 1);
    const update = await client.next(EventName.position, "position after a fill", mark);
    expect(update.args[0]).toBe(account);
    expect((update.args[1] as Contract).conId).toBe(first.conId);
    expect(update.args[2]).toBe(expected);
    const multiUpdate = await client.next(EventName.positionMulti, "positionMulti after a fill", mark);
    expect(multiUpdate.args[4]).toBe(expected);

    // After cancelling, fills are silent.
    client.api.cancelPositions();
    client.api.cancelPositionsMulti(11);
    await roundTrip(client);
    mark = client.mark();
    world.ledger.applyFill(account, first.conId, -7, price, 1);
    await roundTrip(client);
    expect(since(client, mark).filter((event) => event.name.startsWith("position"))).toEqual([]);

    mark = client.mark();
    client.api.reqPositionsMulti(12, "DU9999999", "");
    await nextError(client, 321, 12, mark);
    harness.expectClean();
  });

  it("streams PnL and PnL single consistent with the books until cancelled", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(5);
    const { world } = harness.simulator;
    const [account = ""] = harness.simulator.accounts;
    const held = world.ledger.positions(account);

    let mark = client.mark();
    client.api.reqPnL(21, account, "");
    held.forEach((position, index) => {
      client.api.reqPnLSingle(30 + index, account, "", position.conId);
    });
    const total = await client.next(EventName.pnl, "pnl", mark);
    const singles = await Promise.all(
      held.map((_, index) => client.next(EventName.pnlSingle, "pnlSingle", mark, (args) => args[0] === 30 + index)),
    );
    // Account PnL is the sum of its positions' (each rounded to cents).
    const sum = (column: number) => singles.reduce((acc, single) => acc + (single.args[column] as number), 0);
    expect(total.args[0]).toBe(21);
    expect(total.args[1]).toBeCloseTo(sum(2), 0);
    expect(total.args[2]).toBeCloseTo(sum(3), 0);
    expect(total.args[3]).toBeCloseTo(sum(4), 0);
    held.forEach((position, index) => {
      const single = singles[index]?.args ?? [];
      expect(single[1]).toBe(position.quantity);
      const instrument = world.catalog.get(position.conId);
      const at = harness.clock.now();
      const value = position.quantity * world.market.price(position.conId, at) * valueMultiplier(instrument);
      expect(single[5]).toBeCloseTo(world.market.convert(value, instrument.contract.currency, "USD", at), 1);
    });

    mark = client.mark();
    harness.clock.advance(2000);
    await roundTrip(client);
    expect(since(client, mark).filter(named(EventName.pnl)).length).toBeGreaterThan(0);
    expect(since(client, mark).filter(named(EventName.pnlSingle)).length).toBeGreaterThan(0);

    client.api.cancelPnL(21);
    held.forEach((_, index) => {
      client.api.cancelPnLSingle(30 + index);
    });
    await roundTrip(client);
    mark = client.mark();
    harness.clock.advance(5000);
    await roundTrip(client);
    expect(
      since(client, mark).filter((event) => event.name === EventName.pnl || event.name === EventName.pnlSingle),
    ).toEqual([]);

    mark = client.mark();
    client.api.reqPnLSingle(40, account, "", 999_999_999);
    await nextError(client, 200, 40, mark);
    mark = client.mark();
    client.api.reqPnL(41, account, "SomeModel");
    await nextError(client, 321, 41, mark);
    harness.expectClean();
  });

  it("serves account updates multi (full and ledger-and-NLV) and family codes", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(6);
    const accounts = harness.simulator.accounts;
    const [, account = ""] = accounts;

    let mark = client.mark();
    client.api.reqAccountUpdatesMulti(51, account, "", true);
    const ledger = await collectUntil(client, EventName.accountUpdateMulti, EventName.accountUpdateMultiEnd, mark);
    expect(ledger.length).toBeGreaterThan(0);
    expect(ledger.every((row) => row.args[0] === 51 && row.args[1] === account && row.args[2] === "")).toBe(true);
    const keys = new Set(ledger.map((row) => row.args[3]));
    expect(keys.has("NetLiquidation")).toBe(true);
    expect(keys.has("CashBalance")).toBe(true);
    expect(keys.has("BuyingPower")).toBe(false);

    mark = client.mark();
    client.api.reqAccountUpdatesMulti(52, account, "", false);
    const full = await collectUntil(
      client,
      EventName.accountUpdateMulti,
      EventName.accountUpdateMultiEnd,
      mark,
      // IBApi reads this End marker's reqId as a string.
      (args) => String(args[0]) === "52",
    );
    expect(full.some((row) => row.args[3] === "BuyingPower")).toBe(true);

    client.api.cancelAccountUpdatesMulti(51);
    client.api.cancelAccountUpdatesMulti(52);
    await roundTrip(client);
    mark = client.mark();
    harness.clock.advance(9000);
    await roundTrip(client);
    expect(since(client, mark).filter(named(EventName.accountUpdateMulti))).toEqual([]);

    mark = client.mark();
    client.api.reqFamilyCodes();
    const codes = (await client.next(EventName.familyCodes, "familyCodes", mark)).args[0] as Array<{
      accountID: string;
      familyCode: string;
    }>;
    expect(codes.map((code) => code.accountID)).toEqual([...accounts]);
    expect(new Set(codes.map((code) => code.familyCode)).size).toBe(1);
    expect(codes[0]?.familyCode).not.toBe("");
    harness.expectClean();
  });
});

describe("a single-account login", () => {
  const harness = referenceHarness();

  it("serves its account for an empty account code and has no advisor groups", async () => {
    await harness.start(193, { accounts: 1 });
    const client = await harness.connect(1);
    const [account = ""] = harness.simulator.accounts;
    let mark = client.mark();
    client.api.reqAccountUpdates(true, "");
    await client.next(EventName.accountDownloadEnd, "accountDownloadEnd", mark, (args) => args[0] === account);
    expect(accountValues(since(client, mark), account).get("AccountCode|")).toBe(account);

    mark = client.mark();
    client.api.reqAccountSummary(1, "Primary", "NetLiquidation");
    await nextError(client, 321, 1, mark);
    mark = client.mark();
    client.api.reqFamilyCodes();
    const codes = (await client.next(EventName.familyCodes, "familyCodes", mark)).args[0];
    expect(codes).toEqual([{ accountID: account, familyCode: "" }]);
    harness.expectClean();
  });

  it("refreshes on the configured period", async () => {
    await harness.start(193, { accounts: 1, accountStreams: { accountUpdatesMs: 60_000 } });
    const client = await harness.connect(1);
    let mark = client.mark();
    client.api.reqAccountUpdates(true, "");
    await client.next(EventName.accountDownloadEnd, "accountDownloadEnd", mark);
    mark = client.mark();
    harness.clock.advance(59_000);
    await roundTrip(client);
    expect(since(client, mark).filter(named(EventName.updatePortfolio))).toEqual([]);
    harness.clock.advance(1_000);
    await roundTrip(client);
    expect(since(client, mark).filter(named(EventName.updatePortfolio)).length).toBeGreaterThan(0);
    harness.expectClean();
  });
});
