import { createHash, timingSafeEqual } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { AuthToken, CertScope } from "../config.js";
import { type Caller, openCaller } from "./caller.js";
import type { AuthScope, RequiredScope } from "./scopes.js";

/** Why a request was not authenticated; the server answers UNAUTHENTICATED with {@link AuthFailure.message}. */
export interface AuthFailure {
  reason: "missing_token" | "bad_token" | "client_cert";
  message: string;
}

export type AuthResult = { caller: Caller } | { failure: AuthFailure };

/** What the authenticator reads from a request: the Authorization header and the connection. */
export interface Credentials {
  authorization: string | undefined;
  socket: { remoteAddress?: string; remotePort?: number } | undefined;
}

interface KnownToken {
  digest: Buffer;
  id: string;
  scopes: ReadonlySet<AuthScope>;
}

/**
 * Checks bearer tokens (every protocol: gRPC sends `authorization` metadata, which is the same HTTP header) and
 * mTLS client certificates. Tokens are kept only as SHA-256 digests and compared in constant time, against every
 * configured token whatever matches first, so neither the comparison nor its position leak through timing.
 */
export class Authenticator {
  private readonly tokens: KnownToken[];
  private readonly certScopes: readonly CertScope[];
  /** No tokens and no certificate rules: every caller is let in with every scope (loopback only; config enforces). */
  readonly open: boolean;

  constructor(opts: { tokens: readonly AuthToken[]; certScopes?: readonly CertScope[] }) {
    this.tokens = opts.tokens.map((t) => {
      const digest = sha256(t.token);
      return { digest, id: tokenIdOf(digest), scopes: new Set(t.scopes) };
    });
    this.certScopes = opts.certScopes ?? [];
    this.open = this.tokens.length === 0 && this.certScopes.length === 0;
  }

  authenticate(creds: Credentials): AuthResult {
    const peer = `${creds.socket?.remoteAddress ?? "?"}:${creds.socket?.remotePort ?? "?"}`;
    if (this.open) return { caller: openCaller(peer) };
    const header = creds.authorization?.trim();
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) {
        return { failure: { reason: "bad_token", message: 'authorization must be "Bearer <token>"' } };
      }
      const known = this.match(m[1] as string);
      if (!known) return { failure: { reason: "bad_token", message: "invalid token" } };
      return { caller: { tokenId: known.id, scopes: known.scopes, via: "token", peer } };
    }
    const cert = this.certificateCaller(creds.socket, peer);
    if (cert) return { caller: cert };
    return {
      failure: {
        reason: "missing_token",
        message: "missing credentials: send Authorization: Bearer <token> (gRPC: authorization metadata)",
      },
    };
  }

  private match(presented: string): KnownToken | undefined {
    const digest = sha256(presented);
    let found: KnownToken | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, digest) && !found) found = t;
    return found;
  }

  /** A verified client certificate whose subject CN (or `*`) has a rule in MTLS_SCOPES. */
  private certificateCaller(socket: Credentials["socket"], peer: string): Caller | undefined {
    if (this.certScopes.length === 0) return undefined;
    const tls = socket as TLSSocket | undefined;
    if (!tls || typeof tls.getPeerCertificate !== "function" || !tls.authorized) return undefined;
    const cn = tls.getPeerCertificate()?.subject?.CN;
    const subject = Array.isArray(cn) ? cn[0] : cn;
    if (!subject) return undefined;
    const rule = this.certScopes.find((r) => r.subject === subject) ?? this.certScopes.find((r) => r.subject === "*");
    if (!rule) return undefined;
    return { tokenId: `cert:${subject}`, scopes: new Set(rule.scopes), via: "certificate", peer };
  }
}

/** Whether `caller` may call something that needs `scope`. */
export function allows(caller: Caller, scope: RequiredScope): boolean {
  return scope === "public" || caller.scopes.has(scope);
}

/** The short id logs show for a token: enough to tell tokens apart, useless to an attacker. */
export function tokenId(token: string): string {
  return tokenIdOf(sha256(token));
}

function tokenIdOf(digest: Buffer): string {
  return `tok_${digest.subarray(0, 4).toString("hex")}`;
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}
