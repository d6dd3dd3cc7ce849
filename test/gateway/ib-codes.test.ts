import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { IbMessageKind } from "../../gen/ibrpc/v1/common_pb.js";
import { classifyIbCode, isNotice } from "../../src/gateway/ib-codes.js";

describe("classifyIbCode", () => {
  it.each([
    [200, IbMessageKind.ERROR, Code.NotFound],
    [162, IbMessageKind.ERROR, Code.ResourceExhausted],
    [100, IbMessageKind.ERROR, Code.ResourceExhausted],
    [101, IbMessageKind.ERROR, Code.ResourceExhausted],
    [502, IbMessageKind.ERROR, Code.Unavailable],
    [504, IbMessageKind.ERROR, Code.Unavailable],
    [201, IbMessageKind.ERROR, Code.FailedPrecondition],
    [203, IbMessageKind.ERROR, Code.PermissionDenied],
    [321, IbMessageKind.ERROR, Code.InvalidArgument],
    [1100, IbMessageKind.CONNECTIVITY, Code.Unavailable],
    [1101, IbMessageKind.CONNECTIVITY, Code.Unavailable],
    [2110, IbMessageKind.CONNECTIVITY, Code.Unavailable],
  ])("IB %i is %s / %s", (code, kind, grpc) => {
    expect(classifyIbCode(code)).toEqual({ kind, grpc });
  });

  it("treats DESIGN.md's notices, and unknown codes in IB's 2100-2199 warning range, as notices", () => {
    for (const code of [2104, 2106, 2158, 10167, 10089, 2150]) expect(isNotice(code)).toBe(true);
  });

  it("treats an unknown code outside the warning range as an error with UNKNOWN", () => {
    expect(classifyIbCode(99_999)).toEqual({ kind: IbMessageKind.ERROR, grpc: Code.Unknown });
    expect(isNotice(200)).toBe(false);
    expect(isNotice(1100)).toBe(false);
  });
});
