import { messages } from "@electric-sql/pglite";

/**
 * What crosses between PGlite's worker thread and its main-thread proxy (see pglite-worker.ts, pglite-proxy.ts).
 * Messages go by structured clone: plain data keeps its fields, but an Error keeps only its message, so the
 * database's errors (DatabaseError: code, detail, constraint...) travel as {@link WireError} and are rebuilt.
 */

/** Main thread -> worker. `id` pairs a request with its reply. */
export type WorkerRequest =
  | {
      id: number;
      op: "execProtocolStream";
      message: Uint8Array;
      options: { syncToFs?: boolean; throwOnError?: boolean };
    }
  | { id: number; op: "listen"; channel: string; listenerId: number }
  | { id: number; op: "unlisten"; listenerId: number }
  | { id: number; op: "close" };

/** Worker -> main thread. */
export type WorkerReply =
  | { type: "ready" }
  | { type: "openFailed"; error: WireError }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; error: WireError }
  | { type: "notification"; listenerId: number; payload: string };

/** An Error as data: its message, name, stack and own fields (a DatabaseError's code, severity, detail...). */
export interface WireError {
  message: string;
  stack?: string;
  databaseError: boolean;
  fields: Record<string, unknown>;
}

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { message: String(err), databaseError: false, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (value === undefined || typeof value === "function") continue;
    fields[key] = value;
  }
  return { message: err.message, stack: err.stack, databaseError: err instanceof messages.DatabaseError, fields };
}

/** The error again, as the same class PGlite would have thrown in this thread (node-postgres reads its fields). */
export function fromWireError(wire: WireError): Error {
  const err = wire.databaseError
    ? new messages.DatabaseError(wire.message, Number(wire.fields.length ?? 0), "error")
    : new Error(wire.message);
  Object.assign(err, wire.fields);
  if (wire.stack) err.stack = wire.stack;
  return err;
}

/**
 * A backend message as data. PGlite's are class instances with own fields, which structured clone keeps; only
 * errors need the {@link WireError} form. Marked so the proxy knows which to rebuild.
 */
export function toWireMessage(msg: messages.BackendMessage): unknown {
  return msg instanceof Error ? { wireError: toWireError(msg) } : msg;
}

export function fromWireMessage(wire: unknown): messages.BackendMessage {
  const error = (wire as { wireError?: WireError }).wireError;
  return (error ? fromWireError(error) : wire) as messages.BackendMessage;
}
