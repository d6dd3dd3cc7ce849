/**
 * Remembers what a stream last sent per key, so periodic refreshes send only what changed, as TWS's account streams
 * do after their first full answer.
 */
export class ChangeFilter {
  private readonly sent = new Map<string, string>();

  /** True (and remembered) when `value` differs from what was last sent under `key`, or nothing was. */
  changed(key: string, value: string): boolean {
    if (this.sent.get(key) === value) return false;
    this.sent.set(key, value);
    return true;
  }
}
