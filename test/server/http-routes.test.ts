import { afterEach, describe, expect, it } from "vitest";
import { readBody, sendJson } from "../../src/server/http-routes.js";
import type { RunningServer } from "../../src/server/index.js";
import { startTestServer } from "./helpers.js";

describe("plain-HTTP routes on the API port", () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close(100);
    server = undefined;
  });

  it("answers a matching route and leaves every other path to the RPC router", async () => {
    server = await startTestServer({
      httpRoutes: [
        {
          method: "GET",
          path: "/v1/accounts/",
          handler: (_req, res, ctx) =>
            sendJson(res, 200, { path: ctx.path, q: ctx.query.get("q"), who: ctx.caller.tokenId }),
        },
        {
          method: "POST",
          path: (p) => p === "/v1/echo",
          handler: async (req, res) => sendJson(res, 200, { got: (await readBody(req, 16)).toString() }),
        },
      ],
    });
    const got = await fetch(`${server.url}/v1/accounts/DU1/snapshots?q=x`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ path: "/v1/accounts/DU1/snapshots", q: "x", who: "anonymous" });

    const echo = await fetch(`${server.url}/v1/echo`, { method: "POST", body: "hello" });
    expect(await echo.json()).toEqual({ got: "hello" });

    // Not a route: the router's own 404 for an unknown service.
    const rpc = await fetch(`${server.url}/no.Such/Thing`, { method: "POST" });
    expect(rpc.status).toBe(404);
  });

  it("answers 500 with a JSON body, and logs, when a handler throws", async () => {
    server = await startTestServer({
      httpRoutes: [
        {
          method: "GET",
          path: "/boom",
          handler: () => {
            throw new Error("kaput");
          },
        },
      ],
    });
    const res = await fetch(`${server.url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: "internal", message: "internal error" });
  });
});
