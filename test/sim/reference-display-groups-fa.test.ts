import { EventName, FADataType } from "@stoqey/ib";
import { describe, expect, it } from "vitest";
import { nextError, referenceHarness, roundTrip, SERVER_VERSIONS } from "./reference-harness.js";

const ACCOUNTS = ["DU1000001", "DU1000002", "DU1000003"];

describe.each(SERVER_VERSIONS)("display groups and FA through IBApi at server version %i", (serverVersion) => {
  const harness = referenceHarness();

  it("lists groups and echoes an update to every subscriber of the group until it unsubscribes", async () => {
    await harness.start(serverVersion);
    const [first, second] = [await harness.connect(51), await harness.connect(52)];

    let mark = first.mark();
    first.api.queryDisplayGroups(1);
    expect((await first.next(EventName.displayGroupList, "displayGroupList", mark)).args).toEqual([1, "1|2|3|4|5|6|7"]);

    first.api.subscribeToGroupEvents(2, 1);
    expect((await first.next(EventName.displayGroupUpdated, "current contract", mark)).args).toEqual([
      2,
      "265598@SMART",
    ]);
    const secondMark = second.mark();
    second.api.subscribeToGroupEvents(9, 1);
    await second.next(EventName.displayGroupUpdated, "second's current contract", secondMark);

    mark = first.mark();
    first.api.updateDisplayGroup(2, "8314@SMART");
    expect((await first.next(EventName.displayGroupUpdated, "echo", mark)).args).toEqual([2, "8314@SMART"]);
    expect(
      (await second.next(EventName.displayGroupUpdated, "broadcast", secondMark, (args) => args[1] === "8314@SMART"))
        .args,
    ).toEqual([9, "8314@SMART"]);

    second.api.unsubscribeFromGroupEvents(9);
    await roundTrip(second);
    const afterUnsubscribe = second.mark();
    mark = first.mark();
    first.api.updateDisplayGroup(2, "none");
    await first.next(EventName.displayGroupUpdated, "echo of none", mark, (args) => args[1] === "none");
    await roundTrip(second);
    expect(
      second.events.slice(afterUnsubscribe).filter((event) => event.name === EventName.displayGroupUpdated),
    ).toEqual([]);

    mark = first.mark();
    first.api.updateDisplayGroup(77, "8314@SMART");
    await nextError(first, 321, 77, mark);
    first.api.updateDisplayGroup(2, "AAPL");
    await nextError(first, 321, 2, mark);
    harness.expectClean();
  });

  it("describes the managed accounts, replaces a document and returns the replacement", async () => {
    await harness.start(serverVersion);
    const client = await harness.connect(53);

    let mark = client.mark();
    client.api.requestFA(FADataType.GROUPS);
    const [type, groups] = (await client.next(EventName.receiveFA, "groups", mark)).args as [number, string];
    expect(type).toBe(FADataType.GROUPS);
    expect(groups).toMatch(/<ListOfGroups[ >][\s\S]*<\/ListOfGroups>$/);
    for (const account of ACCOUNTS) expect(groups).toContain(`<acct>${account}</acct>`);

    mark = client.mark();
    client.api.requestFA(FADataType.ALIASES);
    const aliases = (await client.next(EventName.receiveFA, "aliases", mark)).args[1] as string;
    expect(aliases).toContain("<ListOfAccountAliases");
    expect(aliases).toContain("<account>DU1000002</account>");

    if (serverVersion < 177) {
      mark = client.mark();
      client.api.requestFA(FADataType.PROFILES);
      expect((await client.next(EventName.receiveFA, "profiles", mark)).args[1]).toContain("<ListOfAllocationProfiles");
    }

    const replacement =
      '<?xml version="1.0" encoding="UTF-8"?><ListOfGroups varName="groups"><Group><name>Income</name><defaultMethod>Equal</defaultMethod><ListOfAccts varName="list"><Account><acct>DU1000003</acct></Account></ListOfAccts></Group></ListOfGroups>';
    mark = client.mark();
    client.api.replaceFA(61, FADataType.GROUPS, replacement);
    expect((await client.next(EventName.replaceFAEnd, "replaceFAEnd", mark)).args[0]).toBe(61);
    client.api.requestFA(FADataType.GROUPS);
    expect((await client.next(EventName.receiveFA, "replaced groups", mark)).args[1]).toBe(replacement);

    mark = client.mark();
    client.api.replaceFA(62, FADataType.GROUPS, "<ListOfGroups><Group></ListOfGroups>");
    await nextError(client, 321, 62, mark);
    client.api.replaceFA(63, FADataType.GROUPS, "<ListOfGroups><Group><acct>U42</acct></Group></ListOfGroups>");
    await nextError(client, 321, 63, mark);
    harness.expectClean();
  });

  it("refuses FA operations on a single-account login", async () => {
    await harness.start(serverVersion, { accounts: 1 });
    const client = await harness.connect(54);
    const mark = client.mark();
    client.api.requestFA(FADataType.GROUPS);
    const refusal = await client.next(EventName.info, "321 notice", mark, (args) => args[1] === 321);
    expect(String(refusal.args[0])).toContain("FA data operations ignored for non FA customers");
    expect(client.events.slice(mark).some((event) => event.name === EventName.receiveFA)).toBe(false);
    harness.expectClean();
  });
});
