/** Market depth: updateMktDepth, updateMktDepthL2 and DepthMktDataDescription (reqMktDepthExchanges). */

import { create } from "@bufbuild/protobuf";
import type { DepthMktDataDescription as IbDepthMktDataDescription } from "@stoqey/ib";
import {
  type DepthMktDataDescription,
  DepthMktDataDescriptionSchema,
  type UpdateMktDepth,
  type UpdateMktDepthL2,
  UpdateMktDepthL2Schema,
  UpdateMktDepthSchema,
} from "../../gen/ibrpc/v1/market_depth_pb.js";
import { sizeToString } from "./decimal.js";
import { ibBool, ibString, optionalInt, optionalPrice } from "./unset.js";

/** EWrapper.updateMktDepth(reqId, position, operation, side, price, size), by name. */
export interface IbMktDepthEvent {
  readonly position: number;
  readonly operation: number;
  readonly side: number;
  readonly price: number | undefined;
  readonly size: number | undefined;
}

export function updateMktDepthFromIb(event: IbMktDepthEvent): UpdateMktDepth {
  return create(UpdateMktDepthSchema, {
    position: optionalInt(event.position),
    operation: optionalInt(event.operation),
    side: optionalInt(event.side),
    price: optionalPrice(event.price),
    size: sizeToString(event.size),
  });
}

/** EWrapper.updateMktDepthL2(...), by name. */
export interface IbMktDepthL2Event extends IbMktDepthEvent {
  readonly marketMaker: string;
  readonly isSmartDepth?: boolean | undefined;
}

export function updateMktDepthL2FromIb(event: IbMktDepthL2Event): UpdateMktDepthL2 {
  return create(UpdateMktDepthL2Schema, {
    position: optionalInt(event.position),
    marketMaker: ibString(event.marketMaker),
    operation: optionalInt(event.operation),
    side: optionalInt(event.side),
    price: optionalPrice(event.price),
    size: sizeToString(event.size),
    isSmartDepth: ibBool(event.isSmartDepth),
  });
}

export function depthMktDataDescriptionFromIb(description: IbDepthMktDataDescription): DepthMktDataDescription {
  return create(DepthMktDataDescriptionSchema, {
    exchange: ibString(description.exchange),
    secType: ibString(description.secType),
    listingExch: ibString(description.listingExch),
    serviceDataType: ibString(description.serviceDataType),
    aggGroup: optionalInt(description.aggGroup),
  });
}
