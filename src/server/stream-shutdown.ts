import type { Interceptor } from "@connectrpc/connect";

/**
 * Ends every server stream with the shutdown signal's reason (UNAVAILABLE "server is shutting down") when the server
 * starts closing, and only streams: a unary call in flight keeps its signal and finishes within the grace period.
 * (connect-node's own `shutdownSignal` aborts every handler's signal, which failed unary calls still waiting on IB
 * at once.) Streams opened while closing end at once.
 */
export function streamShutdownInterceptor(shutdown: AbortSignal): Interceptor {
  return (next) => async (req) => {
    const res = await next(req);
    return res.stream ? { ...res, message: endOnShutdown(res.message, shutdown) } : res;
  };
}

async function* endOnShutdown<T>(stream: AsyncIterable<T>, shutdown: AbortSignal): AsyncGenerator<T> {
  const it = stream[Symbol.asyncIterator]();
  let stop: (() => void) | undefined;
  const stopped = new Promise<{ stopped: true }>((resolve) => {
    stop = () => resolve({ stopped: true });
    shutdown.addEventListener("abort", stop, { once: true });
  });
  try {
    for (;;) {
      if (shutdown.aborted) throw shutdown.reason;
      const pending = it.next();
      // If shutdown wins the race, the handler's answer (or failure) arrives later with no one to read it.
      pending.catch(() => {});
      const r = await Promise.race([pending, stopped]);
      if ("stopped" in r) throw shutdown.reason;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    if (stop) shutdown.removeEventListener("abort", stop);
    // Not awaited: a handler suspended in its own await only sees return() once it resumes. Its signal fires when the
    // response ends, which is what makes it resume.
    it.return?.()?.catch(() => {});
  }
}
