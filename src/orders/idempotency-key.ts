import { createHash } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { type PlaceOrderRequest, PlaceOrderRequestSchema } from "../../gen/ibrpc/v1/order_pb.js";
import type { KeyScope } from "./idempotency-store.js";

/**
 * How an idempotency key travels to IB: in the order's orderRef, which IB keeps on the order and echoes in openOrder,
 * completedOrder and every execution. A restarted ibrpc finds an order it may have sent before crashing by this tag.
 *
 * The tag is "ibrpc:" and 22 base64url characters (132 bits) of sha256(scope, account, key): short enough to leave
 * room for the caller's own orderRef after it, fixed in length so it is told apart from that text without ambiguity,
 * and free of the key itself (a key may be something the caller does not want shown in TWS).
 */
const TAG_PREFIX = "ibrpc:";
const TAG_HASH_CHARS = 22;
export const ORDER_REF_TAG_LENGTH = TAG_PREFIX.length + TAG_HASH_CHARS;

export function orderRefTag(k: KeyScope): string {
  const hash = createHash("sha256").update(`${k.scope}\u0000${k.account}\u0000${k.key}`).digest("base64url");
  return TAG_PREFIX + hash.slice(0, TAG_HASH_CHARS);
}

/** The orderRef sent to IB: the tag, then the caller's own orderRef (if any) after one space. */
export function taggedOrderRef(tag: string, callerRef: string): string {
  return callerRef === "" ? tag : `${tag} ${callerRef}`;
}

/** Splits an orderRef IB reports into ibrpc's tag (if it carries one) and the caller's own text. */
export function splitOrderRef(orderRef: string | undefined): { tag: string | undefined; callerRef: string } {
  const ref = orderRef ?? "";
  if (!ref.startsWith(TAG_PREFIX) || ref.length < ORDER_REF_TAG_LENGTH) return { tag: undefined, callerRef: ref };
  const rest = ref.slice(ORDER_REF_TAG_LENGTH);
  if (rest !== "" && !rest.startsWith(" ")) return { tag: undefined, callerRef: ref };
  return { tag: ref.slice(0, ORDER_REF_TAG_LENGTH), callerRef: rest.slice(1) };
}

/**
 * The request's digest: what must be equal for a retry to be "the same order". The key itself and wait_for are left
 * out: a retry may wait for more (the fill) than the first call did, and it is still the same order.
 */
export function requestDigest(request: PlaceOrderRequest): string {
  const canonical = create(PlaceOrderRequestSchema, { ...request, idempotencyKey: "", waitFor: 0 });
  return createHash("sha256").update(toBinary(PlaceOrderRequestSchema, canonical)).digest("hex");
}
