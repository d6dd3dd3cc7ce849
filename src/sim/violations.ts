import type { Logger } from "pino";
import type { FieldProblemKind } from "./wire/layout.js";

/**
 * Something a client sent that the simulator could not read exactly as the layout tables say. In tests every one of
 * these is drift between the tables and @stoqey/ib, so they are kept (not just logged) and exposed for assertions.
 */
export type ViolationKind =
  | FieldProblemKind
  | "bad-handshake"
  | "unsupported-version"
  | "corrupt-frame"
  | "unknown-message"
  | "unexpected-message";

export interface ProtocolViolation {
  readonly kind: ViolationKind;
  /** Connection number, in accept order from 1. */
  readonly sessionId: number;
  readonly clientId: number | undefined;
  /** Token 0 of the offending frame as received ("" when there was no frame). */
  readonly messageId: string;
  /** The layout's name when the message id is known. */
  readonly messageName: string | undefined;
  readonly field: string | undefined;
  readonly detail: string;
  readonly tokens: readonly string[];
}

/** Keeps every violation and logs it loudly; shared by all sessions of one simulator. */
export class ViolationLog {
  private readonly recorded: ProtocolViolation[] = [];

  constructor(private readonly logger: Logger) {}

  get all(): readonly ProtocolViolation[] {
    return this.recorded;
  }

  record(violation: ProtocolViolation): void {
    this.recorded.push(violation);
    this.logger.error({ violation }, `protocol violation (${violation.kind}): ${violation.detail}`);
  }
}
