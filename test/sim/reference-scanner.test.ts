import { EventName, Instrument, LocationCode, ScanCode } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { SCANNER_REFRESH_MS } from "../../src/sim/handlers/scanner.js";
import { collectUntil, nextError, referenceHarness, roundTrip, SERVER_VERSIONS } from "./reference-harness.js";

const US_STOCKS = new Set([265598, 272093, 8314]);

describe.each(SERVER_VERSIONS)("scanners through IBApi at server version %i", (serverVersion) => {
  const harness = referenceHarness();

  it("sends parameters XML, ranks catalog stocks, refreshes on the clock and stops after cancel", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(31);

    let mark = client.mark();
    client.api.reqScannerParameters();
    const xml = (await client.next(EventName.scannerParameters, "scannerParameters", mark)).args[0] as string;
    expect(xml).toMatch(/^<\?xml[^>]*\?>\s*<ScanParameterResponse>/);
    expect(xml.trim().endsWith("</ScanParameterResponse>")).toBe(true);
    for (const code of ["TOP_PERC_GAIN", "HOT_BY_VOLUME", "MOST_ACTIVE", "STK.US.MAJOR"]) expect(xml).toContain(code);

    mark = client.mark();
    client.api.reqScannerSubscription(
      41,
      {
        scanCode: ScanCode.TOP_PERC_GAIN,
        instrument: Instrument.STK,
        locationCode: LocationCode.STK_US_MAJOR,
        numberOfRows: 10,
      },
      [],
      [{ tag: "priceAbove", value: "1" }],
    );
    const rows = await collectUntil(
      client,
      EventName.scannerData,
      EventName.scannerDataEnd,
      mark,
      (args) => args[0] === 41,
    );
    expect(rows.map((row) => row.args[1])).toEqual([0, 1, 2]);
    const conIds = rows.map((row) => (row.args[2] as { contract: { conId: number } }).contract.conId);
    expect(new Set(conIds)).toEqual(US_STOCKS);
    const first = rows[0]?.args[2] as {
      contract: { symbol: string; secType: string; currency: string };
      marketName: string;
    };
    expect(first.contract.secType).toBe("STK");
    expect(first.contract.currency).toBe("USD");
    expect(first.marketName.length).toBeGreaterThan(0);

    mark = client.mark();
    harness.clock.advance(SCANNER_REFRESH_MS);
    const refreshed = await collectUntil(
      client,
      EventName.scannerData,
      EventName.scannerDataEnd,
      mark,
      (args) => args[0] === 41,
    );
    expect(refreshed).toHaveLength(3);

    client.api.cancelScannerSubscription(41);
    await roundTrip(client);
    mark = client.mark();
    harness.clock.advance(3 * SCANNER_REFRESH_MS);
    await roundTrip(client);
    expect(client.events.slice(mark).filter((event) => event.name === EventName.scannerDataEnd)).toEqual([]);

    mark = client.mark();
    client.api.reqScannerSubscription(42, {
      scanCode: ScanCode.MOST_ACTIVE,
      instrument: Instrument.STOCK_EU,
      locationCode: LocationCode.STK_EU_IBIS,
    });
    const european = await collectUntil(
      client,
      EventName.scannerData,
      EventName.scannerDataEnd,
      mark,
      (args) => args[0] === 42,
    );
    expect(european.map((row) => (row.args[2] as { contract: { symbol: string } }).contract.symbol)).toEqual(["SAP"]);
    client.api.cancelScannerSubscription(42);

    mark = client.mark();
    client.api.reqScannerSubscription(43, {
      scanCode: ScanCode.HALTED,
      instrument: Instrument.STK,
      locationCode: LocationCode.STK_US,
    });
    await nextError(client, 321, 43, mark);
    harness.expectClean();
  });
});
