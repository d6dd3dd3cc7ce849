import { between, derivedRandom, hex8, pick } from "./derived-random.js";
import type { ReferenceInstrument } from "./instruments.js";

/** What a paper login's reqNewsProviders lists: the free Briefing.com and Dow Jones feeds. */
export const NEWS_PROVIDERS = [
  { providerCode: "BRFG", providerName: "Briefing.com General Market Columns" },
  { providerCode: "BRFUPDN", providerName: "Briefing.com Analyst Actions" },
  { providerCode: "DJNL", providerName: "Dow Jones Newsletters" },
] as const;

export type NewsProviderCode = (typeof NEWS_PROVIDERS)[number]["providerCode"];

export function isNewsProvider(code: string): code is NewsProviderCode {
  return NEWS_PROVIDERS.some((provider) => provider.providerCode === code);
}

export interface Headline {
  readonly time: number;
  readonly providerCode: NewsProviderCode;
  readonly articleId: string;
  readonly headline: string;
  /** tickNews's extraData, "K:" sentiment as TWS sends it for Briefing/Dow Jones items. */
  readonly extraData: string;
  readonly conId: number;
}

/**
 * Each provider publishes about one story per instrument per slot; the minute inside the slot is seeded. Slots sit on
 * a fixed grid from the epoch, so the stories of any time range exist before anyone asks and never change.
 */
export const NEWS_SLOT_MS = 2 * 60 * 60 * 1000;

const ANALYST_ACTIONS = [
  "upgraded to Buy",
  "downgraded to Neutral",
  "initiated with Outperform",
  "target raised",
  "target cut",
];
const FIRMS = ["Goldman", "Morgan Stanley", "BofA Securities", "Jefferies", "Wedbush", "Barclays", "UBS"];
const MARKET_THEMES = [
  "shares active after {event}",
  "trades higher as {event}",
  "slips as {event}",
  "in focus ahead of {event}",
];
const EVENTS = [
  "earnings",
  "a product update",
  "guidance reaffirmed",
  "sector rotation",
  "heavy options volume",
  "index rebalance",
];

function headlineText(providerCode: NewsProviderCode, instrument: ReferenceInstrument, random: () => number): string {
  const name = instrument.longName || instrument.symbol;
  if (providerCode === "BRFUPDN") {
    return `${name} (${instrument.symbol}) ${pick(random, ANALYST_ACTIONS)} at ${pick(random, FIRMS)}`;
  }
  const theme = pick(random, MARKET_THEMES).replace("{event}", pick(random, EVENTS));
  return providerCode === "DJNL" ? `${instrument.symbol}: ${name} ${theme}` : `${name} ${theme}`;
}

/** Article ids encode provider, slot and conId (TWS's are opaque too), so any listed id can be opened later. */
function articleIdOf(providerCode: string, slot: number, conId: number, salt: string): string {
  return `${providerCode}$${slot.toString(36)}.${conId.toString(36)}.${salt}`;
}

const ARTICLE_ID = /^([A-Z-]+)\$([0-9a-z]+)\.([0-9a-z]+)\.([0-9a-f]{8})$/;

/** The seeded news of a simulated world: headlines per instrument, article bodies, and the bulletin board. */
export class NewsWire {
  constructor(
    private readonly seed: number,
    private readonly instrumentByConId: (conId: number) => ReferenceInstrument | undefined,
  ) {}

  /** The story `providerCode` published about `instrument` in `slot`. */
  headlineIn(providerCode: NewsProviderCode, instrument: ReferenceInstrument, slot: number): Headline {
    const random = derivedRandom(this.seed, "news", providerCode, instrument.conId, slot);
    const time = slot * NEWS_SLOT_MS + Math.floor((random() * NEWS_SLOT_MS) / 1000) * 1000;
    const salt = hex8(random);
    return {
      time,
      providerCode,
      articleId: articleIdOf(providerCode, slot, instrument.conId, salt),
      headline: headlineText(providerCode, instrument, random),
      extraData: `A:800015:L:en:K:${between(random, -1, 1, 2)}:C:${between(random, 0, 1, 2)}`,
      conId: instrument.conId,
    };
  }

