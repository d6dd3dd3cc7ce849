import type { DescField, DescMessage, Message, MessageShape } from "@bufbuild/protobuf";
import { getOption, hasOption } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { type FieldRules, field as fieldRulesOption, Vocabulary } from "../../gen/ibrpc/v1/validation_pb.js";
import { inVocabulary } from "./vocabularies.js";

/** One broken rule: `field` is the path in the request as a JSON client wrote it (`order.algoParams[0].tag`). */
export interface Violation {
  field: string;
  description: string;
  /** A stable machine-readable reason: REQUIRED, VOCABULARY, DECIMAL, RANGE, TOO_LONG, INCONSISTENT. */
  reason: string;
}

/** A plain decimal literal: what IB's Decimal parses, and nothing JSON numbers would round. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Validates a request message against the `(ibrpc.v1.field)` rules of its fields (recursively) and the few
 * cross-field rules below. Returns every violation, in field order; an empty list means valid.
 */
export function validate(schema: DescMessage, message: Message): Violation[] {
  const out: Violation[] = [];
  walk(reflect(schema, message as MessageShape<DescMessage>), "", out);
  return out;
}

function walk(msg: ReflectMessage, prefix: string, out: Violation[]): void {
  for (const f of msg.fields) {
    const path = prefix + f.jsonName;
    const rules = rulesOf(f);
    if (rules?.required && !msg.isSet(f)) {
      out.push({ field: path, reason: "REQUIRED", description: `${path} is required` });
      continue;
    }
    if (!msg.isSet(f)) continue;
    const value = msg.get(f);
    if (f.fieldKind === "message") {
      walk(value as ReflectMessage, `${path}.`, out);
    } else if (f.fieldKind === "list") {
      let i = 0;
      for (const item of value as Iterable<unknown>) {
        const itemPath = `${path}[${i++}]`;
        if (f.listKind === "message") walk(item as ReflectMessage, `${itemPath}.`, out);
        else if (rules) checkValue(rules, item, itemPath, out);
      }
    } else if (rules) {
      checkValue(rules, value, path, out);
    }
  }
  CROSS_FIELD.get(msg.desc.typeName)?.(msg.message as unknown as Record<string, unknown>, prefix, out);
}

function checkValue(rules: FieldRules, value: unknown, path: string, out: Violation[]): void {
  if (typeof value === "string") {
    if (value === "") return;
    if (rules.vocabulary !== Vocabulary.UNSPECIFIED && !inVocabulary(rules.vocabulary, value)) {
      const name = Vocabulary[rules.vocabulary];
      out.push({ field: path, reason: "VOCABULARY", description: `${path}: "${value}" is not a valid ${name} value` });
    }
    if (rules.maxLen !== undefined && [...value].length > rules.maxLen) {
      out.push({ field: path, reason: "TOO_LONG", description: `${path} is longer than ${rules.maxLen} characters` });
    }
    if (rules.decimal) {
      if (!DECIMAL.test(value)) {
        out.push({ field: path, reason: "DECIMAL", description: `${path}: "${value}" is not a decimal number` });
        return;
      }
      checkRange(rules, Number(value), path, out);
    }
    return;
  }
  if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && !Number.isFinite(value)) {
      out.push({ field: path, reason: "RANGE", description: `${path} must be a finite number` });
      return;
    }
    checkRange(rules, Number(value), path, out);
  }
}

function checkRange(rules: FieldRules, n: number, path: string, out: Violation[]): void {
  const broken =
    (rules.gt !== undefined && !(n > rules.gt) && `greater than ${rules.gt}`) ||
    (rules.gte !== undefined && !(n >= rules.gte) && `at least ${rules.gte}`) ||
    (rules.lte !== undefined && !(n <= rules.lte) && `at most ${rules.lte}`);
  if (broken) out.push({ field: path, reason: "RANGE", description: `${path} must be ${broken} (got ${n})` });
}

const ruleCache = new WeakMap<DescField, FieldRules | null>();

function rulesOf(f: DescField): FieldRules | undefined {
  let rules = ruleCache.get(f);
  if (rules === undefined) {
    rules = hasOption(f, fieldRulesOption) ? getOption(f, fieldRulesOption) : null;
    ruleCache.set(f, rules);
  }
  return rules ?? undefined;
}

type CrossFieldRule = (m: Record<string, unknown>, prefix: string, out: Violation[]) => void;

const inconsistent = (out: Violation[], field: string, description: string) =>
  out.push({ field, reason: "INCONSISTENT", description });

/**
 * Rules that span fields and cannot be said with one field option. Keyed by message type; the walk applies them
 * wherever the message occurs in a request.
 */
const CROSS_FIELD: ReadonlyMap<string, CrossFieldRule> = new Map<string, CrossFieldRule>([
  [
    "ibrpc.v1.Contract",
    (c, prefix, out) => {
      const named = c.conId !== undefined || c.symbol !== "" || c.localSymbol !== "" || c.secId !== "";
      if (!named) {
        inconsistent(out, `${prefix}conId`, `${prefix}conId, symbol, localSymbol or secId is required`);
      }
      if (c.secId !== "" && c.secIdType === "") {
        inconsistent(out, `${prefix}secIdType`, `${prefix}secIdType is required with secId`);
      }
    },
  ],
  [
    "ibrpc.v1.Order",
    (o, prefix, out) => {
      const qty = o.totalQuantity as string;
      if ((qty === "" || Number(qty) === 0) && o.cashQty === undefined) {
        inconsistent(out, `${prefix}totalQuantity`, `${prefix}totalQuantity must be positive (or set cashQty)`);
      }
      const type = o.orderType as string;
      if (["LMT", "STP LMT", "LIT", "LOC", "TRAIL LIMIT"].includes(type) && o.lmtPrice === undefined) {
        inconsistent(out, `${prefix}lmtPrice`, `${prefix}lmtPrice is required for ${type} orders`);
      }
      if (["STP", "STP LMT", "MIT", "LIT"].includes(type) && o.auxPrice === undefined) {
        inconsistent(out, `${prefix}auxPrice`, `${prefix}auxPrice is required for ${type} orders`);
      }
      if (o.tif === "GTD" && o.goodTillDate === "") {
        inconsistent(out, `${prefix}goodTillDate`, `${prefix}goodTillDate is required with tif GTD`);
      }
    },
  ],
  [
    "ibrpc.v1.OrderCondition",
    (c, prefix, out) => {
      if ((c.condition as { case?: string }).case === undefined) {
        inconsistent(
          out,
          `${prefix}condition`,
          `${prefix}condition: one of price, time, margin, execution, volume, percentChange is required`,
        );
      }
    },
  ],
  [
    "ibrpc.v1.ReqHistoricalTicksRequest",
    (r, _prefix, out) => {
      if ((r.startDateTime === "") === (r.endDateTime === "")) {
        inconsistent(out, "startDateTime", "exactly one of startDateTime and endDateTime is required");
      }
    },
  ],
  [
    "ibrpc.v1.WshEventData",
    (w, prefix, out) => {
      if ((w.conId === undefined) === (w.filter === "")) {
        inconsistent(out, `${prefix}conId`, `exactly one of ${prefix}conId and ${prefix}filter is required`);
      }
    },
  ],
]);
