import {
  cancelScannerSubscription,
  reqScannerParameters,
  reqScannerSubscription,
  scannerData,
  scannerParameters,
} from "../messages/scanner.js";
import { referenceFeeds } from "../reference/feeds.js";
import { ReferenceCode, validationFailed } from "../reference/reference-codes.js";
import { isKnownScanCode, runScan, type ScanRequest } from "../reference/scanner.js";
import { scannerParametersXml } from "../reference/scanner-parameters.js";
import type { MessageValues } from "../wire/layout.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const SCANNER = "scanner";
/** TWS re-sends a subscription's rows about this often while it is open. */
export const SCANNER_REFRESH_MS = 30_000;

/** Built once: the document is a constant and it is the largest message of this area. */
let parametersXml: string | undefined;

function sendScan(session: ClientSession, reqId: number, request: ScanRequest): void {
  const { world, seed } = referenceFeeds(session.sim);
  const rows = runScan(world, seed, request).map((instrument, rank) => ({
    rank,
    conId: instrument.conId,
    symbol: instrument.symbol,
    secType: instrument.secType,
    lastTradeDateOrContractMonth: instrument.lastTradeDateOrContractMonth,
    strike: instrument.strike,
    right: instrument.right,
    exchange: instrument.exchange,
    currency: instrument.currency,
    localSymbol: instrument.localSymbol,
    marketName: instrument.marketName,
    tradingClass: instrument.tradingClass,
    distance: "",
    benchmark: "",
    projection: "",
    legsStr: "",
  }));
  session.send(scannerData, { reqId, rows });
}

function subscribe(session: ClientSession, request: MessageValues<typeof reqScannerSubscription>): void {
  if (!isKnownScanCode(request.scanCode)) {
    session.sendError(
      request.reqId,
      ReferenceCode.VALIDATION_FAILED,
      validationFailed(
        "sc",
        `scan code ${JSON.stringify(request.scanCode)} is not one of reqScannerParameters' scan types`,
      ),
    );
    return;
  }
  const scan: ScanRequest = {
    scanCode: request.scanCode,
    instrument: request.instrument,
    locationCode: request.locationCode,
    numberOfRows: request.numberOfRows,
    abovePrice: request.abovePrice,
    belowPrice: request.belowPrice,
    aboveVolume: request.aboveVolume,
    marketCapAbove: request.marketCapAbove,
    marketCapBelow: request.marketCapBelow,
    filterOptions: request.filterOptions ?? "",
  };
  sendScan(session, request.reqId, scan);
  const stop = session.sim.clock.every(SCANNER_REFRESH_MS, () => sendScan(session, request.reqId, scan));
  session.subscriptions.add(SCANNER, request.reqId, stop);
}

export const scannerHandlers: readonly RequestHandler[] = [
  onRequest(reqScannerParameters, (session) => {
    parametersXml ??= scannerParametersXml();
    session.send(scannerParameters, { xml: parametersXml });
  }),
  onRequest(reqScannerSubscription, subscribe),
  onRequest(cancelScannerSubscription, (session, request) => {
    session.subscriptions.cancel(SCANNER, request.reqId);
  }),
];
