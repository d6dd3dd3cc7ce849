import type { SimulatorContext } from "../context.js";
import { DisplayGroups } from "./display-groups.js";
import { FaConfiguration } from "./fa.js";
import type { ReferenceWorld } from "./instruments.js";
import { type Headline, NEWS_PROVIDERS, NewsWire } from "./news.js";
import { referenceWorld } from "./world-adapter.js";

/** The reference-data state of one simulator: what its sessions share (FA documents, display groups...). */
export interface ReferenceFeeds {
  readonly seed: number;
  readonly world: ReferenceWorld;
  readonly news: NewsWire;
  readonly fa: FaConfiguration;
  readonly displayGroups: DisplayGroups;
}

const feedsBySimulator = new WeakMap<SimulatorContext, ReferenceFeeds>();

/**
 * The feeds of `sim`, made on first use. Kept beside the context rather than in it, so this area adds no field every
 * other area must construct; the WeakMap lets a stopped simulator's state go with it.
 */
export function referenceFeeds(sim: SimulatorContext): ReferenceFeeds {
  let feeds = feedsBySimulator.get(sim);
  if (!feeds) {
    const world = referenceWorld(sim.world, () => sim.clock.now());
    const first = world.instruments()[0];
    feeds = {
      seed: sim.seed,
      world,
      news: new NewsWire(sim.seed, (conId) => world.byConId(conId)),
      fa: new FaConfiguration(sim.accounts),
      displayGroups: new DisplayGroups(first ? `${first.conId}@${first.exchange}` : "none"),
    };
    feedsBySimulator.set(sim, feeds);
  }
  return feeds;
}

/**
 * Stories about `conId` published in (fromMs, toMs], oldest first: what a market data line with generic tick 292
 * streams as tickNews (send each with messages/news.ts's `tickNews`, timeStamp = headline.time). Empty for an unknown
 * conId.
 */
export function publishedNews(sim: SimulatorContext, conId: number, fromMs: number, toMs: number): Headline[] {
  const { world, news } = referenceFeeds(sim);
  const instrument = world.byConId(conId);
  if (!instrument || toMs <= fromMs) return [];
  const providers = NEWS_PROVIDERS.map((provider) => provider.providerCode);
  const { rows } = news.headlines(instrument, providers, fromMs + 1, toMs, Number.MAX_SAFE_INTEGER);
  return rows.reverse();
}
