/**
 * The login's managed accounts. The default imitates an advisor login with three client accounts, which is what
 * exercises account routing; `1` gives a plain single-account login.
 */
export const DEFAULT_ACCOUNT_COUNT = 3;
const MAX_ACCOUNT_COUNT = 1000;
const FIRST_ACCOUNT_NUMBER = 1000001;
const ACCOUNT_ID = /^[A-Za-z0-9]+$/;

export function resolveAccounts(option: number | readonly string[] | undefined): readonly string[] {
  if (option === undefined) return generateAccounts(DEFAULT_ACCOUNT_COUNT);
  if (typeof option === "number") return generateAccounts(option);
  if (option.length === 0) throw new RangeError("accounts: at least one account is required");
  for (const id of option) {
    // managedAccounts is a comma list: a comma or NUL in an id would corrupt it.
    if (!ACCOUNT_ID.test(id)) throw new RangeError(`accounts: ${JSON.stringify(id)} is not an alphanumeric account id`);
  }
  if (new Set(option).size !== option.length) throw new RangeError("accounts: ids must be unique");
  return [...option];
}

/** DU1000001, DU1000002, ...: paper-account style ids, the same for every run. */
function generateAccounts(count: number): readonly string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ACCOUNT_COUNT) {
    throw new RangeError(`accounts: expected an integer 1..${MAX_ACCOUNT_COUNT}, got ${count}`);
  }
  return Array.from({ length: count }, (_, index) => `DU${FIRST_ACCOUNT_NUMBER + index}`);
}
