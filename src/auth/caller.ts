import { createContextKey } from "@connectrpc/connect";
import type { AuthScope } from "./scopes.js";

/**
 * Who made a call, as authentication established it. Services read it for the audit log and to scope idempotency
 * keys: `ctx.values.get(CALLER).tokenId`. The token itself is never kept here.
 */
export interface Caller {
  /**
   * A short, stable, non-secret id of the credential: "tok_" + 8 hex digits of the token's SHA-256, or
   * "cert:<subject CN>" for an mTLS client certificate; "anonymous" when the server runs open (no tokens configured).
   */
  tokenId: string;
  scopes: ReadonlySet<AuthScope>;
  /** How the caller proved who it is. */
  via: "token" | "certificate" | "open";
  /** Remote address:port of the connection. */
  peer: string;
}

/** The caller of an open server (no tokens configured, loopback): allowed everything, as before auth existed. */
export function openCaller(peer: string): Caller {
  return { tokenId: "anonymous", scopes: new Set(["read", "trade", "admin"]), via: "open", peer };
}

/** Set by the server on every RPC before any interceptor or handler runs. */
export const CALLER = createContextKey<Caller>(openCaller("unknown"), { description: "ibrpc caller" });
