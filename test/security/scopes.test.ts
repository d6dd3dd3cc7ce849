import { readdirSync } from "node:fs";
import { create, createFileRegistry, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, file_google_protobuf_empty } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { PROCEDURES, SCOPED_SERVICES } from "../../src/auth/scopes.js";
import { IBRPC_SERVICES } from "../../src/services/catalog.js";
import { startTestServer } from "../server/helpers.js";
import { connectCall } from "./harness.js";

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

describe("a served RPC missing from the scope table", () => {
  it("is refused (PERMISSION_DENIED), never served open", async () => {
    // A service the table does not know, as a new proto would bring one.
    const file = create(FileDescriptorProtoSchema, {
      name: "acme/v1/unscoped.proto",
      package: "acme.v1",
      syntax: "proto3",
      dependency: ["google/protobuf/empty.proto"],
      service: [
        {
          name: "Unscoped",
          method: [{ name: "Ping", inputType: ".google.protobuf.Empty", outputType: ".google.protobuf.Empty" }],
        },
      ],
    });
    const registry = createFileRegistry(file, (name) =>
      name === "google/protobuf/empty.proto" ? file_google_protobuf_empty : undefined,
    );
    const unscoped = registry.getService("acme.v1.Unscoped");
    if (!unscoped) throw new Error("descriptor did not build");
    const server = await startTestServer({
      routes: (router) => router.service(unscoped, { ping: () => ({}) } as never),
    });
    try {
      const res = await connectCall(server.url, "/acme.v1.Unscoped/Ping", "{}");
      expect(res.status).toBe(403);
      expect(res.message).toMatch(/no declared scope/);
    } finally {
      await server.close(100);
    }
  });
});
