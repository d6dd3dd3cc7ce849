/**
 * News: providers, historical headlines, tickNews (see ticks.ts) and bulletins.
 *
 * historicalNews times are IB's "yyyy-MM-dd HH:mm:ss.0", in UTC (the gateway sends them so); they become instants.
 */

import { create } from "@bufbuild/protobuf";
import type { NewsProvider as IbNewsProvider } from "@stoqey/ib";
import {
  type HistoricalNews,
  HistoricalNewsSchema,
  type NewsProvider,
  NewsProviderSchema,
  type UpdateNewsBulletin,
  UpdateNewsBulletinSchema,
} from "../../gen/ibrpc/v1/news_pb.js";
import { type IbTimeOptions, ibTimeToTimestampOrUndefined } from "./time.js";
import { ibString, optionalInt } from "./unset.js";

export function newsProviderFromIb(provider: IbNewsProvider): NewsProvider {
  return create(NewsProviderSchema, {
    providerCode: ibString(provider.providerCode),
    providerName: ibString(provider.providerName),
  });
}

export function newsProvidersFromIb(providers: readonly IbNewsProvider[] | null | undefined): NewsProvider[] {
  return (providers ?? []).map(newsProviderFromIb);
}

/** EWrapper.historicalNews(reqId, time, providerCode, articleId, headline), by name. */
export interface IbHistoricalNewsEvent {
  readonly time: string;
  readonly providerCode: string;
  readonly articleId: string;
  readonly headline: string;
}

export function historicalNewsFromIb(event: IbHistoricalNewsEvent, options: IbTimeOptions = {}): HistoricalNews {
  return create(HistoricalNewsSchema, {
    time: ibTimeToTimestampOrUndefined(event.time, options),
    providerCode: ibString(event.providerCode),
    articleId: ibString(event.articleId),
    headline: ibString(event.headline),
  });
}

/** EWrapper.updateNewsBulletin(msgId, msgType, message, origExchange), by name. */
export interface IbNewsBulletinEvent {
  readonly msgId: number;
  readonly msgType: number;
  readonly message: string;
  readonly origExchange: string;
}

export function updateNewsBulletinFromIb(event: IbNewsBulletinEvent): UpdateNewsBulletin {
  return create(UpdateNewsBulletinSchema, {
    msgId: optionalInt(event.msgId),
    msgType: optionalInt(event.msgType),
    message: ibString(event.message),
    origExchange: ibString(event.origExchange),
  });
}
