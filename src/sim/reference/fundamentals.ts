import { between, derivedRandom } from "./derived-random.js";
import type { ReferenceInstrument } from "./instruments.js";
import { element, escapeXml } from "./xml.js";

/** A company's seeded vital statistics: every report, and the scanner's market-cap filter, read the same numbers. */
export interface CompanyProfile {
  readonly sharesOutstanding: number;
  readonly employees: number;
  /** Annual revenue (millions, reporting currency), newest fiscal year first. */
  readonly revenue: readonly number[];
  readonly netMargin: number;
  readonly dividendPerShare: number;
  readonly bookValuePerShare: number;
}

const FISCAL_YEARS = 4;

export function companyProfile(seed: number, instrument: ReferenceInstrument): CompanyProfile {
  const random = derivedRandom(seed, "fundamentals", instrument.conId);
  const sharesOutstanding = Math.round(between(random, 200, 16_000, 1) * 1_000_000);
  const latestRevenue = between(random, 2_000, 400_000, 0);
  const revenue = [latestRevenue];
  for (let year = 1; year < FISCAL_YEARS; year++) {
    revenue.push(Math.round((revenue[year - 1] ?? latestRevenue) / (1 + between(random, -0.05, 0.2, 3))));
  }
  return {
    sharesOutstanding,
    employees: Math.round(between(random, 5, 400, 1) * 1000),
    revenue,
    netMargin: between(random, 0.03, 0.35, 3),
    dividendPerShare: random() < 0.3 ? 0 : between(random, 0.1, 4),
    bookValuePerShare: between(random, 2, 80),
  };
}

/** reqFundamentalData's report types, as TWS names them. */
export const FUNDAMENTAL_REPORT_TYPES = [
  "ReportSnapshot",
  "ReportsFinSummary",
  "ReportRatios",
  "ReportsFinStatements",
  "RESC",
] as const;
export type FundamentalReportType = (typeof FUNDAMENTAL_REPORT_TYPES)[number];

export function isFundamentalReportType(reportType: string): reportType is FundamentalReportType {
  return (FUNDAMENTAL_REPORT_TYPES as readonly string[]).includes(reportType);
}

export interface ReportInput {
  readonly seed: number;
  readonly instrument: ReferenceInstrument;
  readonly profile: CompanyProfile;
  readonly price: number;
  /** The fiscal year last reported (calendar years: fiscal year ends 31 December). */
  readonly lastFiscalYear: number;
  /** "yyyy-MM-dd" of the request, for LatestAvailableDate-style attributes. */
  readonly today: string;
}

function eps(input: ReportInput, yearsBack: number): number {
  const revenue = input.profile.revenue[yearsBack] ?? 0;
  return Math.round(((revenue * input.profile.netMargin * 1_000_000) / input.profile.sharesOutstanding) * 100) / 100;
}

function coIds(instrument: ReferenceInstrument): string {
  return `<CoIDs><CoID Type="RepNo">${escapeXml(`SIM${instrument.conId}`)}</CoID><CoID Type="CompanyName">${escapeXml(instrument.longName)}</CoID></CoIDs>`;
}

function ratios(input: ReportInput): string {
  const { profile, price, instrument } = input;
  const latestEps = eps(input, 0);
  const ratio = (name: string, value: number) => `<Ratio FieldName="${name}" Type="N">${value.toFixed(5)}</Ratio>`;
  return [
    `<Ratios PriceCurrency="${instrument.currency}" ReportingCurrency="${instrument.currency}" ExchangeRate="1.00000" LatestAvailableDate="${input.today}">`,
    `<Group ID="Price and Volume">${ratio("NPRICE", price)}${ratio("NHIG", price * 1.25)}${ratio("NLOW", price * 0.75)}</Group>`,
    `<Group ID="Income Statement">${ratio("MKTCAP", (price * profile.sharesOutstanding) / 1_000_000)}${ratio("TTMREV", profile.revenue[0] ?? 0)}${ratio("TTMEPSXCLX", latestEps)}</Group>`,
    `<Group ID="Valuation">${ratio("PEEXCLXOR", latestEps > 0 ? price / latestEps : 0)}${ratio("PRICE2BK", price / profile.bookValuePerShare)}</Group>`,
    `<Group ID="Dividend">${ratio("ADIVSHR", profile.dividendPerShare)}${ratio("YIELD", (profile.dividendPerShare / price) * 100)}</Group>`,
    "</Ratios>",
  ].join("");
}

