import type { CancelTimer, SimClock } from "../clock.js";

/** Where a released frame goes: the session's outgoing batch. */
export interface FrameSink {
  push(tokens: readonly string[]): void;
}

export type EndMarkerHold = { readonly delayMs: number } | "forever";

/** Every layout named like an End marker: contractDataEnd, positionEnd, accountSummaryEnd, execDetailsEnd... */
export const ALL_END_MARKERS = "all";

export function isEndMarker(layoutName: string): boolean {
  return layoutName.endsWith("End");
}

/**
 * Fault: End markers withheld or delayed, so tests see what a client does when TWS never finishes (or finishes late)
 * a request. The session hands every outgoing frame here first; with no rule set that costs one size check.
 */
export class EndMarkerGate {
  private readonly rules = new Map<string, EndMarkerHold>();
  private readonly pending = new Set<CancelTimer>();

  constructor(private readonly clock: SimClock) {}

  /** Withholds (or delays) `layoutName`, or every End marker with "all". Replaces an earlier rule for it. */
  hold(layoutName: string, hold: EndMarkerHold): void {
    if (layoutName !== ALL_END_MARKERS && !isEndMarker(layoutName)) {
      throw new RangeError(`${JSON.stringify(layoutName)} is not an End marker (a message name ending in "End")`);
    }
    if (hold !== "forever" && !(Number.isFinite(hold.delayMs) && hold.delayMs >= 0)) {
      throw new RangeError(`delayMs ${hold.delayMs} must be a finite number >= 0`);
    }
    this.rules.set(layoutName, hold);
  }

  /** Lets End markers through again. Frames already delayed still arrive; withheld ones stay lost. */
  clear(): void {
    this.rules.clear();
  }

  get holds(): ReadonlyArray<{ readonly message: string; readonly hold: EndMarkerHold }> {
    return [...this.rules].map(([message, hold]) => ({ message, hold }));
  }

  /** True when the gate took the frame (withheld, or to be pushed to `out` later); false: send it now. */
  intercept(layoutName: string, tokens: readonly string[], out: FrameSink): boolean {
    if (this.rules.size === 0 || !isEndMarker(layoutName)) return false;
    const hold = this.rules.get(layoutName) ?? this.rules.get(ALL_END_MARKERS);
    if (hold === undefined) return false;
    if (hold === "forever") return true;
    const cancel = this.clock.setTimer(hold.delayMs, () => {
      this.pending.delete(cancel);
      out.push(tokens);
    });
    this.pending.add(cancel);
    return true;
  }

  /** The simulator stopped: delayed frames have nowhere to go. */
  dispose(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
    this.rules.clear();
  }
}
