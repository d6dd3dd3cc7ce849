import { describe, expect, it } from "vitest";
import { parseSimArgs, runSimCli } from "../../src/sim/cli.js";
import { freePort } from "../support/wait.js";
import { RawClient, testLogger } from "./helpers.js";

describe("ibrpc sim flags", () => {
  it("defaults to the paper gateway port, seed 42, server version 193 and the real trading calendar", () => {
    expect(parseSimArgs([])).toEqual({
      host: "127.0.0.1",
      port: 4002,
      seed: 42,
      serverVersion: 193,
      alwaysOpen: false,
    });
  });

  it("parses every flag", () => {
    expect(
      parseSimArgs([
        "--port",
        "0",
        "--seed",
        "7",
        "--accounts",
        "5",
        "--server-version",
        "176",
        "--host",
        "0.0.0.0",
        "--always-open",
      ]),
    ).toEqual({ host: "0.0.0.0", port: 0, seed: 7, serverVersion: 176, accounts: 5, alwaysOpen: true });
    expect(parseSimArgs(["--accounts", "DU1,DU2"]).accounts).toEqual(["DU1", "DU2"]);
  });

  it.each([
    [["--port", "http"], /invalid --port "http": expected an integer 0\.\.65535/],
    [["--port", "70000"], /invalid --port "70000"/],
    [["--server-version", "194"], /invalid --server-version "194": expected an integer 176\.\.193/],
    [["--accounts", "0"], /invalid --accounts "0"/],
    [["--accounts", "DU 1;x"], /invalid --accounts/],
    [["--seed", "1.5"], /invalid --seed/],
    [["--verbose"], /ibrpc sim: Unknown option '--verbose'/],
    [["--always-open", "yes"], /ibrpc sim: Unexpected argument 'yes'/],
  ])("rejects %j with a line naming the flag", (argv, message) => {
    expect(() => parseSimArgs(argv)).toThrow(message);
  });

  it("serves on the requested port until stopped", async () => {
    const port = await freePort();
    const handle = await runSimCli(["--port", String(port), "--accounts", "1"], testLogger);
    const client = await RawClient.start(port, 1);
    expect(client.frames).toContainEqual(["15", "1", "DU1000001"]);
    await handle.stop();
    await client.whenClosed();
    await handle.stop();
  });
});
