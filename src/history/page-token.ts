import { Code, ConnectError } from "@connectrpc/connect";
import type { Micros } from "./snapshot-time.js";

/**
 * ListSnapshots' page token: where the previous page stopped (keyset: the time of its oldest snapshot) and the
 * filters it was for, so a token reused with other filters is refused instead of silently paging something else.
 * Opaque to clients (base64url JSON); no offsets, so pages never overlap or skip when snapshots arrive meanwhile.
 */
interface TokenBody {
  /** Exclusive upper bound of the next page, microseconds. */
  before: string;
  /** The filters of the listing. */
  filter: string;
}

export function encodePageToken(before: Micros, filter: string): string {
  const body: TokenBody = { before: before.toString(), filter };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/** The `before` bound of a token; INVALID_ARGUMENT for a malformed one or one made for other filters. */
export function decodePageToken(token: string, filter: string): Micros {
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as TokenBody;
  } catch {
    throw new ConnectError("page_token: not a token from ListSnapshots", Code.InvalidArgument);
  }
  if (typeof body.before !== "string" || !/^-?\d+$/.test(body.before) || typeof body.filter !== "string") {
    throw new ConnectError("page_token: not a token from ListSnapshots", Code.InvalidArgument);
  }
  if (body.filter !== filter) {
    throw new ConnectError(
      "page_token: made for a listing with other filters (account, start_time, end_time)",
      Code.InvalidArgument,
    );
  }
  return BigInt(body.before);
}
