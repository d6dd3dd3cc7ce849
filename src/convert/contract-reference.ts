/**
 * Contract reference data around ContractDetails: symbol samples (ContractDescription), option chain parameters,
 * market rules (PriceIncrement), SMART components, and the WSH event request.
 */

import { create } from "@bufbuild/protobuf";
import {
  type ContractDescription as IbContractDescription,
  type PriceIncrement as IbPriceIncrement,
  WshEventData as IbWshEventData,
} from "@stoqey/ib";
import {
  type ContractDescription,
  ContractDescriptionSchema,
  type PriceIncrement,
  PriceIncrementSchema,
  type SecurityDefinitionOptionalParameter,
  SecurityDefinitionOptionalParameterSchema,
  type SmartComponent,
  SmartComponentSchema,
} from "../../gen/ibrpc/v1/contract_pb.js";
import type { WshEventData } from "../../gen/ibrpc/v1/fundamental_data_pb.js";
import { contractFromIb, multiplierFromIb } from "./contract.js";
import { ibString, isUnsetDouble, optionalDouble, optionalId, optionalInt } from "./unset.js";

export function contractDescriptionFromIb(description: IbContractDescription): ContractDescription {
  return create(ContractDescriptionSchema, {
    contract: contractFromIb(description.contract ?? {}),
    derivativeSecTypes: (description.derivativeSecTypes ?? []).map((secType) => ibString(secType)),
  });
}

/** EWrapper.securityDefinitionOptionParameter(...), by name (multiplier is IB's string there). */
export interface IbSecDefOptParamsEvent {
  readonly exchange: string;
  readonly underlyingConId: number;
  readonly tradingClass: string;
  readonly multiplier: string | number;
  readonly expirations: readonly string[];
  readonly strikes: readonly number[];
}

export function securityDefinitionOptionalParameterFromIb(
  event: IbSecDefOptParamsEvent,
): SecurityDefinitionOptionalParameter {
  return create(SecurityDefinitionOptionalParameterSchema, {
    exchange: ibString(event.exchange),
    underlyingConId: optionalId(event.underlyingConId),
    tradingClass: ibString(event.tradingClass),
    multiplier: multiplierFromIb(event.multiplier),
    expirations: (event.expirations ?? []).map((expiration) => ibString(expiration)),
    strikes: (event.strikes ?? []).filter((strike) => !isUnsetDouble(strike)),
  });
}

export function priceIncrementFromIb(increment: IbPriceIncrement): PriceIncrement {
  return create(PriceIncrementSchema, {
    lowEdge: optionalDouble(increment.lowEdge),
    increment: optionalDouble(increment.increment),
  });
}

export function priceIncrementsFromIb(increments: readonly IbPriceIncrement[] | null | undefined): PriceIncrement[] {
  return (increments ?? []).map(priceIncrementFromIb);
}

/** EWrapper.smartComponents' map (bit number -> [exchange, exchange letter]), in bit order. */
export function smartComponentsFromIb(theMap: ReadonlyMap<number, readonly [string, string]>): SmartComponent[] {
  return [...theMap.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bitNumber, [exchange, exchangeLetter]]) =>
      create(SmartComponentSchema, {
        bitNumber: optionalInt(bitNumber),
        exchange: ibString(exchange),
        exchangeLetter: ibString(exchangeLetter),
      }),
    );
}

/**
 * The request's WshEventData as @stoqey/ib's class. IB takes a conId or a filter (JSON). Absent numbers must reach
 * the wire as empty tokens, as Java's sendMax writes its Integer.MAX_VALUE defaults: @stoqey/ib writes the field
 * as is, so they are left undefined (the class's typings say number).
 */
export function wshEventDataToIb(data: WshEventData): IbWshEventData {
  const absent = undefined as unknown as number;
  const ib = new IbWshEventData(
    data.conId ?? absent,
    data.fillWatchlist,
    data.fillPortfolio,
    data.fillCompetitors,
    data.startDate,
    data.endDate,
    data.totalLimit ?? absent,
  );
  ib.filter = data.filter;
  // The constructor defaults an undefined totalLimit to 0; IB's "no limit" is the empty token.
  ib.totalLimit = data.totalLimit ?? absent;
  return ib;
}
