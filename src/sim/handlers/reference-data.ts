import { displayGroupHandlers } from "./display-groups.js";
import { faHandlers } from "./fa.js";
import { fundamentalsHandlers } from "./fundamentals.js";
import { newsHandlers } from "./news.js";
import type { RequestHandler } from "./registry.js";
import { scannerHandlers } from "./scanner.js";
import { wshHandlers } from "./wsh.js";

/** The reference-data feeds that are not prices: news, scanners, fundamentals, WSH, display groups, FA. */
export const referenceDataHandlers: readonly RequestHandler[] = [
  ...newsHandlers,
  ...scannerHandlers,
  ...fundamentalsHandlers,
  ...wshHandlers,
  ...displayGroupHandlers,
  ...faHandlers,
];
