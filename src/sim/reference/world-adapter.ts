import type { Instrument, World } from "../world/index.js";
import { DAY_MS } from "./calendar.js";
import type { ReferenceInstrument, ReferenceQuote, ReferenceWorld } from "./instruments.js";

function toReference({ contract, details }: Instrument): ReferenceInstrument {
  return {
    conId: contract.conId,
    symbol: contract.symbol,
    secType: contract.secType,
    lastTradeDateOrContractMonth: contract.lastTradeDateOrContractMonth,
    strike: contract.strike,
    right: contract.right,
    exchange: contract.exchange,
    primaryExchange: contract.primaryExch,
    currency: contract.currency,
    localSymbol: contract.localSymbol,
    tradingClass: contract.tradingClass,
    marketName: details.marketName,
    longName: details.longName,
    industry: details.industry,
  };
}

/**
 * The reference feeds' view of the simulated world: its catalog, and its market walk read at the simulator clock's
 * "now". A scan, a news story and a fundamentals report therefore quote the same prices as the market data lines.
 */
export function referenceWorld(world: World, now: () => number): ReferenceWorld {
  const instruments = world.catalog.instruments.map(toReference);
  const byConId = new Map(instruments.map((instrument) => [instrument.conId, instrument]));
  return {
    instruments: () => instruments,
    byConId: (conId) => byConId.get(conId),
    find(query) {
      const resolution = world.catalog.resolve(query);
      return resolution.kind === "one" ? byConId.get(resolution.match.instrument.contract.conId) : undefined;
    },
    quote(conId): ReferenceQuote | undefined {
      if (!byConId.has(conId)) return undefined;
      const t = now();
      // The session is the UTC day: yesterday's close is the price just before midnight, volume counts since then.
      const dayStart = Math.floor(t / DAY_MS) * DAY_MS;
      return {
        previousClose: world.market.price(conId, dayStart - 1),
        last: world.market.price(conId, t),
        volume: t > dayStart ? world.market.bar(conId, dayStart, t).volume : 0,
      };
    },
  };
}
