import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { buf, grpcCodec, startTestServer, withTimeout } from "./helpers.js";

let server: Awaited<ReturnType<typeof startTestServer>>;
let client: grpc.Client;

beforeAll(async () => {
  // An application service with no methods implemented: reflection must still describe it.
  server = await startTestServer({ routes: (router) => router.service(ConnectionService, {}) });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.close(1000);
});

const versions = [
  [
    "v1",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    v1.ServerReflectionRequestSchema,
    v1.ServerReflectionResponseSchema,
  ],
  [
    "v1alpha",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    v1alpha.ServerReflectionRequestSchema,
    v1alpha.ServerReflectionResponseSchema,
  ],
] as const;

type Req = v1.ServerReflectionRequest["messageRequest"];

/** Sends each request on one bidi stream and collects one response per request. */
async function reflect(path: string, reqSchema: DescMessage, resSchema: DescMessage, requests: Req[]) {
  const { serialize, deserialize } = grpcCodec(reqSchema, resSchema);
  const call = client.makeBidiStreamRequest(path, serialize, deserialize, new grpc.Metadata(), {
    deadline: Date.now() + 5000,
  });
  const responses: v1.ServerReflectionResponse[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on("data", (r: v1.ServerReflectionResponse) => {
      responses.push(r);
      if (responses.length === requests.length) call.end();
    });
    call.on("error", reject);
    call.on("end", resolve);
  });
  for (const messageRequest of requests) call.write({ host: "", messageRequest });
  await withTimeout(done, "reflection stream", 5000);
  return responses.map((r) => r.messageResponse);
}

const fileNames = (res: v1.ServerReflectionResponse["messageResponse"]) => {
  if (res.case !== "fileDescriptorResponse")
    throw new Error(`expected files, got ${res.case}: ${JSON.stringify(res.value)}`);
  return res.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
};

describe.each(versions)("grpc.reflection.%s via @grpc/grpc-js", (_, path, reqSchema, resSchema) => {
  test("list_services lists the application's services, health and both reflection versions", async () => {
    const [res] = await reflect(path, reqSchema, resSchema, [{ case: "listServices", value: "" }]);
    expect(res.case).toBe("listServicesResponse");
    const names = res.case === "listServicesResponse" ? res.value.service.map((s) => s.name).sort() : [];
    expect(names).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "ibrpc.v1.ConnectionService",
    ]);
  });

  test("file_containing_symbol finds services, methods, messages, nested enums, fields and enum values", async () => {
    const symbols = [
      "ibrpc.v1.ConnectionService",
      "ibrpc.v1.ConnectionService.ReqCurrentTime",
      "grpc.health.v1.HealthCheckResponse",
      "grpc.health.v1.HealthCheckResponse.ServingStatus",
      "grpc.health.v1.HealthCheckRequest.service",
      "grpc.health.v1.Health.Watch",
      "grpc.health.v1.HealthCheckResponse.NOT_SERVING",
    ];
    const res = await reflect(
      path,
      reqSchema,
      resSchema,
      symbols.map((value) => ({ case: "fileContainingSymbol", value })),
    );
    const first = res.map((r) => fileNames(r)[0]);
    expect(first).toEqual([
      "ibrpc/v1/connection.proto",
      "ibrpc/v1/connection.proto",
      "grpc/health/v1/health.proto",
      "grpc/health/v1/health.proto",
      "grpc/health/v1/health.proto",
      "grpc/health/v1/health.proto",
      "grpc/health/v1/health.proto",
    ]);
  });

  test("answers carry transitive dependencies, well-known files included", async () => {
    const [conn, details] = await reflect(path, reqSchema, resSchema, [
      { case: "fileByFilename", value: "ibrpc/v1/connection.proto" },
      // Not used by any service, but described so that clients can decode error details.
      { case: "fileByFilename", value: "google/rpc/error_details.proto" },
    ]);
    expect(fileNames(conn)).toEqual(
      expect.arrayContaining(["ibrpc/v1/connection.proto", "ibrpc/v1/common.proto", "google/protobuf/timestamp.proto"]),
    );
    expect(fileNames(details)).toEqual(
      expect.arrayContaining(["google/rpc/error_details.proto", "google/protobuf/duration.proto"]),
    );
  });

  test("unknown names are error_response NOT_FOUND, and the stream goes on", async () => {
    const res = await reflect(path, reqSchema, resSchema, [
      { case: "fileContainingSymbol", value: "no.such.Symbol" },
      { case: "fileContainingSymbol", value: "grpc.health.v1.Health.NoSuchMethod" },
      { case: "fileByFilename", value: "nope.proto" },
      {
        case: "fileContainingExtension",
        value: { containingType: "grpc.health.v1.HealthCheckRequest", extensionNumber: 100 },
      } as Req,
      { case: "allExtensionNumbersOfType", value: "no.such.Type" },
      { case: "allExtensionNumbersOfType", value: "grpc.health.v1.HealthCheckRequest" },
    ]);
    for (const r of res.slice(0, 5)) {
      expect(r.case).toBe("errorResponse");
      expect(r.case === "errorResponse" && r.value.errorCode).toBe(grpc.status.NOT_FOUND);
    }
    expect(res[5]).toMatchObject({
      case: "allExtensionNumbersResponse",
      value: { baseTypeName: "grpc.health.v1.HealthCheckRequest", extensionNumber: [] },
    });
  });
});

describe("buf curl, with nothing but reflection", () => {
  // Without --http2-prior-knowledge, buf curl speaks HTTP/1.1 to an http:// URL.
  const protocols: [string, string[]][] = [
    ["grpc over h2c", ["--protocol", "grpc", "--http2-prior-knowledge"]],
    ["grpcweb over HTTP/1.1", ["--protocol", "grpcweb"]],
    ["connect over HTTP/1.1", ["--protocol", "connect"]],
  ];
  test.each(protocols)("--list-services, %s", async (_, flags) => {
    const out = await buf(["curl", "--list-services", ...flags, server.url]);
    expect(out.trim().split("\n").sort()).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "ibrpc.v1.ConnectionService",
    ]);
  });

  test.each(["grpc-v1", "grpc-v1alpha"])("calls Health/Check, schema from %s reflection", async (reflectProtocol) => {
    const out = await buf([
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "--reflect-protocol",
      reflectProtocol,
      "-d",
      '{"service":""}',
      `${server.url}/grpc.health.v1.Health/Check`,
    ]);
    expect(JSON.parse(out)).toEqual({ status: "SERVING" });
  });
});
