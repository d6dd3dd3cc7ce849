import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

/**
 * A server stream read with @grpc/grpc-js (the reference Node gRPC client, not connect-node): the messages as an
 * async iterable, ended by `cancel()` or the server.
 */
export function grpcJsStream<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  path: string,
  input: I,
  output: O,
  request: MessageInitShape<I>,
): { messages: AsyncIterable<MessageShape<O>>; cancel: () => void } {
  const call = client.makeServerStreamRequest(
    path,
    (req: MessageShape<I>) => Buffer.from(toBinary(input, req)),
    (bytes: Buffer) => fromBinary(output, bytes),
    create(input, request),
    new grpc.Metadata(),
    {},
  );
  call.on("error", () => {});
  return { messages: call as AsyncIterable<MessageShape<O>>, cancel: () => call.cancel() };
}

export function grpcJsClient(baseUrl: string): grpc.Client {
  return new grpc.Client(new URL(baseUrl).host, grpc.credentials.createInsecure());
}
