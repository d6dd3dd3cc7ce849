import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ContractSchema } from "../../gen/ibrpc/v1/common_pb.js";
import { MarketDataService } from "../../gen/ibrpc/v1/market_data_pb.js";
import { StreamReader } from "../hub/harness.js";
import { type StreamsBench, startStreamsBench } from "./harness.js";

let bench: StreamsBench;
const controller = new AbortController();

beforeAll(async () => {
  bench = await startStreamsBench({ env: { IB_MKT_LINES: "1" } });
});
afterAll(async () => {
  controller.abort();
  await bench.close();
});

it("IB_MKT_LINES sets the line budget: past it, RESOURCE_EXHAUSTED names the limit and its holder", async () => {
  const stock = (symbol: string) =>
    create(ContractSchema, { symbol, secType: "STK", exchange: "SMART", currency: "USD" });
  const client = createClient(MarketDataService, bench.connect);
  const held = new StreamReader(client.reqMktData({ contract: stock("AAPL") }, { signal: controller.signal }));
  await held.until((m) => m.event.case === "tickPrice", "an AAPL tick");
  const refused = new StreamReader(client.reqMktData({ contract: stock("MSFT") }, { signal: controller.signal }));
  const err = ConnectError.from(await refused.ending("the refusal"));
  expect(err.code).toBe(Code.ResourceExhausted);
  expect(err.rawMessage).toContain("market data lines: all 1 of gateway sim are in use, held by market data AAPL");
});
