import type { CancelTimer, SimClock } from "../clock.js";
import { STEP_MS } from "../world/index.js";

interface Pump {
  readonly listeners: Set<() => void>;
  stop: CancelTimer;
}

const pumps = new WeakMap<SimClock, Pump>();

/**
 * Runs `fn` on every 250 ms step of the walk, from one shared timer per clock: with hundreds of lines, one heartbeat
 * that visits each stream (in subscription order) costs far less than a timer each, and every stream sees the same
 * instants. Returns the cancel; the timer stops when the last stream leaves.
 */
export function everyStep(clock: SimClock, fn: () => void): CancelTimer {
  let pump = pumps.get(clock);
  if (!pump) {
    const listeners = new Set<() => void>();
    // A Set visits entries added during the loop and skips ones deleted before their turn, as streams expect.
    const beat = () => {
      for (const listener of listeners) listener();
    };
    pump = { listeners, stop: clock.every(STEP_MS, beat) };
    pumps.set(clock, pump);
  }
  const listener = () => fn();
  pump.listeners.add(listener);
  const owner = pump;
  return () => {
    if (!owner.listeners.delete(listener) || owner.listeners.size > 0) return;
    owner.stop();
    if (pumps.get(clock) === owner) pumps.delete(clock);
  };
}
