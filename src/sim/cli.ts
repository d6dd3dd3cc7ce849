import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { MAX_SERVER_VERSION, MIN_SERVER_VERSION } from "./server-version.js";
import { DEFAULT_SEED, Simulator, type SimulatorOptions } from "./simulator.js";

/** Bad command-line input; the message is one line naming the flag, fit to print as is. */
export class SimCliError extends Error {
  override readonly name = "SimCliError";
}

const DEFAULT_PORT = 4002; // IB Gateway's paper-trading port

function integerFlag(flag: string, raw: string, min: number, max: number): number {
  const value = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SimCliError(`ibrpc sim: invalid --${flag} ${JSON.stringify(raw)}: expected an integer ${min}..${max}`);
  }
  return value;
}

/** `--accounts 3` generates three ids; `--accounts DU1,DU2` names them. */
function accountsFlag(raw: string): number | string[] {
  if (/^\d+$/.test(raw.trim())) return integerFlag("accounts", raw, 1, 1000);
  const ids = raw.split(",").map((id) => id.trim());
  if (ids.some((id) => !/^[A-Za-z0-9]+$/.test(id))) {
    throw new SimCliError(
      `ibrpc sim: invalid --accounts ${JSON.stringify(raw)}: expected a count or a comma list of account ids`,
    );
  }
  return ids;
}

export function parseSimArgs(argv: readonly string[]): SimulatorOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new SimCliError(`ibrpc sim: ${(error as Error).message}`);
  }
  const { values } = parsed;
  const options: SimulatorOptions = {
    host: values.host ?? "127.0.0.1",
    port: values.port === undefined ? DEFAULT_PORT : integerFlag("port", values.port, 0, 65535),
    seed: values.seed === undefined ? DEFAULT_SEED : integerFlag("seed", values.seed, 0, 2 ** 32 - 1),
    serverVersion:
      values["server-version"] === undefined
        ? MAX_SERVER_VERSION
        : integerFlag("server-version", values["server-version"], MIN_SERVER_VERSION, MAX_SERVER_VERSION),
  };
  if (values.host !== undefined && values.host.trim() === "") {
    throw new SimCliError("ibrpc sim: invalid --host: expected a host name or address");
  }
  if (values.accounts !== undefined) options.accounts = accountsFlag(values.accounts);
  return options;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      seed: { type: "string" },
      accounts: { type: "string" },
      "server-version": { type: "string" },
    },
  });
}

/**
 * `ibrpc sim`: starts a simulator from flags and returns its stop handle. Signals are the caller's business.
 * Throws {@link SimCliError} on bad flags.
 */
export async function runSimCli(argv: readonly string[], logger: Logger): Promise<{ stop(): Promise<void> }> {
  const simulator = new Simulator({ ...parseSimArgs(argv), logger });
  const address = await simulator.start();
  logger.info(`IB Gateway simulator ready on ${address.host}:${address.port}`);
  return { stop: () => simulator.stop() };
}
