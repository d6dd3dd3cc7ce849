#!/usr/bin/env node
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { startApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./log.js";
import { runSimCli, SIM_USAGE, SimCliError } from "./sim/cli.js";
import { runMigrate } from "./store/migrate-command.js";

const USAGE = `Usage: ibrpc [command] [options]

Commands:
  serve (default)   Serve IB's API over gRPC, gRPC-Web and Connect (configured by environment variables; see README)
  sim               Run the IB Gateway simulator alone (see below)
  migrate           Apply pending database migrations (DB_URL, else PGlite in DATA_DIR) and exit

Options:
  -h, --help        Show this help
  -v, --version     Show the version

Simulator:
  ${SIM_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  if (command === "-h" || command === "--help" || command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (command === "-v" || command === "--version") {
    console.log(version());
    return 0;
  }
  const logLevel = process.env.LOG_LEVEL?.trim() || "info";
  switch (command) {
    case "serve": {
      if (rest.length > 0)
        return usageError(
          `serve takes no arguments (got ${rest.join(" ")}); it is configured by environment variables`,
        );
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const app = await startApp(config, logger);
      return runUntilSignal(logger, () => app.close());
    }
    case "migrate": {
      if (rest.length > 0) return usageError(`migrate takes no arguments (got ${rest.join(" ")})`);
      const config = loadConfig();
      return runMigrate(config, createLogger(config.logLevel));
    }
    case "sim": {
      const logger = createLogger(safeLevel(logLevel));
      const sim = await runSimCli(rest, logger);
      return runUntilSignal(logger, () => sim.stop());
    }
    default:
      return usageError(`unknown command "${command}"`);
  }
}

/** Keeps the process up until SIGTERM / SIGINT, then stops gracefully and exits 0 (a second signal forces). */
function runUntilSignal(logger: Logger, stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, "signal received: stopping gracefully");
      stop().then(
        () => resolve(0),
        (err) => {
          logger.error({ err }, "error while stopping");
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

function usageError(message: string): number {
  console.error(`ibrpc: ${message}\n\n${USAGE}`);
  return 2;
}

function safeLevel(level: string): string {
  return ["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(level) ? level : "info";
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Stopped: whatever still holds the event loop (a database handle, a timer, a stuck socket) must not keep the
    // process (and its supervisor's stop) waiting. pino writes synchronously, so no log line is lost.
    process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof SimCliError) {
      console.error(`ibrpc: ${err.message}`);
      process.exit(2);
    }
    console.error("ibrpc: failed to start:", err);
    process.exit(1);
  },
);
