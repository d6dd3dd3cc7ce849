import type { EventName } from "@stoqey/ib";
import type { IbEventArgs } from "../../gateway/request-correlator.js";
import type { FeedModel } from "../feed-spec.js";

/** What one IB event means for a feed's streams and state. */
export interface Reading<M> {
  message: M;
  /**
   * The state entry this message replaces (a tick type, an account + tag, a position's account + conId): a late
   * joiner gets the latest message per key. Omitted: the message is an event, not state (news, a trade tick).
   */
  key?: string;
  /** The End marker of the current state (positionEnd, accountSummaryEnd...): sent after the state to late joiners. */
  end?: boolean;
  /** The subscription is complete at IB (a snapshot's tickSnapshotEnd): streams end after this message. */
  complete?: boolean;
}

export interface StateModelOptions<M> {
  /** Reads one IB event (already routed to this feed); undefined ignores it. */
  read(name: EventName, args: IbEventArgs): Reading<M> | undefined;
  /**
   * Whether messages with a key conflate in a slow client's buffer (ticks, PnL, account values: the latest value is
   * the truth) or are all delivered (positions: never dropped).
   */
  conflate: boolean;
  /** Keeps the last few keyless messages as state too (the last trade tick, today's bulletins). @default 0 */
  keepEvents?: number;
  /**
   * Keys first seen after the End marker are not part of the answer the End closes (keepUpToDate's forming bar): a
   * late joiner gets them after the End. Default false: the End always comes last (positions, summaries).
   */
  keysAfterEnd?: boolean;
}

/**
 * The usual feed state: the latest message per key in first-seen order, then the End marker once IB sent it. Fits
 * ticks, PnL, bars, positions, account values and summaries, display groups.
 */
export function stateModel<M>(opts: StateModelOptions<M>): FeedModel<M> {
  const latest = new Map<string, M>();
  let end: M | undefined;
  /** How many keys the answer closed by `end` holds (see keysAfterEnd). */
  let keysBeforeEnd = 0;
  const events: M[] = [];
  const keep = opts.keepEvents ?? 0;
  return {
    onEvent(name, args, sink) {
      const reading = opts.read(name, args);
      if (!reading) return;
      const { message, key } = reading;
      if (reading.end) {
        end = message;
        keysBeforeEnd = latest.size;
      }
      if (key !== undefined) {
        latest.set(key, message);
        sink.emit(message, opts.conflate ? key : undefined);
      } else {
        if (keep > 0 && !reading.end) {
          events.push(message);
          if (events.length > keep) events.shift();
        }
        sink.emit(message);
      }
      if (reading.complete) sink.complete();
    },
    snapshot() {
      const state: Array<{ message: M; slot?: string }> = [];
      for (const message of events) state.push({ message });
      const split = opts.keysAfterEnd && end !== undefined ? keysBeforeEnd : latest.size;
      let i = 0;
      for (const [key, message] of latest) {
        if (i++ === split && end !== undefined) state.push({ message: end });
        state.push({ message, slot: opts.conflate ? key : undefined });
      }
      if (end !== undefined && split >= latest.size) state.push({ message: end });
      return state;
    },
    reset() {
      latest.clear();
      events.length = 0;
      end = undefined;
      keysBeforeEnd = 0;
    },
  };
}
