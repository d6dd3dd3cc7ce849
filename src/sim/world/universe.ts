import { DAY_MS, nextThirdFridays, usExpiryInstant, yyyymmdd } from "./dates.js";
import type { Instrument, InstrumentDetails, OptionRight, TradingSchedule } from "./instruments.js";

/**
 * The simulator's fixed universe. conIds of the listed instruments are IB's real ones where well known (AAPL 265598,
 * SPX 416904, EUR.USD 12087792...) and invented otherwise; generated ones (options, futures) are numbered in a fixed
 * order from the start date, so the same seed and start give the same ids.
 */

export const US_EQUITY: TradingSchedule = {
  timeZoneId: "US/Eastern",
  weekdays: [1, 2, 3, 4, 5],
  trading: "0400-2000",
  liquid: "0930-1600",
  holidays: "US",
};
const US_OPTIONS: TradingSchedule = { ...US_EQUITY, trading: "0930-1600" };
const CME_EQUITY: TradingSchedule = {
  timeZoneId: "US/Central",
  weekdays: [1, 2, 3, 4, 5],
  trading: "0000-2400",
  liquid: "0830-1500",
  holidays: "US",
};
const FOREX: TradingSchedule = {
  timeZoneId: "US/Eastern",
  weekdays: [1, 2, 3, 4, 5],
  trading: "0000-2400",
  liquid: "0000-2400",
  holidays: "FX",
};
const LONDON: TradingSchedule = {
  timeZoneId: "Europe/London",
  weekdays: [1, 2, 3, 4, 5],
  trading: "0800-1630",
  liquid: "0800-1630",
  holidays: "LSE",
};
const XETRA: TradingSchedule = {
  timeZoneId: "MET",
  weekdays: [1, 2, 3, 4, 5],
  trading: "0900-1730",
  liquid: "0900-1730",
  holidays: "XETRA",
};
const TOKYO: TradingSchedule = {
  timeZoneId: "Japan",
  weekdays: [1, 2, 3, 4, 5],
  trading: "0900-1530",
  liquid: "0900-1530",
  holidays: "TSE",
};

/** Market rule ids (see MARKET_RULES in market-rules.ts). */
export const RuleId = {
  US_STOCK: 26,
  OPTION: 110,
  FUTURE_QUARTER: 67,
  FOREX: 239,
  INDEX: 1,
  BOND: 1048,
  FUND: 1,
  EU_STOCK: 1583,
  JP_STOCK: 1640,
} as const;

const STOCK_ORDER_TYPES =
  "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,BENCHPX,COND,CONDORDER,DARKONLY,DARKPOLL,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,LIT,LMT,LOC,MIT,MKT,MOC,MTL,NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,PEGMID,POSTATS,POSTONLY,PREOPGRTH,PRICECHK,REL,REL2MID,RELPCTOFS,RPI,RTH,SCALE,SCALEODD,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF";
const DERIVATIVE_ORDER_TYPES =
  "ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,MIT,MKT,MTL,NGCOMB,NONALGO,OCA,OPENCLOSE,PEGMIDVOL,PEGMKTVOL,PEGPRIMVOL,PEGSRFVOL,POSTONLY,PRICECHK,REL,REL2MID,RELPCTOFS,SCALE,SCALERST,SIZECHK,SMARTSTG,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,VOLAT,WHATIF";
const FOREX_ORDER_TYPES =
  "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,CASH,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,IOC,LIT,LMT,MIT,MKT,NONALGO,OCA,REL,RELPCTOFS,SCALE,SCALERST,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF";

const NO_EXTRA_DETAILS = {
  priceMagnifier: 1,
  underConId: 0,
  contractMonth: "",
  evRule: "",
  evMultiplier: 0,
  aggGroup: 1,
  underSymbol: "",
  underSecType: "",
  realExpirationDate: "",
  stockType: "",
  minSize: 1,
  sizeIncrement: 1,
  suggestedSizeIncrement: 100,
  ineligibilityReasons: [],
} satisfies Partial<InstrumentDetails>;

