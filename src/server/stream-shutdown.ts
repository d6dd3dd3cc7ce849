import type { Interceptor } from "@connectrpc/connect";
import { abortable } from "../util/abortable.js";

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
  try {
    for (;;) {
      const pending = it.next();
      // If shutdown wins, the handler's answer (or failure) arrives later with no one to read it.
      pending.catch(() => {});
      // One abort listener per wait, removed when the message comes: racing every message against one long-lived
      // promise would pile a reaction onto it per message for the whole life of the stream (a leak on busy feeds).
      const r = await abortable(pending, shutdown);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // Not awaited: a handler suspended in its own await only sees return() once it resumes. Its signal fires when the
    // response ends, which is what makes it resume.
    it.return?.()?.catch(() => {});
  }
}
