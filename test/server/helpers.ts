import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import pino from "pino";
import { HealthStatus, type RunningServer, type ServerOptions, startServer } from "../../src/server/index.js";

/** A pino logger whose lines the test can read. */
export function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

export async function startTestServer(
  opts: Partial<ServerOptions> = {},
): Promise<RunningServer & { health: HealthStatus; lines: Record<string, unknown>[] }> {
  const { logger, lines } = captureLogger();
  const health = opts.health ?? new HealthStatus();
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logger,
    errInfo: false,
    health,
    routes: () => {},
    ...opts,
  });
  return Object.assign(server, { health, lines });
}

/** (De)serializers for @grpc/grpc-js generic clients, from protobuf-es schemas. */
export function grpcCodec<I extends DescMessage, O extends DescMessage>(input: I, output: O) {
  return {
    serialize: (m: MessageInitShape<I>) => Buffer.from(toBinary(input, create(input, m))),
    deserialize: (b: Buffer): MessageShape<O> => fromBinary(output, b),
  };
}

export function grpcJsUnary<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  path: string,
  input: I,
  output: O,
  req: MessageInitShape<I>,
  timeoutMs = 5000,
): Promise<MessageShape<O>> {
  const { serialize, deserialize } = grpcCodec(input, output);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      serialize,
      deserialize,
      req,
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, res) => (err || res === undefined ? reject(err) : resolve(res)),
    );
  });
}

const BUF = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));

/** Runs `buf <args>`; rejects with stderr on a non-zero exit. */
export function buf(args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(BUF, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`buf ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export { withTimeout } from "../support/wait.js";
