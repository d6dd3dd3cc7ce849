import path from "node:path";
import { Code } from "@connectrpc/connect";
import { type Logger, pino } from "pino";

/** The order actions that leave an audit line. */
export type OrderAction = "place" | "modify" | "what_if" | "cancel" | "global_cancel";

/** One audited order action. Never a token, a password or an order's free text: who is the token's id. */
export interface AuditEntry {
  action: OrderAction;
  /** The caller's token id (never the token), or "anonymous" when tokens are off. */
  who: string;
  gateway: string;
  account?: string | undefined;
  idempotencyKey?: string | undefined;
  orderId?: number | undefined;
  /** IB's permanent id, a decimal string (64-bit). */
  permId?: string | undefined;
  /** "placed", "replayed", "rejected", "failed", "cancelled", "deadline_exceeded" ... */
  outcome: string;
  /** The gRPC code name when the action failed. */
  code?: string | undefined;
  /** IB's error code when IB refused it. */
  ibCode?: number | undefined;
  /** The order's last status (PlaceOrder, CancelOrder). */
  status?: string | undefined;
  /** True for a PlaceOrder answered from the idempotency store. */
  replayed?: boolean | undefined;
}

/**
 * The audit trail of order actions: one structured line per action, on its own logger (its own stream: DATA_DIR's
 * audit log by default), separate from the per-call log so it can be kept, shipped and read on its own.
 */
export class AuditLog {
  constructor(private readonly logger: Logger) {}

  record(entry: AuditEntry): void {
    // Absent fields are left out rather than written as null, so every line has only what is known.
    const line: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) if (v !== undefined) line[k] = v;
    this.logger.info({ audit: "order", ...line }, `order ${entry.action} ${entry.outcome}`);
  }
}

/** The audit log's file in DATA_DIR: JSON lines, appended, kept apart from the per-call log on stdout. */
export const AUDIT_LOG_FILE = "audit.log";

/** Opens DATA_DIR/audit.log for appending (created if needed); written synchronously so a crash loses no line. */
export function openAuditLog(dataDir: string): AuditLog {
  const destination = pino.destination({
    dest: path.join(dataDir, AUDIT_LOG_FILE),
    mkdir: true,
    append: true,
    sync: true,
  });
  return new AuditLog(pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination));
}

/** A gRPC code as the audit log (and Connect's JSON errors) spell it: "failed_precondition". */
export function codeName(code: Code): string {
  return (Code[code] ?? "unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}
