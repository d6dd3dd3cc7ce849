import { cancelFundamentalData, fundamentalData, reqFundamentalData } from "../messages/fundamentals.js";
import { compactDate, isoDate } from "../reference/calendar.js";
import { referenceFeeds } from "../reference/feeds.js";
import {
  companyProfile,
  fundamentalReport,
  hasFundamentals,
  isFundamentalReportType,
} from "../reference/fundamentals.js";
import {
  FUNDAMENTALS_UNAVAILABLE_TEXT,
  NO_SECURITY_DEFINITION_TEXT,
  ReferenceCode,
} from "../reference/reference-codes.js";
import { onRequest, type RequestHandler } from "./registry.js";

export const fundamentalsHandlers: readonly RequestHandler[] = [
  onRequest(reqFundamentalData, (session, request) => {
    const { world, seed } = referenceFeeds(session.sim);
    const instrument = world.find({
      conId: request.conId,
      symbol: request.symbol,
      secType: request.secType,
      currency: request.currency,
    });
    if (!instrument) {
      session.sendError(request.reqId, ReferenceCode.NO_SECURITY_DEFINITION, NO_SECURITY_DEFINITION_TEXT);
      return;
    }
    // TWS appends a short cause to the 430 text.
    if (!isFundamentalReportType(request.reportType)) {
      session.sendError(
        request.reqId,
        ReferenceCode.FUNDAMENTALS_UNAVAILABLE,
        `${FUNDAMENTALS_UNAVAILABLE_TEXT}Not allowed`,
      );
      return;
    }
    if (!hasFundamentals(instrument)) {
      session.sendError(
        request.reqId,
        ReferenceCode.FUNDAMENTALS_UNAVAILABLE,
        `${FUNDAMENTALS_UNAVAILABLE_TEXT}Failed to fetch`,
      );
      return;
    }
    const now = session.sim.clock.now();
    const data = fundamentalReport(request.reportType, {
      seed,
      instrument,
      profile: companyProfile(seed, instrument),
      price: world.quote(instrument.conId)?.last ?? 0,
      lastFiscalYear: Number(compactDate(now).slice(0, 4)) - 1,
      today: isoDate(now),
    });
    session.send(fundamentalData, { reqId: request.reqId, data });
  }),
  // Reports are answered at once, so there is never anything in flight to cancel.
  onRequest(cancelFundamentalData, () => {}),
];
