/**
 * Account and portfolio rows: updateAccountValue, updatePortfolio, updateAccountTime, accountDownloadEnd,
 * accountSummary, accountUpdateMulti, position, positionMulti, pnl, pnlSingle, familyCodes.
 *
 * Each takes the callback's arguments by name (the shape of src/gateway's typed events; reqIds are ibrpc's and not
 * converted). Positions are Decimals (decimal strings, negative for shorts); money amounts are doubles with IB's
 * Double.MAX_VALUE ("not computed yet", e.g. realized PnL before any closing trade) absent. The string values of
 * account values / summaries are IB's verbatim (they hold numbers, currencies and words alike), except a sentinel
 * text, which becomes "".
 */

import { create } from "@bufbuild/protobuf";
import type { Contract as IbContract, FamilyCode as IbFamilyCode } from "@stoqey/ib";
import {
  type AccountDownloadEnd,
  AccountDownloadEndSchema,
  type AccountSummary,
  AccountSummarySchema,
  type AccountUpdateMulti,
  AccountUpdateMultiSchema,
  type FamilyCode,
  FamilyCodeSchema,
  type PnL,
  PnLSchema,
  type PnLSingle,
  PnLSingleSchema,
  type Position,
  type PositionMulti,
  PositionMultiSchema,
  PositionSchema,
  type UpdateAccountTime,
  UpdateAccountTimeSchema,
  type UpdateAccountValue,
  UpdateAccountValueSchema,
  type UpdatePortfolio,
  UpdatePortfolioSchema,
} from "../../gen/ibrpc/v1/account_pb.js";
import { contractFromIb, contractToIb } from "./contract.js";
import { decimalFromString, decimalToString } from "./decimal.js";
import { ibString, optionalDouble, stringOrUndefined, withoutUndefined } from "./unset.js";

/** EWrapper.updateAccountValue(key, value, currency, accountName). */
export interface IbAccountValueEvent {
  readonly key: string;
  readonly value: string;
  readonly currency: string;
  readonly accountName: string;
}

export function updateAccountValueFromIb(event: IbAccountValueEvent): UpdateAccountValue {
  return create(UpdateAccountValueSchema, {
    key: ibString(event.key),
    value: ibString(event.value),
    currency: ibString(event.currency),
    accountName: ibString(event.accountName),
  });
}

/** EWrapper.updatePortfolio(contract, position, marketPrice, marketValue, averageCost, unrealizedPNL, realizedPNL, accountName). */
export interface IbPortfolioEvent {
  readonly contract: IbContract;
  readonly position: number | undefined;
  readonly marketPrice: number | undefined;
  readonly marketValue: number | undefined;
  readonly averageCost?: number | undefined;
  readonly unrealizedPNL?: number | undefined;
  readonly realizedPNL?: number | undefined;
  readonly accountName?: string | undefined;
}

export function updatePortfolioFromIb(event: IbPortfolioEvent): UpdatePortfolio {
  return create(UpdatePortfolioSchema, {
    contract: contractFromIb(event.contract),
    position: decimalToString(event.position),
    marketPrice: optionalDouble(event.marketPrice),
    marketValue: optionalDouble(event.marketValue),
    averageCost: optionalDouble(event.averageCost),
    unrealizedPnl: optionalDouble(event.unrealizedPNL),
    realizedPnl: optionalDouble(event.realizedPNL),
    accountName: ibString(event.accountName),
  });
}

/** The proto row back as the callback's named arguments (tests, the simulator's checks, history replays). */
export function updatePortfolioToIb(row: UpdatePortfolio): IbPortfolioEvent {
  return withoutUndefined<IbPortfolioEvent>({
    contract: row.contract ? contractToIb(row.contract) : {},
    position: decimalFromString(row.position),
    marketPrice: row.marketPrice,
    marketValue: row.marketValue,
    averageCost: row.averageCost,
    unrealizedPNL: row.unrealizedPnl,
    realizedPNL: row.realizedPnl,
    accountName: stringOrUndefined(row.accountName),
  });
}

/** EWrapper.updateAccountTime(timeStamp): IB's "HH:mm", kept verbatim (docs/contracts.md). */
export function updateAccountTimeFromIb(event: { readonly timeStamp: string }): UpdateAccountTime {
  return create(UpdateAccountTimeSchema, { timeStamp: ibString(event.timeStamp) });
}

