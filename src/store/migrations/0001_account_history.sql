-- Account history (ibconnect's data, normalized and free of its bugs).
--
-- Times are timestamptz (microseconds): the application carries them as ISO text, never through a JS Date, which
-- would cut them to milliseconds. IB's values are kept as IB sent them: account values as text (some are not numbers:
-- AccountCode, AccountType...), portfolio numbers as NUMERIC, never scaled integers; every key is its own row, so
-- TotalCashBalance and TotalCashValue can never be folded into one column.
--
-- Statements are separated by a semicolon at the end of a line: the migrator sends them one by one (PGlite's
-- node-postgres adapter runs one statement per query).

CREATE TABLE history_account (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  -- The gateway it was last seen on.
  gateway     text NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL
);

CREATE TABLE history_snapshot (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id   bigint NOT NULL REFERENCES history_account (id),
  -- When accountDownloadEnd arrived; with account_id the snapshot's identity.
  taken_at     timestamptz NOT NULL,
  gateway      text NOT NULL,
  -- updateAccountTime, IB's "HH:mm".
  account_time text NOT NULL DEFAULT '',
  -- Serves "latest of an account" (backward scan, LIMIT 1) and "an account in a time range" at any table size, and
  -- makes a retried write after a lost commit acknowledgement a no-op instead of a duplicate.
  CONSTRAINT history_snapshot_account_taken_at_key UNIQUE (account_id, taken_at)
);

CREATE TABLE history_value (
  snapshot_id bigint NOT NULL REFERENCES history_snapshot (id) ON DELETE CASCADE,
  -- The order IB sent the rows in, so a snapshot reads back identical.
  ordinal     integer NOT NULL,
  key         text NOT NULL,
  currency    text NOT NULL,
  value       text NOT NULL,
  PRIMARY KEY (snapshot_id, key, currency)
);

CREATE TABLE history_position (
  snapshot_id   bigint NOT NULL REFERENCES history_snapshot (id) ON DELETE CASCADE,
  -- The order IB sent the rows in.
  ordinal       integer NOT NULL,
  con_id        integer,
  symbol        text NOT NULL,
  sec_type      text NOT NULL,
  last_trade_date_or_contract_month text NOT NULL,
  strike        numeric,
  "right"       text NOT NULL,
  multiplier    text NOT NULL,
  primary_exch  text NOT NULL,
  exchange      text NOT NULL,
  currency      text NOT NULL,
  local_symbol  text NOT NULL,
  trading_class text NOT NULL,
  position      numeric NOT NULL,
  market_price   numeric,
  market_value   numeric,
  average_cost   numeric,
  unrealized_pnl numeric,
  realized_pnl   numeric,
  PRIMARY KEY (snapshot_id, ordinal)
);
