/**
 * com.ib.client.TagValue lists (algoParams, smartComboRoutingParams, orderMiscOptions, the *Options of requests,
 * secIdList) both ways.
 */

import { create } from "@bufbuild/protobuf";
import type { TagValue as IbTagValue } from "@stoqey/ib";
import { type TagValue, TagValueSchema } from "../../gen/ibrpc/v1/common_pb.js";
import { ibString } from "./unset.js";

export function tagValueFromIb(tagValue: IbTagValue): TagValue {
  return create(TagValueSchema, { tag: ibString(tagValue.tag), value: ibString(tagValue.value) });
}

/** IB's list as protos; undefined (IB's "none") gives []. */
export function tagValuesFromIb(list: readonly IbTagValue[] | null | undefined): TagValue[] {
  return (list ?? []).map(tagValueFromIb);
}

export function tagValueToIb(tagValue: TagValue): IbTagValue {
  return { tag: tagValue.tag, value: tagValue.value };
}

/**
 * Protos as IB's list; [] gives undefined so IB sends its "no options" (the encoders write a count of 0 or "" for
 * both, and undefined keeps round trips of IB objects that had none).
 */
export function tagValuesToIb(list: readonly TagValue[]): IbTagValue[] | undefined {
  return list.length === 0 ? undefined : list.map(tagValueToIb);
}