/** EWrapper.accountDownloadEnd(accountName). */
export function accountDownloadEndFromIb(event: { readonly account: string }): AccountDownloadEnd {
  return create(AccountDownloadEndSchema, { accountName: ibString(event.account) });
}

/** EWrapper.accountSummary(reqId, account, tag, value, currency). */
export interface IbAccountSummaryEvent {
  readonly account: string;
  readonly tag: string;
  readonly value: string;
  readonly currency: string;
}

export function accountSummaryFromIb(event: IbAccountSummaryEvent): AccountSummary {
  return create(AccountSummarySchema, {
    account: ibString(event.account),
    tag: ibString(event.tag),
    value: ibString(event.value),
    currency: ibString(event.currency),
  });
}

/** EWrapper.accountUpdateMulti(reqId, account, modelCode, key, value, currency). */
export interface IbAccountUpdateMultiEvent {
  readonly account: string;
  readonly modelCode: string;
  readonly key: string;
  readonly value: string;
  readonly currency: string;
}

export function accountUpdateMultiFromIb(event: IbAccountUpdateMultiEvent): AccountUpdateMulti {
  return create(AccountUpdateMultiSchema, {
    account: ibString(event.account),
    modelCode: ibString(event.modelCode),
    key: ibString(event.key),
    value: ibString(event.value),
    currency: ibString(event.currency),
  });
}

/** EWrapper.position(account, contract, pos, avgCost). */
export interface IbPositionEvent {
  readonly account: string;
  readonly contract: IbContract;
  readonly pos: number | undefined;
  readonly avgCost?: number | undefined;
}

export function positionFromIb(event: IbPositionEvent): Position {
  return create(PositionSchema, {
    account: ibString(event.account),
    contract: contractFromIb(event.contract),
    pos: decimalToString(event.pos),
    avgCost: optionalDouble(event.avgCost),
  });
}

export function positionToIb(row: Position): IbPositionEvent {
  return withoutUndefined<IbPositionEvent>({
    account: row.account,
    contract: row.contract ? contractToIb(row.contract) : {},
    pos: decimalFromString(row.pos),
    avgCost: row.avgCost,
  });
}

/** EWrapper.positionMulti(reqId, account, modelCode, contract, pos, avgCost). */
export interface IbPositionMultiEvent extends IbPositionEvent {
  readonly modelCode: string;
}

export function positionMultiFromIb(event: IbPositionMultiEvent): PositionMulti {
  return create(PositionMultiSchema, {
    account: ibString(event.account),
    modelCode: ibString(event.modelCode),
    contract: contractFromIb(event.contract),
    pos: decimalToString(event.pos),
    avgCost: optionalDouble(event.avgCost),
  });
}

/** EWrapper.pnl(reqId, dailyPnL, unrealizedPnL, realizedPnL). */
export interface IbPnLEvent {
  readonly dailyPnL: number | undefined;
  readonly unrealizedPnL?: number | undefined;
  readonly realizedPnL?: number | undefined;
}

export function pnlFromIb(event: IbPnLEvent): PnL {
  return create(PnLSchema, {
    dailyPnl: optionalDouble(event.dailyPnL),
    unrealizedPnl: optionalDouble(event.unrealizedPnL),
    realizedPnl: optionalDouble(event.realizedPnL),
  });
}

/** EWrapper.pnlSingle(reqId, pos, dailyPnL, unrealizedPnL, realizedPnL, value). */
export interface IbPnLSingleEvent extends IbPnLEvent {
  readonly pos: number | undefined;
  readonly value: number | undefined;
}

export function pnlSingleFromIb(event: IbPnLSingleEvent): PnLSingle {
  return create(PnLSingleSchema, {
    pos: decimalToString(event.pos),
    dailyPnl: optionalDouble(event.dailyPnL),
    unrealizedPnl: optionalDouble(event.unrealizedPnL),
    realizedPnl: optionalDouble(event.realizedPnL),
    value: optionalDouble(event.value),
  });
}

export function familyCodeFromIb(code: IbFamilyCode): FamilyCode {
  return create(FamilyCodeSchema, { accountId: ibString(code.accountID), familyCode: ibString(code.familyCode) });
}

export function familyCodesFromIb(codes: readonly IbFamilyCode[] | null | undefined): FamilyCode[] {
  return (codes ?? []).map(familyCodeFromIb);
}
