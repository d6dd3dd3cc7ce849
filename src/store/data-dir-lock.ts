import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { ConfigError } from "../config.js";

/** The lock file's name inside DATA_DIR. */
export const LOCK_FILE = "ibrpc.lock";

/** Held while a process owns DATA_DIR; {@link release} removes the lock file. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

/**
 * Takes DATA_DIR for this process alone. PGlite does not stop two processes from opening one data directory, and two
 * writers corrupt it; so the first one creates DATA_DIR/ibrpc.lock exclusively (O_EXCL) and a second fails at once,
 * with one line that says who holds it. A lock left by a process that died (its pid is gone on this host) is taken
 * over. A ConfigError, because the fix is the operator's: stop the other ibrpc or point DATA_DIR elsewhere.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), nonce: Math.random().toString(36).slice(2) };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) return ownedLock(file, me);
    const holder = readOwner(file);
    if (holder && isAlive(holder)) {
      throw new ConfigError(
        `DATA_DIR: ${dataDir} is in use by another ibrpc (pid ${holder.pid} on ${holder.host}; lock ${file}): ` +
          "stop it, use another DATA_DIR, or set DB_URL to share a PostgreSQL",
      );
    }
    // Stale (its process is gone) or unreadable (a crash while writing it): move it aside, then race for a new one.
    try {
      renameSync(file, `${file}.stale-${me.nonce}`);
      unlinkSync(`${file}.stale-${me.nonce}`);
    } catch {
      // Someone else moved it first; the next create attempt tells who won.
    }
  }
  throw new ConfigError(`DATA_DIR: could not take the lock ${file}; another ibrpc is starting on ${dataDir}`);
}

function tryCreate(file: string, me: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new ConfigError(`DATA_DIR: cannot create ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  // Another process that judged our (half-written) lock stale could have replaced it: only the content decides.
  return readOwner(file)?.nonce === me.nonce;
}

function ownedLock(file: string, me: LockOwner): DataDirLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      if (readOwner(file)?.nonce === me.nonce) unlinkSync(file);
    },
  };
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as LockOwner;
    return typeof owner.pid === "number" && typeof owner.nonce === "string" ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A lock from another host cannot be checked: it counts as alive (DATA_DIR on a shared disk is the operator's call). */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