interface StockSpec {
  conId: number;
  symbol: string;
  longName: string;
  primaryExch: string;
  currency: string;
  validExchanges: string[];
  industry: string;
  category: string;
  subcategory: string;
  isin: string;
  base: number;
  annualVol: number;
  schedule: TradingSchedule;
  marketRuleId: number;
  minTick?: number;
  stockType?: string;
}

function stock(spec: StockSpec): Instrument {
  const smart = spec.validExchanges[0] === "SMART";
  return {
    contract: {
      conId: spec.conId,
      symbol: spec.symbol,
      secType: "STK",
      lastTradeDateOrContractMonth: "",
      strike: 0,
      right: "",
      multiplier: "",
      exchange: smart ? "SMART" : spec.primaryExch,
      primaryExch: spec.primaryExch,
      currency: spec.currency,
      localSymbol: spec.symbol,
      tradingClass: spec.symbol,
    },
    details: {
      ...NO_EXTRA_DETAILS,
      marketName: spec.symbol,
      minTick: spec.minTick ?? 0.01,
      orderTypes: STOCK_ORDER_TYPES,
      validExchanges: spec.validExchanges,
      longName: spec.longName,
      industry: spec.industry,
      category: spec.category,
      subcategory: spec.subcategory,
      schedule: spec.schedule,
      secIdList: [{ tag: "ISIN", value: spec.isin }],
      marketRuleId: spec.marketRuleId,
      stockType: spec.stockType ?? "COMMON",
    },
    model: { kind: "walk", base: spec.base, annualVol: spec.annualVol },
    lotSize: 100,
  };
}

const US_STOCK_EXCHANGES = ["SMART", "AMEX", "NYSE", "CBOE", "PHLX", "ISE", "CHX", "ARCA", "NASDAQ", "BATS", "IEX"];
const TECH = { industry: "Technology", category: "Computers", subcategory: "Computers" };

export const AAPL_CONID = 265598;
export const SPX_CONID = 416904;

const STOCKS: Instrument[] = [
  stock({
    conId: AAPL_CONID,
    symbol: "AAPL",
    longName: "APPLE INC",
    primaryExch: "NASDAQ",
    currency: "USD",
    validExchanges: US_STOCK_EXCHANGES,
    ...TECH,
    isin: "US0378331005",
    base: 190,
    annualVol: 0.28,
    schedule: US_EQUITY,
    marketRuleId: RuleId.US_STOCK,
  }),
  stock({
    conId: 272093,
    symbol: "MSFT",
    longName: "MICROSOFT CORP",
    primaryExch: "NASDAQ",
    currency: "USD",
    validExchanges: US_STOCK_EXCHANGES,
    industry: "Technology",
    category: "Software",
    subcategory: "Applications Software",
    isin: "US5949181045",
    base: 410,
    annualVol: 0.25,
    schedule: US_EQUITY,
    marketRuleId: RuleId.US_STOCK,
  }),
  stock({
    conId: 8314,
    symbol: "IBM",
    longName: "INTL BUSINESS MACHINES CORP",
    primaryExch: "NYSE",
    currency: "USD",
    validExchanges: US_STOCK_EXCHANGES,
    ...TECH,
    isin: "US4592001014",
    base: 165,
    annualVol: 0.22,
    schedule: US_EQUITY,
    marketRuleId: RuleId.US_STOCK,
  }),
  stock({
    conId: 80024,
    symbol: "SHEL",
    longName: "SHELL PLC",
    primaryExch: "LSE",
    currency: "GBP",
    validExchanges: ["SMART", "LSE", "CHIXUK", "BATEUK", "TRQXUK"],
    industry: "Energy",
    category: "Oil&Gas",
    subcategory: "Oil Comp-Integrated",
    isin: "GB00BP6MXD84",
    base: 26.5,
    annualVol: 0.24,
    schedule: LONDON,
    marketRuleId: RuleId.EU_STOCK,
    minTick: 0.005,
  }),
  stock({
    conId: 14204,
    symbol: "SAP",
    longName: "SAP SE",
    primaryExch: "IBIS",
    currency: "EUR",
    validExchanges: ["SMART", "IBIS", "FWB", "GETTEX", "TGATE", "SWB"],
    industry: "Technology",
    category: "Software",
    subcategory: "Enterprise Software/Serv",
    isin: "DE0007164600",
    base: 230,
    annualVol: 0.26,
    schedule: XETRA,
    marketRuleId: RuleId.EU_STOCK,
    minTick: 0.05,
  }),
  stock({
    conId: 13905,
    symbol: "7203",
    longName: "TOYOTA MOTOR CORP",
    primaryExch: "TSEJ",
    currency: "JPY",
    validExchanges: ["SMART", "TSEJ", "CHIXJ"],
    industry: "Consumer, Cyclical",
    category: "Auto Manufacturers",
    subcategory: "Auto-Cars/Light Trucks",
    isin: "JP3633400001",
    base: 2800,
    annualVol: 0.27,
    schedule: TOKYO,
    marketRuleId: RuleId.JP_STOCK,
    minTick: 0.5,
  }),
];

