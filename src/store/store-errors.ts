import { Code, ConnectError } from "@connectrpc/connect";

/**
 * True when `err` says the database could not be reached or dropped us (connection refused or reset, server
 * shutting down or restarting, too many connections, connect refused by permissions), as opposed to a statement
 * the database rejected for what it is (bad data, a constraint, a bug in the SQL). Work failing the first way is
 * worth keeping and retrying; work failing the second way would fail forever.
 */
export function isStoreUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
    const cls = code.slice(0, 2);
    if (cls === "22" || cls === "23") return false; // data exception, integrity constraint
    if (cls === "42") return code === "42501" && /database/i.test(String((err as Error).message)); // CONNECT revoked
    return true; // 08 connection, 53 resources, 57 operator intervention (shutdown, restart), 3D, 28, XX...
  }
  // Node socket errors (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT), pg's own ("Connection terminated", "timeout
  // exceeded when trying to connect", "Client has encountered a connection error"), a pool or store being closed.
  if (typeof code === "string" && code.startsWith("E")) return true;
  return /connect|terminat|timeout|closed|ended|socket|not queryable|unavailable/i.test(
    String((err as Error)?.message),
  );
}

/** The database is unreachable: what a client should see (UNAVAILABLE: retry later, maybe elsewhere). */
export function storeUnavailable(err: unknown, what: string): ConnectError {
  return new ConnectError(`${what}: the database is unavailable`, Code.Unavailable, undefined, undefined, err);
}

/** Maps a database failure to a ConnectError: UNAVAILABLE when it is the database's reachability, else internal. */
export function toConnectError(err: unknown, what: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (isStoreUnavailable(err)) return storeUnavailable(err, what);
  return new ConnectError(`${what}: database error`, Code.Internal, undefined, undefined, err);
}
