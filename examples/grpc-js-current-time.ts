// ReqCurrentTime with @grpc/grpc-js and the generated messages in gen/ (no proto loading at run time).
// Build, then run against a running ibrpc: npm run build && node dist/examples/grpc-js-current-time.js 127.0.0.1:50051
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  type ReqCurrentTimeRequest,
  ReqCurrentTimeRequestSchema,
  ReqCurrentTimeResponseSchema,
} from "../gen/ibrpc/v1/connection_pb.js";

const address = process.argv[2] ?? "127.0.0.1:50051";
const client = new grpc.Client(address, grpc.credentials.createInsecure());
client.makeUnaryRequest(
  "/ibrpc.v1.ConnectionService/ReqCurrentTime",
  (req: ReqCurrentTimeRequest) => Buffer.from(toBinary(ReqCurrentTimeRequestSchema, req)),
  (bytes: Buffer) => fromBinary(ReqCurrentTimeResponseSchema, bytes),
  create(ReqCurrentTimeRequestSchema),
  new grpc.Metadata({}),
  { deadline: Date.now() + 5_000 },
  (err, res) => {
    client.close();
    if (err || !res) {
      console.error(`failed: ${err?.message}`);
      process.exitCode = 1;
      return;
    }
    const time = new Date(Number(res.time?.seconds ?? 0) * 1000);
    console.log(`${res.gateway}: ${time.toISOString()}`);
  },
);
