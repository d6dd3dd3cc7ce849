import type { Bar, Market, Quote } from "../world/index.js";
import { STEP_MS } from "../world/index.js";

/** What every market data line on one instrument reads for one 250 ms step of the walk. */
export interface StepPicture {
  readonly step: number;
  readonly quote: Quote;
  /** The step's own bar [step start, step end): its extremes and the volume traded in it. */
  readonly bar: Bar;
}

const pictures = new WeakMap<Market, Map<number, StepPicture>>();

/**
 * The picture of `conId` at the step containing `t`, computed once per instrument and step however many lines (of
 * however many clients) show it: a fan-out of one instrument to many lines then costs one walk read per step, which
 * is what lets the simulator out-push the client's decoder.
 */
export function stepPicture(market: Market, conId: number, t: number): StepPicture {
  const step = Math.floor(t / STEP_MS);
  let byConId = pictures.get(market);
  if (!byConId) {
    byConId = new Map();
    pictures.set(market, byConId);
  }
  const cached = byConId.get(conId);
  if (cached?.step === step) return cached;
  const start = step * STEP_MS;
  const picture = { step, quote: market.quote(conId, t), bar: market.bar(conId, start, start + STEP_MS) };
  byConId.set(conId, picture);
  return picture;
}
