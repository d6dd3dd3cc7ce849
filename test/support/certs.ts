import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pem {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
}

/** A folder for certificates, removed by `dispose`. */
export function certificateDir(): { selfSigned: (name: string) => Pem; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ibrpc-tls-"));
  return {
    /** A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
    selfSigned(name: string): Pem {
      const certFile = join(dir, `${name}.crt`);
      const keyFile = join(dir, `${name}.key`);
      execFileSync(
        "openssl",
        [
          ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
          ["-keyout", keyFile, "-out", certFile, "-subj", `/CN=${name}`],
          ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        ].flat(),
        { stdio: "ignore", timeout: 10_000 },
      );
      return { cert: readFileSync(certFile), key: readFileSync(keyFile), certFile, keyFile };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
