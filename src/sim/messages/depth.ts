import { bool, decimal, double, int, str, tagValues, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";
import { requestContractFields } from "./contract-fields.js";

/** Market depth (order books), both directions. */

export const reqMktDepth = defineMessage(10, "reqMktDepth", [
  version(5),
  int("tickerId"),
  ...requestContractFields,
  int("numRows"),
  bool("isSmartDepth"),
  /** mktDepthOptions as "tag=value;" pairs. */
  tagValues("options"),
]);
export const cancelMktDepth = defineMessage(11, "cancelMktDepth", [
  version(),
  int("tickerId"),
  bool("isSmartDepth").orAbsent(),
]);

/** operation 0 insert, 1 update, 2 delete; side 0 ask, 1 bid. */
export const updateMktDepth = defineMessage(12, "updateMktDepth", [
  version(),
  int("tickerId"),
  int("position"),
  int("operation"),
  int("side"),
  double("price"),
  decimal("size"),
]);
export const updateMktDepthL2 = defineMessage(13, "updateMktDepthL2", [
  version(),
  int("tickerId"),
  int("position"),
  str("marketMaker"),
  int("operation"),
  int("side"),
  double("price"),
  decimal("size"),
  bool("isSmartDepth"),
]);
