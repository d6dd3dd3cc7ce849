import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { EventName } from "@stoqey/ib";
import {
  type FinancialAdvisorService,
  ReplaceFAResponseSchema,
  RequestFAResponseSchema,
} from "../../gen/ibrpc/v1/financial_advisor_pb.js";
import type { GatewayConnection } from "../gateway/gateway-connection.js";
import { IbError } from "../gateway/ib-error.js";
import { gatewayFor, type ServiceDeps, withCallDeadline } from "./call-context.js";
import { onGateway } from "./gather-on-gateway.js";
import { overrideIbCode } from "./ib-code-override.js";

/**
 * FinancialAdvisorService: an advisor login's allocation groups and account aliases, as IB's XML.
 *
 * requestFA carries no reqId, and neither does IB's refusal of it: TWS answers a non-advisor login (or an operation it
 * does not know) with error 321 on id -1, quoting requestFA's request tag 'bE'. The correlator cannot tie an id -1
 * message to a request, so RequestFA watches the connection's messages for that refusal while it waits. replaceFA has
 * a reqId and an End marker (replaceFAEnd) from server version 157 on, which every supported gateway has.
 */

/** IB's FADataType.PROFILES: refused by gateways from server version 177 (FA_PROFILE_DESUPPORT) on. */
const FA_PROFILES = 2;
const FA_PROFILE_DESUPPORT = 177;
/** TWS's "Error validating request" and the request tag it quotes for requestFA. */
const VALIDATION_FAILED = 321;
const REQUEST_FA_TAG = "'bE'";
const NOT_AN_ADVISOR = /non FA customers/i;

export function financialAdvisorService(deps: ServiceDeps): Partial<ServiceImpl<typeof FinancialAdvisorService>> {
  return {
    async requestFA(req, ctx) {
      const faDataType = req.faDataType ?? 0;
      const gw = gatewayFor(deps, ctx);
      refuseProfiles(gw, faDataType);
      const xml = await withCallDeadline(
        deps,
        ctx,
        () => `requestFA: no receiveFA from gateway ${gw.name}`,
        async (signal) => {
          const refused = new AbortController();
          const stopWatching = gw.events.on(EventName.info, ({ code, message }) => {
            if (code === VALIDATION_FAILED && String(message).includes(REQUEST_FA_TAG)) {
              refused.abort(new IbError(code, String(message), { gateway: gw.name, grpcCode: faCode(code, message) }));
            }
          });
          try {
            return await gw.correlator.next({
              request: "requestFA",
              event: EventName.receiveFA,
              send: () => gw.ib.requestFA(faDataType),
              map: (e) => e.faXmlData ?? "",
              // receiveFA names its data type: a concurrent request for the other type cannot answer this one.
              isEnd: (e) => e.faDataType === faDataType,
              share: `requestFA:${faDataType}`,
              signal: AbortSignal.any([signal, refused.signal]),
            });
          } finally {
            stopWatching();
          }
        },
      );
      return create(RequestFAResponseSchema, { faDataType, xml });
    },

    async replaceFA(req, ctx) {
      const faDataType = req.faDataType ?? 0;
      const { xml } = req;
      refuseProfiles(gatewayFor(deps, ctx), faDataType);
      const [text = ""] = await onGateway(deps, ctx, "replaceFA", EventName.replaceFAEnd, (gw, signal) =>
        gw.correlator.gather({
          request: "replaceFA",
          send: (reqId) => gw.ib.replaceFA(reqId, faDataType, xml),
          items: { [EventName.replaceFAEnd]: (e) => e.text ?? "" },
          end: EventName.replaceFAEnd,
          noun: "answers",
          signal,
        }),
      ).catch(overrideIbCode((err) => faCode(err.ibCode, err.ibMessage)));
      return create(ReplaceFAResponseSchema, { text });
    },
  };
}

/** The contract's code for IB's FA refusals: not an advisor login is a precondition; the rest keep the table's. */
function faCode(code: number, message: string): Code | undefined {
  return code === VALIDATION_FAILED && NOT_AN_ADVISOR.test(message) ? Code.FailedPrecondition : undefined;
}

/**
 * Profiles are gone from newer gateways; @stoqey/ib refuses them itself with an id-less "TWS out of date" error that
 * would read as UNAVAILABLE (or not reach the call at all), so ibrpc says why before sending anything.
 */
function refuseProfiles(gw: GatewayConnection, faDataType: number): void {
  const serverVersion = gw.snapshot().serverVersion ?? 0;
  if (faDataType === FA_PROFILES && serverVersion >= FA_PROFILE_DESUPPORT) {
    throw new ConnectError(
      `faDataType 2 (profiles) is not supported by gateway ${gw.name} (server version ${serverVersion}; IB removed profiles at 177): use groups (1)`,
      Code.FailedPrecondition,
    );
  }
}