  /**
   * Stories about `instrument` from `providers` published in [fromMs, toMs], newest first, as reqHistoricalNews lists
   * them.
   */
  headlines(
    instrument: ReferenceInstrument,
    providers: readonly NewsProviderCode[],
    fromMs: number,
    toMs: number,
    limit: number,
  ): { rows: Headline[]; hasMore: boolean } {
    const rows: Headline[] = [];
    const firstSlot = Math.floor(fromMs / NEWS_SLOT_MS);
    for (let slot = Math.floor(toMs / NEWS_SLOT_MS); slot >= firstSlot; slot--) {
      const inSlot = providers
        .map((provider) => this.headlineIn(provider, instrument, slot))
        .filter((headline) => headline.time >= fromMs && headline.time <= toMs)
        .sort((a, b) => b.time - a.time);
      for (const headline of inSlot) {
        if (rows.length === limit) return { rows, hasMore: true };
        rows.push(headline);
      }
    }
    return { rows, hasMore: false };
  }

  /** The newest story about `instrument` at or before `nowMs`: what a tickNews (generic tick 292) stream shows. */
  latest(instrument: ReferenceInstrument, nowMs: number): Headline {
    const slot = Math.floor(nowMs / NEWS_SLOT_MS);
    const candidates = NEWS_PROVIDERS.flatMap(({ providerCode }) => [
      this.headlineIn(providerCode, instrument, slot),
      this.headlineIn(providerCode, instrument, slot - 1),
    ]).filter((headline) => headline.time <= nowMs);
    candidates.sort((a, b) => b.time - a.time);
    // Two slots back always hold a story at or before now.
    return candidates[0] ?? this.headlineIn("BRFG", instrument, slot - 1);
  }

  /** The body of a listed article, or undefined for an id this wire never issued. */
  article(providerCode: string, articleId: string): string | undefined {
    const match = ARTICLE_ID.exec(articleId);
    if (!match || match[1] !== providerCode || !isNewsProvider(providerCode)) return undefined;
    const instrument = this.instrumentByConId(Number.parseInt(match[3] ?? "", 36));
    if (!instrument) return undefined;
    const headline = this.headlineIn(providerCode, instrument, Number.parseInt(match[2] ?? "", 36));
    if (headline.articleId !== articleId) return undefined;
    const random = derivedRandom(this.seed, "article", articleId);
    const paragraphs = [
      headline.headline,
      `${instrument.longName} (${instrument.primaryExchange}: ${instrument.symbol}) ${pick(random, MARKET_THEMES).replace("{event}", pick(random, EVENTS))}; volume is running ${between(random, 0.6, 2.5, 1)}x its 30-day average.`,
      `The stock has moved ${between(random, -8, 8, 1)}% over the past five sessions. ${pick(random, FIRMS)} cites ${pick(random, EVENTS)} as the near-term driver.`,
      "This story was generated by the ibrpc simulator.",
    ];
    return paragraphs.join("\n\n");
  }
}

/** newsBulletins message types (IB's NewsType). */
export const BulletinType = { REGULAR: 1, EXCHANGE_UNAVAILABLE: 2, EXCHANGE_AVAILABLE: 3 } as const;

export interface Bulletin {
  readonly msgId: number;
  readonly type: number;
  readonly message: string;
  readonly originExchange: string;
}

/** One bulletin per slot on a fixed grid: the board is the same for every client and every run. */
export const BULLETIN_PERIOD_MS = 30_000;

const BULLETIN_EXCHANGES = ["NYSE", "NASDAQ", "ARCA", "IBIS", "LSE", "CBOE"];
const BULLETIN_NOTICES = [
  "Trading in {symbol} has been halted pending news.",
  "Trading in {symbol} resumed at {time} ET.",
  "{exchange} reports a delayed opening in several symbols.",
  "Short sale restriction activated for {symbol}.",
];

export function bulletinAt(seed: number, slot: number, symbols: readonly string[]): Bulletin {
  const random = derivedRandom(seed, "bulletin", slot);
  const exchange = pick(random, BULLETIN_EXCHANGES);
  const roll = random();
  if (roll < 0.1) {
    return {
      msgId: slot,
      type: BulletinType.EXCHANGE_UNAVAILABLE,
      message: `${exchange} is not available for trading.`,
      originExchange: exchange,
    };
  }
  if (roll < 0.2) {
    return {
      msgId: slot,
      type: BulletinType.EXCHANGE_AVAILABLE,
      message: `${exchange} is available for trading again.`,
      originExchange: exchange,
    };
  }
  const minutes = Math.floor(random() * 390);
  const time = `${String(9 + Math.floor((30 + minutes) / 60)).padStart(2, "0")}:${String((30 + minutes) % 60).padStart(2, "0")}`;
  const message = pick(random, BULLETIN_NOTICES)
    .replace("{symbol}", pick(random, symbols.length > 0 ? symbols : ["IBKR"]))
    .replace("{exchange}", exchange)
    .replace("{time}", time);
  return { msgId: slot, type: BulletinType.REGULAR, message, originExchange: exchange };
}