function forexPair(conId: number, base: string, quote: string, rate: number, minTick: number): Instrument {
  const pair = `${base}.${quote}`;
  return {
    contract: {
      conId,
      symbol: base,
      secType: "CASH",
      lastTradeDateOrContractMonth: "",
      strike: 0,
      right: "",
      multiplier: "",
      exchange: "IDEALPRO",
      primaryExch: "",
      currency: quote,
      localSymbol: pair,
      tradingClass: pair,
    },
    details: {
      ...NO_EXTRA_DETAILS,
      marketName: pair,
      minTick,
      orderTypes: FOREX_ORDER_TYPES,
      validExchanges: ["IDEALPRO"],
      longName: `${base} ${quote}`,
      industry: "",
      category: "",
      subcategory: "",
      schedule: FOREX,
      secIdList: [],
      marketRuleId: RuleId.FOREX,
      minSize: 1,
      sizeIncrement: 1,
      suggestedSizeIncrement: 20000,
    },
    model: { kind: "walk", base: rate, annualVol: 0.08 },
    lotSize: 1_000_000,
  };
}

const FOREX_PAIRS: Instrument[] = [
  forexPair(12087792, "EUR", "USD", 1.085, 0.00005),
  forexPair(12087797, "GBP", "USD", 1.27, 0.00005),
  forexPair(15016059, "USD", "JPY", 151.2, 0.005),
];

const SPX: Instrument = {
  contract: {
    conId: SPX_CONID,
    symbol: "SPX",
    secType: "IND",
    lastTradeDateOrContractMonth: "",
    strike: 0,
    right: "",
    multiplier: "",
    exchange: "CBOE",
    primaryExch: "",
    currency: "USD",
    localSymbol: "SPX",
    tradingClass: "SPX",
  },
  details: {
    ...NO_EXTRA_DETAILS,
    marketName: "SPX",
    minTick: 0.01,
    orderTypes: "",
    validExchanges: ["CBOE"],
    longName: "S&P 500 Stock Index",
    industry: "Indices",
    category: "Broad Range Equity Index",
    subcategory: "*",
    schedule: US_OPTIONS,
    secIdList: [],
    marketRuleId: RuleId.INDEX,
    aggGroup: 2147483647,
  },
  model: { kind: "walk", base: 5200, annualVol: 0.16 },
  lotSize: 1,
};

const BOND: Instrument = {
  contract: {
    conId: 573123951,
    symbol: "IBCID573123951",
    secType: "BOND",
    lastTradeDateOrContractMonth: "20341115",
    strike: 0,
    right: "",
    multiplier: "",
    exchange: "SMART",
    primaryExch: "",
    currency: "USD",
    localSymbol: "912810TM0",
    tradingClass: "",
  },
  details: {
    ...NO_EXTRA_DETAILS,
    marketName: "US-T",
    minTick: 0.0001,
    orderTypes: "LMT,MKT,WHATIF",
    validExchanges: ["SMART", "BONDDESK"],
    longName: "United States Treasury",
    industry: "Government",
    category: "Sovereign",
    subcategory: "US Treasury",
    schedule: { ...US_EQUITY, trading: "0800-1700", liquid: "0930-1600" },
    secIdList: [{ tag: "CUSIP", value: "912810TM0" }],
    marketRuleId: RuleId.BOND,
    minSize: 1,
    sizeIncrement: 1,
    suggestedSizeIncrement: 10,
    aggGroup: 4,
    bond: {
      cusip: "912810TM0",
      ratings: "Aaa",
      descAppend: "T 4 1/4 11/15/34",
      bondType: "US Treasury",
      couponType: "FIXED",
      callable: false,
      putable: false,
      coupon: 4.25,
      convertible: false,
      maturity: "20341115",
      issueDate: "20241115",
      nextOptionDate: "",
      nextOptionType: "",
      nextOptionPartial: false,
      notes: "",
    },
  },
  // Quoted in percent of par; a quantity of 1 is one $1000 bond (see valueMultiplier).
  model: { kind: "walk", base: 98.75, annualVol: 0.06 },
  lotSize: 100,
};

