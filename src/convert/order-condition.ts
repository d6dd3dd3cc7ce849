/**
 * IB's conditional-order conditions (com.ib.client.OrderCondition subclasses) <-> the proto's oneof.
 *
 * Toward IB the conditions must be @stoqey/ib's classes, not plain objects: its encoder writes each condition's
 * value through the class's `strValue` getter.
 */

import { create } from "@bufbuild/protobuf";
import {
  ConjunctionConnection,
  ExecutionCondition as IbExecutionCondition,
  MarginCondition as IbMarginCondition,
  type OrderCondition as IbOrderCondition,
  PercentChangeCondition as IbPercentChangeCondition,
  PriceCondition as IbPriceCondition,
  TimeCondition as IbTimeCondition,
  VolumeCondition as IbVolumeCondition,
  OrderConditionType,
  type SecType,
  type TriggerMethod,
} from "@stoqey/ib";
import {
  ExecutionConditionSchema,
  MarginConditionSchema,
  type OrderCondition,
  OrderConditionSchema,
  PercentChangeConditionSchema,
  PriceConditionSchema,
  TimeConditionSchema,
  VolumeConditionSchema,
} from "../../gen/ibrpc/v1/order_pb.js";
import { ibString, optionalDouble, optionalId, optionalInt, stringOrUndefined } from "./unset.js";

/** A condition type this version does not know (IB adds types over time). */
export class UnknownOrderConditionError extends Error {
  override readonly name = "UnknownOrderConditionError";
}

/** IB's "a" / "o" as the proto's vocabulary (AND / OR). */
export function conjunctionFromIb(conjunction: string | null | undefined): string {
  const text = ibString(conjunction).toLowerCase();
  if (text === "o" || text === "or") return "OR";
  if (text === "a" || text === "and") return "AND";
  return "";
}

/** AND / OR (and IB's own "a" / "o") toward IB; "" is IB's default, AND. */
export function conjunctionToIb(conjunction: string): ConjunctionConnection {
  const text = conjunction.toLowerCase();
  return text === "or" || text === "o" ? ConjunctionConnection.OR : ConjunctionConnection.AND;
}

type IbAnyCondition = IbOrderCondition & Record<string, unknown>;

/**
 * One IB condition as the proto; throws UnknownOrderConditionError for a type the proto has no case for (the caller
 * decides whether to drop it; conditionsFromIb skips them).
 */
export function orderConditionFromIb(condition: IbOrderCondition): OrderCondition {
  const c = condition as IbAnyCondition;
  const conjunctionConnection = conjunctionFromIb(condition.conjunctionConnection);
  const isMore = c.isMore === true;
  const conId = optionalId(c.conId as number | undefined);
  const exchange = ibString(c.exchange as string | undefined);
  switch (condition.type) {
    case OrderConditionType.Price:
      return create(OrderConditionSchema, {
        conjunctionConnection,
        condition: {
          case: "price",
          value: create(PriceConditionSchema, {
            conId,
            exchange,
            isMore,
            price: optionalDouble(c.price as number | undefined),
            triggerMethod: optionalInt(c.triggerMethod as number | undefined),
          }),
        },
      });
    case OrderConditionType.Time:
      return create(OrderConditionSchema, {
        conjunctionConnection,
        condition: { case: "time", value: create(TimeConditionSchema, { isMore, time: ibString(c.time as string) }) },
      });
    case OrderConditionType.Margin:
      return create(OrderConditionSchema, {
        conjunctionConnection,
        condition: {
          case: "margin",
          value: create(MarginConditionSchema, { isMore, percent: optionalInt(c.percent as number | undefined) }),
        },
      });
    case OrderConditionType.Execution:
      return create(OrderConditionSchema, {
        conjunctionConnection,
        condition: {
          case: "execution",
          value: create(ExecutionConditionSchema, {
            exchange,
            secType: ibString(c.secType as string | undefined),
            symbol: ibString(c.symbol as string | undefined),
          }),
        },
      });
    case OrderConditionType.Volume:
      return create(OrderConditionSchema, {
        conjunctionConnection,
        condition: {
          case: "volume",
          value: create(VolumeConditionSchema, {
            conId,
            exchange,
            isMore,
            volume: optionalInt(c.volume as number | undefined),
          }),
        },
      });
    case OrderConditionType.PercentChange:
      return create(OrderConditionSchema, {
        conjunctionConnection,
        condition: {
          case: "percentChange",
          value: create(PercentChangeConditionSchema, {
            conId,
            exchange,
            isMore,
            changePercent: optionalDouble(c.percent as number | undefined),
          }),
        },
      });
    default:
      throw new UnknownOrderConditionError(`order condition type ${String(condition.type)} has no proto case`);
  }
}

/** IB's conditions as protos, skipping types the proto cannot carry (none of IB's six today). */
export function orderConditionsFromIb(conditions: readonly IbOrderCondition[] | null | undefined): OrderCondition[] {
  const result: OrderCondition[] = [];
  for (const condition of conditions ?? []) {
    if (!condition) continue;
    try {
      result.push(orderConditionFromIb(condition));
    } catch (error) {
      if (!(error instanceof UnknownOrderConditionError)) throw error;
    }
  }
  return result;
}

/**
 * One proto condition as @stoqey/ib's class; throws UnknownOrderConditionError when the oneof is empty (requests
 * are validated before this, so only misuse reaches the throw).
 */
export function orderConditionToIb(condition: OrderCondition): IbOrderCondition {
  const conjunction = conjunctionToIb(condition.conjunctionConnection);
  const { condition: which } = condition;
  switch (which.case) {
    case "price": {
      const c = which.value;
      return new IbPriceCondition(
        c.price ?? 0,
        (c.triggerMethod ?? 0) as TriggerMethod,
        c.conId,
        stringOrUndefined(c.exchange),
        c.isMore,
        conjunction,
      );
    }
    case "time":
      return new IbTimeCondition(which.value.time, which.value.isMore, conjunction);
    case "margin":
      return new IbMarginCondition(which.value.percent ?? 0, which.value.isMore, conjunction);
    case "execution":
      return new IbExecutionCondition(
        stringOrUndefined(which.value.exchange),
        which.value.secType as SecType,
        which.value.symbol,
        conjunction,
      );
    case "volume": {
      const c = which.value;
      return new IbVolumeCondition(c.volume ?? 0, c.conId, stringOrUndefined(c.exchange), c.isMore, conjunction);
    }
    case "percentChange": {
      const c = which.value;
      return new IbPercentChangeCondition(
        c.changePercent ?? 0,
        c.conId,
        stringOrUndefined(c.exchange),
        c.isMore,
        conjunction,
      );
    }
    default:
      throw new UnknownOrderConditionError("order condition without a condition case");
  }
}

export function orderConditionsToIb(conditions: readonly OrderCondition[]): IbOrderCondition[] | undefined {
  return conditions.length === 0 ? undefined : conditions.map(orderConditionToIb);
}
