import { readdirSync } from "node:fs";
import type { DescService } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PROCEDURES, SCOPED_SERVICES } from "../../src/auth/scopes.js";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";

/** Every service of every generated file of ibrpc.v1, found by reading gen/ rather than trusting a list. */
async function generatedServices(): Promise<DescService[]> {
  const dir = new URL("../../gen/ibrpc/v1/", import.meta.url);
  const services: DescService[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith("_pb.ts"))) {
    const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if ((value as { kind?: string } | null)?.kind === "service") services.push(value as DescService);
    }
  }
  return services;
}

describe("the scope table", () => {
  it("gives every RPC of every ibrpc.v1 service a scope", async () => {
    const services = await generatedServices();
    expect(services.length).toBeGreaterThanOrEqual(IBRPC_SERVICES.length);
    const missing = services
      .flatMap((s) => s.methods.map((m) => `/${s.typeName}/${m.name}`))
      .filter((path) => !PROCEDURES.has(path));
    expect(missing, "RPCs without a scope in src/auth/scopes.ts").toEqual([]);
  });

  it("covers health (public) and reflection (read)", () => {
    expect(PROCEDURES.get("/grpc.health.v1.Health/Check")?.scope).toBe("public");
    expect(PROCEDURES.get("/grpc.health.v1.Health/Watch")?.scope).toBe("public");
    expect(PROCEDURES.get("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")?.scope).toBe("read");
    expect(PROCEDURES.get("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")?.scope).toBe("read");
  });

  it("names no procedure the contract does not have", () => {
    const served = new Set(SCOPED_SERVICES.flatMap((s) => s.methods.map((m) => `/${s.typeName}/${m.name}`)));
    expect([...PROCEDURES.keys()].filter((p) => !served.has(p))).toEqual([]);
  });

  it("keeps orders behind trade and operator actions behind admin; nothing else is public", () => {
    const byScope = (scope: string) =>
      [...PROCEDURES.values()]
        .filter((p) => p.scope === scope)
        .map((p) => p.path)
        .sort();
    expect(byScope("trade")).toEqual([
      "/ibrpc.v1.OrderService/CancelOrder",
      "/ibrpc.v1.OrderService/PlaceOrder",
      "/ibrpc.v1.OrderService/ReqGlobalCancel",
    ]);
    expect(byScope("admin")).toEqual([
      "/ibrpc.v1.AccountHistoryService/TakeSnapshots",
      "/ibrpc.v1.DisplayGroupService/UpdateDisplayGroup",
      "/ibrpc.v1.FinancialAdvisorService/ReplaceFA",
    ]);
    expect(byScope("public")).toEqual(["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"]);
  });

  it("marks streaming RPCs as such (they count against the stream cap, not the unary rate)", () => {
    expect(PROCEDURES.get("/ibrpc.v1.MarketDataService/ReqMktData")?.streaming).toBe(true);
    expect(PROCEDURES.get("/ibrpc.v1.OrderService/PlaceOrder")?.streaming).toBe(false);
  });
});
