/**
 * TWS tick type ids the simulator sends (IBApi's TickType), and the delayed twin TWS uses for each live one once a
 * connection asked for delayed data (reqMarketDataType 3 or 4).
 */
export const Tick = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  LAST: 4,
  LAST_SIZE: 5,
  HIGH: 6,
  LOW: 7,
  VOLUME: 8,
  CLOSE: 9,
  BID_OPTION: 10,
  ASK_OPTION: 11,
  LAST_OPTION: 12,
  MODEL_OPTION: 13,
  OPEN: 14,
  LAST_TIMESTAMP: 45,
  SHORTABLE: 46,
  HALTED: 49,
  SHORTABLE_SHARES: 89,
} as const;

export type LiveTick = (typeof Tick)[keyof typeof Tick];

const DELAYED: Partial<Record<LiveTick, number>> = {
  [Tick.BID]: 66,
  [Tick.ASK]: 67,
  [Tick.LAST]: 68,
  [Tick.BID_SIZE]: 69,
  [Tick.ASK_SIZE]: 70,
  [Tick.LAST_SIZE]: 71,
  [Tick.HIGH]: 72,
  [Tick.LOW]: 73,
  [Tick.VOLUME]: 74,
  [Tick.CLOSE]: 75,
  [Tick.OPEN]: 76,
  [Tick.BID_OPTION]: 80,
  [Tick.ASK_OPTION]: 81,
  [Tick.LAST_OPTION]: 82,
  [Tick.MODEL_OPTION]: 83,
  [Tick.LAST_TIMESTAMP]: 88,
  [Tick.HALTED]: 90,
};

/** The id to put on the wire: the delayed twin when there is one and the line is delayed. */
export function wireTick(tick: LiveTick, delayed: boolean): number {
  return delayed ? (DELAYED[tick] ?? tick) : tick;
}

/** Generic tick ids a reqMktData genericTickList may name that the simulator serves. */
export const GenericTick = {
  /** Shortable (tick 46) and shortable shares (tick 89). */
  SHORTABLE: 236,
  /** tickNews headlines. */
  NEWS: 292,
} as const;

/** "100,101,236" -> {100, 101, 236}; blanks and junk are ignored, as TWS ignores ticks it does not know. */
export function parseGenericTicks(list: string): Set<number> {
  const ids = new Set<number>();
  for (const part of list.split(",")) {
    const id = Number.parseInt(part.trim(), 10);
    if (Number.isInteger(id)) ids.add(id);
  }
  return ids;
}
