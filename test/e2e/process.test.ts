import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { certificateDir } from "../support/certs.js";
import { eventually, freePort } from "../support/wait.js";
import { postJson } from "./app-harness.js";

const MAIN = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    // npm's children (sh, node) are in its group; killing npm alone would orphan them.
    if (c.spawnargs[0] === "npm" && c.pid !== undefined) process.kill(-c.pid, "SIGKILL");
    else c.kill("SIGKILL");
  }
});

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function ibrpc(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function health(url: string): Promise<string | undefined> {
  const res = await postJson(url, "/grpc.health.v1.Health/Check", "{}");
  return res.json.status as string | undefined;
}

describe("ibrpc as a process", () => {
  it("survives its gateway going away and coming back (ibrpc sim + ibrpc serve)", async () => {
    const simPort = await freePort();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let sim = ibrpc(["sim", "--port", String(simPort), "--seed", "42"]);
    await eventually("simulator listening", 15_000, async () => sim.output().includes("ready"));
    const serve = ibrpc(["serve"], { PORT: String(port), IB_GW: `127.0.0.1:${simPort}` });
    await eventually("SERVING", 30_000, async () => (await health(url)) === "SERVING");
    expect(serve.output()).not.toContain("SIMULATED DATA");

    sim.child.kill("SIGKILL");
    await sim.exited;
    await eventually("NOT_SERVING after the gateway died", 10_000, async () => (await health(url)) === "NOT_SERVING");
    const started = performance.now();
    const failed = await postJson(url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}");
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(failed.status).toBe(503);
    expect(failed.json.code).toBe("unavailable");

    sim = ibrpc(["sim", "--port", String(simPort), "--seed", "42"]);
    await eventually("SERVING again, no restart", 20_000, async () => (await health(url)) === "SERVING");
    const ok = await postJson(url, "/ibrpc.v1.ConnectionService/ReqCurrentTime", "{}");
    expect(ok.status).toBe(200);
    expect(serve.child.exitCode).toBeNull();

    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
  }, 90_000);

  it("starts on the embedded defaults with the simulator, says so loudly, and stops on SIGINT with exit 0", async () => {
    const port = await freePort();
    const serve = ibrpc([], { PORT: String(port), DATA_DIR: "/tmp/ibrpc-test-data" });
    await eventually("SERVING", 30_000, async () => (await health(`http://127.0.0.1:${port}`)) === "SERVING");
    expect(serve.output()).toContain("SIMULATED DATA");
    serve.child.kill("SIGINT");
    expect(await serve.exited).toBe(0);
  }, 60_000);

  it("serves over TLS on a non-loopback address when TLS_CERT, TLS_KEY and AUTH_TOKENS are set", async () => {
    const certs = certificateDir();
    try {
      const pem = certs.selfSigned("ibrpc-e2e");
      const port = await freePort();
      const serve = ibrpc(["serve"], {
        HOST: "0.0.0.0",
        PORT: String(port),
        TLS_CERT: pem.certFile,
        TLS_KEY: pem.keyFile,
        AUTH_TOKENS: "0123456789abcdef0123:read",
      });
      const client = createClient(
        Health,
        createGrpcTransport({ baseUrl: `https://127.0.0.1:${port}`, nodeOptions: { ca: pem.cert } }),
      );
      await eventually("SERVING over TLS", 30_000, async () => {
        const res = await client.check({ service: "" }, { timeoutMs: 2_000 });
        return res.status === ServingStatus.SERVING;
      });
      serve.child.kill("SIGTERM");
      expect(await serve.exited).toBe(0);
    } finally {
      certs.dispose();
    }
  }, 60_000);

  it.each([
    [{ PORT: "99999" }, "PORT"],
    [{ IB_GW: "nohost" }, "IB_GW"],
    [{ HOST: "0.0.0.0" }, "HOST=0.0.0.0 is not a loopback address"],
  ])("refuses bad configuration %o with one line naming the variable", async (env, named) => {
    const run = ibrpc(["serve"], env);
    expect(await run.exited).toBe(2);
    const lines = run.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ibrpc: /);
    expect(lines[0]).toContain(named);
  });

  it("rejects a bad simulator flag with a clear line", async () => {
    const run = ibrpc(["sim", "--server-version", "12"]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/server-version/);
  });
});

/** Runs `npm <args>` in the repository, as an operator (or systemd, or Docker's CMD) would. */
function npm(args: string[], env: Record<string, string>): Running {
  const child = spawn("npm", args, {
    cwd: ROOT,
    // Its own process group, so that a failed test can kill npm and everything under it at once.
    detached: true,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** True when nothing accepts connections on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("npm start", () => {
  it("serves without rebuilding, SIGTERM then SIGINT to npm stop ibrpc with nothing left serving, warm start measured", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ibrpc-npm-"));
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const started = performance.now();
      const run = npm(["start"], { PORT: String(port), DATA_DIR: dataDir });
      await eventually("SERVING", 30_000, async () => (await health(url)) === "SERVING");
      const toServingMs = performance.now() - started;
      // npm ci built dist/ already (prepare): `npm start` must not compile again, which costs seconds.
      expect(run.output()).not.toMatch(/> tsc|npm run build/);
      console.log(
        `npm start (${signal === "SIGTERM" ? "cold" : "warm"} DATA_DIR) to SERVING: ${Math.round(toServingMs)} ms`,
      );
      // The embedded database opens in the background; stop once it is open, as an operator's stop would come.
      await eventually("the account history store open", 60_000, async () => {
        const res = await postJson(url, "/grpc.health.v1.Health/Check", '{"service":"ibrpc.v1.AccountHistoryService"}');
        return res.json.status === "SERVING";
      });

      process.kill(run.child.pid as number, signal);
      await run.exited;
      await eventually("the port to be free", 10_000, () => refused(port));
    }
  }, 120_000);
});

describe("the README's examples", () => {
  it("examples/grpc-js-current-time runs against a live ibrpc", async () => {
    const port = await freePort();
    const serve = ibrpc(["serve"], { PORT: String(port) });
    await eventually("SERVING", 30_000, async () => (await health(`http://127.0.0.1:${port}`)) === "SERVING");
    const example = fileURLToPath(new URL("../../dist/examples/grpc-js-current-time.js", import.meta.url));
    const run = spawn(process.execPath, [example, `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    run.stdout.on("data", (d) => (out += d));
    run.stderr.on("data", (d) => (out += d));
    const code = await new Promise((resolve) => run.on("exit", resolve));
    expect(out).toMatch(/^sim: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\n$/);
    expect(code).toBe(0);
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  }, 60_000);
});
