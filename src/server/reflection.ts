import {
  createRegistry,
  type DescFile,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type Registry,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectRouter } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

type Request = v1.ServerReflectionRequest;
type Answer = MessageInitShape<typeof v1.ServerReflectionResponseSchema>["messageResponse"];

/** What reflection can see: the services on the router and every file they need. */
interface Catalog {
  services: DescService[];
  files: Map<string, DescFile>;
  registry: Registry;
}

/**
 * Registers grpc.reflection.v1 and v1alpha (older grpcurl and Postman still ask v1alpha) on `router`. Both describe
 * the services registered on the same router, read at the first request, so register the application's services in
 * the same `routes` callback, before or after this. `extraFiles` are described too although no service uses them:
 * e.g. google/rpc/error_details.proto, so that clients can decode the error details the server sends.
 */
export function registerReflection(router: ConnectRouter, extraFiles: DescFile[] = []): void {
  let catalog: Catalog | undefined;
  // The two versions are the same protocol under two package names. The handler reads requests by shape and yields
  // plain init objects, which connect turns into messages of whichever version the method declares; so one
  // implementation serves both, and the cast only tells TypeScript so.
  const versions = [v1.ServerReflection, v1alpha.ServerReflection as unknown as typeof v1.ServerReflection];
  for (const service of versions) {
    router.service(service, {
      async *serverReflectionInfo(requests) {
        catalog ??= catalogOf(router, extraFiles);
        for await (const req of requests) {
          yield { validHost: req.host, originalRequest: req, messageResponse: answer(catalog, req) };
        }
      },
    });
  }
}

function catalogOf(router: ConnectRouter, extraFiles: DescFile[]): Catalog {
  const services = new Map<string, DescService>();
  for (const h of router.handlers) services.set(h.service.typeName, h.service);
  const files = new Map<string, DescFile>();
  const add = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(add);
  };
  for (const s of services.values()) add(s.file);
  extraFiles.forEach(add);
  return { services: [...services.values()], files, registry: createRegistry(...files.values()) };
}

function answer(catalog: Catalog, req: Request): Answer {
  const r = req.messageRequest;
  switch (r.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: catalog.services.map((s) => ({ name: s.typeName })) } };
    case "fileByFilename":
      return filesAnswer(catalog.files.get(r.value), `file ${r.value}`);
    case "fileContainingSymbol":
      return filesAnswer(fileOfSymbol(catalog.registry, r.value), `symbol ${r.value}`);
    case "fileContainingExtension": {
      const extendee = catalog.registry.getMessage(r.value.containingType);
      const ext = extendee && catalog.registry.getExtensionFor(extendee, r.value.extensionNumber);
      return filesAnswer(ext?.file, `extension ${r.value.extensionNumber} of ${r.value.containingType}`);
    }
    case "allExtensionNumbersOfType": {
      const extendee = catalog.registry.getMessage(r.value);
      if (!extendee) return notFound(`type ${r.value}`);
      const numbers: number[] = [];
      for (const t of catalog.registry) if (t.kind === "extension" && t.extendee === extendee) numbers.push(t.number);
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: r.value, extensionNumber: numbers } };
    }
    default:
      return { case: "errorResponse", value: { errorCode: Code.InvalidArgument, errorMessage: "empty request" } };
  }
}

/** The file and everything it imports, transitively: a client can only build descriptors with all of them. */
function filesAnswer(file: DescFile | undefined, what: string): Answer {
  if (!file) return notFound(what);
  const closure = new Set<DescFile>();
  const add = (f: DescFile) => {
    if (closure.has(f)) return;
    closure.add(f);
    f.dependencies.forEach(add);
  };
  add(file);
  const fileDescriptorProto = [...closure].map((f) => toBinary(FileDescriptorProtoSchema, f.proto));
  return { case: "fileDescriptorResponse", value: { fileDescriptorProto } };
}

/** Types are in the registry; members (methods, fields, oneofs, nested enum values) are found through their parent. */
function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const type = registry.get(symbol);
  if (type) return type.file;
  const dot = symbol.lastIndexOf(".");
  const parent = dot > 0 ? registry.get(symbol.slice(0, dot)) : undefined;
  const member = symbol.slice(dot + 1);
  switch (parent?.kind) {
    case "service":
      return parent.methods.some((m) => m.name === member) ? parent.file : undefined;
    case "message":
      return hasMember(parent, member) ? parent.file : undefined;
    default:
      return undefined;
  }
}

function hasMember(message: DescMessage, name: string): boolean {
  // Enum values are scoped like siblings of their enum, i.e. as members of the enclosing message.
  return (
    message.fields.some((f) => f.name === name) ||
    message.oneofs.some((o) => o.name === name) ||
    message.nestedEnums.some((e) => e.values.some((v) => v.name === name))
  );
}

function notFound(what: string): Answer {
  return { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } };
}
