import { element } from "./xml.js";

/**
 * The scan codes the simulator ranks (see scanner.ts), with TWS's display names. Real TWS lists hundreds; these are the
 * ones trading programs use most and the ones whose ranking the simulated market can back.
 */
export const SCAN_TYPES = [
  { scanCode: "TOP_PERC_GAIN", displayName: "Top % Gainers" },
  { scanCode: "TOP_PERC_LOSE", displayName: "Top % Losers" },
  { scanCode: "MOST_ACTIVE", displayName: "Most Active" },
  { scanCode: "HOT_BY_VOLUME", displayName: "Hot Contracts by Volume" },
  { scanCode: "HOT_BY_PRICE", displayName: "Hot Contracts by Price" },
  { scanCode: "ALL_SYMBOLS_ASC", displayName: "All Symbols Ascending" },
  { scanCode: "ALL_SYMBOLS_DESC", displayName: "All Symbols Descending" },
] as const;

/** Location codes and the primary exchanges they cover; a code's children are narrower ones. */
export const SCAN_LOCATIONS: readonly { code: string; displayName: string; exchanges: readonly string[] }[] = [
  { code: "STK.US", displayName: "US Stocks", exchanges: ["NASDAQ", "NYSE", "ARCA", "AMEX"] },
  { code: "STK.US.MAJOR", displayName: "Listed/NASDAQ", exchanges: ["NASDAQ", "NYSE", "ARCA", "AMEX"] },
  { code: "STK.NASDAQ", displayName: "NASDAQ", exchanges: ["NASDAQ"] },
  { code: "STK.NYSE", displayName: "NYSE", exchanges: ["NYSE"] },
  { code: "STK.EU", displayName: "European Stocks", exchanges: ["IBIS", "LSE", "SBF", "AEB"] },
  { code: "STK.EU.IBIS", displayName: "XETRA", exchanges: ["IBIS"] },
  { code: "STK.EU.LSE", displayName: "London Stock Exchange", exchanges: ["LSE"] },
  { code: "STK.HK", displayName: "Asia-Pacific Stocks", exchanges: ["TSEJ", "SEHK", "ASX"] },
  { code: "STK.HK.TSE_JPN", displayName: "Tokyo Stock Exchange", exchanges: ["TSEJ"] },
];

/** Filter codes accepted in scannerSubscriptionFilterOptions, with the field they compare. */
export const SCAN_FILTERS = [
  { id: "PRICE", codes: ["priceAbove", "priceBelow"], category: "Price" },
  { id: "VOLUME", codes: ["volumeAbove", "volumeBelow"], category: "Volume" },
  { id: "CHANGEPERC", codes: ["changePercAbove", "changePercBelow"], category: "Price" },
  { id: "MKTCAP", codes: ["marketCapAbove1e6", "marketCapBelow1e6"], category: "Fundamentals" },
] as const;

function locationXml(code: string, displayName: string, children: string): string {
  const parts = [
    element("displayName", displayName),
    element("locationCode", code),
    element("instruments", "STK"),
    element("routeExchange", "SMART"),
  ];
  if (children) parts.push(`<LocationTree>${children}</LocationTree>`);
  return `<Location>${parts.join("")}</Location>`;
}

/** reqScannerParameters' answer: the shape of TWS's ScanParameterResponse, compact. */
export function scannerParametersXml(): string {
  const instruments = [
    ["US Stocks", "STK", "STK.US"],
    ["European Stocks", "STOCK.EU", "STK.EU"],
    ["Asia-Pacific Stocks", "STOCK.HK", "STK.HK"],
  ]
    .map(
      ([name, type, group]) =>
        `<Instrument>${element("name", name ?? "")}${element("type", type ?? "")}${element("filters", SCAN_FILTERS.map((filter) => filter.id).join(","))}${element("group", group ?? "")}${element("shortName", name ?? "")}</Instrument>`,
    )
    .join("");
  const topLevel = SCAN_LOCATIONS.filter((location) => location.code.split(".").length === 2);
  const locations = topLevel
    .map((parent) => {
      const children = SCAN_LOCATIONS.filter((child) => child !== parent && child.code.startsWith(`${parent.code}.`))
        .map((child) => locationXml(child.code, child.displayName, ""))
        .join("");
      return locationXml(parent.code, parent.displayName, children);
    })
    .join("");
  const scanTypes = SCAN_TYPES.map(
    (scan) =>
      `<ScanType>${element("displayName", scan.displayName)}${element("scanCode", scan.scanCode)}${element("instruments", "STK,STOCK.EU,STOCK.HK")}${element("absoluteColumns", "false")}${element("Columns", "")}</ScanType>`,
  ).join("");
  const filters = SCAN_FILTERS.map(
    (filter) =>
      `<RangeFilter>${element("id", filter.id)}${element("category", filter.category)}${filter.codes
        .map(
          (code) =>
            `<AbstractField type="DoubleField">${element("code", code)}${element("displayName", code)}</AbstractField>`,
        )
        .join("")}</RangeFilter>`,
  ).join("");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<ScanParameterResponse>",
    `<InstrumentList varName="instrumentList">${instruments}</InstrumentList>`,
    `<LocationTree varName="locationTree">${locations}</LocationTree>`,
    `<ScanTypeList varName="scanTypeList">${scanTypes}</ScanTypeList>`,
    `<FilterList varName="filterList">${filters}</FilterList>`,
    "</ScanParameterResponse>",
  ].join("\n");
}
