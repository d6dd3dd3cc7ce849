import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import type { Contract } from "../../gen/ibrpc/v1/common_pb.js";
import {
  CalculateImpliedVolatilityResponseSchema,
  CalculateOptionPriceResponseSchema,
  type ContractService,
  ReqContractDetailsResponseSchema,
  ReqMarketRuleResponseSchema,
  ReqMatchingSymbolsResponseSchema,
  ReqSecDefOptParamsResponseSchema,
  ReqSmartComponentsResponseSchema,
  type SecurityDefinitionOptionalParameter,
} from "../../gen/ibrpc/v1/contract_pb.js";
import {
  contractDescriptionFromIb,
  contractDetailsFromIb,
  contractToIb,
  priceIncrementsFromIb,
  securityDefinitionOptionalParameterFromIb,
  smartComponentsFromIb,
  tickOptionComputationFromIb,
} from "../convert/index.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { askGateway, gatewayFor, type ServiceDeps, withCallDeadline } from "./call-context.js";

/**
 * ContractService: contract lookups, option chains, market rules and IB's option calculator. Each RPC is one IB
 * request gathered to its End marker (or its one answer); identical concurrent lookups share one request to IB.
 */

/** IB answers at most one reqMatchingSymbols per second per client; ibrpc spaces them instead of earning an error. */
export const MATCHING_SYMBOLS_INTERVAL_MS = 1_000;

export function contractService(deps: ServiceDeps): Partial<ServiceImpl<typeof ContractService>> {
  const matchingSymbolsTurns = new WeakMap<GatewayConnection, SpacedTurns>();

  return {
    async reqContractDetails(req, ctx) {
      const contract = contractToIb(req.contract as Contract);
      const details = await gatherFor(deps, ctx, "reqContractDetails", EventName.contractDetailsEnd, (gw, signal) =>
        gw.correlator.gather({
          request: "reqContractDetails",
          send: (reqId) => gw.ib.reqContractDetails(reqId, contract),
          items: {
            [EventName.contractDetails]: (e) => contractDetailsFromIb(e.contractDetails),
            [EventName.bondContractDetails]: (e) => contractDetailsFromIb(e.contractDetails),
          },
          end: EventName.contractDetailsEnd,
          share: `reqContractDetails:${JSON.stringify(contract)}`,
          noun: "contract details",
          signal,
        }),
      );
      return create(ReqContractDetailsResponseSchema, { contractDetails: details });
    },

    async reqMatchingSymbols(req, ctx) {
      const pattern = req.pattern.trim();
      const [descriptions = []] = await gatherFor(
        deps,
        ctx,
        "reqMatchingSymbols",
        EventName.symbolSamples,
        async (gw, signal) => {
          const turns = matchingSymbolsTurns.get(gw) ?? new SpacedTurns(MATCHING_SYMBOLS_INTERVAL_MS);
          matchingSymbolsTurns.set(gw, turns);
          const done = await turns.take(signal);
          try {
            return await gw.correlator.gather({
              request: "reqMatchingSymbols",
              send: (reqId) => gw.ib.reqMatchingSymbols(reqId, pattern),
              items: { [EventName.symbolSamples]: (e) => e.contractDescriptions.map(contractDescriptionFromIb) },
              end: EventName.symbolSamples,
              noun: "symbol samples",
              signal,
            });
          } finally {
            done();
          }
        },
      );
      return create(ReqMatchingSymbolsResponseSchema, { contractDescriptions: descriptions });
    },

    async reqSecDefOptParams(req, ctx) {
      const { underlyingSymbol, futFopExchange, underlyingSecType } = req;
      const conId = req.underlyingConId ?? 0;
      const chains = await gatherFor(
        deps,
        ctx,
        "reqSecDefOptParams",
        EventName.securityDefinitionOptionParameterEnd,
        (gw, signal) =>
          gw.correlator.gather({
            request: "reqSecDefOptParams",
            send: (reqId) =>
              gw.ib.reqSecDefOptParams(reqId, underlyingSymbol, futFopExchange, underlyingSecType, conId),
            items: { [EventName.securityDefinitionOptionParameter]: securityDefinitionOptionalParameterFromIb },
            end: EventName.securityDefinitionOptionParameterEnd,
            share: `reqSecDefOptParams:${JSON.stringify([underlyingSymbol, futFopExchange, underlyingSecType, conId])}`,
            noun: "option chains",
            signal,
          }),
      );
      return create(ReqSecDefOptParamsResponseSchema, { parameters: chains.map(sortedChain) });
    },

    async reqMarketRule(req, ctx) {
      const id = req.marketRuleId ?? 0;
      const { value: priceIncrements } = await askGateway(deps, ctx, {
        request: "reqMarketRule",
        answer: EventName.marketRule,
        send: (gw) => gw.ib.reqMarketRule(id),
        map: (e) => priceIncrementsFromIb(e.priceIncrements),
        share: `reqMarketRule:${id}`,
        // marketRule carries the rule id, not a reqId: only the answer for this id counts.
        isEnd: (e) => e.marketRuleId === id,
      });
      return create(ReqMarketRuleResponseSchema, { marketRuleId: id, priceIncrements });
    },

    async reqSmartComponents(req, ctx) {
      const bbo = req.bboExchange.trim();
      const [components = []] = await gatherFor(
        deps,
        ctx,
        "reqSmartComponents",
        EventName.smartComponents,
        (gw, signal) =>
          gw.correlator.gather({
            request: "reqSmartComponents",
            send: (reqId) => gw.ib.reqSmartComponents(reqId, bbo),
            items: { [EventName.smartComponents]: (e) => smartComponentsFromIb(e.theMap) },
            end: EventName.smartComponents,
            share: `reqSmartComponents:${bbo}`,
            noun: "answers",
            signal,
          }),
      );
      return create(ReqSmartComponentsResponseSchema, { smartComponents: components });
    },

    async calculateImpliedVolatility(req, ctx) {
      const contract = contractToIb(req.contract as Contract);
      const optionPrice = req.optionPrice ?? 0;
      const underPrice = req.underPrice ?? 0;
      const [computation] = await gatherFor(
        deps,
        ctx,
        "calculateImpliedVolatility",
        EventName.tickOptionComputation,
        (gw, signal) =>
          gw.correlator.gather({
            request: "calculateImpliedVolatility",
            send: (reqId) => gw.ib.calculateImpliedVolatility(reqId, contract, optionPrice, underPrice),
            items: { [EventName.tickOptionComputation]: tickOptionComputationFromIb },
            end: EventName.tickOptionComputation,
            // TWS keeps recomputing until told to stop.
            cancel: (reqId) => gw.ib.cancelCalculateImpliedVolatility(reqId),
            cancelAfterEnd: true,
            noun: "computations",
            signal,
          }),
      );
      return create(CalculateImpliedVolatilityResponseSchema, { tickOptionComputation: computation });
    },

    async calculateOptionPrice(req, ctx) {
      const contract = contractToIb(req.contract as Contract);
      const volatility = req.volatility ?? 0;
      const underPrice = req.underPrice ?? 0;
      const [computation] = await gatherFor(
        deps,
        ctx,
        "calculateOptionPrice",
        EventName.tickOptionComputation,
        (gw, signal) =>
          gw.correlator.gather({
            request: "calculateOptionPrice",
            send: (reqId) => gw.ib.calculateOptionPrice(reqId, contract, volatility, underPrice),
            items: { [EventName.tickOptionComputation]: tickOptionComputationFromIb },
            end: EventName.tickOptionComputation,
            cancel: (reqId) => gw.ib.cancelCalculateOptionPrice(reqId),
            cancelAfterEnd: true,
            noun: "computations",
            signal,
          }),
      );
      return create(CalculateOptionPriceResponseSchema, { tickOptionComputation: computation });
    },
  };
}

