/**
 * Per-token limits on what one caller may cost: a token bucket for unary calls and a count of open streams. Keys
 * are token ids (never tokens). Buckets of tokens that stop calling are forgotten, so memory follows active callers.
 */
export class CallLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly streams = new Map<string, number>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxStreams: number;
  private readonly now: () => number;

  constructor(opts: { ratePerSecond: number; burst: number; streamsPerToken: number; now?: () => number }) {
    this.rate = opts.ratePerSecond;
    this.burst = opts.burst;
    this.maxStreams = opts.streamsPerToken;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Takes one unary call from `key`'s bucket: 0 if allowed, else how many ms until one is available. */
  takeUnary(key: string): number {
    if (this.rate <= 0) return 0;
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 10_000) this.forgetFull(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.rate) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / this.rate);
  }

  /** Opens a stream for `key`: a release function, or undefined when the key is at its cap. */
  openStream(key: string): (() => void) | undefined {
    const open = this.streams.get(key) ?? 0;
    if (this.maxStreams > 0 && open >= this.maxStreams) return undefined;
    this.streams.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.streams.get(key) ?? 1) - 1;
      if (n <= 0) this.streams.delete(key);
      else this.streams.set(key, n);
    };
  }

  get streamCap(): number {
    return this.maxStreams;
  }

  openStreams(key: string): number {
    return this.streams.get(key) ?? 0;
  }

  /** Drops buckets that have refilled completely: they hold no state worth keeping. */
  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.rate) / 1000 >= this.burst) this.buckets.delete(key);
    }
  }
}
