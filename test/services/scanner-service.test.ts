import { describe, expect, it } from "vitest";
import {
  ReqScannerParametersRequestSchema,
  ReqScannerParametersResponseSchema,
  ScannerService,
} from "../../gen/ibrpc/v1/scanner_pb.js";
import { scannerParametersXml } from "../../src/sim/reference/scanner-parameters.js";
import { clientFor, transports } from "../e2e/app-harness.js";
import { buf } from "../server/helpers.js";
import { connectGet, grpcJsCall, serviceAppPerFile } from "../support/service-app.js";
import { postOk } from "./reference-data-calls.js";

/** ScannerService.ReqScannerParameters against `npm start`'s simulator: IB's XML, whole, over every protocol. */

const SCANNER = "ibrpc.v1.ScannerService";

const served = serviceAppPerFile();

describe("ScannerService.ReqScannerParameters against the built-in simulator", () => {
  it("answers the simulator's parameters XML (@grpc/grpc-js)", async () => {
    const res = await grpcJsCall(
      served.url,
      `/${SCANNER}/ReqScannerParameters`,
      ReqScannerParametersRequestSchema,
      ReqScannerParametersResponseSchema,
      {},
    );
    expect(res.xml).toBe(scannerParametersXml());
    expect(res.xml).toContain("<scanCode>TOP_PERC_GAIN</scanCode>");
    expect(res.xml).toContain("STK.US.MAJOR");
  });

  it("answers over Connect JSON, POST and GET", async () => {
    const post = await postOk(served.url, `${SCANNER}/ReqScannerParameters`, {});
    expect(post.xml).toBe(scannerParametersXml());
    const get = await connectGet(served.url, `${SCANNER}/ReqScannerParameters`, {});
    expect(get.status).toBe(200);
    expect(get.json.xml).toBe(post.xml);
  });

  it("concurrent callers all get the whole document", async () => {
    const client = clientFor(ScannerService, transports(served.url).grpc);
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.reqScannerParameters({})));
    for (const answer of answers) expect(answer.xml).toBe(scannerParametersXml());
  });

  it("answers buf curl through server reflection, as the README shows", async () => {
    const out = await buf([
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      `${served.url}/${SCANNER}/ReqScannerParameters`,
    ]);
    expect((JSON.parse(out) as { xml: string }).xml).toBe(scannerParametersXml());
  });
});
