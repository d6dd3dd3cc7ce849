import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Gap, GapReason, GapSchema, type IbMessage, IbMessageSchema } from "../../gen/ibrpc/v1/common_pb.js";
import type { IbNotice } from "../gateway/gateway-connection.js";

/** A feed known to be incomplete since `since`: what the next Gap of its streams will say. */
export interface PendingGap {
  reason: GapReason;
  since: Date;
  /** The IB message that caused it (1100, 1101, 10197 ...), when there is one. */
  cause?: IbNotice | undefined;
  /** Overrides the feed's own description of what may be missed (e.g. the liveness check says why). */
  missed?: string | undefined;
}

/** The Gap a stream receives before fresh data: from the last moment the feed was complete to now. */
export function makeGap(pending: PendingGap, until: Date, missed: string): Gap {
  return create(GapSchema, {
    reason: pending.reason,
    since: timestampFromDate(pending.since),
    until: timestampFromDate(until),
    missed: pending.missed ?? missed,
    cause: pending.cause ? ibMessageFromNotice(pending.cause) : undefined,
  });
}

/** An IB message as ibrpc.v1.IbMessage (a Gap's cause, a WatchGateways notice). */
export function ibMessageFromNotice(n: IbNotice): IbMessage {
  return create(IbMessageSchema, {
    code: n.code,
    message: n.message,
    kind: n.kind,
    id: n.id,
    time: timestampFromDate(n.time),
  });
}

/** A slow client's Gap: its buffer overflowed and was replaced by the current state. */
export function clientTooSlow(since: Date): PendingGap {
  return { reason: GapReason.CLIENT_TOO_SLOW, since };
}
