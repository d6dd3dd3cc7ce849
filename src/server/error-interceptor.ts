import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { IbError } from "../gateway/ib-error.js";

/** google.rpc.ErrorInfo domain and reason of errors IB reported. */
export const ERROR_DOMAIN = "ibrpc";
export const IB_ERROR_REASON = "IB_ERROR";

export interface ErrorMappingOptions {
  /** Put the real message of unexpected errors in the response (ERR_INFO); they are always logged. */
  errInfo: boolean;
  logger: Logger;
}

/**
 * The status a client sees for `err`. Expected failures (ConnectError, IbError, cancellation, our own deadlines)
 * keep their meaning; anything else is a bug and reaches the client as a bare INTERNAL, so stack traces, SQL or
 * socket addresses never leak unless the operator asked for them.
 *
 * `signal` is the call's signal: an AbortError thrown because it fired says nothing itself, the signal's reason
 * (deadline exceeded, server shutting down) does.
 */
export function toConnectError(err: unknown, opts: ErrorMappingOptions, signal?: AbortSignal): ConnectError {
  if (err instanceof ConnectError) return undecodableRequest(err) ?? err;
  if (err instanceof IbError) return fromIbError(err);
  if (err instanceof Error && err.name === "AbortError") {
    const reason = err.cause ?? (signal?.aborted ? signal.reason : undefined);
    if (reason instanceof ConnectError) return reason;
    if (reason instanceof Error && reason.name === "TimeoutError") return timeout(reason);
    return new ConnectError("canceled", Code.Canceled, undefined, undefined, err);
  }
  if (err instanceof Error && err.name === "TimeoutError") return timeout(err);
  opts.logger.error({ err }, "unexpected error");
  const message = opts.errInfo && err instanceof Error ? `internal error: ${err.message}` : "internal error";
  return new ConnectError(message, Code.Internal, undefined, undefined, err);
}

/** Maps every error of unary and streaming calls through {@link toConnectError}. */
export function errorInterceptor(opts: ErrorMappingOptions): Interceptor {
  return (next) => async (req) => {
    const map = (err: unknown) =>
      toConnectError(err, { ...opts, logger: opts.logger.child({ procedure: procedureOf(req) }) }, req.signal);
    try {
      const res = await next(req);
      // Stream handlers fail while the response is being read, after this interceptor has returned.
      return res.stream ? { ...res, message: mapStreamErrors(res.message, map) } : res;
    } catch (err) {
      throw map(err);
    }
  };
}

export function procedureOf(req: { service: { typeName: string }; method: { name: string } }): string {
  return `/${req.service.typeName}/${req.method.name}`;
}

/** connect-es's words for a request message that is not valid protobuf (it reports it as INTERNAL). */
export const PARSE_FAILURE_PREFIX = "parse binary: ";

/**
 * A request that does not decode is the client's fault: INVALID_ARGUMENT, not the INTERNAL connect-es reports
 * (right for a client reading a server's answer, where it comes from). Streaming requests are decoded while the
 * handler reads them, so the failure arrives here; unary ones fail before the interceptors (see response-capture.ts).
 */
function undecodableRequest(err: ConnectError): ConnectError | undefined {
  if (err.code !== Code.Internal || !err.rawMessage.startsWith(PARSE_FAILURE_PREFIX)) return undefined;
  return new ConnectError(
    `cannot decode the request message (protobuf binary): ${err.rawMessage.slice(PARSE_FAILURE_PREFIX.length)}`,
    Code.InvalidArgument,
    undefined,
    undefined,
    err,
  );
}

function fromIbError(err: IbError): ConnectError {
  const metadata: Record<string, string> = { ibCode: String(err.ibCode), ibMessage: err.ibMessage };
  if (err.gateway !== undefined) metadata.gateway = err.gateway;
  if (err.reqId !== undefined) metadata.reqId = String(err.reqId);
  if (err.advancedOrderRejectJson !== undefined) metadata.advancedOrderRejectJson = err.advancedOrderRejectJson;
  const info = { desc: ErrorInfoSchema, value: { reason: IB_ERROR_REASON, domain: ERROR_DOMAIN, metadata } };
  return new ConnectError(err.message, err.grpcCode, undefined, [info], err);
}

function timeout(err: Error): ConnectError {
  return new ConnectError(err.message || "deadline exceeded", Code.DeadlineExceeded, undefined, undefined, err);
}

async function* mapStreamErrors<T>(stream: AsyncIterable<T>, map: (err: unknown) => ConnectError): AsyncIterable<T> {
  try {
    yield* stream;
  } catch (err) {
    throw map(err);
  }
}
