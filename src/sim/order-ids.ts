/**
 * Order ids per API client id. They outlive a connection, because a client that reconnects with the same id must not
 * be offered ids it may already have used.
 */
export class OrderIdBook {
  private readonly nextByClient = new Map<number, number>();

  /** What nextValidId announces: the lowest id this client has not used. */
  peek(clientId: number): number {
    return this.nextByClient.get(clientId) ?? 1;
  }

  /** Records `orderId` as used, so later nextValidId answers stay above it. */
  use(clientId: number, orderId: number): void {
    if (orderId >= this.peek(clientId)) this.nextByClient.set(clientId, orderId + 1);
  }
}
