import { IBApi, type IBApiCreationOptions } from "@stoqey/ib";

/**
 * IBApi that reports each request it is asked to send by its EClient method name (reqMktData, placeOrder,
 * cancelOrder...), for ibrpc_ib_messages_out_total. Counting here rather than at each caller covers every path to IB
 * (correlator, stream hub, orders, display groups, the handshake and the heartbeat) without any of them naming what
 * they send, and costs one function call per message.
 *
 * Every method of IBApi but connect / disconnect is one EClient request (IBApi never calls its own request methods,
 * so nothing is counted twice); the overrides are made once, at module load, on this subclass's prototype.
 */
export class MeteredIBApi extends IBApi {
  /** Called with the method's name before each request is handed to IBApi. */
  readonly onRequest: (method: string) => void;

  constructor(options: IBApiCreationOptions, onRequest: (method: string) => void) {
    super(options);
    this.onRequest = onRequest;
  }
}

/** IBApi's own methods that write no request. */
const NOT_REQUESTS = new Set(["constructor", "connect", "disconnect"]);

for (const method of Object.getOwnPropertyNames(IBApi.prototype)) {
  if (NOT_REQUESTS.has(method)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(IBApi.prototype, method);
  const request: unknown = descriptor?.value;
  if (typeof request !== "function") continue; // accessors (serverVersion, isConnected)
  Object.defineProperty(MeteredIBApi.prototype, method, {
    ...descriptor,
    value: function (this: MeteredIBApi, ...args: unknown[]): unknown {
      this.onRequest(method);
      return request.apply(this, args);
    },
  });
}