/** Picks the call's gateway and runs one gather within the call's deadline. */
function gatherFor<T>(
  deps: ServiceDeps,
  ctx: HandlerContext,
  request: string,
  end: string,
  work: (gw: GatewayConnection, signal: AbortSignal) => Promise<T[]>,
): Promise<T[]> {
  const gw = gatewayFor(deps, ctx);
  return withCallDeadline(
    deps,
    ctx,
    () => `${request}: no ${end} from gateway ${gw.name}`,
    (signal) => work(gw, signal),
  );
}

/** The contract promises expirations and strikes in order, whatever order IB listed them in. */
function sortedChain(chain: SecurityDefinitionOptionalParameter): SecurityDefinitionOptionalParameter {
  chain.expirations.sort();
  chain.strikes.sort((a, b) => a - b);
  return chain;
}

/**
 * One caller at a time, each at least `intervalMs` after the previous one started (FIFO, within each caller's own
 * deadline). For requests IB rate-limits on their own (reqMatchingSymbols: one per second).
 */
class SpacedTurns {
  private tail: Promise<void> = Promise.resolve();
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** Resolves with `done` once it is this caller's turn; rejects with the signal's reason if it gives up first. */
  async take(signal: AbortSignal): Promise<() => void> {
    let done!: () => void;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    try {
      await abortable(previous, signal);
      const wait = this.lastStart + this.intervalMs - performance.now();
      if (wait > 0) await abortable(new Promise((r) => setTimeout(r, wait).unref()), signal);
    } catch (err) {
      // Giving up must not hold the queue: the next caller goes once the previous one is done.
      void previous.then(done);
      throw err;
    }
    this.lastStart = performance.now();
    return done;
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
