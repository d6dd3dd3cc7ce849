import type { SimulatorContext } from "../context.js";
import type { SubscriptionRegistry } from "../subscriptions.js";
import type { MessageLayout, MessageValues } from "../wire/layout.js";

/** What a request handler may do with the connection it serves. */
export interface ClientSession {
  readonly sim: SimulatorContext;
  /** Unique per connection within a simulator (client ids can be reused after a disconnect; this cannot). */
  readonly sessionId: number;
  readonly clientId: number;
  readonly serverVersion: number;
  /** True between an accepted startApi and the connection closing. */
  readonly isReady: boolean;
  /** Live subscriptions; all are cancelled when the session closes. */
  readonly subscriptions: SubscriptionRegistry;
  /** Runs `fn` once when the connection closes, however it closes (after subscriptions are cancelled). */
  onClose(fn: () => void): void;
  send<L extends MessageLayout>(layout: L, values: MessageValues<L>): void;
  sendError(id: number, code: number, message: string): void;
}

/** A request layout and what to do with it; the session decodes with `layout` before calling `handle`. */
export interface RequestHandler {
  readonly layout: MessageLayout;
  handle(session: ClientSession, request: Readonly<Record<string, unknown>>): void;
}

/** Pairs a request layout with its handler, which sees the layout's own value type. */
export function onRequest<L extends MessageLayout>(
  layout: L,
  handle: (session: ClientSession, request: MessageValues<L>) => void,
): RequestHandler {
  return { layout, handle: handle as RequestHandler["handle"] };
}

/** Incoming message id -> handler. Adding a request means adding its layout and one entry here. */
export class HandlerRegistry {
  private readonly byId = new Map<number, RequestHandler>();

  constructor(handlers: readonly RequestHandler[]) {
    for (const handler of handlers) {
      const clash = this.byId.get(handler.layout.id);
      if (clash) {
        throw new Error(
          `message id ${handler.layout.id} has two handlers: ${clash.layout.name}, ${handler.layout.name}`,
        );
      }
      this.byId.set(handler.layout.id, handler);
    }
  }

  get(messageId: number): RequestHandler | undefined {
    return this.byId.get(messageId);
  }
}
