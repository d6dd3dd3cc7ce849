import { create } from "@bufbuild/protobuf";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  type NewsService,
  ReqHistoricalNewsResponseSchema,
  ReqNewsArticleResponseSchema,
  ReqNewsProvidersResponseSchema,
} from "../../gen/ibrpc/v1/news_pb.js";
import { historicalNewsFromIb, newsProvidersFromIb, optionalInt, tagValuesToIb } from "../convert/index.js";
import type { IbError } from "../gateway/ib-error.js";
import { askGateway, type ServiceDeps } from "./call-context.js";
import { onGateway } from "./gather-on-gateway.js";
import { overrideIbCode } from "./ib-code-override.js";

/**
 * NewsService's unary RPCs: the login's news providers, one article, a contract's historical headlines. Each is one IB
 * request gathered to its answer; identical concurrent requests share one request to IB. ReqNewsBulletins (a stream)
 * lives in streams/news-streams.ts.
 */

/** TWS: "News feed is not allowed." (a provider this login does not subscribe to). */
const NEWS_FEED_NOT_ALLOWED = 10276;
/** TWS: "Failed to request news article: ..." (no such article at the provider). */
const NEWS_ARTICLE_FAILED = 10172;
/** TWS's catch-all "Error validating request", which is how it refuses an article id it does not know. */
const VALIDATION_FAILED = 321;

export function newsService(deps: ServiceDeps): Partial<ServiceImpl<typeof NewsService>> {
  return {
    async reqNewsProviders(_req, ctx) {
      const { value: newsProviders } = await askGateway(deps, ctx, {
        request: "reqNewsProviders",
        answer: EventName.newsProviders,
        send: (gw) => gw.ib.reqNewsProviders(),
        map: (e) => newsProvidersFromIb(e.newsProviders),
      }).catch(overrideIbCode(newsCode));
      return create(ReqNewsProvidersResponseSchema, { newsProviders });
    },

    async reqNewsArticle(req, ctx) {
      const { providerCode, articleId } = req;
      const options = tagValuesToIb(req.newsArticleOptions);
      const [article] = await onGateway(deps, ctx, "reqNewsArticle", EventName.newsArticle, (gw, signal) =>
        gw.correlator.gather({
          request: "reqNewsArticle",
          send: (reqId) => gw.ib.reqNewsArticle(reqId, providerCode, articleId, options),
          items: {
            [EventName.newsArticle]: (e) =>
              create(ReqNewsArticleResponseSchema, {
                articleType: optionalInt(e.articleType),
                articleText: e.articleText ?? "",
              }),
          },
          end: EventName.newsArticle,
          share: `reqNewsArticle:${JSON.stringify([providerCode, articleId, req.newsArticleOptions])}`,
          noun: "articles",
          signal,
        }),
      ).catch(overrideIbCode(articleCode));
      return article ?? create(ReqNewsArticleResponseSchema);
    },

    async reqHistoricalNews(req, ctx) {
      const conId = req.conId ?? 0;
      const totalResults = req.totalResults ?? 0;
      const { providerCodes, startDateTime, endDateTime } = req;
      const options = tagValuesToIb(req.historicalNewsOptions);
      let hasMore = false;
      const headlines = await onGateway(deps, ctx, "reqHistoricalNews", EventName.historicalNewsEnd, (gw, signal) =>
        gw.correlator.gather({
          request: "reqHistoricalNews",
          send: (reqId) =>
            gw.ib.reqHistoricalNews(reqId, conId, providerCodes, startDateTime, endDateTime, totalResults, options),
          items: {
            // IB writes these times in UTC ("yyyy-MM-dd HH:mm:ss.0"), whatever the gateway's zone.
            [EventName.historicalNews]: (e) => historicalNewsFromIb(e),
            [EventName.historicalNewsEnd]: (e) => {
              hasMore = e.hasMore === true;
              return undefined;
            },
          },
          end: EventName.historicalNewsEnd,
          noun: "headlines",
          signal,
        }),
      ).catch(overrideIbCode(newsCode));
      return create(ReqHistoricalNewsResponseSchema, { historicalNews: headlines, hasMore });
    },
  };
}

/** A provider the login may not read is a permission, not an unknown code. */
function newsCode(err: IbError): Code | undefined {
  return err.ibCode === NEWS_FEED_NOT_ALLOWED ? Code.PermissionDenied : undefined;
}

/** The contract promises NOT_FOUND for an article the provider does not have. */
function articleCode(err: IbError): Code | undefined {
  if (err.ibCode === NEWS_ARTICLE_FAILED || err.ibCode === VALIDATION_FAILED) return Code.NotFound;
  return newsCode(err);
}
