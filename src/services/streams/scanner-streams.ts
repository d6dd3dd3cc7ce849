import { create, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { EventName, ScanCode } from "@stoqey/ib";
import {
  type ReqScannerSubscriptionRequest,
  type ReqScannerSubscriptionResponse,
  ReqScannerSubscriptionResponseSchema,
  ScannerDataEndSchema,
  type ScannerSubscription,
  ScannerSubscriptionSchema,
} from "../../../gen/ibrpc/v1/scanner_pb.js";
import { scannerDataFromIb, scannerSubscriptionToIb, tagValuesToIb } from "../../convert/index.js";
import { decodeEvent } from "../../gateway/ib-events.js";
import type { FeedModel, FeedSpec } from "../../hub/feed-spec.js";
import { gatewayFor, type ServiceDeps } from "../call-context.js";
import { streamOf } from "./stream-context.js";

type Response = ReqScannerSubscriptionResponse;

/**
 * A scanner's state is its last complete result (the rows up to a ScannerDataEnd): a late joiner gets that list and
 * its End, then each refresh. Rows are never dropped (a client too far behind is cut off).
 */
function resultListModel(): FeedModel<Response> {
  const wrap = (event: Response["event"]) => create(ReqScannerSubscriptionResponseSchema, { event });
  let forming: Response[] = [];
  let complete: Response[] = [];
  return {
    onEvent(name, args, sink) {
      if (name === EventName.scannerData) {
        const row = wrap({ case: "scannerData", value: scannerDataFromIb(decodeEvent(EventName.scannerData, args)) });
        forming.push(row);
        sink.emit(row);
      } else if (name === EventName.scannerDataEnd) {
        const end = wrap({ case: "scannerDataEnd", value: create(ScannerDataEndSchema) });
        complete = [...forming, end];
        forming = [];
        sink.emit(end);
      }
    },
    snapshot: () => complete.map((message) => ({ message })),
    reset() {
      forming = [];
      complete = [];
    },
  };
}

export function scannerFeed(req: ReqScannerSubscriptionRequest): FeedSpec<Response> {
  const subscription = req.subscription as ScannerSubscription;
  if ((ScanCode as unknown as Record<string, unknown>)[subscription.scanCode] === undefined) {
    // @stoqey/ib 1.6.10 can only send the scan codes of its ScanCode enum.
    throw new ConnectError(
      `subscription.scanCode: ${JSON.stringify(subscription.scanCode)} is not a scan code ibrpc can send (see ReqScannerParameters; @stoqey/ib 1.6.10 knows a fixed list)`,
      Code.InvalidArgument,
    );
  }
  const ibSubscription = scannerSubscriptionToIb(subscription);
  const options = tagValuesToIb(req.scannerSubscriptionOptions);
  const filters = tagValuesToIb(req.scannerSubscriptionFilterOptions);
  const filterKey = req.scannerSubscriptionFilterOptions.map((t) => `${t.tag}=${t.value}`).join("&");
  return {
    key: `scanner|${toJsonString(ScannerSubscriptionSchema, subscription)}|${filterKey}`,
    kind: "scanner",
    describe: `scanner ${subscription.scanCode} ${subscription.instrument} ${subscription.locationCode}`,
    open: (ib, reqId) => ib.reqScannerSubscription(reqId, ibSubscription, options, filters),
    cancel: (ib, reqId) => ib.cancelScannerSubscription(reqId),
    model: resultListModel,
    gap: (gap) => create(ReqScannerSubscriptionResponseSchema, { event: { case: "gap", value: gap } }),
    missed: "scanner results: the next complete list follows",
    overflow: "cut",
  };
}

/** The streaming method of ScannerService (the unary one is in ../scanner-service.ts). */
export function scannerStreams(deps: ServiceDeps) {
  return {
    reqScannerSubscription(req: ReqScannerSubscriptionRequest, ctx: HandlerContext): AsyncGenerator<Response> {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), scannerFeed(req));
    },
  };
}
