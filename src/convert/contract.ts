/**
 * com.ib.client.Contract, ComboLeg and DeltaNeutralContract both ways.
 *
 * @stoqey/ib types `multiplier` as a number (the proto keeps IB Java's string): an empty token decodes as 0 and the
 * sentinel "1.7976931348623157E308" as Number.MAX_VALUE (or, in openOrder, via `+readStr()`), so 0 and the sentinels
 * are "no multiplier" here. `strike` 0 is IB's "no strike" on non-derivatives; it is kept only where a strike means
 * something (options, warrants, FOPs), so a stock never carries `strike: 0`.
 */

import { create } from "@bufbuild/protobuf";
import type {
  ComboLeg as IbComboLeg,
  Contract as IbContract,
  DeltaNeutralContract as IbDeltaNeutralContract,
  OptionType,
  OrderAction,
  SecType,
} from "@stoqey/ib";
import {
  type ComboLeg,
  ComboLegSchema,
  type Contract,
  ContractSchema,
  type DeltaNeutralContract,
  DeltaNeutralContractSchema,
} from "../../gen/ibrpc/v1/common_pb.js";
import { decimalFromString, decimalToString } from "./decimal.js";
import {
  ibBool,
  ibString,
  optionalDouble,
  optionalId,
  optionalInt,
  stringOrUndefined,
  withoutUndefined,
} from "./unset.js";

/** Security types whose contracts have a strike (IB sends 0 for every other). */
const HAS_STRIKE = new Set(["OPT", "FOP", "WAR", "IOPT"]);

/** IB's multiplier (a number in @stoqey/ib) as the proto's decimal string; "" for 0 and the sentinels. */
export function multiplierFromIb(multiplier: number | string | null | undefined): string {
  if (multiplier === undefined || multiplier === null || multiplier === "") return "";
  const value = typeof multiplier === "string" ? Number(multiplier) : multiplier;
  return value === 0 || Number.isNaN(value) ? "" : decimalToString(value);
}

export function contractFromIb(contract: IbContract): Contract {
  const secType = ibString(contract.secType);
  const strike = optionalDouble(contract.strike);
  return create(ContractSchema, {
    conId: optionalId(contract.conId),
    symbol: ibString(contract.symbol),
    secType,
    lastTradeDateOrContractMonth: ibString(contract.lastTradeDateOrContractMonth),
    lastTradeDate: ibString(contract.lastTradeDate),
    strike: strike === 0 && !HAS_STRIKE.has(secType) ? undefined : strike,
    right: rightFromIb(contract.right),
    multiplier: multiplierFromIb(contract.multiplier),
    exchange: ibString(contract.exchange),
    primaryExch: ibString(contract.primaryExch),
    currency: ibString(contract.currency),
    localSymbol: ibString(contract.localSymbol),
    tradingClass: ibString(contract.tradingClass),
    includeExpired: ibBool(contract.includeExpired),
    secIdType: ibString(contract.secIdType),
    secId: ibString(contract.secId),
    description: ibString(contract.description),
    issuerId: ibString(contract.issuerId),
    comboLegsDescrip: ibString(contract.comboLegsDescription),
    comboLegs: (contract.comboLegs ?? []).map(comboLegFromIb),
    deltaNeutralContract: contract.deltaNeutralContract
      ? deltaNeutralContractFromIb(contract.deltaNeutralContract)
      : undefined,
  });
}

/** IB sends "?" and "0" for "no right" on some messages (Java's Types.Right.None); both are "". */
function rightFromIb(right: string | null | undefined): string {
  const text = ibString(right);
  return text === "?" || text === "0" ? "" : text;
}

/** A proto Contract as @stoqey/ib's Contract; absent fields stay undefined so IB defaults them. */
export function contractToIb(contract: Contract): IbContract {
  const ib: IbContract = {
    conId: contract.conId,
    symbol: stringOrUndefined(contract.symbol),
    secType: stringOrUndefined(contract.secType) as SecType | undefined,
    lastTradeDateOrContractMonth: stringOrUndefined(contract.lastTradeDateOrContractMonth),
    lastTradeDate: stringOrUndefined(contract.lastTradeDate),
    strike: contract.strike,
    right: stringOrUndefined(contract.right) as OptionType | undefined,
    multiplier: decimalFromString(contract.multiplier),
    exchange: stringOrUndefined(contract.exchange),
    primaryExch: stringOrUndefined(contract.primaryExch),
    currency: stringOrUndefined(contract.currency),
    localSymbol: stringOrUndefined(contract.localSymbol),
    tradingClass: stringOrUndefined(contract.tradingClass),
    includeExpired: contract.includeExpired || undefined,
    secIdType: stringOrUndefined(contract.secIdType),
    secId: stringOrUndefined(contract.secId),
    description: stringOrUndefined(contract.description),
    issuerId: stringOrUndefined(contract.issuerId),
    comboLegsDescription: stringOrUndefined(contract.comboLegsDescrip),
    comboLegs: contract.comboLegs.length > 0 ? contract.comboLegs.map(comboLegToIb) : undefined,
    deltaNeutralContract: contract.deltaNeutralContract
      ? deltaNeutralContractToIb(contract.deltaNeutralContract)
      : undefined,
  };
  return withoutUndefined(ib);
}

export function comboLegFromIb(leg: IbComboLeg): ComboLeg {
  return create(ComboLegSchema, {
    conId: optionalId(leg.conId),
    ratio: optionalInt(leg.ratio),
    action: ibString(leg.action),
    exchange: ibString(leg.exchange),
    openClose: optionalInt(leg.openClose),
    shortSaleSlot: optionalInt(leg.shortSaleSlot),
    designatedLocation: ibString(leg.designatedLocation),
    exemptCode: exemptCodeFromIb(leg.exemptCode),
  });
}

export function comboLegToIb(leg: ComboLeg): IbComboLeg {
  return withoutUndefined({
    conId: leg.conId,
    ratio: leg.ratio,
    action: stringOrUndefined(leg.action) as OrderAction | undefined,
    exchange: stringOrUndefined(leg.exchange),
    openClose: leg.openClose,
    shortSaleSlot: leg.shortSaleSlot,
    designatedLocation: stringOrUndefined(leg.designatedLocation),
    exemptCode: leg.exemptCode,
  });
}

/** IB's exemptCode default is -1 ("none"), like Java's ComboLeg and Order. */
export function exemptCodeFromIb(exemptCode: number | null | undefined): number | undefined {
  const code = optionalInt(exemptCode);
  return code === -1 ? undefined : code;
}

export function deltaNeutralContractFromIb(contract: IbDeltaNeutralContract): DeltaNeutralContract {
  return create(DeltaNeutralContractSchema, {
    conId: optionalId(contract.conId),
    delta: optionalDouble(contract.delta),
    price: optionalDouble(contract.price),
  });
}

/** @stoqey/ib's DeltaNeutralContract has required numbers: absent ones become 0, as Java's defaults. */
export function deltaNeutralContractToIb(contract: DeltaNeutralContract): IbDeltaNeutralContract {
  return { conId: contract.conId ?? 0, delta: contract.delta ?? 0, price: contract.price ?? 0 };
}
