import { bool, group, int, str, tagValues, version } from "../wire/fields.js";
import { defineMessage } from "../wire/layout.js";

/** News: providers, bulletins, articles, historical headlines and tickNews, both directions. */

// Client -> simulator (@stoqey/ib encoder; reqNewsArticle/reqHistoricalNews carry their options from v128).
export const reqNewsBulletins = defineMessage(12, "reqNewsBulletins", [version(), bool("allMsgs")]);
export const cancelNewsBulletins = defineMessage(13, "cancelNewsBulletins", [version()]);
export const reqNewsArticle = defineMessage(84, "reqNewsArticle", [
  int("reqId"),
  str("providerCode"),
  str("articleId"),
  tagValues("newsArticleOptions"),
]);
export const reqNewsProviders = defineMessage(85, "reqNewsProviders", []);
export const reqHistoricalNews = defineMessage(86, "reqHistoricalNews", [
  int("reqId"),
  int("conId"),
  /** "BRFG+DJNL": provider codes joined by "+". */
  str("providerCodes"),
  str("startDateTime"),
  str("endDateTime"),
  int("totalResults"),
  tagValues("historicalNewsOptions"),
]);

// Simulator -> client (@stoqey/ib decoder).
export const newsBulletins = defineMessage(14, "newsBulletins", [
  version(),
  int("msgId"),
  int("msgType"),
  str("message"),
  str("originExchange"),
]);
/** articleType 0 is plain text, 1 a base64 PDF. */
export const newsArticle = defineMessage(83, "newsArticle", [int("reqId"), int("articleType"), str("articleText")]);
/** For generic tick 292 on a market data line; timeStamp is epoch milliseconds. */
export const tickNews = defineMessage(84, "tickNews", [
  int("tickerId"),
  int("timeStamp"),
  str("providerCode"),
  str("articleId"),
  str("headline"),
  str("extraData"),
]);
export const newsProviders = defineMessage(85, "newsProviders", [
  group("providers", [str("providerCode"), str("providerName")]),
]);
export const historicalNews = defineMessage(86, "historicalNews", [
  int("reqId"),
  str("time"),
  str("providerCode"),
  str("articleId"),
  str("headline"),
]);
export const historicalNewsEnd = defineMessage(87, "historicalNewsEnd", [int("reqId"), bool("hasMore")]);
