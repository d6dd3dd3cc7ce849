import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Every wait on IB ends: at the caller's deadline (the gRPC deadline, carried by the handler's AbortSignal) or at
 * the default one. `describe` says what was still missing, so the error names what was gathered.
 *
 * API:
 *   withDeadline({signal, timeoutMs}, describe, (signal) => work)   runs work under a deadline, releases the timer
 *   deadlineSignal({signal, timeoutMs}, describe): AbortSignal      the signal alone (release(signal) to stop it)
 *   DeadlineError (a DEADLINE_EXCEEDED ConnectError): .missing + .within; restate(missing) keeps the "within" part
 *   callTimeoutMs(clientTimeoutMs, defaultMs)
 * The correlator restates a DeadlineError with what it gathered ("reqPositions: 3 position rows gathered, no
 * positionEnd from gateway sim within 5000 ms").
 */
export interface DeadlineOptions {
  /** The call's signal: aborts when the client cancels or its own deadline passes. */
  signal?: AbortSignal | undefined;
  /** Time budget when the client set none. */
  timeoutMs: number;
}

/**
 * Runs `work` with a signal that aborts with DEADLINE_EXCEEDED after timeoutMs, or with the caller's reason when
 * the caller aborts; the timer is released as soon as the work settles.
 */
export async function withDeadline<T>(
  opts: DeadlineOptions,
  describe: () => string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = deadlineSignal(opts, describe);
  try {
    return await work(signal);
  } finally {
    release(signal);
  }
}

/**
 * DEADLINE_EXCEEDED that knows its two halves: what was missing ("reqPositions: 3 position rows gathered, no
 * positionEnd from gateway sim") and when ("within 5000 ms" / "before the call's deadline"), so a layer that knows
 * more (the correlator) can restate the first half and keep the second.
 */
export class DeadlineError extends ConnectError {
  constructor(
    readonly missing: string,
    readonly within: string,
  ) {
    super(`${missing} ${within}`, Code.DeadlineExceeded);
  }

  /**
   * Plain prototype-chain instanceof: ConnectError's own Symbol.hasInstance accepts any ConnectError-shaped error, so
   * without this a client's cancel (a ConnectError) would pass as a DeadlineError and have no `restate`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(DeadlineError, value);
  }

  /** The same deadline, with a better account of what was missing. */
  restate(missing: string): DeadlineError {
    return new DeadlineError(missing, this.within);
  }
}

const releasers = new WeakMap<AbortSignal, () => void>();

/** Stops a deadline's timer (and caller listener) without aborting anything. */
export function release(signal: AbortSignal): void {
  releasers.get(signal)?.();
}

/** A signal that aborts with DEADLINE_EXCEEDED after timeoutMs, or with the caller's reason when it aborts. */
export function deadlineSignal(opts: DeadlineOptions, describe: () => string): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DeadlineError(describe(), `within ${opts.timeoutMs} ms`));
  }, opts.timeoutMs);
  timer.unref?.();
  const onCallerAbort = () => {
    clearTimeout(timer);
    controller.abort(callerAbortReason(opts.signal?.reason, describe));
  };
  if (opts.signal?.aborted) onCallerAbort();
  else opts.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const cleanup = () => {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onCallerAbort);
  };
  controller.signal.addEventListener("abort", cleanup, { once: true });
  releasers.set(controller.signal, cleanup);
  return controller.signal;
}

/** Keeps the caller's code (deadline vs. cancel) but says what was missing when it was a deadline. */
function callerAbortReason(reason: unknown, describe: () => string): unknown {
  const err = ConnectError.from(reason ?? new Error("aborted"), Code.Canceled);
  if (err.code === Code.DeadlineExceeded) return new DeadlineError(describe(), "before the call's deadline");
  return err;
}

/** The remaining budget for a call: the client's deadline when it sent one, else the default. */
export function callTimeoutMs(clientTimeoutMs: number | undefined, defaultMs: number): number {
  return clientTimeoutMs === undefined ? defaultMs : Math.max(0, clientTimeoutMs);
}
