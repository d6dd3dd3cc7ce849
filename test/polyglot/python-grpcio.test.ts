import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StreamsBench, startStreamsBench } from "../streams/harness.js";

/**
 * A Python user of ibrpc: Debian's python3-grpcio and stubs generated from every file of proto/ at test time with
 * protoc (Debian's protobuf-compiler and protobuf-compiler-grpc; .ci/run installs them). proto/ holds only ibrpc's
 * contract and google/rpc/error_details.proto: the vendored grpc health and reflection protos live in
 * third_party/proto, because their stubs would form a `grpc` package beside the others that collides with grpcio's.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLIENT = fileURLToPath(new URL("./market_data_client.py", import.meta.url));

/** google.rpc.Status, which ibrpc puts (serialized) in the grpc-status-details-bin trailer. */
const STATUS_PROTO = `syntax = "proto3";
package google.rpc;
import "google/protobuf/any.proto";
message Status {
  int32 code = 1;
  string message = 2;
  repeated google.protobuf.Any details = 3;
}
`;

/** The first Python 3 that has grpcio: Debian's (/usr/bin/python3) before one a version manager put first on PATH. */
function pythonWithGrpc(): string {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(candidate, ["-c", "import grpc"], { encoding: "utf8" });
    if (probe.status === 0) return candidate;
  }
  throw new Error("no python3 with grpcio: apt-get install python3-grpcio protobuf-compiler protobuf-compiler-grpc");
}

let bench: StreamsBench;
let out: string;

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), "ibrpc-python-"));
  const extra = path.join(out, "proto");
  mkdirSync(path.join(extra, "google", "rpc"), { recursive: true });
  writeFileSync(path.join(extra, "google", "rpc", "status.proto"), STATUS_PROTO);
  const stubs = path.join(out, "stubs");
  mkdirSync(stubs);
  const protos = (readdirSync(path.join(ROOT, "proto"), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".proto"))
    .map((f) => `proto/${f}`);
  execFileSync(
    "protoc",
    [
      "-I",
      "proto",
      "-I",
      extra,
      `--python_out=${stubs}`,
      `--grpc_python_out=${stubs}`,
      "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
      ...protos,
      path.join(extra, "google/rpc/status.proto"),
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
  bench = await startStreamsBench();
}, 120_000);

afterAll(async () => {
  await bench?.close();
  rmSync(out, { recursive: true, force: true });
});

describe("Python grpcio client", () => {
  it("consumes a ReqMktData stream and reads an error's google.rpc.ErrorInfo", async () => {
    const python = pythonWithGrpc();
    // Asynchronously: the server under test runs in this process and must keep answering.
    const run = await promisify(execFile)(python, [CLIENT, new URL(bench.baseUrl).host], {
      encoding: "utf8",
      env: { ...process.env, PYTHONPATH: path.join(out, "stubs") },
      timeout: 60_000,
    });
    const findings = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ticks = findings.find((f) => f.kind === "ticks");
    expect(ticks?.bid).toBeGreaterThan(0);
    expect(ticks?.ask).toBeGreaterThan(0);
    expect(ticks?.last).toBeGreaterThan(0);
    const error = findings.find((f) => f.kind === "error");
    expect(error?.code).toBe("NOT_FOUND");
    expect(error?.info).toMatchObject({ reason: "IB_ERROR", domain: "ibrpc", ibCode: "200" });
  });
});
