/**
 * Timestamps of recent events, oldest first, so "how many in the last W ms" is cheap for the sliding windows TWS
 * enforces (50 messages in a second, 6 historical requests in 2 s, 60 in 10 minutes). A flooding client may add
 * thousands per second, so expired entries are skipped with a head index and compacted in bulk, never shifted one by one.
 */
export class RecentEvents {
  private times: number[] = [];
  private head = 0;

  constructor(readonly windowMs: number) {}

  /** Events in (now - windowMs, now]. */
  count(now: number): number {
    this.expire(now);
    return this.times.length - this.head;
  }

  add(now: number): void {
    this.times.push(now);
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && (this.times[this.head] as number) <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
