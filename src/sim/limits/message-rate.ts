import { NO_REQUEST_ID, TwsCode } from "../tws-codes.js";
import type { ResolvedLimits } from "./options.js";
import { RecentEvents } from "./recent-events.js";

/** What the guard does to a flooding connection: warn it, then end it. */
export interface RateLimitedSession {
  sendError(id: number, code: number, message: string): void;
  close(reason: string): void;
}

type RateLimits = Pick<ResolvedLimits, "maxMessagesPerSec" | "dropAfterViolations" | "violationWindowMs">;

const SECOND_MS = 1000;

export function maxRateMessage(max: number, received: number, violation: number): string {
  return `Max rate of messages per second has been exceeded:max=${max} rec=${received} (${violation})`;
}

/**
 * TWS's 50 messages per second: a client over the limit gets error 100 (id -1), at most one per second of flooding,
 * and the violation that reaches `dropAfterViolations` within `violationWindowMs` ends the connection. Messages over
 * the limit are still served, as TWS does until it disconnects.
 */
export class MessageRateGuard {
  private readonly received = new RecentEvents(SECOND_MS);
  private readonly recentViolations: RecentEvents;
  private violations = 0;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private dropped = false;

  constructor(
    private readonly session: RateLimitedSession,
    private readonly limits: RateLimits,
    /** Monotonic milliseconds. */
    private readonly now: () => number,
  ) {
    this.recentViolations = new RecentEvents(limits.violationWindowMs);
  }

  /** Counts one incoming message; false once the connection has been ended for flooding (do not serve it). */
  admit(): boolean {
    if (this.dropped) return false;
    const max = this.limits.maxMessagesPerSec;
    if (max === Number.POSITIVE_INFINITY) return true;
    const now = this.now();
    this.received.add(now);
    const received = this.received.count(now);
    if (received <= max || now - this.lastWarningAt < SECOND_MS) return true;

    this.lastWarningAt = now;
    this.violations++;
    this.recentViolations.add(now);
    this.session.sendError(NO_REQUEST_ID, TwsCode.MAX_RATE_EXCEEDED, maxRateMessage(max, received, this.violations));
    if (this.recentViolations.count(now) < this.limits.dropAfterViolations) return true;
    this.dropped = true;
    this.session.close(`more than ${max} messages per second, ${this.violations} times`);
    return false;
  }

  /** Error-100 warnings sent so far. */
  get violationCount(): number {
    return this.violations;
  }
}
