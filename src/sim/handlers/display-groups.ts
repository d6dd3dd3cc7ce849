import {
  displayGroupList,
  displayGroupUpdated,
  queryDisplayGroups,
  subscribeToGroupEvents,
  unsubscribeFromGroupEvents,
  updateDisplayGroup,
} from "../messages/display-groups.js";
import { isContractInfo } from "../reference/display-groups.js";
import { referenceFeeds } from "../reference/feeds.js";
import { ReferenceCode, validationFailed } from "../reference/reference-codes.js";
import { type ClientSession, onRequest, type RequestHandler } from "./registry.js";

const DISPLAY_GROUP = "displayGroup";
const DISPLAY_GROUP_REQUEST_TAG = "dg";

/** Which group each of a session's subscriptions follows: updateDisplayGroup names the subscription, not the group. */
const groupBySubscription = new WeakMap<ClientSession, Map<number, number>>();

function subscriptionsOf(session: ClientSession): Map<number, number> {
  let groups = groupBySubscription.get(session);
  if (!groups) {
    groups = new Map();
    groupBySubscription.set(session, groups);
  }
  return groups;
}

function refuse(session: ClientSession, reqId: number, cause: string): void {
  session.sendError(reqId, ReferenceCode.VALIDATION_FAILED, validationFailed(DISPLAY_GROUP_REQUEST_TAG, cause));
}

export const displayGroupHandlers: readonly RequestHandler[] = [
  onRequest(queryDisplayGroups, (session, request) => {
    session.send(displayGroupList, { reqId: request.reqId, groups: referenceFeeds(session.sim).displayGroups.list() });
  }),
  onRequest(subscribeToGroupEvents, (session, request) => {
    const { displayGroups } = referenceFeeds(session.sim);
    if (!displayGroups.exists(request.groupId)) {
      refuse(session, request.reqId, `display group ${request.groupId} does not exist`);
      return;
    }
    const groups = subscriptionsOf(session);
    // A re-subscription under the same reqId replaces the old one; its cancel forgets its group, so run it first.
    session.subscriptions.cancel(DISPLAY_GROUP, request.reqId);
    const unsubscribe = displayGroups.subscribe(request.groupId, (contractInfo) =>
      session.send(displayGroupUpdated, { reqId: request.reqId, contractInfo }),
    );
    groups.set(request.reqId, request.groupId);
    session.subscriptions.add(DISPLAY_GROUP, request.reqId, () => {
      unsubscribe();
      groups.delete(request.reqId);
    });
  }),
  onRequest(updateDisplayGroup, (session, request) => {
    const groupId = subscriptionsOf(session).get(request.reqId);
    if (groupId === undefined) {
      refuse(session, request.reqId, `request ${request.reqId} is not a subscribeToGroupEvents subscription`);
      return;
    }
    if (!isContractInfo(request.contractInfo)) {
      refuse(session, request.reqId, `contract info ${JSON.stringify(request.contractInfo)} is not "conId@exchange"`);
      return;
    }
    referenceFeeds(session.sim).displayGroups.update(groupId, request.contractInfo);
  }),
  onRequest(unsubscribeFromGroupEvents, (session, request) => {
    session.subscriptions.cancel(DISPLAY_GROUP, request.reqId);
  }),
];
