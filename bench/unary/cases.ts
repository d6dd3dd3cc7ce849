/**
 * The requests bench/unary/unary.ts times, one row each: how to ask IB directly through IBApi, and the same request
 * as an ibrpc RPC. To add a case (ReqContractDetails, ReqPositions...), append a row: `direct` sends through the
 * bench's own IBApi and resolves when IB's answer is complete (its End marker); `method` + `request` are the RPC.
 */
import type { DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { EventName, type IBApi, SecType } from "@stoqey/ib";
import { AccountService } from "../../gen/ibrpc/v1/account_pb.js";
import { ConnectionService } from "../../gen/ibrpc/v1/connection_pb.js";
import { ContractService } from "../../gen/ibrpc/v1/contract_pb.js";

/** The bench's direct IBApi client: a reqId source and a wait for one event. */
export interface DirectClient {
  readonly ib: IBApi;
  nextReqId(): number;
  /** Runs `send`, resolves with the first `event` whose arguments `matches` accepts. */
  ask(send: () => void, event: EventName, matches?: (args: readonly unknown[]) => boolean): Promise<void>;
}

export interface UnaryCase {
  name: string;
  direct(client: DirectClient): Promise<void>;
  /**
   * IB messages one call sends (ReqPositions: the request and its cancel): the bench spaces calls by this so that
   * neither IB's 50 msg/s nor ibrpc's pacer (40/s) ever binds and latency is the stack's, not a queue's.
   */
  messages: number;
  // biome-ignore lint/suspicious/noExplicitAny: a table of different methods; each row's request matches its method.
  method: DescMethodUnary<any, any>;
  request: MessageInitShape<DescMethodUnary["input"]>;
}

const AAPL = { symbol: "AAPL", secType: "STK", exchange: "SMART", currency: "USD" } as const;

export const CASES: readonly UnaryCase[] = [
  {
    name: "ReqCurrentTime",
    direct: (c) => c.ask(() => c.ib.reqCurrentTime(), EventName.currentTime),
    messages: 1,
    method: ConnectionService.method.reqCurrentTime,
    request: {},
  },
  {
    name: "ReqContractDetails",
    direct: (c) => {
      const reqId = c.nextReqId();
      return c.ask(
        () => c.ib.reqContractDetails(reqId, { ...AAPL, secType: SecType.STK }),
        EventName.contractDetailsEnd,
        (args) => args[0] === reqId,
      );
    },
    messages: 1,
    method: ContractService.method.reqContractDetails,
    request: { contract: AAPL },
  },
  {
    // Every account's positions; both paths cancel the subscription after positionEnd, as ibrpc does.
    name: "ReqPositions",
    direct: (c) => c.ask(() => c.ib.reqPositions(), EventName.positionEnd).then(() => void c.ib.cancelPositions()),
    messages: 2,
    method: AccountService.method.reqPositions,
    request: {},
  },
];
