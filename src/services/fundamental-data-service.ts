import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { EventName, type IBApi } from "@stoqey/ib";
import type { Contract } from "../../gen/ibrpc/v1/common_pb.js";
import {
  type FundamentalDataService,
  ReqFundamentalDataResponseSchema,
  ReqWshEventDataResponseSchema,
  ReqWshMetaDataResponseSchema,
  type WshEventData,
} from "../../gen/ibrpc/v1/fundamental_data_pb.js";
import { contractToIb, tagValuesToIb, wshEventDataToIb } from "../convert/index.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import type { ServiceDeps } from "./call-context.js";
import { onGateway } from "./gather-on-gateway.js";

/**
 * FundamentalDataService: Refinitiv reports (XML) and Wall Street Horizon meta data and events (JSON), each one IB
 * request answered by one message and then cancelled, as IB's API asks. IB serves WSH events only to a session that
 * asked for the meta data first: ibrpc remembers, per gateway session, whether it did, and asks once if not.
 */
export function fundamentalDataService(deps: ServiceDeps): Partial<ServiceImpl<typeof FundamentalDataService>> {
  /** Sessions (one IBApi per connection) that already got WSH meta data: a reconnect starts over. */
  const wshReady = new WeakSet<IBApi>();

  /** reqWshMetaData on `gw`, shared by concurrent callers; marks the session ready for event data. */
  async function wshMetaData(gw: GatewayConnection, signal: AbortSignal): Promise<string> {
    const session = gw.ib;
    const [json = ""] = await gw.correlator.gather({
      request: "reqWshMetaData",
      send: (reqId) => gw.ib.reqWshMetaData(reqId),
      items: { [EventName.wshMetaData]: (e) => e.dataJson ?? "" },
      end: EventName.wshMetaData,
      cancel: (reqId) => gw.ib.reqCancelWshMetaData(reqId),
      cancelAfterEnd: true,
      share: "reqWshMetaData",
      noun: "answers",
      signal,
    });
    wshReady.add(session);
    return json;
  }

  return {
    async reqFundamentalData(req, ctx) {
      const contract = contractToIb(req.contract as Contract);
      const { reportType } = req;
      const options = tagValuesToIb(req.fundamentalDataOptions);
      const [data = ""] = await onGateway(deps, ctx, "reqFundamentalData", EventName.fundamentalData, (gw, signal) =>
        gw.correlator.gather({
          request: "reqFundamentalData",
          send: (reqId) => gw.ib.reqFundamentalData(reqId, contract, reportType, options),
          items: { [EventName.fundamentalData]: (e) => e.data ?? "" },
          end: EventName.fundamentalData,
          cancel: (reqId) => gw.ib.cancelFundamentalData(reqId),
          cancelAfterEnd: true,
          share: `reqFundamentalData:${JSON.stringify([contract, reportType, req.fundamentalDataOptions])}`,
          noun: "reports",
          signal,
        }),
      );
      return create(ReqFundamentalDataResponseSchema, { data });
    },

    async reqWshMetaData(_req, ctx) {
      const dataJson = await onGateway(deps, ctx, "reqWshMetaData", EventName.wshMetaData, wshMetaData);
      return create(ReqWshMetaDataResponseSchema, { dataJson });
    },

    async reqWshEventData(req, ctx) {
      // Validation (src/validation) already asked for exactly one of conId and filter.
      const ibWanted = wshEventDataToIb(req.wshEventData as WshEventData);
      const [dataJson = ""] = await onGateway(
        deps,
        ctx,
        "reqWshEventData",
        EventName.wshEventData,
        async (gw, signal) => {
          if (!wshReady.has(gw.ib)) await wshMetaData(gw, signal);
          return gw.correlator.gather({
            request: "reqWshEventData",
            send: (reqId) => gw.ib.reqWshEventData(reqId, ibWanted),
            items: { [EventName.wshEventData]: (e) => e.dataJson ?? "" },
            end: EventName.wshEventData,
            cancel: (reqId) => gw.ib.reqCancelWshEventData(reqId),
            cancelAfterEnd: true,
            noun: "answers",
            signal,
          });
        },
      );
      return create(ReqWshEventDataResponseSchema, { dataJson });
    },
  };
}
