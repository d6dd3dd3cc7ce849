import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  DisplayGroupService,
  QueryDisplayGroupsRequestSchema,
  QueryDisplayGroupsResponseSchema,
} from "../../gen/ibrpc/v1/display_group_pb.js";
import { DISPLAY_GROUP_IDS } from "../../src/sim/reference/display-groups.js";
import { clientFor, postJson, transports } from "../e2e/app-harness.js";
import { connectGet, grpcJsCall, serviceAppPerFile } from "../support/service-app.js";
import { withTimeout } from "../support/wait.js";
import { failure, postOk } from "./reference-data-calls.js";

/**
 * DisplayGroupService's unary RPCs against `npm start`'s simulator (which, like TWS, has seven groups): the list, and
 * UpdateDisplayGroup both with no subscription to the group (ibrpc opens one for the call) and while a
 * SubscribeToGroupEvents stream holds one (the update goes through it and the stream sees it).
 */

const GROUPS = "ibrpc.v1.DisplayGroupService";

const served = serviceAppPerFile();

/** Opens SubscribeToGroupEvents(groupId) and hands out its contract infos one at a time. */
function watchGroup(groupId: number) {
  const abort = new AbortController();
  const stream = clientFor(DisplayGroupService, transports(served.url).grpc)
    .subscribeToGroupEvents({ groupId }, { signal: abort.signal })
    [Symbol.asyncIterator]();
  return {
    async next(what: string): Promise<string> {
      const { value, done } = await withTimeout(stream.next(), what);
      if (done || value.event.case !== "displayGroupUpdated") throw new Error(`no group event: ${what}`);
      return value.event.value.contractInfo;
    },
    close: () => abort.abort(),
  };
}

describe("DisplayGroupService against the built-in simulator", () => {
  it("QueryDisplayGroups (@grpc/grpc-js, Connect JSON POST and GET) lists the groups", async () => {
    const res = await grpcJsCall(
      served.url,
      `/${GROUPS}/QueryDisplayGroups`,
      QueryDisplayGroupsRequestSchema,
      QueryDisplayGroupsResponseSchema,
      {},
    );
    expect(res.groups).toEqual([...DISPLAY_GROUP_IDS]);
    expect((await postOk(served.url, `${GROUPS}/QueryDisplayGroups`, {})).groups).toEqual([...DISPLAY_GROUP_IDS]);
    const get = await connectGet(served.url, `${GROUPS}/QueryDisplayGroups`, {});
    expect(get.status).toBe(200);
    expect(get.json.groups).toEqual([...DISPLAY_GROUP_IDS]);
  });

  it("UpdateDisplayGroup with nobody subscribed to the group: the group shows the contract afterwards", async () => {
    expect(
      await postOk(served.url, `${GROUPS}/UpdateDisplayGroup`, { groupId: 3, contractInfo: "265598@SMART" }),
    ).toEqual({});
    const watch = watchGroup(3);
    try {
      expect(await watch.next("group 3's current contract")).toBe("265598@SMART");
    } finally {
      watch.close();
    }
  });

  it("UpdateDisplayGroup while a SubscribeToGroupEvents stream holds the group: the stream sees each update", async () => {
    const watch = watchGroup(4);
    try {
      expect(await watch.next("group 4's current contract")).toBe("none");
      const client = clientFor(DisplayGroupService, transports(served.url).connectJson);
      await client.updateDisplayGroup({ groupId: 4, contractInfo: "272093@SMART" });
      expect(await watch.next("the first update")).toBe("272093@SMART");
      await client.updateDisplayGroup({ groupId: 4, contractInfo: "none" });
      expect(await watch.next("the second update")).toBe("none");
    } finally {
      watch.close();
    }
  });

  it("refusals: an unknown group (IB 321), malformed contract info and group 0 (before IB)", async () => {
    const client = clientFor(DisplayGroupService, transports(served.url).grpc);
    const unknown = await failure(
      client.updateDisplayGroup({ groupId: 99, contractInfo: "265598@SMART" }),
      Code.InvalidArgument,
    );
    expect(unknown.ibCode).toBe("321");
    const malformed = await postJson(
      served.url,
      `/${GROUPS}/UpdateDisplayGroup`,
      JSON.stringify({ groupId: 2, contractInfo: "AAPL" }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe("invalid_argument");
    await failure(client.updateDisplayGroup({ groupId: 0, contractInfo: "265598@SMART" }), Code.InvalidArgument);
    await failure(client.updateDisplayGroup({ groupId: 2 }), Code.InvalidArgument);
  });
});
