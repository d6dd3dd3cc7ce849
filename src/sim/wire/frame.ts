/**
 * TWS v100+ framing: a 4-byte big-endian length, then UTF-8 fields each terminated by NUL (the last one too: without
 * its NUL the client glues the last field onto the next frame). The connection opens with a one-off handshake,
 * `API\0` + length + "v100..193", whose payload has no NUL.
 */

/** The client drops frames longer than this; so does the simulator. */
export const MAX_FRAME_LENGTH = 0xffffff;

const API_PREFIX = Buffer.from("API\0", "latin1");

/** One frame for `fields`. For tests and raw clients; the simulator's hot path writes through {@link FrameBatch}. */
export function encodeFrame(fields: readonly string[]): Buffer {
  const payload = Buffer.from(`${fields.join("\0")}\0`, "utf8");
  const frame = Buffer.allocUnsafe(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
}

/** What a client sends first: `API\0`, length, version range. */
export function encodeHandshake(versionRange: string): Buffer {
  const payload = Buffer.from(versionRange, "utf8");
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(payload.length, 0);
  return Buffer.concat([API_PREFIX, length, payload]);
}

export interface FrameReaderEvents {
  /** The handshake payload, e.g. "v100..193" (only when the reader expects a handshake). */
  onHandshake?(payload: string): void;
  onFrame(fields: string[]): void;
  /** The stream cannot be resynchronised after this; the reader stops and the owner should close the socket. */
  onCorrupt(detail: string): void;
}

/**
 * Incremental reader for one TCP stream: accepts chunks split or coalesced anywhere (even one byte at a time)
 * and emits whole frames in order.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private awaitingHandshake: boolean;
  private corrupt = false;

  constructor(
    private readonly events: FrameReaderEvents,
    options: { expectHandshake: boolean },
  ) {
    this.awaitingHandshake = options.expectHandshake;
  }

  push(chunk: Buffer): void {
    if (this.corrupt) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    if (this.awaitingHandshake) {
      offset = this.readHandshake();
      if (offset < 0) return;
    }
    const buffer = this.pending;
    while (buffer.length - offset >= 4 && !this.corrupt) {
      const length = buffer.readUInt32BE(offset);
      if (length > MAX_FRAME_LENGTH) {
        this.fail(`frame length ${length} exceeds ${MAX_FRAME_LENGTH}`);
        return;
      }
      if (buffer.length - offset - 4 < length) break;
      const start = offset + 4;
      offset = start + length;
      if (length === 0 || buffer[offset - 1] !== 0) {
        this.fail(`frame of ${length} byte(s) does not end with a NUL terminator`);
        return;
      }
      const fields = buffer.toString("utf8", start, offset - 1).split("\0");
      this.events.onFrame(fields);
    }
    // Keep only the unread tail; copying it detaches it from the (possibly large) chunk it came from.
    this.pending = offset === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(offset));
  }

  /** Offset after the handshake, or -1 when more bytes are needed or the stream is corrupt. */
  private readHandshake(): number {
    const buffer = this.pending;
    const prefixBytes = Math.min(buffer.length, API_PREFIX.length);
    if (!buffer.subarray(0, prefixBytes).equals(API_PREFIX.subarray(0, prefixBytes))) {
      this.fail(`handshake does not start with "API\\0": ${JSON.stringify(buffer.subarray(0, 8).toString("latin1"))}`);
      return -1;
    }
    if (buffer.length < 8) return -1;
    const length = buffer.readUInt32BE(4);
    if (length > MAX_FRAME_LENGTH) {
      this.fail(`handshake length ${length} exceeds ${MAX_FRAME_LENGTH}`);
      return -1;
    }
    if (buffer.length < 8 + length) return -1;
    this.awaitingHandshake = false;
    this.events.onHandshake?.(buffer.toString("utf8", 8, 8 + length));
    return 8 + length;
  }

  private fail(detail: string): void {
    this.corrupt = true;
    this.pending = Buffer.alloc(0);
    this.events.onCorrupt(detail);
  }
}
