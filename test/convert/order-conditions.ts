import type { MessageInitShape } from "@bufbuild/protobuf";
import type { OrderConditionSchema } from "../../gen/ibrpc/v1/order_pb.js";

/**
 * One order condition of each of IB's six types, with both conjunctions: what the round-trip and simulator tests put
 * on an order to show every type survives the conversion (and, in the simulator test, IB's wire) unchanged.
 */
export const ONE_CONDITION_OF_EACH_TYPE: MessageInitShape<typeof OrderConditionSchema>[] = [
  {
    conjunctionConnection: "AND",
    condition: {
      case: "price",
      value: { conId: 265598, exchange: "SMART", isMore: true, price: 190.5, triggerMethod: 2 },
    },
  },
  {
    conjunctionConnection: "OR",
    condition: { case: "time", value: { isMore: true, time: "20250102 15:00:00 UTC" } },
  },
  { conjunctionConnection: "AND", condition: { case: "margin", value: { isMore: false, percent: 30 } } },
  {
    conjunctionConnection: "AND",
    condition: { case: "execution", value: { exchange: "SMART", secType: "STK", symbol: "MSFT" } },
  },
  {
    conjunctionConnection: "OR",
    condition: { case: "volume", value: { conId: 265598, exchange: "SMART", isMore: true, volume: 100000 } },
  },
  {
    conjunctionConnection: "AND",
    condition: {
      case: "percentChange",
      value: { conId: 265598, exchange: "SMART", isMore: false, changePercent: -2.5 },
    },
  },
];
