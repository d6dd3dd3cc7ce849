import type { HolidayCalendar } from "./holidays.js";
/**
 * What one tradable thing is: the contract fields IB identifies it by, the contract-details fields TWS reports for it,
 * and how its price moves. Field names follow @stoqey/ib's Contract / ContractDetails so the wire layer copies them.
 */

export type SecType = "STK" | "OPT" | "FUT" | "CASH" | "IND" | "BOND" | "FUND";
export type OptionRight = "C" | "P";

export interface InstrumentContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: SecType;
  /** yyyyMMdd for options / futures / bonds; "" otherwise. */
  readonly lastTradeDateOrContractMonth: string;
  readonly strike: number;
  readonly right: OptionRight | "";
  /** "" when 1 (stocks, forex...), as TWS reports it. */
  readonly multiplier: string;
  /** The exchange answered when a request leaves it empty: SMART where SMART routing exists. */
  readonly exchange: string;
  readonly primaryExch: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
}

/** The 17 fields TWS adds to contract details of a FUND (server version 179+). */
export interface FundFields {
  readonly fundName: string;
  readonly fundFamily: string;
  readonly fundType: string;
  readonly fundFrontLoad: string;
  readonly fundBackLoad: string;
  readonly fundBackLoadTimeInterval: string;
  readonly fundManagementFee: string;
  readonly fundClosed: boolean;
  readonly fundClosedForNewInvestors: boolean;
  readonly fundClosedForNewMoney: boolean;
  readonly fundNotifyAmount: string;
  readonly fundMinimumInitialPurchase: string;
  readonly fundSubsequentMinimumPurchase: string;
  readonly fundBlueSkyStates: string;
  readonly fundBlueSkyTerritories: string;
  /** "N" accumulation, "Y" income (IBApi's FundDistributionPolicyIndicator). */
  readonly fundDistributionPolicyIndicator: string;
  readonly fundAssetType: string;
}

/** What bondContractData carries beyond the common fields. */
export interface BondFields {
  readonly cusip: string;
  readonly ratings: string;
  readonly descAppend: string;
  readonly bondType: string;
  readonly couponType: string;
  readonly callable: boolean;
  readonly putable: boolean;
  readonly coupon: number;
  readonly convertible: boolean;
  /** yyyyMMdd */
  readonly maturity: string;
  /** yyyyMMdd */
  readonly issueDate: string;
  readonly nextOptionDate: string;
  readonly nextOptionType: string;
  readonly nextOptionPartial: boolean;
  readonly notes: string;
}

/**
 * Trading sessions in the instrument's own time zone, "HHmm-HHmm" local, on the listed ISO weekdays (1 = Monday).
 * The contracts layer renders TWS's tradingHours / liquidHours strings from this for the days around a request.
 */
export interface TradingSchedule {
  readonly timeZoneId: string;
  readonly weekdays: readonly number[];
  /** Full session (tradingHours), e.g. "0400-2000"; "0000-2400" trades all day. */
  readonly trading: string;
  /** Regular hours (liquidHours), e.g. "0930-1600". */
  readonly liquid: string;
  /** The exchange's full-day closures (bars, sessions, contract details' hours and orders all skip them). */
  readonly holidays?: HolidayCalendar;
}

export interface InstrumentDetails {
  readonly marketName: string;
  readonly minTick: number;
  readonly orderTypes: string;
  /** Every exchange the contract may be requested on, SMART first where it exists. */
  readonly validExchanges: readonly string[];
  readonly priceMagnifier: number;
  readonly underConId: number;
  readonly longName: string;
  readonly contractMonth: string;
  readonly industry: string;
  readonly category: string;
  readonly subcategory: string;
  readonly schedule: TradingSchedule;
  readonly evRule: string;
  readonly evMultiplier: number;
  readonly secIdList: ReadonlyArray<{ readonly tag: string; readonly value: string }>;
  readonly aggGroup: number;
  readonly underSymbol: string;
  readonly underSecType: string;
  /** One market rule id per entry of validExchanges (TWS's comma list is built from this). */
  readonly marketRuleId: number;
  readonly realExpirationDate: string;
  readonly stockType: string;
  readonly minSize: number;
  readonly sizeIncrement: number;
  readonly suggestedSizeIncrement: number;
  readonly ineligibilityReasons: ReadonlyArray<{ readonly id: string; readonly description: string }>;
  readonly fund?: FundFields;
  readonly bond?: BondFields;
}

/**
 * How the price moves. A "walk" instrument has its own seeded path; derived ones are a monotone function of their
 * underlying's path, so their bars follow from the underlying's bars (see market.ts).
 */
export type PriceModel =
  | { readonly kind: "walk"; readonly base: number; readonly annualVol: number }
  | {
      readonly kind: "option";
      readonly underConId: number;
      readonly strike: number;
      readonly right: OptionRight;
      /** Expiry instant (16:00 New York on the expiry date, as UTC ms). */
      readonly expiryMs: number;
      /** The strike's implied volatility (a smile around the underlying's volatility). */
      readonly impliedVol: number;
    }
  | {
      readonly kind: "future";
      readonly underConId: number;
      readonly expiryMs: number;
      /** Annual cost of carry: fair value = underlying * (1 + carry * years to expiry). */
      readonly carry: number;
    };

export interface Instrument {
  readonly contract: InstrumentContract;
  readonly details: InstrumentDetails;
  readonly model: PriceModel;
  /** Typical quote size in shares / contracts / units, the scale for bid/ask sizes, depth and trade sizes. */
  readonly lotSize: number;
}
