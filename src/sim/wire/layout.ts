import { type Field, type Fields, isPresentAt, MalformedToken, readTagValues, type ValuesOf } from "./fields.js";

/**
 * One message on the wire: its id (token 0) and the fields after it. The same table writes what the simulator sends
 * and reads what it receives, so a layout cannot drift between the two directions.
 */
export interface MessageLayout<Fs extends Fields = Fields> {
  readonly id: number;
  readonly name: string;
  readonly fields: Fs;
}

export type MessageValues<L extends MessageLayout> = ValuesOf<L["fields"]>;

export function defineMessage<const Fs extends Fields>(id: number, name: string, fields: Fs): MessageLayout<Fs> {
  return { id, name, fields };
}

export type FieldProblemKind = "missing-field" | "leftover-field" | "malformed-field";

export interface FieldProblem {
  readonly kind: FieldProblemKind;
  /** Dotted path of the field, with group indexes: "secIdList[1].value"; "" for leftovers. */
  readonly field: string;
  readonly detail: string;
}

export interface DecodeResult<V> {
  readonly values: V;
  /** Empty when the tokens matched the layout exactly at this server version. */
  readonly problems: readonly FieldProblem[];
}

type Values = Record<string, unknown>;

/** Tokens for `values` at `serverVersion`, message id first. */
export function encodeMessage<L extends MessageLayout>(
  layout: L,
  values: MessageValues<L>,
  serverVersion: number,
): string[] {
  const tokens = [String(layout.id)];
  writeFields(layout.fields, values as Values, serverVersion, tokens);
  return tokens;
}

function writeFields(fields: Fields, values: Values, serverVersion: number, out: string[]): void {
  for (const field of fields) {
    if (!isPresentAt(field.gate, serverVersion)) continue;
    switch (field.kind) {
      case "scalar":
        out.push(field.codec.encode(values[field.name]));
        break;
      case "group": {
        const items = (values[field.name] as Values[] | undefined) ?? [];
        out.push(String(items.length));
        for (const item of items) writeFields(field.fields, item, serverVersion, out);
        break;
      }
      case "when":
        if (field.test(values)) writeFields(field.fields, values, serverVersion, out);
        break;
    }
  }
}

/**
 * Reads `tokens` (message id first) against `layout` at `serverVersion`. Never throws: every mismatch becomes a
 * problem, because a request the simulator misreads is exactly the drift the tests must see.
 */
export function decodeMessage<L extends MessageLayout>(
  layout: L,
  tokens: readonly string[],
  serverVersion: number,
): DecodeResult<MessageValues<L>> {
  const reader = new TokenReader(tokens, serverVersion);
  const values = reader.readFields(layout.fields, {}, "");
  if (!reader.stopped && reader.position < tokens.length) {
    const leftover = tokens.slice(reader.position);
    reader.problems.push({
      kind: "leftover-field",
      field: "",
      detail: `${leftover.length} token(s) left after the last field: ${JSON.stringify(leftover)}`,
    });
  }
  return { values: values as MessageValues<L>, problems: reader.problems };
}

class TokenReader {
  position = 1;
  /** Set at the first missing field: every later field would be missing too, and one report is enough. */
  stopped = false;
  readonly problems: FieldProblem[] = [];

  constructor(
    private readonly tokens: readonly string[],
    private readonly serverVersion: number,
  ) {}

  readFields(fields: Fields, into: Values, path: string): Values {
    for (const field of fields) {
      if (this.stopped) break;
      if (isPresentAt(field.gate, this.serverVersion)) this.readField(field, into, path);
    }
    return into;
  }

  private readField(field: Field, into: Values, path: string): void {
    switch (field.kind) {
      case "scalar": {
        if (field.mayBeAbsent) {
          if (field.type === "tagValues") {
            this.readTagValues(field.name, into, path);
            return;
          }
          if (this.position >= this.tokens.length) {
            // A trailing field this client left out: TWS reads it as empty. A required field after it is still missing.
            into[field.name] = field.codec.decode("");
            return;
          }
        }
        const token = this.next(path + field.name);
        if (token === undefined) return;
        try {
          into[field.name] = field.codec.decode(token);
        } catch (error) {
          if (!(error instanceof MalformedToken)) throw error;
          this.problems.push({ kind: "malformed-field", field: path + field.name, detail: error.message });
        }
        return;
      }
      case "group": {
        const countPath = `${path + field.name}.count`;
        const token = this.next(countPath);
        if (token === undefined) return;
        const count = Number(token);
        const remaining = this.tokens.length - this.position;
        if (!Number.isInteger(count) || count < 0 || count > remaining) {
          this.problems.push({
            kind: "malformed-field",
            field: countPath,
            detail: `count ${JSON.stringify(token)} is not an integer in 0..${remaining}`,
          });
          this.stopped = true;
          return;
        }
        const items: Values[] = [];
        for (let index = 0; index < count && !this.stopped; index++) {
          items.push(this.readFields(field.fields, {}, `${path + field.name}[${index}].`));
        }
        into[field.name] = items;
        return;
      }
      case "when":
        if (field.test(into)) this.readFields(field.fields, into, path);
        return;
    }
  }

  private readTagValues(name: string, into: Values, path: string): void {
    // The usual case, one string or nothing, without copying the tail.
    const remaining = this.tokens.length - this.position;
    const rest = remaining <= 1 ? undefined : this.tokens.slice(this.position);
    const value = rest ? readTagValues(rest) : (this.tokens[this.position] ?? "");
    this.position = this.tokens.length;
    if (value === undefined) {
      this.problems.push({
        kind: "malformed-field",
        field: path + name,
        detail: `expected a TagValue list (a string, a count and a string, or a count and pairs), got ${JSON.stringify(rest ?? [])}`,
      });
      return;
    }
    into[name] = value;
  }

  private next(fieldPath: string): string | undefined {
    if (this.position >= this.tokens.length) {
      this.problems.push({ kind: "missing-field", field: fieldPath, detail: "message ended before this field" });
      this.stopped = true;
      return undefined;
    }
    return this.tokens[this.position++];
  }
}
