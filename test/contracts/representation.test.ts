import {
  create,
  type DescMessage,
  fromBinary,
  fromJson,
  fromJsonString,
  ScalarType,
  toBinary,
  toJson,
  toJsonString,
} from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OrderSchema, OrderStatusSchema } from "../../gen/ibrpc/v1/order_pb.js";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";

describe("representation", () => {
  it("decimals and 64-bit ids round-trip exactly through JSON and binary", () => {
    const status = create(OrderStatusSchema, {
      orderId: 1,
      filled: "0.0001234567891234",
      remaining: "12345678901234567890.123456789",
      permId: 9007199254740993n, // 2^53 + 1: a JS number would make it ...992
    });
    const json = toJsonString(OrderStatusSchema, status);
    expect(json).toContain('"permId":"9007199254740993"');
    expect(json).toContain('"filled":"0.0001234567891234"');
    const fromText = fromJsonString(OrderStatusSchema, json);
    expect(fromText.permId).toBe(9007199254740993n);
    expect(fromText.filled).toBe("0.0001234567891234");
    expect(fromText.remaining).toBe("12345678901234567890.123456789");
    const fromBin = fromBinary(OrderStatusSchema, toBinary(OrderStatusSchema, status));
    expect(fromBin.permId).toBe(9007199254740993n);
    expect(fromBin.filled).toBe("0.0001234567891234");
    // Clients that cannot produce strings may send the id as a JSON number when it is exact.
    expect(fromJson(OrderStatusSchema, { permId: 42 }).permId).toBe(42n);
  });

  it("an unset field is absent, never a sentinel", () => {
    const order = create(OrderSchema);
    expect(toJson(OrderSchema, order)).toEqual({});
    expect(order.lmtPrice).toBeUndefined();
    expect(order.auxPrice).toBeUndefined();
    expect(order.transmit).toBeUndefined();
    expect(order.permId).toBeUndefined();
    // And zero is a value, not "unset": a 0 limit price (e.g. a combo credit) survives.
    const zero = toJson(OrderSchema, create(OrderSchema, { lmtPrice: 0 }));
    expect(zero).toEqual({ lmtPrice: 0 });
  });

  it("every number carrying an IB value is proto3 optional (or ours: ids, counts, page sizes)", () => {
    // Numbers that are never IB's "maybe unset" values: identities and counters ibrpc owns or always has.
    const plainOk = new Set([
      "ibrpc.v1.IbMessage.code",
      "ibrpc.v1.ReqIdsRequest.num_ids",
      "ibrpc.v1.ReqIdsResponse.order_id",
      "ibrpc.v1.Gateway.client_id",
      "ibrpc.v1.OpenOrder.order_id",
      "ibrpc.v1.OrderStatus.order_id",
      "ibrpc.v1.PlaceOrderResponse.order_id",
      "ibrpc.v1.ReqMarketRuleResponse.market_rule_id",
      "ibrpc.v1.RequestFAResponse.fa_data_type",
      "ibrpc.v1.ListSnapshotsRequest.page_size",
      "ibrpc.v1.FieldRules.max_len",
    ]);
    const numeric = new Set([
      ScalarType.DOUBLE,
      ScalarType.FLOAT,
      ScalarType.INT32,
      ScalarType.INT64,
      ScalarType.UINT32,
      ScalarType.UINT64,
      ScalarType.SINT32,
      ScalarType.SINT64,
      ScalarType.FIXED32,
      ScalarType.FIXED64,
      ScalarType.SFIXED32,
      ScalarType.SFIXED64,
    ]);
    const offenders: string[] = [];
    const plainSeen: string[] = [];
    for (const message of allMessages()) {
      for (const f of message.fields) {
        if (f.fieldKind !== "scalar" || !numeric.has(f.scalar)) continue;
        const name = `${message.typeName}.${f.name}`;
        if (f.proto.proto3Optional || f.oneof !== undefined) continue;
        if (plainOk.has(name)) plainSeen.push(name);
        else offenders.push(name);
      }
    }
    expect(offenders).toEqual([]);
    // The walk does see plain numbers (so an empty offender list means something).
    expect(plainSeen).toContain("ibrpc.v1.ListSnapshotsRequest.page_size");
  });
});

function allMessages(): DescMessage[] {
  const seen = new Map<string, DescMessage>();
  const visit = (m: DescMessage) => {
    if (seen.has(m.typeName) || !m.typeName.startsWith("ibrpc.v1.")) return;
    seen.set(m.typeName, m);
    for (const f of m.fields) if (f.message) visit(f.message);
    for (const n of m.nestedMessages) visit(n);
  };
  for (const s of IBRPC_SERVICES) {
    for (const m of s.methods) {
      visit(m.input);
      visit(m.output);
    }
    for (const m of s.file.messages) visit(m);
  }
  return [...seen.values()];
}
