import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import type { CommissionReport, ExecDetails } from "../../gen/ibrpc/v1/common_pb.js";
import { type ExecutionService, ReqExecutionsResponseSchema } from "../../gen/ibrpc/v1/execution_pb.js";
import { commissionReportFromIb, execDetailsFromIb, executionFilterToIb } from "../convert/execution.js";
import type { IbRecord } from "../gateway/ib-events.js";
import type { ServiceDeps } from "./call-context.js";
import { withCallDeadline } from "./call-context.js";
import { routeByAccount } from "./order-service.js";

/**
 * How long ReqExecutions waits after execDetailsEnd for commission reports IB sends late (TWS sends each one after
 * its execution, sometimes after the End marker). It ends as soon as every execution has its report.
 */
export const COMMISSION_LINGER_MS = 1_000;

type Row = { execDetails: ExecDetails } | { commissionReport: CommissionReport };

/** ExecutionService: today's executions with their commission reports joined. */
export function executionService(deps: ServiceDeps): Partial<ServiceImpl<typeof ExecutionService>> {
  return {
    async reqExecutions(req, ctx) {
      const gw = routeByAccount(deps, ctx, req.filter?.acctCode ?? "");
      const filter = executionFilterToIb(req.filter);
      const rows = await withCallDeadline(
        deps,
        ctx,
        () => `reqExecutions: no execDetailsEnd from gateway ${gw.name}`,
        (signal) =>
          gw.correlator.gather({
            request: "reqExecutions",
            send: (reqId) => gw.ib.reqExecutions(reqId, filter),
            items: {
              [EventName.execDetails]: (e): Row => ({ execDetails: execDetailsFromIb(e) }),
              // commissionReport carries no reqId: every report seen during the request is collected, and only
              // those of this request's executions are kept below.
              [EventName.commissionReport]: (e): Row => ({
                commissionReport: commissionReportFromIb(e.commissionReport),
              }),
            },
            end: EventName.execDetailsEnd,
            linger: { ms: COMMISSION_LINGER_MS, done: everyExecutionHasItsReport },
            noun: "executions",
            signal,
          }),
      );
      const execDetails: ExecDetails[] = [];
      const reports = new Map<string, CommissionReport>();
      for (const row of rows) {
        if ("execDetails" in row) execDetails.push(row.execDetails);
        else reports.set(row.commissionReport.execId, row.commissionReport);
      }
      const commissionReports = execDetails
        .map((x) => reports.get(x.execution?.execId ?? ""))
        .filter((r): r is CommissionReport => r !== undefined);
      return create(ReqExecutionsResponseSchema, { execDetails, commissionReports });
    },
  };
}

/** The linger can end early: every execution of the answer has its commission report. */
function everyExecutionHasItsReport(records: readonly IbRecord[]): boolean {
  const waiting = new Set<string>();
  for (const r of records) if (r.name === EventName.execDetails) waiting.add(r.event.execution.execId ?? "");
  for (const r of records)
    if (r.name === EventName.commissionReport) waiting.delete(r.event.commissionReport.execId ?? "");
  return waiting.size === 0;
}
