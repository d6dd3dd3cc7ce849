import type { Code } from "@connectrpc/connect";
import { IbError } from "../gateway/ib-error.js";

/**
 * IB's codes are coarse: 321 ("Error validating request") on reqNewsArticle means the article does not exist, and on
 * replaceFA the words "non FA customers" make it a precondition rather than a bad argument. ib-codes.ts keeps the
 * meaning a code has everywhere; a service that knows what a code means for its own request says so here, keeping
 * IB's code and text (the ErrorInfo detail) and changing only the gRPC code.
 *
 * Use as `.catch(overrideIbCode((e) => ...))`: returns the code to use, or undefined to keep the table's.
 */
export function overrideIbCode(codeFor: (err: IbError) => Code | undefined): (err: unknown) => never {
  return (err: unknown): never => {
    if (err instanceof IbError) {
      const grpcCode = codeFor(err);
      if (grpcCode !== undefined && grpcCode !== err.grpcCode) {
        throw new IbError(err.ibCode, err.ibMessage, {
          gateway: err.gateway,
          reqId: err.reqId,
          advancedOrderRejectJson: err.advancedOrderRejectJson,
          grpcCode,
          cause: err,
        });
      }
    }
    throw err;
  };
}
