import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import type { Contract } from "../../gen/ibrpc/v1/common_pb.js";
import {
  type MarketDepthService,
  type ReqMktDepthRequest,
  type ReqMktDepthResponse,
  ReqMktDepthResponseSchema,
  UpdateMktDepthL2Schema,
  UpdateMktDepthSchema,
} from "../../gen/ibrpc/v1/market_depth_pb.js";
import {
  contractToIb,
  depthMktDataDescriptionFromIb,
  tagValuesToIb,
  updateMktDepthFromIb,
  updateMktDepthL2FromIb,
} from "../convert/index.js";
import { decodeEvent } from "../gateway/ib-events.js";
import { contractKey, describeContract } from "../hub/contract-key.js";
import type { FeedModel, FeedSpec } from "../hub/feed-spec.js";
import { askGateway, gatewayFor, type ServiceDeps } from "./call-context.js";
import { streamOf } from "./streams/stream-context.js";

/** IB's depth operations. */
const INSERT = 0;
const UPDATE = 1;
const DELETE = 2;

type Row = ReqMktDepthResponse["event"] & { case: "updateMktDepth" | "updateMktDepthL2" };

/**
 * The current book, both sides, maintained from IB's insert / update / delete operations: what a late joiner, or a
 * client too slow to keep up (after a Gap), gets as inserts before live updates.
 */
function bookModel(): FeedModel<ReqMktDepthResponse> {
  const wrap = (event: ReqMktDepthResponse["event"]) => create(ReqMktDepthResponseSchema, { event });
  // Side 0 ask, 1 bid, each by row position.
  const sides: [Row[], Row[]] = [[], []];
  const apply = (side: number, position: number, operation: number, row: Row) => {
    const book = sides[side === 1 ? 1 : 0];
    if (position < 0 || position > book.length) return;
    if (operation === INSERT) book.splice(position, 0, row);
    else if (operation === UPDATE) book[position] = row;
    else if (operation === DELETE) book.splice(position, 1);
  };
  return {
    onEvent(name, args, sink) {
      let row: Row;
      if (name === EventName.updateMktDepth) {
        row = { case: "updateMktDepth", value: updateMktDepthFromIb(decodeEvent(EventName.updateMktDepth, args)) };
      } else if (name === EventName.updateMktDepthL2) {
        row = {
          case: "updateMktDepthL2",
          value: updateMktDepthL2FromIb(decodeEvent(EventName.updateMktDepthL2, args)),
        };
      } else {
        return;
      }
      apply(row.value.side ?? 0, row.value.position ?? 0, row.value.operation ?? INSERT, row);
      sink.emit(wrap(row));
    },
    snapshot() {
      const state: Array<{ message: ReqMktDepthResponse }> = [];
      for (const side of [1, 0] as const) {
        sides[side].forEach((row, position) => {
          const at = { position, operation: INSERT, side };
          state.push({
            message: wrap(
              row.case === "updateMktDepth"
                ? { case: "updateMktDepth", value: create(UpdateMktDepthSchema, { ...row.value, ...at }) }
                : { case: "updateMktDepthL2", value: create(UpdateMktDepthL2Schema, { ...row.value, ...at }) },
            ),
          });
        });
      }
      return state;
    },
    reset() {
      sides[0].length = 0;
      sides[1].length = 0;
    },
  };
}

/** One depth subscription (reqMktDepth), keyed by contract, rows and SMART depth; IB allows 3 (budgeted). */
export function marketDepthFeed(req: ReqMktDepthRequest): FeedSpec<ReqMktDepthResponse> {
  const contract = req.contract as Contract;
  const numRows = req.numRows ?? 10;
  const ibContract = contractToIb(contract);
  const options = tagValuesToIb(req.mktDepthOptions);
  return {
    key: `depth|${contractKey(contract)}|${numRows}|${req.isSmartDepth}`,
    kind: "depth",
    describe: `${req.isSmartDepth ? "SMART " : ""}depth ${describeContract(contract)}`,
    resource: "depth",
    open: (ib, reqId) => ib.reqMktDepth(reqId, ibContract, numRows, req.isSmartDepth, options),
    cancel: (ib, reqId) => ib.cancelMktDepth(reqId, req.isSmartDepth),
    model: bookModel,
    gap: (gap) => create(ReqMktDepthResponseSchema, { event: { case: "gap", value: gap } }),
    missed: "book updates: clear the book; the current book follows as inserts",
    overflow: "resync",
  };
}

export function marketDepthService(deps: ServiceDeps): Partial<ServiceImpl<typeof MarketDepthService>> {
  return {
    reqMktDepth(req: ReqMktDepthRequest, ctx: HandlerContext) {
      return streamOf(deps, ctx, gatewayFor(deps, ctx), marketDepthFeed(req));
    },

    async reqMktDepthExchanges(_req, ctx) {
      const { value } = await askGateway(deps, ctx, {
        request: "reqMktDepthExchanges",
        answer: EventName.mktDepthExchanges,
        send: (gw) => gw.ib.reqMktDepthExchanges(),
        map: (e) => (e.depthMktDataDescriptions ?? []).map(depthMktDataDescriptionFromIb),
      });
      return { depthMktDataDescriptions: value };
    },
  };
}
