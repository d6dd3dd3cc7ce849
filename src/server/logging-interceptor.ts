import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import { procedureOf } from "./error-interceptor.js";

export type Protocol = "grpc" | "grpc-web" | "connect";

/** Codes that mean the server, not the caller, has a problem: worth a warning. */
const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss, Code.Unimplemented]);

/**
 * One log line per call, written when the call is over: for streams that is the end of the stream, so the duration
 * is the stream's lifetime and the code its final status ("canceled" when the client went away).
 */
export function loggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const start = performance.now();
    const done = (err: unknown) => {
      const code = err === undefined ? undefined : ConnectError.from(err).code;
      const line = {
        procedure: procedureOf(req),
        protocol: protocolOf(req.header),
        code: code === undefined ? "ok" : codeToString(code),
        durationMs: Math.round((performance.now() - start) * 10) / 10,
      };
      if (code !== undefined && SERVER_FAULTS.has(code)) logger.warn(line, "rpc");
      else logger.info(line, "rpc");
    };
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (err) {
      done(err);
      throw err;
    }
    if (!res.stream) {
      done(undefined);
      return res;
    }
    return { ...res, message: observeEnd(res.message, req.signal, done) };
  };
}

/** Connect interceptors do not see the protocol; the content type tells it (Connect GET requests have none). */
export function protocolOf(header: Headers): Protocol {
  const type = header.get("content-type") ?? "";
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return "connect";
}

async function* observeEnd<T>(stream: AsyncIterable<T>, signal: AbortSignal, done: (err: unknown) => void) {
  // Until proven otherwise the reader abandoned the stream (the client cancelled or disconnected).
  let outcome: unknown = new ConnectError("canceled", Code.Canceled);
  try {
    yield* stream;
    // A handler that returns because its signal fired ended for that reason, not successfully.
    outcome = signal.aborted ? signal.reason : undefined;
  } catch (err) {
    outcome = err;
    throw err;
  } finally {
    done(outcome);
  }
}