function snapshot(input: ReportInput): string {
  const { instrument, profile } = input;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ReportSnapshot Major="1" Minor="0" Revision="1">',
    coIds(instrument),
    `<Issues><Issue ID="1" Type="C" Desc="Common Stock" Order="1"><IssueID Type="Ticker">${escapeXml(instrument.symbol)}</IssueID><Exchange Code="${escapeXml(instrument.primaryExchange)}">${escapeXml(instrument.primaryExchange)}</Exchange></Issue></Issues>`,
    `<CoGeneralInfo><CoStatus Code="1">Active</CoStatus><Employees LastUpdated="${input.today}">${profile.employees}</Employees><SharesOut Date="${input.today}" TotalFloat="${Math.round(profile.sharesOutstanding * 0.98)}">${profile.sharesOutstanding}</SharesOut><ReportingCurrency Code="${instrument.currency}">${instrument.currency}</ReportingCurrency></CoGeneralInfo>`,
    `<TextInfo><Text Type="Business Summary">${escapeXml(`${instrument.longName} is a simulated ${instrument.industry || "diversified"} company listed on ${instrument.primaryExchange}.`)}</Text></TextInfo>`,
    ratios(input),
    "</ReportSnapshot>",
  ].join("\n");
}

function finSummary(input: ReportInput): string {
  const years = input.profile.revenue.map((revenue, back) => ({
    year: input.lastFiscalYear - back,
    revenue,
    eps: eps(input, back),
  }));
  const asOf = (year: number) => `asofDate="${year}-12-31" reportType="A" period="12M"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<FinancialSummary>",
    `<EPSs>${years.map((y) => `<EPS ${asOf(y.year)}>${y.eps}</EPS>`).join("")}</EPSs>`,
    `<DividendPerShares currency="${input.instrument.currency}">${years.map((y) => `<DividendPerShare ${asOf(y.year)}>${input.profile.dividendPerShare}</DividendPerShare>`).join("")}</DividendPerShares>`,
    `<TotalRevenues currency="${input.instrument.currency}">${years.map((y) => `<TotalRevenue ${asOf(y.year)}>${y.revenue * 1_000_000}</TotalRevenue>`).join("")}</TotalRevenues>`,
    "</FinancialSummary>",
  ].join("\n");
}

function finStatements(input: ReportInput): string {
  const periods = input.profile.revenue
    .map((revenue, back) => {
      const year = input.lastFiscalYear - back;
      const netIncome = Math.round(revenue * input.profile.netMargin);
      const item = (code: string, value: number) => `<lineItem coaCode="${code}">${value}</lineItem>`;
      return `<FiscalPeriod Type="Annual" EndDate="${year}-12-31" FiscalYear="${year}"><Statement Type="INC">${item("RTLR", revenue)}${item("SGRP", Math.round(revenue * 0.4))}${item("NINC", netIncome)}</Statement><Statement Type="BAL">${item("ATOT", revenue * 2)}${item("QTLE", Math.round((input.profile.bookValuePerShare * input.profile.sharesOutstanding) / 1_000_000))}</Statement></FiscalPeriod>`;
    })
    .join("");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ReportFinancialStatements Major="1" Minor="0" Revision="1">',
    coIds(input.instrument),
    `<FinancialStatements><AnnualPeriods>${periods}</AnnualPeriods></FinancialStatements>`,
    "</ReportFinancialStatements>",
  ].join("\n");
}

function estimates(input: ReportInput): string {
  const next = input.lastFiscalYear + 1;
  const random = derivedRandom(input.seed, "estimates", input.instrument.conId, next);
  const mean = Math.round(eps(input, 0) * (1 + between(random, -0.05, 0.2, 3)) * 100) / 100;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<REPORT>",
    `<Company>${element("Name", input.instrument.longName)}${element("Ticker", input.instrument.symbol)}</Company>`,
    `<ConsEstimates><FYEstimates><FYEstimate type="EPS" unit="U"><FYPeriod periodType="A" fYear="${next}" endMonth="12"><ConsEstimate type="Mean"><ConsValue dateType="CURR">${mean}</ConsValue></ConsEstimate><ConsEstimate type="NumOfEst"><ConsValue dateType="CURR">${Math.floor(between(random, 5, 40, 0))}</ConsValue></ConsEstimate></FYPeriod></FYEstimate></FYEstimates></ConsEstimates>`,
    "</REPORT>",
  ].join("\n");
}

const REPORTS: Record<FundamentalReportType, (input: ReportInput) => string> = {
  ReportSnapshot: snapshot,
  ReportsFinSummary: finSummary,
  ReportRatios: (input) => ['<?xml version="1.0" encoding="UTF-8"?>', ratios(input)].join("\n"),
  ReportsFinStatements: finStatements,
  RESC: estimates,
};

export function fundamentalReport(reportType: FundamentalReportType, input: ReportInput): string {
  return REPORTS[reportType](input);
}

/** Only stocks have Reuters/Refinitiv fundamentals; TWS answers 430 for anything else. */
export function hasFundamentals(instrument: ReferenceInstrument): boolean {
  return instrument.secType === "STK";
}
