/** TWS market rules: price increments by price band, answered to reqMarketRule and referenced by contract details. */
export interface PriceIncrement {
  readonly lowEdge: number;
  readonly increment: number;
}

export const MARKET_RULES: ReadonlyMap<number, readonly PriceIncrement[]> = new Map([
  [1, [{ lowEdge: 0, increment: 0.01 }]],
  [26, [{ lowEdge: 0, increment: 0.01 }]],
  [67, [{ lowEdge: 0, increment: 0.25 }]],
  // Penny-program equity options (AAPL): a cent at every price.
  [110, [{ lowEdge: 0, increment: 0.01 }]],
  [239, [{ lowEdge: 0, increment: 0.00005 }]],
  [1048, [{ lowEdge: 0, increment: 0.0001 }]],
  [
    1583,
    [
      { lowEdge: 0, increment: 0.0001 },
      { lowEdge: 1, increment: 0.0005 },
      { lowEdge: 10, increment: 0.005 },
      { lowEdge: 100, increment: 0.05 },
    ],
  ],
  [
    1640,
    [
      { lowEdge: 0, increment: 0.1 },
      { lowEdge: 1000, increment: 0.5 },
      { lowEdge: 3000, increment: 1 },
    ],
  ],
]);
