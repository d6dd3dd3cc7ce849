import { create } from "@bufbuild/protobuf";
import type { EventName } from "@stoqey/ib";
import {
  type AccountValue,
  AccountValueSchema,
  type PortfolioItem,
  PortfolioItemSchema,
} from "../../gen/ibrpc/v1/account_history_pb.js";
import { updateAccountValueFromIb, updatePortfolioFromIb } from "../convert/account.js";
import type { IbEventMap } from "../gateway/ib-events.js";

/**
 * IB's account rows as snapshot rows: src/convert translates (sentinels, decimals); a snapshot row is the same row
 * without the account name, which the snapshot carries once.
 */
export function accountValueRow(e: IbEventMap[EventName.updateAccountValue]): AccountValue {
  const { key, value, currency } = updateAccountValueFromIb(e);
  return create(AccountValueSchema, { key, value, currency });
}

export function portfolioRow(e: IbEventMap[EventName.updatePortfolio]): PortfolioItem {
  const row = updatePortfolioFromIb(e);
  return create(PortfolioItemSchema, {
    contract: row.contract,
    position: row.position,
    marketPrice: row.marketPrice,
    marketValue: row.marketValue,
    averageCost: row.averageCost,
    unrealizedPnl: row.unrealizedPnl,
    realizedPnl: row.realizedPnl,
  });
}
