/**
 * The worker thread that owns the embedded database (see pglite-proxy.ts for why and how it is reached). It opens
 * PGlite in `workerData.dataDir`, says "ready" (or "openFailed"), then runs the main thread's requests one at a time,
 * in the order they were sent: PGlite is one connection, and node-postgres' adapter expects its protocol messages
 * to run back to back in that order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { toWireError, toWireMessage, type WorkerReply, type WorkerRequest } from "./pglite-protocol.js";

const port = parentPort;
if (!port) throw new Error("pglite-worker.ts runs as a worker thread (new Worker), not on its own");
const { dataDir } = workerData as { dataDir: string };

const reply = (msg: WorkerReply) => port.postMessage(msg);
const pglite = new PGlite(dataDir);
const unlisteners = new Map<number, () => Promise<void>>();

async function run(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case "execProtocolStream": {
      const results = await pglite.execProtocolStream(req.message, req.options);
      return results.map(toWireMessage);
    }
    case "listen": {
      const { listenerId } = req;
      const unlisten = await pglite.listen(req.channel, (payload) =>
        reply({ type: "notification", listenerId, payload }),
      );
      unlisteners.set(listenerId, unlisten);
      return undefined;
    }
    case "unlisten": {
      const unlisten = unlisteners.get(req.listenerId);
      unlisteners.delete(req.listenerId);
      await unlisten?.();
      return undefined;
    }
    case "close":
      await pglite.close();
      return undefined;
  }
}

let queue: Promise<unknown> = pglite.waitReady;
queue.then(
  () => reply({ type: "ready" }),
  (err: unknown) => reply({ type: "openFailed", error: toWireError(err) }),
);
port.on("message", (req: WorkerRequest) => {
  queue = queue
    .catch(() => {})
    .then(() => run(req))
    .then(
      (value) => reply({ type: "result", id: req.id, value }),
      (err: unknown) => reply({ type: "error", id: req.id, error: toWireError(err) }),
    );
  // After close nothing is left to do: let the thread end (the port would keep it alive).
  if (req.op === "close") void queue.finally(() => port.close());
});
