import type { SecureServerOptions } from "node:http2";

/** PEM material, as read from TLS_CERT / TLS_KEY / TLS_CA. */
export interface TlsConfig {
  cert: string | Buffer;
  key: string | Buffer;
  /** With a CA, every client must present a certificate it signed (mTLS). */
  ca?: string | Buffer;
}

export function tlsServerOptions(tls: TlsConfig): SecureServerOptions {
  const mutual = tls.ca !== undefined;
  return {
    cert: tls.cert,
    key: tls.key,
    // HTTP/2 for gRPC, HTTP/1.1 for browsers, curl and gRPC-Web/Connect clients that do not negotiate h2.
    allowHTTP1: true,
    ALPNProtocols: ["h2", "http/1.1"],
    ...(mutual ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}
