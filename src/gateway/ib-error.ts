import type { Code } from "@connectrpc/connect";
import { classifyIbCode } from "./ib-codes.js";

/**
 * A request failed because IB said so (EWrapper.error with an error code) or because the gateway could not serve
 * it. Carries what the server's error interceptor needs to build a gRPC status with a google.rpc.ErrorInfo detail.
 */
export class IbError extends Error {
  override readonly name = "IbError";
  /** IB's errorCode. */
  readonly ibCode: number;
  /** IB's errorMsg, verbatim. */
  readonly ibMessage: string;
  /** The gRPC code this IB code maps to. */
  readonly grpcCode: Code;
  /** The gateway that answered, when known. */
  readonly gateway: string | undefined;
  readonly reqId: number | undefined;
  readonly advancedOrderRejectJson: string | undefined;

  constructor(
    ibCode: number,
    ibMessage: string,
    opts: { gateway?: string; reqId?: number; advancedOrderRejectJson?: string; grpcCode?: Code; cause?: unknown } = {},
  ) {
    super(`IB error ${ibCode}: ${ibMessage}`, { cause: opts.cause });
    this.ibCode = ibCode;
    this.ibMessage = ibMessage;
    this.grpcCode = opts.grpcCode ?? classifyIbCode(ibCode).grpc;
    this.gateway = opts.gateway;
    this.reqId = opts.reqId;
    this.advancedOrderRejectJson = opts.advancedOrderRejectJson;
  }
}
