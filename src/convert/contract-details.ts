/**
 * com.ib.client.ContractDetails (contractDetails, bondContractDetails, scannerData) both ways.
 *
 * The proto keeps IB's strings verbatim (tradingHours, liquidHours, timeZoneId, maturity ...); only numbers are
 * translated: minSize / sizeIncrement / suggestedSizeIncrement are Decimals (decimal strings), evMultiplier 0 or
 * the sentinel is "none", underConId 0 is "no underlying".
 */

import { create } from "@bufbuild/protobuf";
import type {
  ContractDetails as IbContractDetails,
  IneligibilityReason as IbIneligibilityReason,
  SecType,
} from "@stoqey/ib";
import {
  type ContractDetails,
  ContractDetailsSchema,
  type IneligibilityReason,
  IneligibilityReasonSchema,
} from "../../gen/ibrpc/v1/common_pb.js";
import { contractFromIb, contractToIb } from "./contract.js";
import { decimalFromString, decimalToString } from "./decimal.js";
import { tagValuesFromIb, tagValuesToIb } from "./tag-value.js";
import { ibString, optionalDouble, optionalId, optionalInt, stringOrUndefined, withoutUndefined } from "./unset.js";

type FundDistributionPolicyIndicator = NonNullable<IbContractDetails["fundDistributionPolicyIndicator"]>;
type FundAssetType = NonNullable<IbContractDetails["fundAssetType"]>;

export function contractDetailsFromIb(details: IbContractDetails): ContractDetails {
  const evMultiplier = optionalDouble(details.evMultiplier);
  return create(ContractDetailsSchema, {
    contract: contractFromIb(details.contract ?? {}),
    marketName: ibString(details.marketName),
    minTick: optionalDouble(details.minTick),
    priceMagnifier: optionalInt(details.priceMagnifier),
    orderTypes: ibString(details.orderTypes),
    validExchanges: ibString(details.validExchanges),
    underConId: optionalId(details.underConId),
    longName: ibString(details.longName),
    contractMonth: ibString(details.contractMonth),
    industry: ibString(details.industry),
    category: ibString(details.category),
    subcategory: ibString(details.subcategory),
    timeZoneId: ibString(details.timeZoneId),
    tradingHours: ibString(details.tradingHours),
    liquidHours: ibString(details.liquidHours),
    evRule: ibString(details.evRule),
    evMultiplier: evMultiplier === 0 ? undefined : evMultiplier,
    aggGroup: optionalInt(details.aggGroup),
    secIdList: tagValuesFromIb(details.secIdList),
    underSymbol: ibString(details.underSymbol),
    underSecType: ibString(details.underSecType),
    marketRuleIds: ibString(details.marketRuleIds),
    realExpirationDate: ibString(details.realExpirationDate),
    lastTradeTime: ibString(details.lastTradeTime),
    stockType: ibString(details.stockType),
    minSize: decimalToString(details.minSize),
    sizeIncrement: decimalToString(details.sizeIncrement),
    suggestedSizeIncrement: decimalToString(details.suggestedSizeIncrement),
    cusip: ibString(details.cusip),
    ratings: ibString(details.ratings),
    descAppend: ibString(details.descAppend),
    bondType: ibString(details.bondType),
    couponType: ibString(details.couponType),
    callable: details.callable === true,
    putable: details.putable === true,
    coupon: optionalDouble(details.coupon),
    convertible: details.convertible === true,
    maturity: ibString(details.maturity),
    issueDate: ibString(details.issueDate),
    nextOptionDate: ibString(details.nextOptionDate),
    nextOptionType: ibString(details.nextOptionType),
    nextOptionPartial: details.nextOptionPartial === true,
    notes: ibString(details.notes),
    fundName: ibString(details.fundName),
    fundFamily: ibString(details.fundFamily),
    fundType: ibString(details.fundType),
    fundFrontLoad: ibString(details.fundFrontLoad),
    fundBackLoad: ibString(details.fundBackLoad),
    fundBackLoadTimeInterval: ibString(details.fundBackLoadTimeInterval),
    fundManagementFee: ibString(details.fundManagementFee),
    fundClosed: details.fundClosed,
    fundClosedForNewInvestors: details.fundClosedForNewInvestors,
    fundClosedForNewMoney: details.fundClosedForNewMoney,
    fundNotifyAmount: ibString(details.fundNotifyAmount),
    fundMinimumInitialPurchase: ibString(details.fundMinimumInitialPurchase),
    fundSubsequentMinimumPurchase: ibString(details.fundSubsequentMinimumPurchase),
    fundBlueSkyStates: ibString(details.fundBlueSkyStates),
    fundBlueSkyTerritories: ibString(details.fundBlueSkyTerritories),
    fundDistributionPolicyIndicator: ibString(details.fundDistributionPolicyIndicator),
    fundAssetType: ibString(details.fundAssetType),
    ineligibilityReasonList: (details.ineligibilityReasonList ?? []).map(ineligibilityReasonFromIb),
  });
}

