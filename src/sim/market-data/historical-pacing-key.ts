import type { HistoricalRequestKey } from "../limits/historical-pacing.js";
import type { RequestedContract } from "./resolve-contract.js";

/**
 * The keys IB's pacing rules compare: "identical" is the request kind plus every parameter as sent (so a changed end
 * time is a new request); "contract" is contract, exchange and whatToShow (the 6-in-2-seconds rule).
 */
export function historicalRequestKey(
  kind: string,
  { instrument, exchange }: RequestedContract,
  whatToShow: string,
  parameters: readonly unknown[],
): HistoricalRequestKey {
  const contract = `${instrument.contract.conId}@${exchange}:${whatToShow.toUpperCase()}`;
  return { contract, identical: `${kind}|${contract}|${JSON.stringify(parameters)}` };
}
