import { messages } from "@electric-sql/pglite";

/** SQLSTATE connection_failure: store-errors.ts reads class 08 as "the database is unavailable". */
const CONNECTION_FAILURE = "08006";

/**
 * What a PGliteProxy answers node-postgres once its worker is gone: the backend messages a server would send to a
 * client it can no longer serve, so that every query fails with an error (SQLSTATE 08006) and the connection stays
 * in step, rather than an exception thrown at node-postgres' adapter.
 *
 * Why not just reject: the adapter (@electric-sql/pglite/node-postgres 0.5.16) chains every protocol message on one
 * promise and turns a rejection into an `error` event on the pg Client. A checked-out pg Client has no `error`
 * listener, so that event throws inside the chain, the chain stays rejected, the Client's `end` never completes and
 * pg.Pool's queue waits behind it forever: every later query, and the health ping, would hang.
 *
 * Like a server after an error, it answers the first message of an extended-protocol exchange with an
 * ErrorResponse, ignores the rest until Sync, then says ReadyForQuery; a simple Query gets both at once.
 */
export class UnavailableBackend {
  /** An ErrorResponse was sent and the client has not sent Sync since. */
  private failedSinceSync = false;

  constructor(private readonly reason: () => Error) {}

  answer(message: Uint8Array): messages.BackendMessage[] {
    const out: messages.BackendMessage[] = [];
    for (const type of frontendMessageTypes(message)) {
      switch (type) {
        case "Q": // simple query
          out.push(this.error(), readyForQuery());
          break;
        case "S": // sync: the end of an extended-protocol exchange
          if (!this.failedSinceSync) out.push(this.error());
          this.failedSinceSync = false;
          out.push(readyForQuery());
          break;
        case "H": // flush
        case "X": // terminate
          break;
        default: // parse, bind, describe, execute, close, copy data...
          if (!this.failedSinceSync) out.push(this.error());
          this.failedSinceSync = true;
      }
    }
    return out;
  }

  private error(): messages.DatabaseError {
    const reason = this.reason();
    const err = new messages.DatabaseError(reason.message, 0, "error");
    err.severity = "FATAL";
    err.code = CONNECTION_FAILURE;
    return err;
  }
}

function readyForQuery(): messages.BackendMessage {
  return new messages.ReadyForQueryMessage(5, "I");
}

/** The type byte of each frontend message in `buf` (a startup message has none; the adapter never sends one). */
function frontendMessageTypes(buf: Uint8Array): string[] {
  const types: string[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at + 5 <= buf.byteLength) {
    types.push(String.fromCharCode(buf[at] as number));
    at += 1 + view.getInt32(at + 1);
  }
  return types;
}
