/** The TWS codes the reference-data feeds answer with (texts as TWS words them). */
export const ReferenceCode = {
  /** A contract (or conId) the catalog does not hold. */
  NO_SECURITY_DEFINITION: 200,
  /** TWS's catch-all for a request it refuses on validation: "Error validating request.-'xx' : cause - ...". */
  VALIDATION_FAILED: 321,
  FUNDAMENTALS_UNAVAILABLE: 430,
  /** A news provider the login is not subscribed to. */
  NEWS_FEED_NOT_ALLOWED: 10276,
} as const;

export const NO_SECURITY_DEFINITION_TEXT = "No security definition has been found for the request";
export const FUNDAMENTALS_UNAVAILABLE_TEXT =
  "We are sorry, but fundamentals data for the security specified is not available.";
export const NEWS_FEED_NOT_ALLOWED_TEXT = "News feed is not allowed.";

/** TWS's wording of a 321, with the request-type tag it puts in quotes. */
export function validationFailed(requestTag: string, cause: string): string {
  return `Error validating request.-'${requestTag}' : cause - ${cause}`;
}
