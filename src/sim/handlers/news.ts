import {
  cancelNewsBulletins,
  historicalNews,
  historicalNewsEnd,
  newsArticle,
  newsBulletins,
  newsProviders,
  reqHistoricalNews,
  reqNewsArticle,
  reqNewsBulletins,
  reqNewsProviders,
} from "../messages/news.js";
import { DAY_MS, newsTime, parseRequestDateTime } from "../reference/calendar.js";
import { referenceFeeds } from "../reference/feeds.js";
import { BULLETIN_PERIOD_MS, type Bulletin, bulletinAt, isNewsProvider, NEWS_PROVIDERS } from "../reference/news.js";
import {
  NEWS_FEED_NOT_ALLOWED_TEXT,
  NO_SECURITY_DEFINITION_TEXT,
  ReferenceCode,
  validationFailed,
} from "../reference/reference-codes.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

/** A session has one bulletin subscription, so its registry key is constant. */
const BULLETINS = "newsBulletins";
const BULLETIN_SUBSCRIPTION = 0;
/** How many of the day's earlier bulletins reqNewsBulletins(allMsgs = true) replays first. */
const BULLETIN_BACKLOG = 3;
/** TWS serves 1..300 headlines per reqHistoricalNews. */
const MAX_HISTORICAL_HEADLINES = 300;
/** With no start time, reqHistoricalNews looks this far back from its end. */
const DEFAULT_NEWS_LOOKBACK_MS = 7 * DAY_MS;
/** A missing or malformed article id: TWS reports it as a failed request. */
const ARTICLE_REQUEST_TAG = "na";

function sendBulletin(session: ClientSession, bulletin: Bulletin): void {
  session.send(newsBulletins, {
    msgId: bulletin.msgId,
    msgType: bulletin.type,
    message: bulletin.message,
    originExchange: bulletin.originExchange,
  });
}

function subscribeBulletins(session: ClientSession, allMsgs: boolean): void {
  const { seed, world } = referenceFeeds(session.sim);
  const symbols = world.instruments().map((instrument) => instrument.symbol);
  const slotNow = () => Math.floor(session.sim.clock.now() / BULLETIN_PERIOD_MS);
  let lastSent = slotNow();
  if (allMsgs) {
    for (let slot = lastSent - BULLETIN_BACKLOG + 1; slot <= lastSent; slot++)
      sendBulletin(session, bulletinAt(seed, slot, symbols));
  }
  // Slots, not timer firings, decide what is sent: a late or early real timer neither repeats nor skips a bulletin.
  const stop = session.sim.clock.every(BULLETIN_PERIOD_MS, () => {
    const current = slotNow();
    for (let slot = Math.max(lastSent + 1, current - BULLETIN_BACKLOG + 1); slot <= current; slot++) {
      sendBulletin(session, bulletinAt(seed, slot, symbols));
    }
    lastSent = Math.max(lastSent, current);
  });
  session.subscriptions.add(BULLETINS, BULLETIN_SUBSCRIPTION, stop);
}

function answerHistoricalNews(
  session: ClientSession,
  request: {
    reqId: number;
    conId: number;
    providerCodes: string;
    startDateTime: string;
    endDateTime: string;
    totalResults: number;
  },
): void {
  const { world, news } = referenceFeeds(session.sim);
  const instrument = world.byConId(request.conId);
  if (!instrument) {
    session.sendError(request.reqId, ReferenceCode.NO_SECURITY_DEFINITION, NO_SECURITY_DEFINITION_TEXT);
    return;
  }
  const requested = request.providerCodes
    .split("+")
    .map((code) => code.trim())
    .filter((code) => code !== "");
  const providers = requested.filter(isNewsProvider);
  if (providers.length === 0 || providers.length < requested.length) {
    session.sendError(request.reqId, ReferenceCode.NEWS_FEED_NOT_ALLOWED, NEWS_FEED_NOT_ALLOWED_TEXT);
    return;
  }
  const now = session.sim.clock.now();
  const end = request.endDateTime.trim() === "" ? now : parseRequestDateTime(request.endDateTime);
  const start = request.startDateTime.trim() === "" ? undefined : parseRequestDateTime(request.startDateTime);
  if (end === undefined || (request.startDateTime.trim() !== "" && start === undefined)) {
    session.sendError(
      request.reqId,
      ReferenceCode.VALIDATION_FAILED,
      validationFailed(
        "hn",
        `invalid date-time ${JSON.stringify(start === undefined ? request.startDateTime : request.endDateTime)}`,
      ),
    );
    return;
  }
  // Nothing is published after "now", whatever the end asked for.
  const to = Math.min(end, now);
  const from = start ?? to - DEFAULT_NEWS_LOOKBACK_MS;
  const limit = Math.min(Math.max(request.totalResults, 1), MAX_HISTORICAL_HEADLINES);
  const { rows, hasMore } = news.headlines(instrument, providers, from, to, limit);
  for (const row of rows) {
    session.send(historicalNews, {
      reqId: request.reqId,
      time: newsTime(row.time),
      providerCode: row.providerCode,
      articleId: row.articleId,
      headline: row.headline,
    });
  }
  session.send(historicalNewsEnd, { reqId: request.reqId, hasMore });
}

export const newsHandlers: readonly RequestHandler[] = [
  onRequest(reqNewsProviders, (session) => {
    session.send(newsProviders, { providers: NEWS_PROVIDERS.map((provider) => ({ ...provider })) });
  }),
  onRequest(reqNewsBulletins, (session, request) => subscribeBulletins(session, request.allMsgs)),
  onRequest(cancelNewsBulletins, (session) => {
    session.subscriptions.cancel(BULLETINS, BULLETIN_SUBSCRIPTION);
  }),
  onRequest(reqNewsArticle, (session, request) => {
    if (!isNewsProvider(request.providerCode)) {
      session.sendError(request.reqId, ReferenceCode.NEWS_FEED_NOT_ALLOWED, NEWS_FEED_NOT_ALLOWED_TEXT);
      return;
    }
    const text = referenceFeeds(session.sim).news.article(request.providerCode, request.articleId);
    if (text === undefined) {
      session.sendError(
        request.reqId,
        ReferenceCode.VALIDATION_FAILED,
        validationFailed(
          ARTICLE_REQUEST_TAG,
          `no article ${JSON.stringify(request.articleId)} from ${request.providerCode}`,
        ),
      );
      return;
    }
    session.send(newsArticle, { reqId: request.reqId, articleType: 0, articleText: text });
  }),
  onRequest(reqHistoricalNews, answerHistoricalNews),
];