export function ineligibilityReasonFromIb(reason: IbIneligibilityReason): IneligibilityReason {
  return create(IneligibilityReasonSchema, { id: ibString(reason.id), description: ibString(reason.description) });
}

/** A proto ContractDetails as @stoqey/ib's (for the simulator, tests and clients of the IB layer). */
export function contractDetailsToIb(details: ContractDetails): IbContractDetails {
  const s = stringOrUndefined;
  return withoutUndefined<IbContractDetails>({
    contract: details.contract ? contractToIb(details.contract) : {},
    marketName: s(details.marketName),
    minTick: details.minTick,
    priceMagnifier: details.priceMagnifier,
    orderTypes: s(details.orderTypes),
    validExchanges: s(details.validExchanges),
    underConId: details.underConId,
    longName: s(details.longName),
    contractMonth: s(details.contractMonth),
    industry: s(details.industry),
    category: s(details.category),
    subcategory: s(details.subcategory),
    timeZoneId: s(details.timeZoneId),
    tradingHours: s(details.tradingHours),
    liquidHours: s(details.liquidHours),
    evRule: s(details.evRule),
    evMultiplier: details.evMultiplier,
    aggGroup: details.aggGroup,
    secIdList: tagValuesToIb(details.secIdList),
    underSymbol: s(details.underSymbol),
    underSecType: s(details.underSecType) as SecType | undefined,
    marketRuleIds: s(details.marketRuleIds),
    realExpirationDate: s(details.realExpirationDate),
    lastTradeTime: s(details.lastTradeTime),
    stockType: s(details.stockType),
    minSize: decimalFromString(details.minSize),
    sizeIncrement: decimalFromString(details.sizeIncrement),
    suggestedSizeIncrement: decimalFromString(details.suggestedSizeIncrement),
    cusip: s(details.cusip),
    ratings: s(details.ratings),
    descAppend: s(details.descAppend),
    bondType: s(details.bondType),
    couponType: s(details.couponType),
    callable: details.callable || undefined,
    putable: details.putable || undefined,
    coupon: details.coupon,
    convertible: details.convertible || undefined,
    maturity: s(details.maturity),
    issueDate: s(details.issueDate),
    nextOptionDate: s(details.nextOptionDate),
    nextOptionType: s(details.nextOptionType),
    nextOptionPartial: details.nextOptionPartial || undefined,
    notes: s(details.notes),
    fundName: s(details.fundName),
    fundFamily: s(details.fundFamily),
    fundType: s(details.fundType),
    fundFrontLoad: s(details.fundFrontLoad),
    fundBackLoad: s(details.fundBackLoad),
    fundBackLoadTimeInterval: s(details.fundBackLoadTimeInterval),
    fundManagementFee: s(details.fundManagementFee),
    fundClosed: details.fundClosed,
    fundClosedForNewInvestors: details.fundClosedForNewInvestors,
    fundClosedForNewMoney: details.fundClosedForNewMoney,
    fundNotifyAmount: s(details.fundNotifyAmount),
    fundMinimumInitialPurchase: s(details.fundMinimumInitialPurchase),
    fundSubsequentMinimumPurchase: s(details.fundSubsequentMinimumPurchase),
    fundBlueSkyStates: s(details.fundBlueSkyStates),
    fundBlueSkyTerritories: s(details.fundBlueSkyTerritories),
    fundDistributionPolicyIndicator: s(details.fundDistributionPolicyIndicator) as
      | FundDistributionPolicyIndicator
      | undefined,
    fundAssetType: s(details.fundAssetType) as FundAssetType | undefined,
    ineligibilityReasonList:
      details.ineligibilityReasonList.length > 0
        ? details.ineligibilityReasonList.map((reason) => ({ id: reason.id, description: reason.description }))
        : undefined,
  });
}
