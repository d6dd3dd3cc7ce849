/**
 * Executions: com.ib.client.Execution, EWrapper.execDetails, CommissionReport, and the ExecutionFilter of
 * reqExecutions.
 *
 * Execution.time is IB's "yyyyMMdd HH:mm:ss zone" text; the proto carries the instant (Timestamp). A time without
 * a zone is read in `defaultZone` (the gateway's login zone when known, else UTC).
 */

import { create } from "@bufbuild/protobuf";
import type {
  CommissionReport as IbCommissionReport,
  Contract as IbContract,
  Execution as IbExecution,
  ExecutionFilter as IbExecutionFilter,
  Liquidities,
  SecType,
} from "@stoqey/ib";
import {
  type CommissionReport,
  CommissionReportSchema,
  type ExecDetails,
  ExecDetailsSchema,
  type Execution,
  ExecutionSchema,
} from "../../gen/ibrpc/v1/common_pb.js";
import type { ExecutionFilter } from "../../gen/ibrpc/v1/execution_pb.js";
import { contractFromIb } from "./contract.js";
import { decimalFromString, decimalToString, int64FromIb, int64ToIb } from "./decimal.js";
import { type IbTimeOptions, ibTimeToTimestampOrUndefined, timestampToIbZoned } from "./time.js";
import {
  ibBool,
  ibString,
  optionalDouble,
  optionalId,
  optionalInt,
  optionalNonZero,
  stringOrUndefined,
  withoutUndefined,
} from "./unset.js";

export function executionFromIb(execution: IbExecution, options: IbTimeOptions = {}): Execution {
  const evMultiplier = optionalDouble(execution.evMultiplier);
  return create(ExecutionSchema, {
    orderId: optionalId(execution.orderId),
    clientId: optionalInt(execution.clientId),
    execId: ibString(execution.execId),
    time: ibTimeToTimestampOrUndefined(execution.time, options),
    acctNumber: ibString(execution.acctNumber),
    exchange: ibString(execution.exchange),
    side: ibString(execution.side),
    shares: decimalToString(execution.shares),
    price: optionalDouble(execution.price),
    permId: int64FromIb(execution.permId),
    liquidation: optionalInt(execution.liquidation),
    cumQty: decimalToString(execution.cumQty),
    avgPrice: optionalDouble(execution.avgPrice),
    orderRef: ibString(execution.orderRef),
    evRule: ibString(execution.evRule),
    evMultiplier: evMultiplier === 0 ? undefined : evMultiplier,
    modelCode: ibString(execution.modelCode),
    lastLiquidity: optionalInt(execution.lastLiquidity),
    pendingPriceRevision: ibBool(execution.pendingPriceRevision),
  });
}

/**
 * A proto Execution as @stoqey/ib's. The time is written "yyyyMMdd HH:mm:ss UTC" (IB's form; the original zone
 * is not kept, the instant is).
 */
export function executionToIb(execution: Execution): IbExecution {
  const s = stringOrUndefined;
  return withoutUndefined<IbExecution>({
    orderId: execution.orderId,
    clientId: execution.clientId,
    execId: s(execution.execId),
    time: execution.time ? timestampToIbZoned(execution.time) : undefined,
    acctNumber: s(execution.acctNumber),
    exchange: s(execution.exchange),
    side: s(execution.side),
    shares: decimalFromString(execution.shares),
    price: execution.price,
    permId: int64ToIb(execution.permId),
    liquidation: execution.liquidation,
    cumQty: decimalFromString(execution.cumQty),
    avgPrice: execution.avgPrice,
    orderRef: s(execution.orderRef),
    evRule: s(execution.evRule),
    evMultiplier: execution.evMultiplier,
    modelCode: s(execution.modelCode),
    lastLiquidity: execution.lastLiquidity as Liquidities | undefined,
    pendingPriceRevision: execution.pendingPriceRevision || undefined,
  });
}

/** EWrapper.execDetails's arguments, by name (reqId is ibrpc's, not converted). */
export interface IbExecDetailsEvent {
  readonly contract: IbContract;
  readonly execution: IbExecution;
}

export function execDetailsFromIb(event: IbExecDetailsEvent, options: IbTimeOptions = {}): ExecDetails {
  return create(ExecDetailsSchema, {
    contract: contractFromIb(event.contract),
    execution: executionFromIb(event.execution, options),
  });
}

/** realizedPNL and yield are Double.MAX_VALUE until a closing trade has them: absent. */
export function commissionReportFromIb(report: IbCommissionReport): CommissionReport {
  return create(CommissionReportSchema, {
    execId: ibString(report.execId),
    commission: optionalDouble(report.commission),
    currency: ibString(report.currency),
    realizedPnl: optionalDouble(report.realizedPNL),
    yield: optionalDouble(report.yield),
    yieldRedemptionDate: optionalNonZero(report.yieldRedemptionDate),
  });
}

export function commissionReportToIb(report: CommissionReport): IbCommissionReport {
  return withoutUndefined<IbCommissionReport>({
    execId: stringOrUndefined(report.execId),
    commission: report.commission,
    currency: stringOrUndefined(report.currency),
    realizedPNL: report.realizedPnl,
    yield: report.yield,
    yieldRedemptionDate: report.yieldRedemptionDate,
  });
}

/**
 * The request's filter as @stoqey/ib's. `time` is passed through (IB wants "yyyyMMdd-HH:mm:ss" UTC or
 * "yyyyMMdd HH:mm:ss zone"; see timestampToIbUtc to build it); clientId is a string in @stoqey/ib's typings, written
 * as the same token.
 */
export function executionFilterToIb(filter: ExecutionFilter | undefined): IbExecutionFilter {
  if (!filter) return {};
  const s = stringOrUndefined;
  return withoutUndefined<IbExecutionFilter>({
    clientId: filter.clientId === undefined ? undefined : String(filter.clientId),
    acctCode: s(filter.acctCode),
    time: s(filter.time),
    symbol: s(filter.symbol),
    secType: s(filter.secType) as SecType | undefined,
    exchange: s(filter.exchange),
    side: s(filter.side),
  });
}
