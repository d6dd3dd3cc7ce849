import { GatewayState } from "../../gen/ibrpc/v1/connection_pb.js";
import type { GatewayConnection } from "../../src/gateway/gateway-connection.js";

/** Resolves when the connection reaches `state`; fails the test after `ms`. */
export function reach(conn: GatewayConnection, state: GatewayState, ms = 5_000): Promise<void> {
  if (conn.snapshot().state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.off("change", onChange);
      reject(new Error(`gateway never reached ${GatewayState[state]} (now ${GatewayState[conn.snapshot().state]})`));
    }, ms);
    const onChange = () => {
      if (conn.snapshot().state !== state) return;
      clearTimeout(timer);
      conn.off("change", onChange);
      resolve();
    };
    conn.on("change", onChange);
  });
}
