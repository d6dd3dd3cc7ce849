import {
  cancelWshEventData,
  cancelWshMetaData,
  reqWshEventData,
  reqWshMetaData,
  wshEventData,
  wshMetaData,
} from "../messages/wsh.js";
import { DAY_MS, parseRequestDateTime } from "../reference/calendar.js";
import { referenceFeeds } from "../reference/feeds.js";
import { companyProfile } from "../reference/fundamentals.js";
import type { ReferenceInstrument } from "../reference/instruments.js";
import { NO_SECURITY_DEFINITION_TEXT, ReferenceCode, validationFailed } from "../reference/reference-codes.js";
import { WSH_EVENT_TYPES, type WshEventType, wshEvents, wshMetaDataJson } from "../reference/wsh.js";
import type { MessageValues } from "../wire/layout.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** With no dates, reqWshEventData covers the recent past and the coming quarter. */
const DEFAULT_LOOKBACK_MS = 30 * DAY_MS;
const DEFAULT_LOOKAHEAD_MS = 120 * DAY_MS;
/** TWS's cap on events per answer; also what totalLimit 0 means. */
const MAX_EVENTS = 100;
const WSH_REQUEST_TAG = "wsh";

type EventRequest = MessageValues<typeof reqWshEventData>;

interface Selection {
  readonly instruments: readonly ReferenceInstrument[];
  readonly types: ReadonlySet<WshEventType>;
}

/** Reads `filter` ({"watchlist": ["8314"], "wshe_ed": "true"}); a string when it cannot. */
function readFilter(filter: string): { watchlist: number[]; types: WshEventType[] } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(filter);
  } catch {
    return `filter is not JSON: ${JSON.stringify(filter)}`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "filter must be a JSON object";
  const fields = parsed as Record<string, unknown>;
  const watchlist = fields.watchlist ?? [];
  if (!Array.isArray(watchlist) || watchlist.some((conId) => !Number.isInteger(Number(conId)))) {
    return "filter.watchlist must be a list of conIds";
  }
  const types = WSH_EVENT_TYPES.map((type) => type.name).filter((name) =>
    [true, "true"].includes(fields[name] as never),
  );
  return { watchlist: watchlist.map(Number), types };
}

function select(session: ClientSession, request: EventRequest): Selection | { code: number; message: string } {
  const { world } = referenceFeeds(session.sim);
  const allTypes = new Set(WSH_EVENT_TYPES.map((type) => type.name));
  if (request.conId !== undefined && request.conId > 0) {
    const instrument = world.byConId(request.conId);
    if (!instrument) return { code: ReferenceCode.NO_SECURITY_DEFINITION, message: NO_SECURITY_DEFINITION_TEXT };
    return { instruments: [instrument], types: allTypes };
  }
  const filter = request.filter?.trim() ?? "";
  const read = filter === "" ? { watchlist: [], types: [] } : readFilter(filter);
  if (typeof read === "string")
    return { code: ReferenceCode.VALIDATION_FAILED, message: validationFailed(WSH_REQUEST_TAG, read) };
  const conIds = new Set(read.watchlist);
  // The simulated login's watchlist is every stock it lists; it has no competitor data, and portfolios live elsewhere.
  if (request.fillWatchlist) for (const instrument of world.instruments()) conIds.add(instrument.conId);
  if (conIds.size === 0) {
    return {
      code: ReferenceCode.VALIDATION_FAILED,
      message: validationFailed(WSH_REQUEST_TAG, "a conId, a filter watchlist or fillWatchlist is required"),
    };
  }
  const instruments: ReferenceInstrument[] = [];
  for (const conId of conIds) {
    const instrument = world.byConId(conId);
    if (!instrument) return { code: ReferenceCode.NO_SECURITY_DEFINITION, message: NO_SECURITY_DEFINITION_TEXT };
    instruments.push(instrument);
  }
  return { instruments, types: read.types.length > 0 ? new Set(read.types) : allTypes };
}

function answerEvents(session: ClientSession, request: EventRequest): void {
  const selection = select(session, request);
  if ("code" in selection) {
    session.sendError(request.reqId, selection.code, selection.message);
    return;
  }
  const now = session.sim.clock.now();
  const startText = request.startDate?.trim() ?? "";
  const endText = request.endDate?.trim() ?? "";
  const from = startText === "" ? now - DEFAULT_LOOKBACK_MS : parseRequestDateTime(startText);
  const to = endText === "" ? now + DEFAULT_LOOKAHEAD_MS : parseRequestDateTime(endText);
  if (from === undefined || to === undefined) {
    session.sendError(
      request.reqId,
      ReferenceCode.VALIDATION_FAILED,
      validationFailed(
        WSH_REQUEST_TAG,
        `dates must be yyyyMMdd, got ${JSON.stringify(from === undefined ? startText : endText)}`,
      ),
    );
    return;
  }
  const { seed } = referenceFeeds(session.sim);
  const limit =
    request.totalLimit !== undefined && request.totalLimit > 0 ? Math.min(request.totalLimit, MAX_EVENTS) : MAX_EVENTS;
  const events = wshEvents(
    seed,
    selection.instruments.map((instrument) => ({
      instrument,
      dividendPerShare: companyProfile(seed, instrument).dividendPerShare,
    })),
    selection.types,
    from,
    // Compared by day, so an end date includes its whole day.
    to,
    limit,
  );
  session.send(wshEventData, { reqId: request.reqId, dataJson: JSON.stringify(events) });
}

export const wshHandlers: readonly RequestHandler[] = [
  onRequest(reqWshMetaData, (session, request) => {
    session.send(wshMetaData, { reqId: request.reqId, dataJson: wshMetaDataJson() });
  }),
  onRequest(reqWshEventData, answerEvents),
  // Both are answered at once, so a cancel never finds anything in flight.
  onRequest(cancelWshMetaData, () => {}),
  onRequest(cancelWshEventData, () => {}),
];