const FUND: Instrument = {
  contract: {
    conId: 45317765,
    symbol: "VFIAX",
    secType: "FUND",
    lastTradeDateOrContractMonth: "",
    strike: 0,
    right: "",
    multiplier: "",
    exchange: "FUNDSERV",
    primaryExch: "FUNDSERV",
    currency: "USD",
    localSymbol: "VFIAX",
    tradingClass: "VFIAX",
  },
  details: {
    ...NO_EXTRA_DETAILS,
    marketName: "VFIAX",
    minTick: 0.01,
    orderTypes: "DAY,MKT,WHATIF",
    validExchanges: ["FUNDSERV"],
    longName: "VANGUARD 500 INDEX FUND ADMIRAL",
    industry: "Funds",
    category: "Equity Fund",
    subcategory: "Large Blend",
    schedule: US_OPTIONS,
    secIdList: [{ tag: "ISIN", value: "US9229087104" }],
    marketRuleId: RuleId.FUND,
    minSize: 0.001,
    sizeIncrement: 0.001,
    suggestedSizeIncrement: 1,
    fund: {
      fundName: "Vanguard 500 Index Fund Admiral Shares",
      fundFamily: "Vanguard",
      fundType: "Equity",
      fundFrontLoad: "0",
      fundBackLoad: "0",
      fundBackLoadTimeInterval: "0",
      fundManagementFee: "0.04",
      fundClosed: false,
      fundClosedForNewInvestors: false,
      fundClosedForNewMoney: false,
      fundNotifyAmount: "0",
      fundMinimumInitialPurchase: "3000",
      fundSubsequentMinimumPurchase: "1",
      fundBlueSkyStates: "ALL",
      fundBlueSkyTerritories: "ALL",
      fundDistributionPolicyIndicator: "Y",
      fundAssetType: "Equity",
    },
  },
  model: { kind: "walk", base: 480, annualVol: 0.15 },
  lotSize: 1,
};

/** Options and futures conIds start here, numbered in catalog order. */
const FIRST_GENERATED_CONID = 700_000_001;

const AAPL_STRIKE_STEP = 5;
const AAPL_STRIKES_EACH_SIDE = 8;
const OPTION_EXCHANGES = [
  "SMART",
  "AMEX",
  "BATS",
  "BOX",
  "CBOE",
  "CBOE2",
  "EDGX",
  "EMERALD",
  "ISE",
  "MIAX",
  "NASDAQOM",
  "PHLX",
  "PSE",
];

/** IB's OCC-style option local symbol: "AAPL  250117C00190000". */
function occSymbol(root: string, expiry: string, right: OptionRight, strike: number): string {
  return `${root.padEnd(6)}${expiry.slice(2)}${right}${String(Math.round(strike * 1000)).padStart(8, "0")}`;
}

/** Implied volatility smile: higher away from the money, a little higher for lower strikes (equity skew). */
function smile(baseVol: number, strike: number, spot: number): number {
  const moneyness = Math.log(strike / spot);
  return baseVol * (1 + 1.2 * moneyness * moneyness - 0.25 * moneyness);
}

