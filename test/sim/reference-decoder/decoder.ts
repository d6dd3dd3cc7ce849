import { INCOMING } from "./incoming-layouts.js";
import type { BranchStep, ListStep, Step, TokenStep, TokenType, Values } from "./steps.js";

/**
 * Reads one frame the way IB's reference client would at `serverVersion`, and reports everything a strict reference
 * decoder would trip on or a careful one would notice: an unknown message id, a token of the wrong type, a missing or
 * leftover token, and the unset-double literal where TWS sends an empty field.
 */
export interface ReferenceViolation {
  readonly message: string;
  readonly field: string;
  readonly problem: "unknown-message" | "malformed" | "missing" | "leftover" | "unset-sentinel";
  readonly detail: string;
  readonly frame: readonly string[];
}

const UNSET_DOUBLE = /^1\.7976931348623157e\+?308$/i;
const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INT_MAX = "2147483647";

function checkToken(type: TokenType, token: string, unsetAllowed: boolean): string | undefined {
  if (UNSET_DOUBLE.test(token)) {
    return type === "f" && unsetAllowed ? undefined : "the unset-double literal where TWS sends an empty field";
  }
  switch (type) {
    case "s":
      return undefined;
    case "i":
    case "b":
      return token === "" || INTEGER.test(token) ? undefined : "not an integer";
    case "im":
      return token === "" || token === INT_MAX || INTEGER.test(token) ? undefined : "not an integer or empty";
    case "f":
      // Java's Double.parseDouble and Python's float() both refuse thousands separators and "Infinity" is fine only
      // where a value can be infinite (never on this side).
      return token === "" || NUMBER.test(token) ? undefined : "not a number";
    case "fm":
    case "d":
      return token === "" || NUMBER.test(token) ? undefined : "not a number or empty";
  }
}

function parsed(type: TokenType, token: string): unknown {
  switch (type) {
    case "s":
      return token;
    case "b":
      return token !== "" && Number(token) !== 0;
    case "i":
      return token === "" ? 0 : Number(token);
    case "im":
    case "fm":
    case "d":
      return token === "" ? undefined : Number(token);
    case "f":
      return token === "" ? 0 : Number(token);
  }
}

const isList = (step: Step): step is ListStep => "list" in step;
const isBranch = (step: Step): step is BranchStep => "when" in step;

function present(step: TokenStep | ListStep, serverVersion: number): boolean {
  return (
    (step.since === undefined || serverVersion >= step.since) &&
    (step.until === undefined || serverVersion < step.until)
  );
}

class FrameWalk {
  position = 1;
  ended = false;
  readonly violations: ReferenceViolation[] = [];

  constructor(
    private readonly message: string,
    private readonly frame: readonly string[],
    private readonly serverVersion: number,
  ) {}

  steps(steps: readonly Step[], into: Values, path: string): Values {
    for (const step of steps) {
      if (this.ended) break;
      if (isBranch(step)) {
        if (step.when(into, this.serverVersion)) this.steps(step.then, into, path);
      } else if (isList(step)) {
        if (present(step, this.serverVersion)) this.list(step, into, path);
      } else if (present(step, this.serverVersion)) {
        this.token(step, into, path);
      }
    }
    return into;
  }

  private list(step: ListStep, into: Values, path: string): void {
    const countToken = this.next(`${path}${step.list}.count`);
    if (countToken === undefined) return;
    if (!INTEGER.test(countToken) || Number(countToken) < 0) {
      this.report(`${path}${step.list}.count`, "malformed", `count ${JSON.stringify(countToken)}`);
      this.ended = true;
      return;
    }
    const items: Values[] = [];
    for (let index = 0; index < Number(countToken) && !this.ended; index++) {
      items.push(this.steps(step.item, {}, `${path}${step.list}[${index}].`));
    }
    into[step.list] = items;
  }

  private token(step: TokenStep, into: Values, path: string): void {
    const token = this.next(path + step.name);
    if (token === undefined) return;
    const problem = checkToken(step.type, token, step.unsetAllowed === true);
    if (problem) {
      const kind = UNSET_DOUBLE.test(token) ? "unset-sentinel" : "malformed";
      this.report(path + step.name, kind, `${problem}: ${JSON.stringify(token)}`);
    }
    into[step.name] = parsed(step.type, token);
  }

  private next(field: string): string | undefined {
    if (this.position >= this.frame.length) {
      this.report(field, "missing", "the frame ended before this field");
      this.ended = true;
      return undefined;
    }
    return this.frame[this.position++];
  }

  report(field: string, problem: ReferenceViolation["problem"], detail: string): void {
    this.violations.push({ message: this.message, field, problem, detail, frame: this.frame });
  }
}

export interface DecodedFrame {
  readonly message: string;
  readonly values: Values;
  readonly violations: readonly ReferenceViolation[];
}

export function decodeReferenceFrame(frame: readonly string[], serverVersion: number): DecodedFrame {
  const id = Number(frame[0]);
  const layout = INCOMING.get(id);
  if (!layout) {
    const violation: ReferenceViolation = {
      message: String(frame[0]),
      field: "",
      problem: "unknown-message",
      detail: `IB's reference decoder has no handler for message id ${JSON.stringify(frame[0])}`,
      frame,
    };
    return { message: String(frame[0]), values: {}, violations: [violation] };
  }
  const walk = new FrameWalk(layout.name, frame, serverVersion);
  const values = walk.steps(layout.steps, {}, "");
  if (!walk.ended && walk.position < frame.length) {
    walk.report("", "leftover", `${frame.length - walk.position} token(s) after the last field`);
  }
  return { message: layout.name, values, violations: walk.violations };
}

/** Every violation in a stream of frames, as one readable line each (empty when the stream is clean). */
export function referenceViolations(frames: readonly (readonly string[])[], serverVersion: number): string[] {
  return frames.flatMap((frame) =>
    decodeReferenceFrame(frame, serverVersion).violations.map((v) =>
      `${v.message}.${v.field || "(end)"} ${v.problem}: ${v.detail} in [${v.frame.join("|")}]`.slice(0, 600),
    ),
  );
}
