import type { HttpRoute } from "../server/http-routes.js";
import { registry } from "./registry.js";

/**
 * GET /metrics in Prometheus text format, on the API port. It tells call volumes per token-free procedure, gateway
 * states and queue depths: operator information, so it needs the `admin` scope when tokens are configured (a
 * Prometheus scrape config sets `authorization: { credentials: <admin token> }`).
 */
export function metricsRoute(): HttpRoute {
  return {
    method: "GET",
    path: (p) => p === "/metrics",
    scope: "admin",
    async handler(_req, res) {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType, "content-length": String(Buffer.byteLength(body)) });
      res.end(body);
    },
  };
}
