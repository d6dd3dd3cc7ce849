import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { type AdminServer, startAdminServer } from "./control/admin-server.js";
import { MAX_SERVER_VERSION, MIN_SERVER_VERSION } from "./server-version.js";
import { DEFAULT_SEED, Simulator, type SimulatorOptions } from "./simulator.js";

/** Bad command-line input; the message is one line naming the flag, fit to print as is. */
export class SimCliError extends Error {
  override readonly name = "SimCliError";
}

const DEFAULT_PORT = 4002; // IB Gateway's paper-trading port

/** The `ibrpc sim` flags and the admin API, for the command's help text. */
export const SIM_USAGE = `ibrpc sim [--port 4002] [--seed 42] [--accounts N|ID,ID] [--server-version 193] [--host 127.0.0.1]
          [--admin-port 4003] [--always-open]
  --always-open     Keep every market in session at any hour (a demo at 3 am on a Sunday). Without it the simulator
                    follows each instrument's trading calendar: quotes and trades stop outside sessions and on exchange
                    holidays, market orders wait for the regular session, outsideRth limit orders fill in the
                    extended session.
  --admin-port P    Serve the fault control API on http://127.0.0.1:P (loopback only; POSTs need a JSON content type):
                      GET  /status                   sessions, client ids, violations, active faults
                      POST /faults/drop              drop every client socket
                      POST /faults/refuse            {"ms": 5000} refuse new connections
                      POST /faults/connectivity      {"restore": "data-maintained"|"data-lost", "afterMs": 3000}
                                                     1100, then 1102 or 1101 (1101 cancels every subscription)
                      POST /faults/farm-broken       2110 to every client
                      POST /faults/withhold-end      {"message": "contractDataEnd"|"all", "delayMs": 2000}
                                                     or {"message": ..., "forever": true}
                      POST /faults/nightly-restart   {"durationMs": 60000} drop everything, refuse for the duration
                      POST /faults/clear             lift refusals and End-marker rules
                    e.g. curl --json '{"ms": 5000}' http://127.0.0.1:4003/faults/refuse`;

export interface SimCliOptions extends SimulatorOptions {
  /** The admin HTTP port (loopback only); absent: no admin API. */
  adminPort?: number;
}

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

export function parseSimArgs(argv: readonly string[]): SimCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new SimCliError(`ibrpc sim: ${(error as Error).message}`);
  }
  const { values } = parsed;
  const options: SimCliOptions = {
    host: values.host ?? "127.0.0.1",
    port: values.port === undefined ? DEFAULT_PORT : integerFlag("port", values.port, 0, 65535),
    seed: values.seed === undefined ? DEFAULT_SEED : integerFlag("seed", values.seed, 0, 2 ** 32 - 1),
    serverVersion:
      values["server-version"] === undefined
        ? MAX_SERVER_VERSION
        : integerFlag("server-version", values["server-version"], MIN_SERVER_VERSION, MAX_SERVER_VERSION),
    // The standalone gateway behaves like IB's: the real calendar, unless asked otherwise.
    alwaysOpen: values["always-open"] === true,
  };
  if (values.host !== undefined && values.host.trim() === "") {
    throw new SimCliError("ibrpc sim: invalid --host: expected a host name or address");
  }
  if (values.accounts !== undefined) options.accounts = accountsFlag(values.accounts);
  if (values["admin-port"] !== undefined) options.adminPort = integerFlag("admin-port", values["admin-port"], 0, 65535);
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
      "admin-port": { type: "string" },
      "always-open": { type: "boolean" },
    },
  });
}

/**
 * `ibrpc sim`: starts a simulator from flags and returns its stop handle. Signals are the caller's business.
 * Throws {@link SimCliError} on bad flags.
 */
export async function runSimCli(argv: readonly string[], logger: Logger): Promise<{ stop(): Promise<void> }> {
  const { adminPort, ...options } = parseSimArgs(argv);
  const simulator = new Simulator({ ...options, logger });
  const address = await simulator.start();
  let admin: AdminServer | undefined;
  try {
    if (adminPort !== undefined) admin = await startAdminServer(simulator.control, adminPort, logger);
  } catch (error) {
    await simulator.stop(); // a half-started simulator would hold its port with nobody to stop it
    throw new SimCliError(`ibrpc sim: cannot serve --admin-port ${adminPort}: ${(error as Error).message}`);
  }
  logger.info(
    `IB Gateway simulator ready on ${address.host}:${address.port}; ` +
      (simulator.alwaysOpen
        ? "every market is in session at any hour (--always-open)"
        : "markets follow their trading calendars (sessions, weekends, exchange holidays); --always-open keeps them open"),
  );
  return {
    stop: async () => {
      await admin?.close();
      await simulator.stop();
    },
  };
}
