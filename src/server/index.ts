export { CALL_STATE, noteGateway } from "./call-log.js";
export {
  ERROR_DOMAIN,
  type ErrorMappingOptions,
  errorInterceptor,
  IB_ERROR_REASON,
  toConnectError,
} from "./error-interceptor.js";
export { HealthStatus, OVERALL, ServingStatus } from "./health.js";
export {
  type HttpRequest,
  type HttpResponse,
  type HttpRoute,
  type HttpRouteContext,
  readBody,
  sendJson,
} from "./http-routes.js";
export { loggingInterceptor, type Protocol, protocolOf } from "./logging-interceptor.js";
export { type RunningServer, type ServerOptions, startServer } from "./server.js";
export type { TlsConfig } from "./tls.js";
