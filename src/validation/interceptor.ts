import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { type Violation, validate } from "./validate.js";

/**
 * A Connect interceptor that rejects invalid requests with INVALID_ARGUMENT before any handler runs (so before
 * anything reaches IB). The error message names every broken field; a google.rpc.BadRequest detail lists them
 * as field violations (paths in JSON names, e.g. `order.totalQuantity`).
 *
 * Register it first among the server interceptors after authentication:
 * `connectNodeAdapter({ routes, interceptors: [validationInterceptor()] })`.
 */
export function validationInterceptor(): Interceptor {
  return (next) => async (req) => {
    const input = req.method.input;
    if (!req.stream) {
      check(input, req.message, req.method.name);
      return next(req);
    }
    return next({ ...req, message: checked(input, req.message, req.method.name) });
  };
}

async function* checked(schema: DescMessage, messages: AsyncIterable<Message>, method: string) {
  for await (const m of messages) {
    check(schema, m, method);
    yield m;
  }
}

function check(schema: DescMessage, message: Message, method: string): void {
  const violations = validate(schema, message);
  if (violations.length > 0) throw invalidArgument(method, violations);
}

/** The INVALID_ARGUMENT error for a list of violations (also usable by handlers for checks that need state). */
export function invalidArgument(method: string, violations: readonly Violation[]): ConnectError {
  const summary = violations.map((v) => v.description).join("; ");
  return new ConnectError(`invalid ${method} request: ${summary}`, Code.InvalidArgument, undefined, [
    {
      desc: BadRequestSchema,
      value: {
        fieldViolations: violations.map((v) => ({ field: v.field, description: v.description, reason: v.reason })),
      },
    },
  ]);
}
