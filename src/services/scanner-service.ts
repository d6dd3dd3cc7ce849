import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import { ReqScannerParametersResponseSchema, type ScannerService } from "../../gen/ibrpc/v1/scanner_pb.js";
import { askGateway, type ServiceDeps } from "./call-context.js";

/**
 * ScannerService's unary RPC: IB's scanner parameters XML (instruments, locations, scan codes, filters), the document a
 * client reads to build a ReqScannerSubscription. The answer carries no reqId, so concurrent callers share one request
 * (it is IB's largest message, hundreds of kB: asking once is also kind to the pacing budget). ReqScannerSubscription
 * (a stream) lives in streams/scanner-streams.ts.
 */
export function scannerService(deps: ServiceDeps): Partial<ServiceImpl<typeof ScannerService>> {
  return {
    async reqScannerParameters(_req, ctx) {
      const { value: xml } = await askGateway(deps, ctx, {
        request: "reqScannerParameters",
        answer: EventName.scannerParameters,
        send: (gw) => gw.ib.reqScannerParameters(),
        map: (e) => e.xml ?? "",
      });
      return create(ReqScannerParametersResponseSchema, { xml });
    },
  };
}