function aaplOptions(startMs: number, nextConId: () => number): Instrument[] {
  const under = STOCKS[0] as Instrument;
  if (under.model.kind !== "walk") throw new Error("AAPL must be a walk instrument");
  const spot = under.model.base;
  const center = Math.round(spot / AAPL_STRIKE_STEP) * AAPL_STRIKE_STEP;
  // Three monthlies and a quarterly further out: a chain with several expiries, as reqSecDefOptParams shows.
  const monthlies = nextThirdFridays(startMs, 3);
  const quarterly = nextThirdFridays((monthlies.at(-1) ?? startMs) + DAY_MS, 1, (month) => month % 3 === 2);
  const options: Instrument[] = [];
  for (const expiryDay of [...monthlies, ...quarterly]) {
    const expiry = yyyymmdd(expiryDay);
    for (let step = -AAPL_STRIKES_EACH_SIDE; step <= AAPL_STRIKES_EACH_SIDE; step++) {
      const strike = center + step * AAPL_STRIKE_STEP;
      for (const right of ["C", "P"] as const) {
        options.push({
          contract: {
            conId: nextConId(),
            symbol: "AAPL",
            secType: "OPT",
            lastTradeDateOrContractMonth: expiry,
            strike,
            right,
            multiplier: "100",
            exchange: "SMART",
            primaryExch: "",
            currency: "USD",
            localSymbol: occSymbol("AAPL", expiry, right, strike),
            tradingClass: "AAPL",
          },
          details: {
            ...NO_EXTRA_DETAILS,
            marketName: "AAPL",
            minTick: 0.01,
            orderTypes: DERIVATIVE_ORDER_TYPES,
            validExchanges: OPTION_EXCHANGES,
            underConId: AAPL_CONID,
            longName: "APPLE INC",
            contractMonth: expiry.slice(0, 6),
            industry: TECH.industry,
            category: TECH.category,
            subcategory: TECH.subcategory,
            schedule: US_OPTIONS,
            secIdList: [],
            aggGroup: 2,
            underSymbol: "AAPL",
            underSecType: "STK",
            marketRuleId: RuleId.OPTION,
            realExpirationDate: expiry,
            suggestedSizeIncrement: 1,
          },
          model: {
            kind: "option",
            underConId: AAPL_CONID,
            strike,
            right,
            expiryMs: usExpiryInstant(expiryDay),
            impliedVol: smile(under.model.annualVol, strike, spot),
          },
          lotSize: 10,
        });
      }
    }
  }
  return options;
}

const FUTURE_MONTH_CODES = "FGHJKMNQUVXZ";

function esFutures(startMs: number, nextConId: () => number): Instrument[] {
  return nextThirdFridays(startMs, 2, (month) => month % 3 === 2).map((expiryDay) => {
    const expiry = yyyymmdd(expiryDay);
    const month = new Date(expiryDay).getUTCMonth();
    return {
      contract: {
        conId: nextConId(),
        symbol: "ES",
        secType: "FUT",
        lastTradeDateOrContractMonth: expiry,
        strike: 0,
        right: "",
        multiplier: "50",
        exchange: "CME",
        primaryExch: "",
        currency: "USD",
        localSymbol: `ES${FUTURE_MONTH_CODES[month]}${expiry[3]}`,
        tradingClass: "ES",
      },
      details: {
        ...NO_EXTRA_DETAILS,
        marketName: "ES",
        minTick: 0.25,
        orderTypes: DERIVATIVE_ORDER_TYPES,
        validExchanges: ["CME", "QBALGO"],
        underConId: SPX_CONID,
        longName: "E-mini S&P 500",
        contractMonth: expiry.slice(0, 6),
        industry: "",
        category: "",
        subcategory: "",
        schedule: CME_EQUITY,
        secIdList: [],
        aggGroup: 2,
        underSymbol: "ES",
        underSecType: "IND",
        marketRuleId: RuleId.FUTURE_QUARTER,
        realExpirationDate: expiry,
        suggestedSizeIncrement: 1,
      },
      model: { kind: "future", underConId: SPX_CONID, expiryMs: usExpiryInstant(expiryDay), carry: 0.012 },
      lotSize: 20,
    } satisfies Instrument;
  });
}

/** Every instrument, for a simulator started at `startMs` (which decides the listed expiries). */
export function buildUniverse(startMs: number): Instrument[] {
  let conId = FIRST_GENERATED_CONID;
  const nextConId = () => conId++;
  return [
    ...STOCKS,
    ...FOREX_PAIRS,
    SPX,
    BOND,
    FUND,
    ...aaplOptions(startMs, nextConId),
    ...esFutures(startMs, nextConId),
  ];
}
