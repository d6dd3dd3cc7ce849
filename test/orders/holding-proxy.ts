import { connect, createServer, type Server, type Socket } from "node:net";
import { FrameReader } from "../../src/sim/index.js";

/**
 * A TCP proxy between an API client (ibrpc) and a gateway (the simulator) that, once armed, lets the client's
 * placeOrder through and then holds back everything the gateway says: the order is at IB, its acknowledgement never
 * reaches the client. That is the moment a crash must not turn a retry into a second order.
 */
export class HoldingProxy {
  private server: Server | undefined;
  private armed = false;
  /** Armed to swallow: the placeOrder itself never reaches the gateway (ibrpc wrote it, IB never got it). */
  private swallow = false;
  private readonly sockets = new Set<Socket>();
  private placed: ((orderId: number) => void) | undefined;
  private answered: (() => void) | undefined;
  /** Resolves with the order id of the first placeOrder seen while armed. */
  placeOrderSeen: Promise<number> = new Promise(() => {});
  /** Resolves when the gateway answered after that placeOrder (held back): the gateway has the order. */
  answerHeld: Promise<void> = new Promise(() => {});

  constructor(private readonly upstream: { host: string; port: number }) {}

  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as { port: number }).port;
  }

  /**
   * From now on, the gateway's answers stop after the next placeOrder; with `swallow`, that placeOrder is not even
   * passed on.
   */
  arm(opts: { swallow?: boolean } = {}): void {
    this.armed = true;
    this.swallow = opts.swallow ?? false;
    this.placeOrderSeen = new Promise((resolve) => {
      this.placed = resolve;
    });
    this.answerHeld = new Promise((resolve) => {
      this.answered = resolve;
    });
  }

  /** Back to a plain proxy for new connections. */
  disarm(): void {
    this.armed = false;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const gateway = connect(this.upstream.port, this.upstream.host);
    this.sockets.add(client).add(gateway);
    let holding = false;
    let swallowing = false;
    const reader = new FrameReader(
      {
        onFrame: (fields) => {
          // placeOrder is message 3; from server version 145 on its next field is the order id.
          if (this.armed && fields[0] === "3") {
            holding = true;
            swallowing = this.swallow;
            this.placed?.(Number(fields[1]));
          }
        },
        onCorrupt: () => {},
      },
      { expectHandshake: true },
    );
    client.on("data", (chunk: Buffer) => {
      reader.push(chunk);
      // ibrpc writes one message per pacer slot, so the chunk holding placeOrder holds nothing else of note.
      if (!swallowing) gateway.write(chunk);
    });
    gateway.on("data", (chunk: Buffer) => {
      if (!holding) client.write(chunk);
      else this.answered?.();
    });
    const close = () => {
      client.destroy();
      gateway.destroy();
      this.sockets.delete(client);
      this.sockets.delete(gateway);
    };
    client.on("close", close);
    gateway.on("close", close);
    client.on("error", close);
    gateway.on("error", close);
  }
}
