-- Idempotency keys of PlaceOrder: a retry with the same key answers the first call's order instead of placing again.
--
-- A row is written BEFORE anything reaches IB (state 'pending', with the order id and the orderRef tag that travel to
-- IB), and its outcome after: 'placed' with the acknowledgement (a PlaceOrderResponse, protobuf binary), or
-- 'rejected' with IB's error. A 'pending' row whose call is no longer running (ibrpc crashed, the gateway dropped
-- mid-order) is reconciled with IB by its order_ref tag (open orders, completed orders, executions) on the next retry.
-- Rows are kept at least 24 hours (expires_at), then purged.

CREATE TABLE order_idempotency (
  -- The caller's token id when tokens are configured, else '' (one scope for everyone).
  scope          text NOT NULL,
  -- order.account as the caller sent it ('' when absent).
  account        text NOT NULL,
  idempotency_key text NOT NULL,
  -- sha256 (hex) of the request without its key and wait_for: the same key with another order is ALREADY_EXISTS.
  digest         text NOT NULL,
  -- 'pending' (written, maybe sent), 'placed' (acknowledged), 'rejected' (IB refused it).
  state          text NOT NULL CHECK (state IN ('pending', 'placed', 'rejected')),
  gateway        text NOT NULL,
  order_id       integer NOT NULL,
  -- The tag sent in IB's orderRef: how a restart finds the order at IB.
  order_ref_tag  text NOT NULL,
  -- Which ibrpc process owns a pending row (a random id per process): another owner's pending row is reconciled.
  owner          text NOT NULL,
  perm_id        bigint,
  -- 'placed': the PlaceOrderResponse of the acknowledgement (protobuf binary).
  response       bytea,
  -- 'rejected': the gRPC code (number), IB's code and message.
  error_code     integer,
  ib_code        integer,
  error_message  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (scope, account, idempotency_key)
);

-- Purging expired keys scans by time, not the whole table.
CREATE INDEX order_idempotency_expires_at_idx ON order_idempotency (expires_at);

-- After a restart, order ids restart above every id ibrpc recorded for the gateway.
CREATE INDEX order_idempotency_gateway_order_id_idx ON order_idempotency (gateway, order_id);
