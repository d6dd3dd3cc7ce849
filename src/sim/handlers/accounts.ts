import { familyCodes, reqFamilyCodes } from "../messages/accounts.js";
import { accountPnlHandlers } from "./account-pnl.js";
import { positionHandlers } from "./account-positions.js";
import { accountSummaryHandlers } from "./account-summary.js";
import { accountUpdateHandlers } from "./account-updates.js";
import { onRequest, type RequestHandler } from "./registry.js";

/**
 * Accounts and portfolio: account updates (and their multi variant), account summary, positions (and multi), PnL,
 * family codes. Every figure comes from the world's ledger valued at the simulator's clock, so the streams agree with
 * each other and follow the market walk; fills booked in the ledger are reported at once.
 */
export const accountHandlers: readonly RequestHandler[] = [
  ...accountUpdateHandlers,
  ...accountSummaryHandlers,
  ...positionHandlers,
  ...accountPnlHandlers,
  onRequest(reqFamilyCodes, (session) => {
    session.send(familyCodes, { familyCodes: session.sim.world.ledger.familyCodes() });
  }),
];
