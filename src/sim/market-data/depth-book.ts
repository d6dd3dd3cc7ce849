import { hashInts } from "../world/hash.js";
import type { DepthLevel, Market } from "../world/index.js";

export const DepthOperation = { INSERT: 0, UPDATE: 1, DELETE: 2 } as const;
export const DepthSide = { ASK: 0, BID: 1 } as const;

export interface DepthChange {
  readonly position: number;
  readonly operation: (typeof DepthOperation)[keyof typeof DepthOperation];
  readonly side: (typeof DepthSide)[keyof typeof DepthSide];
  readonly price: number;
  readonly size: number;
}

/**
 * One subscriber's view of an order book: `update(t)` returns the insert / update / delete operations that turn the
 * rows it last reported into the world's book at t (TWS's updateMktDepth protocol: positions are row indexes per side,
 * deletes come from the bottom so the indexes of the rows above stay valid).
 */
export class DepthBook {
  private asks: DepthLevel[] = [];
  private bids: DepthLevel[] = [];

  constructor(
    private readonly market: Market,
    private readonly conId: number,
    private readonly rows: number,
  ) {}

  update(t: number): DepthChange[] {
    const book = this.market.depth(this.conId, t, this.rows);
    const changes = [...diff(this.asks, book.asks, DepthSide.ASK), ...diff(this.bids, book.bids, DepthSide.BID)];
    this.asks = book.asks;
    this.bids = book.bids;
    return changes;
  }
}

function diff(before: readonly DepthLevel[], after: readonly DepthLevel[], side: DepthChange["side"]): DepthChange[] {
  const changes: DepthChange[] = [];
  for (let position = 0; position < after.length; position++) {
    const now = after[position] as DepthLevel;
    const was = before[position];
    if (!was) changes.push({ position, operation: DepthOperation.INSERT, side, ...now });
    else if (was.price !== now.price || was.size !== now.size) {
      changes.push({ position, operation: DepthOperation.UPDATE, side, ...now });
    }
  }
  for (let position = before.length - 1; position >= after.length; position--) {
    const was = before[position] as DepthLevel;
    changes.push({ position, operation: DepthOperation.DELETE, side, ...was });
  }
  return changes;
}

/** The venues a SMART book names as market makers for US stocks (TWS reports the exchange per level). */
const US_VENUES = ["NYSE", "ARCA", "NASDAQ", "BATS", "IEX", "EDGX"] as const;

/** The market maker of a level: seeded by the level's price, so a row keeps its venue while its price stands. */
export function marketMakerOf(seed: number, conId: number, change: DepthChange, usStock: boolean, exchange: string) {
  if (!usStock) return exchange;
  const cents = Math.round(change.price * 10_000);
  return US_VENUES[hashInts(seed, conId, change.side, cents) % US_VENUES.length] as string;
}
