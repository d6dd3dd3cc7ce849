import { Code } from "@connectrpc/connect";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FinancialAdvisorService,
  RequestFARequestSchema,
  RequestFAResponseSchema,
} from "../../gen/ibrpc/v1/financial_advisor_pb.js";
import type { App } from "../../src/app.js";
import { Simulator } from "../../src/sim/index.js";
import { FaConfiguration, FaDataType } from "../../src/sim/reference/fa.js";
import { clientFor, postJson, transports } from "../e2e/app-harness.js";
import { connectGet, grpcJsCall, serviceAppPerFile, startServiceApp } from "../support/service-app.js";
import { failure, postOk } from "./reference-data-calls.js";

/**
 * FinancialAdvisorService against `npm start`'s simulator, whose login is an advisor's (three accounts): IB's FA XML
 * read and replaced, and IB's refusals (bad XML, a non-advisor login) mapped as the contract says.
 */

const FA = "ibrpc.v1.FinancialAdvisorService";

const served = serviceAppPerFile();

/** The documents the simulated login starts with (a fresh configuration of the same accounts). */
function initialDocument(faDataType: number): string {
  return new FaConfiguration(served.sim.accounts).document(faDataType);
}

describe("FinancialAdvisorService against the built-in simulator", () => {
  it("RequestFA (@grpc/grpc-js) answers the groups XML", async () => {
    const res = await grpcJsCall(served.url, `/${FA}/RequestFA`, RequestFARequestSchema, RequestFAResponseSchema, {
      faDataType: FaDataType.GROUPS,
    });
    expect(res.faDataType).toBe(FaDataType.GROUPS);
    expect(res.xml).toBe(initialDocument(FaDataType.GROUPS));
    for (const account of served.sim.accounts) expect(res.xml).toContain(`<acct>${account}</acct>`);
  });

  it("RequestFA over Connect JSON, POST and GET: the aliases XML; concurrent types each get their own", async () => {
    const post = await postOk(served.url, `${FA}/RequestFA`, { faDataType: FaDataType.ALIASES });
    expect(post.xml).toBe(initialDocument(FaDataType.ALIASES));
    const get = await connectGet(served.url, `${FA}/RequestFA`, { faDataType: FaDataType.ALIASES });
    expect(get.status).toBe(200);
    expect(get.json).toEqual(post);
    const client = clientFor(FinancialAdvisorService, transports(served.url).grpc);
    const answers = await Promise.all(
      [1, 3, 1, 3, 3, 1].map((faDataType) => client.requestFA({ faDataType }).then((r) => [faDataType, r] as const)),
    );
    for (const [faDataType, answer] of answers) {
      expect(answer.faDataType).toBe(faDataType);
      expect(answer.xml).toBe(initialDocument(faDataType));
    }
  });

  it("profiles (2) are FAILED_PRECONDITION on a gateway past server version 177, before IB is asked", async () => {
    const client = clientFor(FinancialAdvisorService, transports(served.url).grpc);
    await failure(client.requestFA({ faDataType: 2 }), Code.FailedPrecondition);
    await failure(client.replaceFA({ faDataType: 2, xml: "<ListOfAllocationProfiles/>" }), Code.FailedPrecondition);
    await failure(client.requestFA({ faDataType: 4 }), Code.InvalidArgument);
  });

  it("ReplaceFA replaces the groups, and RequestFA then answers the new document", async () => {
    const [first, second] = served.sim.accounts;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListOfGroups varName="groups"><Group><name>Pair</name><defaultMethod>Equal</defaultMethod><ListOfAccts varName="list"><Account><acct>${first}</acct></Account><Account><acct>${second}</acct></Account></ListOfAccts></Group></ListOfGroups>`;
    const client = clientFor(FinancialAdvisorService, transports(served.url).connectJson);
    const replaced = await client.replaceFA({ faDataType: FaDataType.GROUPS, xml });
    expect(replaced.text).toBe("");
    const read = await client.requestFA({ faDataType: FaDataType.GROUPS });
    expect(read.xml).toBe(xml);
  });

  it("ReplaceFA with invalid XML or a foreign account is INVALID_ARGUMENT with IB's 321", async () => {
    const client = clientFor(FinancialAdvisorService, transports(served.url).grpc);
    const malformed = await failure(
      client.replaceFA({ faDataType: FaDataType.GROUPS, xml: "<ListOfGroups><Group></ListOfGroups>" }),
      Code.InvalidArgument,
    );
    expect(malformed.ibCode).toBe("321");
    expect(malformed.ibMessage).toMatch(/invalid XML/);
    const foreign = await postJson(
      served.url,
      `/${FA}/ReplaceFA`,
      JSON.stringify({
        faDataType: FaDataType.ALIASES,
        xml: "<ListOfAccountAliases><AccountAlias><account>U9999999</account><alias>x</alias></AccountAlias></ListOfAccountAliases>",
      }),
    );
    expect(foreign.status).toBe(400);
    expect(foreign.json.code).toBe("invalid_argument");
    await failure(client.replaceFA({ faDataType: FaDataType.GROUPS, xml: "" }), Code.InvalidArgument);
  });
});

describe("FinancialAdvisorService on a login that is not an advisor's", () => {
  let single: Simulator;
  let singleApp: App;

  beforeAll(async () => {
    single = new Simulator({ port: 0, accounts: 1, logger: pino({ level: "silent" }) });
    const { host, port } = await single.start();
    singleApp = await startServiceApp({ IB_GW: `${host}:${port}` });
  }, 60_000);

  afterAll(async () => {
    await singleApp?.close();
    await single?.stop();
  });

  it("RequestFA (IB's 321 on id -1) and ReplaceFA are FAILED_PRECONDITION, and the gateway stays connected", async () => {
    const client = clientFor(FinancialAdvisorService, transports(singleApp.server.url).grpc);
    const request = await failure(client.requestFA({ faDataType: FaDataType.GROUPS }), Code.FailedPrecondition);
    expect(request.ibCode).toBe("321");
    expect(request.ibMessage).toMatch(/non FA customers/);
    const replace = await failure(
      client.replaceFA({ faDataType: FaDataType.ALIASES, xml: "<ListOfAccountAliases/>" }),
      Code.FailedPrecondition,
    );
    expect(replace.ibCode).toBe("321");
    // The refusal ended the call, not the connection: the next call is served.
    await failure(client.requestFA({ faDataType: FaDataType.ALIASES }), Code.FailedPrecondition);
    expect(singleApp.pool.gateways[0]?.isConnected).toBe(true);
  });
});
