import { accountHandlers } from "./accounts.js";
import { connectionHandlers } from "./connection.js";
import { contractHandlers } from "./contracts.js";
import { marketHandlers } from "./market.js";
import { optionCalculationHandlers } from "./option-calculations.js";
import { orderHandlers } from "./orders.js";
import { referenceDataHandlers } from "./reference-data.js";
import { HandlerRegistry } from "./registry.js";

/** Every request the simulator implements; later areas (accounts, orders, market data...) append their lists. */
export function createHandlerRegistry(): HandlerRegistry {
  return new HandlerRegistry([
    ...connectionHandlers,
    ...contractHandlers,
    ...referenceDataHandlers,
    ...accountHandlers,
    ...marketHandlers,
    ...orderHandlers,
    ...optionCalculationHandlers,
  ]);
}
