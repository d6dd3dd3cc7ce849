import { connect, type Socket } from "node:net";
import { EventName, IBApi, type IBApiCreationOptions } from "@stoqey/ib";
import { pino } from "pino";
import { encodeFrame, encodeHandshake, FrameReader } from "../../src/sim/index.js";
import { withTimeout } from "../support/wait.js";

/** Violations are logged at error level: keep them visible, hide the rest. */
export const testLogger = pino({ level: "warn" });

export const FIXED_NOW = Date.UTC(2025, 0, 2, 14, 30, 0);

export { withTimeout };

export interface RecordedEvent {
  readonly name: string;
  readonly args: readonly unknown[];
}

/**
 * Every event an IBApi emits, in order, so a test can wait for one that may already have happened.
 * IBApi reports its own decode failures as `error` events with code 505 (ErrorCode.UNKNOWN_ID): "Decoding error ...
 * unprocessed data left on queue", "Underrun error ...", "No parser implementation found ..."; `decodeErrors` collects
 * them. (Anything else a decoder throws escapes the socket handler as an uncaught exception, which fails the run.)
 */
export class IbClient {
  readonly api: IBApi;
  readonly events: RecordedEvent[] = [];
  private waiters: Array<() => void> = [];

  /** `options` reaches IBApi as is, e.g. `{ maxReqPerSec: 1000 }` for a client that ignores the 50 msg/s limit. */
  constructor(port: number, clientId: number, options: Omit<IBApiCreationOptions, "host" | "port" | "clientId"> = {}) {
    this.api = new IBApi({ ...options, host: "127.0.0.1", port, clientId });
    this.api.on(EventName.all, (name: string, args: unknown[]) => {
      this.events.push({ name, args });
      for (const wake of this.waiters.splice(0)) wake();
    });
    // IBApi emits 'disconnected' and 'connected' to `all` too; errors without a listener are fine for eventemitter3.
  }

  connect(): this {
    this.api.connect();
    return this;
  }

  /** Index to pass as `after` so a wait only sees events emitted from now on. */
  mark(): number {
    return this.events.length;
  }

  /**
   * The first `name` event at or after `after` passing `test`. Fails fast, instead of timing out, once the client has
   * reported a decode error or the simulator has complained about a request.
   */
  next(name: string, what: string, after = 0, test: (args: readonly unknown[]) => boolean = () => true) {
    const find = () => this.events.slice(after).find((event) => event.name === name && test(event.args));
    return withTimeout(
      new Promise<RecordedEvent>((resolve, reject) => {
        const check = () => {
          const found = find();
          const complaint = this.events.find(isProtocolComplaint);
          if (found) resolve(found);
          else if (complaint) reject(new Error(`while waiting for ${what}: ${describe(complaint)}`));
          else this.waiters.push(check);
        };
        check();
      }),
      what,
    );
  }

  errors(): RecordedEvent[] {
    return this.events.filter((event) => event.name === EventName.error);
  }

  decodeErrors(): RecordedEvent[] {
    return this.errors().filter((event) => event.args[1] === 505);
  }

  async ready(): Promise<void> {
    await this.next(EventName.nextValidId, "nextValidId");
    await this.next(EventName.managedAccounts, "managedAccounts");
  }

  disconnect(): void {
    this.api.disconnect();
  }
}

/** The simulator's codes for requests it could not read (see TwsCode), and IBApi's own decode failure. */
const COMPLAINT_CODES = new Set([320, 322, 503, 505]);

function isProtocolComplaint(event: RecordedEvent): boolean {
  return (
    (event.name === EventName.error || event.name === EventName.info) && COMPLAINT_CODES.has(event.args[1] as number)
  );
}

function describe(event: RecordedEvent): string {
  const [message, code] = event.args;
  return `${event.name} ${String(code)}: ${message instanceof Error ? message.message : String(message)}`;
}

/** A hand-driven client: exact bytes out, decoded frames in. For what IBApi cannot be made to send. */
export class RawClient {
  readonly frames: string[][] = [];
  closed = false;
  private waiters: Array<() => void> = [];
  private readonly socket: Socket;
  private readonly reader = new FrameReader(
    {
      onFrame: (fields) => {
        this.frames.push(fields);
        this.wake();
      },
      onCorrupt: (detail) => {
        throw new Error(`simulator sent a corrupt stream: ${detail}`);
      },
    },
    { expectHandshake: false },
  );

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.reader.push(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect({ host: "127.0.0.1", port });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      }),
      "TCP connect",
    );
    return new RawClient(socket);
  }

  /** Connects, handshakes and starts the API; resolves once nextValidId has arrived. */
  static async start(port: number, clientId: number, versionRange = "v100..193"): Promise<RawClient> {
    const client = await RawClient.connect(port);
    client.write(encodeHandshake(versionRange));
    await client.nextFrame("server version", () => true);
    client.send(["71", "2", String(clientId), ""]);
    await client.nextFrame("nextValidId", (fields) => fields[0] === "9");
    return client;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(fields: readonly string[]): void {
    this.write(encodeFrame(fields));
  }

  mark(): number {
    return this.frames.length;
  }

  nextFrame(what: string, test: (fields: string[]) => boolean, after = 0): Promise<string[]> {
    return withTimeout(
      new Promise<string[]>((resolve, reject) => {
        const check = () => {
          const found = this.frames.slice(after).find(test);
          if (found) resolve(found);
          else if (this.closed) reject(new Error(`connection closed while waiting for ${what}`));
          else this.waiters.push(check);
        };
        check();
      }),
      what,
    );
  }

  whenClosed(): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve) => {
        const check = () => (this.closed ? resolve() : this.waiters.push(check));
        check();
      }),
      "connection close",
    );
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
