import { resolveOrReject } from "../market-data/resolve-contract.js";
import { tickOptionComputation } from "../messages/market-data.js";
import {
  cancelCalcImpliedVolatility,
  cancelCalcOptionPrice,
  reqCalcImpliedVolatility,
  reqCalcOptionPrice,
  setServerLogLevel,
} from "../messages/option-calculations.js";
import { TwsCode } from "../tws-codes.js";
import { blackScholes, type OptionValuation } from "../world/black-scholes.js";
import { YEAR_MS } from "../world/dates.js";
import { impliedVolatility } from "../world/implied-volatility.js";
import type { Instrument } from "../world/index.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** IB's tick type for an answer to calculateImpliedVolatility / calculateOptionPrice. */
const CUSTOM_OPTION_COMPUTATION = 53;

interface Computation {
  readonly impliedVol: number;
  readonly optPrice: number;
  readonly undPrice: number;
  readonly greeks: OptionValuation;
}

function optionOrReject(session: ClientSession, reqId: number, instrument: Instrument | undefined) {
  if (!instrument) return undefined;
  const { model } = instrument;
  if (model.kind !== "option") {
    session.sendError(reqId, TwsCode.VALIDATION_ERROR, invalid("not an option contract"));
    return undefined;
  }
  return {
    isCall: model.right === "C",
    strike: model.strike,
    years: (model.expiryMs - session.sim.clock.now()) / YEAR_MS,
  };
}

function positive(value: number | undefined): value is number {
  return value !== undefined && value > 0;
}

/** TWS's wording for a request it refuses on its values. */
function invalid(cause: string): string {
  return `Error validating request.-'bX' : cause - ${cause}`;
}

function sendComputation(session: ClientSession, reqId: number, c: Computation): void {
  session.send(tickOptionComputation, {
    tickerId: reqId,
    tickType: CUSTOM_OPTION_COMPUTATION,
    tickAttrib: 0,
    impliedVol: c.impliedVol,
    delta: c.greeks.delta,
    optPrice: c.optPrice,
    pvDividend: 0,
    gamma: c.greeks.gamma,
    vega: c.greeks.vega,
    theta: c.greeks.theta,
    undPrice: c.undPrice,
  });
}

export const optionCalculationHandlers: readonly RequestHandler[] = [
  onRequest(reqCalcImpliedVolatility, (session, request) => {
    const { reqId, optionPrice, underPrice } = request;
    const option = optionOrReject(session, reqId, resolveOrReject(session, reqId, request)?.instrument);
    if (!option) return;
    if (!positive(optionPrice) || !positive(underPrice)) {
      session.sendError(reqId, TwsCode.VALIDATION_ERROR, invalid("option and underlying prices must be positive"));
      return;
    }
    const vol = impliedVolatility(option.isCall, optionPrice, underPrice, option.strike, option.years);
    if (vol === undefined) {
      session.sendError(reqId, TwsCode.VALIDATION_ERROR, invalid("option price is outside its no-arbitrage bounds"));
      return;
    }
    const greeks = blackScholes(option.isCall, underPrice, option.strike, option.years, vol);
    sendComputation(session, reqId, { impliedVol: vol, optPrice: optionPrice, undPrice: underPrice, greeks });
  }),
  onRequest(reqCalcOptionPrice, (session, request) => {
    const { reqId, volatility, underPrice } = request;
    const option = optionOrReject(session, reqId, resolveOrReject(session, reqId, request)?.instrument);
    if (!option) return;
    if (!positive(volatility) || !positive(underPrice)) {
      session.sendError(reqId, TwsCode.VALIDATION_ERROR, invalid("volatility and underlying price must be positive"));
      return;
    }
    const greeks = blackScholes(option.isCall, underPrice, option.strike, option.years, volatility);
    sendComputation(session, reqId, { impliedVol: volatility, optPrice: greeks.price, undPrice: underPrice, greeks });
  }),
  // Answers are immediate: by the time a cancel arrives there is nothing left to stop.
  onRequest(cancelCalcImpliedVolatility, () => {}),
  onRequest(cancelCalcOptionPrice, () => {}),
  onRequest(setServerLogLevel, () => {}),
];
