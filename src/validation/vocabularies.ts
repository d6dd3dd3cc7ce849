import { Vocabulary } from "../../gen/ibrpc/v1/validation_pb.js";

/**
 * The one place that says which IB strings ibrpc accepts. The wire keeps IB's own spelling ("STK", "BUY",
 * "STP LMT") instead of proto enums that would rename it; a field opts in with `(ibrpc.v1.field).vocabulary`.
 * Sets follow IB's Java API (com.ib.client.Types and the TWS API reference); extend them here when IB adds a value.
 */
export const VOCABULARIES: ReadonlyMap<Vocabulary, ReadonlySet<string>> = new Map<Vocabulary, ReadonlySet<string>>([
  [
    Vocabulary.SEC_TYPE,
    set("STK OPT FUT CONTFUT CASH BOND CFD FOP WAR IOPT FWD BAG IND BILL FUND FIXED SLB NEWS CMDTY BSK ICU ICS CRYPTO"),
  ],
  [Vocabulary.RIGHT, set("C P CALL PUT")],
  [Vocabulary.SEC_ID_TYPE, set("CUSIP SEDOL ISIN RIC FIGI")],
  [Vocabulary.ACTION, set("BUY SELL SSHORT SLONG")],
  [
    Vocabulary.ORDER_TYPE,
    new Set([
      "MKT",
      "LMT",
      "STP",
      "STP LMT",
      "REL",
      "TRAIL",
      "TRAIL LIMIT",
      "TRAIL LIT",
      "TRAIL MIT",
      "TRAIL LMT + MKT",
      "TRAIL REL + MKT",
      "BOX TOP",
      "FIX PEGGED",
      "LIT",
      "LMT + MKT",
      "LOC",
      "MIDPRICE",
      "MIT",
      "MKT PRT",
      "MOC",
      "MTL",
      "PASSV REL",
      "PEG BENCH",
      "PEG BEST",
      "PEG MID",
      "PEG MKT",
      "PEG PRIM",
      "PEG STK",
      "REL + LMT",
      "REL + MKT",
      "SNAP MID",
      "SNAP MKT",
      "SNAP PRIM",
      "STP PRT",
      "VOL",
      "VWAP",
      "QUOTE",
      "PPV",
      "PDV",
      "PMV",
      "PSV",
    ]),
  ],
  [Vocabulary.TIF, set("DAY GTC OPG IOC GTD GTT AUC FOK GTX DTC Minutes")],
  [
    Vocabulary.WHAT_TO_SHOW,
    set(
      "TRADES MIDPOINT BID ASK BID_ASK HISTORICAL_VOLATILITY OPTION_IMPLIED_VOLATILITY YIELD_ASK YIELD_BID " +
        "YIELD_BID_ASK YIELD_LAST ADJUSTED_LAST SCHEDULE AGGTRADES FEE_RATE",
    ),
  ],
  [
    Vocabulary.BAR_SIZE,
    new Set([
      "1 secs",
      "5 secs",
      "10 secs",
      "15 secs",
      "30 secs",
      "1 min",
      "2 mins",
      "3 mins",
      "5 mins",
      "10 mins",
      "15 mins",
      "20 mins",
      "30 mins",
      "1 hour",
      "2 hours",
      "3 hours",
      "4 hours",
      "8 hours",
      "1 day",
      "1 week",
      "1 month",
    ]),
  ],
  [Vocabulary.TICK_BY_TICK_TYPE, set("Last AllLast BidAsk MidPoint")],
  [Vocabulary.HISTORICAL_TICKS_WHAT_TO_SHOW, set("TRADES BID_ASK MIDPOINT")],
  [
    Vocabulary.ACCOUNT_SUMMARY_TAG,
    set(
      "AccountType NetLiquidation TotalCashValue SettledCash AccruedCash BuyingPower EquityWithLoanValue " +
        "PreviousDayEquityWithLoanValue GrossPositionValue RegTEquity RegTMargin SMA InitMarginReq MaintMarginReq " +
        "AvailableFunds ExcessLiquidity Cushion FullInitMarginReq FullMaintMarginReq FullAvailableFunds " +
        "FullExcessLiquidity LookAheadNextChange LookAheadInitMarginReq LookAheadMaintMarginReq " +
        "LookAheadAvailableFunds LookAheadExcessLiquidity HighestSeverity DayTradesRemaining Leverage " +
        "$LEDGER $LEDGER:ALL",
    ),
  ],
  [
    Vocabulary.FUNDAMENTAL_REPORT_TYPE,
    set("ReportSnapshot ReportsFinSummary ReportRatios ReportsFinStatements RESC ReportsOwnership CalendarReport"),
  ],
  [Vocabulary.CONJUNCTION, set("AND OR")],
  [Vocabulary.EXECUTION_SIDE, set("BUY SELL")],
  [Vocabulary.REAL_TIME_BARS_WHAT_TO_SHOW, set("TRADES MIDPOINT BID ASK")],
  [Vocabulary.RULE_80A, set("I A W J U M K Y N")],
  [Vocabulary.OPEN_CLOSE, set("O C")],
  [Vocabulary.HEDGE_TYPE, set("D B F P")],
  [
    Vocabulary.FA_METHOD,
    set("EqualQuantity NetLiq AvailableEquity PctChange AvailableFunds NetLiquidity ContractsOrShares Ratio Percent"),
  ],
]);

/** `$LEDGER:<currency>` is the one open-ended account summary tag. */
const LEDGER_CURRENCY = /^\$LEDGER:[A-Z]{3}$/;

/** Whether `value` belongs to the vocabulary (unknown vocabularies accept nothing, so a typo fails loudly). */
export function inVocabulary(vocabulary: Vocabulary, value: string): boolean {
  if (VOCABULARIES.get(vocabulary)?.has(value)) return true;
  return vocabulary === Vocabulary.ACCOUNT_SUMMARY_TAG && LEDGER_CURRENCY.test(value);
}

function set(words: string): ReadonlySet<string> {
  return new Set(words.split(" "));
}
