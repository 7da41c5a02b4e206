// The journal's schema as numbered migrations. Each runs once, in a transaction with the
// bump of `PRAGMA user_version` and a row in `schema_migrations`; a migration, once released,
// is never edited — a change is a new, higher-numbered migration appended to the list.

/** `PRAGMA application_id` of an hlcopy journal ("hlcp"): tells our file from any other SQLite db. */
export const JOURNAL_APPLICATION_ID = 0x686c6370;

export interface Migration {
  /** 1, 2, 3 … in order, no gaps: the value `user_version` holds once it is applied. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial tables: runs, decisions, orders, fills, equity, halts, events",
    // Times are integer ms since the epoch; JSON is stored as TEXT; booleans as 0/1.
    sql: `
CREATE TABLE schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);

CREATE TABLE runs (
  id         INTEGER PRIMARY KEY,
  command    TEXT NOT NULL CHECK (command IN ('reconcile', 'follow', 'paper', 'dry-run', 'demo')),
  leaders    TEXT NOT NULL,            -- JSON [{address, weight}]
  account    TEXT NOT NULL,
  network    TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  exit_code  INTEGER,
  settings   TEXT NOT NULL,            -- JSON of the resolved settings
  pid        INTEGER
);
CREATE INDEX runs_started_at ON runs (started_at);

CREATE TABLE decisions (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER,
  ts        INTEGER NOT NULL,
  trigger   TEXT NOT NULL CHECK (trigger IN ('sweep', 'fill', 'start', 'manual')),
  coins     TEXT NOT NULL,             -- JSON string[]
  plan      TEXT NOT NULL,             -- JSON Plan: actions, skips with reasons, targets
  in_sync   INTEGER NOT NULL,
  n_actions INTEGER NOT NULL,
  n_skipped INTEGER NOT NULL
);
CREATE INDEX decisions_ts ON decisions (ts);

CREATE TABLE orders (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER,
  ts          INTEGER NOT NULL,        -- when the intent was recorded, before sending
  cloid       TEXT NOT NULL UNIQUE,
  coin        TEXT NOT NULL,
  side        TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  size        REAL NOT NULL,
  limit_px    REAL NOT NULL,
  reduce_only INTEGER NOT NULL,
  reason      TEXT NOT NULL,
  request     TEXT,                    -- JSON of what was (to be) sent
  status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'uncertain', 'filled', 'partial',
                                              'resting', 'rejected', 'cancelled', 'paper')),
  oid         INTEGER,
  filled_size REAL NOT NULL DEFAULT 0,
  avg_px      REAL,
  reply       TEXT,                    -- JSON of the exchange's reply
  error       TEXT,                    -- the exchange's own message
  leader_px   REAL,                    -- reference price slippage is measured against
  updated_at  INTEGER NOT NULL
);
CREATE INDEX orders_ts ON orders (ts);
-- The exactly-once recovery reads the unresolved orders at every start: keep that cheap.
CREATE INDEX orders_unresolved ON orders (status) WHERE status IN ('pending', 'sent', 'uncertain');

CREATE TABLE fills (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER,
  tid          INTEGER UNIQUE,          -- exchange trade id: the same fill seen twice is kept once
  ts           INTEGER NOT NULL,        -- exchange time of the fill
  coin         TEXT NOT NULL,
  side         TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  px           REAL NOT NULL,
  sz           REAL NOT NULL,
  fee          REAL NOT NULL,
  cloid        TEXT,
  oid          INTEGER,
  closed_pnl   REAL,
  leader_px    REAL,
  slippage_bps REAL,                    -- against leader_px; positive = worse for us
  lag_ms       INTEGER                  -- leader fill -> our fill, exchange clock
);
CREATE INDEX fills_ts ON fills (ts);

CREATE TABLE equity (
  id            INTEGER PRIMARY KEY,
  ts            INTEGER NOT NULL,
  account_value REAL NOT NULL,
  hwm           REAL NOT NULL           -- high-water mark including this snapshot
);
CREATE INDEX equity_ts ON equity (ts);

CREATE TABLE halts (
  id         INTEGER PRIMARY KEY,
  ts         INTEGER NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('kill-switch', 'daily-loss', 'manual')),
  reason     TEXT NOT NULL,
  details    TEXT,                      -- JSON
  cleared_at INTEGER
);
CREATE INDEX halts_ts ON halts (ts);

CREATE TABLE events (
  id     INTEGER PRIMARY KEY,
  ts     INTEGER NOT NULL,
  run_id INTEGER,
  type   TEXT NOT NULL,
  coin   TEXT,
  data   TEXT                           -- JSON
);
CREATE INDEX events_ts ON events (ts);
CREATE INDEX events_type_ts ON events (type, ts);
`,
  },
  {
    version: 2,
    name: "meta: the journal's random identity (cloids are seeded with it)",
    // 16 random bytes, created once with the journal (or when an older journal is first opened
    // by this version) and never changed: cloids are seeded with it, so a fresh journal — or a
    // second config directory — never sends a cloid an earlier journal already used.
    sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('journal_id', lower(hex(randomblob(16))));
CREATE TRIGGER meta_journal_id_fixed BEFORE UPDATE ON meta WHEN OLD.key = 'journal_id'
BEGIN SELECT RAISE(ABORT, 'the journal id never changes'); END;
CREATE TRIGGER meta_journal_id_kept BEFORE DELETE ON meta WHEN OLD.key = 'journal_id'
BEGIN SELECT RAISE(ABORT, 'the journal id never changes'); END;
`,
  },
  {
    version: 3,
    name: "copy state: baselines and ownership that outlive a run",
    // One JSON value per key: the leaders' cash-flow and join baselines, the positions hlcopy
    // manages, the (account, leader set) pairs the trader has reviewed. Never pruned.
    sql: `
CREATE TABLE copy_state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,             -- JSON
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 4,
    name: "copy P&L and honest slippage: funding payments, order kinds, execution slippage",
    // kind: why an order was sent (copy | repair | join | safety, src/core/slippage.ts);
    // touch_px: the best ask (buy) / bid (sell) when it was decided, what execution slippage is
    // measured against. leader_px stays the leader's fill price, now kept for hot-path copies
    // only, and fills.slippage_bps (copy slippage) with it. Funding payments are keyed by
    // (ts, coin): the websocket carries no hash, and the exchange pays a coin once per time.
    sql: `
ALTER TABLE orders ADD COLUMN kind TEXT;
ALTER TABLE orders ADD COLUMN touch_px REAL;
ALTER TABLE fills ADD COLUMN kind TEXT;
ALTER TABLE fills ADD COLUMN exec_slippage_bps REAL;

CREATE TABLE funding (
  id     INTEGER PRIMARY KEY,
  run_id INTEGER,
  ts     INTEGER NOT NULL,              -- exchange time of the payment
  coin   TEXT NOT NULL,
  usdc   REAL NOT NULL,                 -- received (+) or paid (-)
  szi    REAL,                          -- signed position it was paid on
  rate   REAL,
  hash   TEXT,
  UNIQUE (ts, coin)
);
CREATE INDEX funding_ts ON funding (ts);
`,
  },
  {
    version: 5,
    name: "our cash flows: the safety rules measure trading results, not deposits and withdrawals",
    // cash_flows: our account's own deposits, withdrawals and transfers from its ledger (one row
    // per ledger update, keyed as the exchange keys it). equity.flows: the net cash-flow total
    // (journaled, plus any change of the cash not yet confirmed) the snapshot's hwm is
    // expressed at — a later snapshot shifts the mark by the difference. equity.cash: the
    // account's cash (account value − unrealised P&L) at the snapshot, when known;
    // equity.pending: the part of flows that was a change of the cash the ledger had not
    // confirmed yet (the next run goes on waiting for it).
    // equity.reset: the high-water mark started again at this snapshot (hlcopy resume): cash
    // flows before it are in it.
    sql: `
CREATE TABLE cash_flows (
  id     INTEGER PRIMARY KEY,
  run_id INTEGER,
  ts     INTEGER NOT NULL,              -- exchange time of the ledger update
  usd    REAL NOT NULL,                 -- into the perp account (+) or out of it (-)
  kind   TEXT NOT NULL,                 -- the ledger delta's type (deposit, withdraw, ...)
  hash   TEXT NOT NULL,
  UNIQUE (hash, kind, ts, usd)
);
CREATE INDEX cash_flows_ts ON cash_flows (ts);
ALTER TABLE equity ADD COLUMN flows REAL NOT NULL DEFAULT 0;
ALTER TABLE equity ADD COLUMN cash REAL;
ALTER TABLE equity ADD COLUMN pending REAL NOT NULL DEFAULT 0;  -- of flows: a cash change not yet confirmed
ALTER TABLE equity ADD COLUMN reset INTEGER NOT NULL DEFAULT 0;  -- 1: the mark started again here
`,
  },
  {
    version: 6,
    name: "fills: known by (tid, oid, time), not tid alone",
    // A fill is one side of one trade: the trade id (tid) names the trade, both of its sides
    // carry it, and oid says which side is ours. Keyed by tid alone, a fill whose tid another
    // fill already held was dropped without a word — what happened when an exchange handed the
    // same ids out again (a simulator restarted on the same port): P&L, fees and slippage came
    // up short. The same fill delivered twice (a reconnect's replay, stream and sweep) has the
    // same tid, oid and time and is still kept once; a different fill under a journaled tid is
    // kept too, and the run warns (Journal.recordFill says which). SQLite cannot drop a column's
    // UNIQUE, so the table is rebuilt, its columns in the same order and its rows and ids kept.
    sql: `
CREATE TABLE fills_v5 (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER,
  tid               INTEGER,                -- exchange trade id (both sides of a trade share it)
  ts                INTEGER NOT NULL,       -- exchange time of the fill
  coin              TEXT NOT NULL,
  side              TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  px                REAL NOT NULL,
  sz                REAL NOT NULL,
  fee               REAL NOT NULL,
  cloid             TEXT,
  oid               INTEGER,
  closed_pnl        REAL,
  leader_px         REAL,
  slippage_bps      REAL,
  lag_ms            INTEGER,
  kind              TEXT,
  exec_slippage_bps REAL
);
INSERT INTO fills_v5 (id, run_id, tid, ts, coin, side, px, sz, fee, cloid, oid, closed_pnl, leader_px,
                      slippage_bps, lag_ms, kind, exec_slippage_bps)
  SELECT id, run_id, tid, ts, coin, side, px, sz, fee, cloid, oid, closed_pnl, leader_px,
         slippage_bps, lag_ms, kind, exec_slippage_bps FROM fills;
DROP TABLE fills;
ALTER TABLE fills_v5 RENAME TO fills;
CREATE INDEX fills_ts ON fills (ts);
-- The same fill seen twice is kept once. A fill without a tid (none so far) is never a repeat.
CREATE UNIQUE INDEX fills_identity ON fills (tid, ifnull(oid, -1), ts);
`,
  },
  {
    version: 7,
    name: "whose P&L: the copy's part of each fill and funding payment, and what hlcopy managed when",
    // fills.copy_sz: the part of the fill that is the copy's (core/pnl.ts copyShareOfFill) — all
    // of a fill of hlcopy's orders, the part of hlcopy's position a liquidation or ADL closed,
    // none of any other; funding.copy_usdc: the part of the payment on hlcopy's share of the
    // position (core/pnl.ts copyFundingShare). Both are worked out when the record comes in and
    // kept, so every view reads the same figure. NULL: journaled before this version (a fill
    // by its kind, a payment whole, as that hlcopy counted them).
    // managed_history: the positions hlcopy managed (core/ownership.ts), each time they changed
    // other than by its own fills — what it managed at any past moment is the last row before
    // it plus its fills since (engine/copy-state.ts managedAt). A liquidation's fill or a funding
    // payment read after the next sweep saved the position it left is still split by what
    // hlcopy managed when it happened. Seeded with the snapshot an older hlcopy kept.
    sql: `
ALTER TABLE fills ADD COLUMN copy_sz REAL;
ALTER TABLE funding ADD COLUMN copy_usdc REAL;

CREATE TABLE managed_history (
  id        INTEGER PRIMARY KEY,
  ts        INTEGER NOT NULL,           -- when the snapshot was taken (ms)
  positions TEXT NOT NULL               -- JSON coin -> signed size hlcopy managed
);
CREATE INDEX managed_history_ts ON managed_history (ts);
INSERT INTO managed_history (ts, positions)
  SELECT coalesce(json_extract(value, '$.ts'), updated_at), coalesce(json_extract(value, '$.positions'), '{}')
  FROM copy_state WHERE key = 'managed';
`,
  },
  {
    version: 8,
    name: "our cash flows scale the marks by (E + flow) / E instead of moving them by their amount",
    // Moving the high-water mark and the day's start by a cash flow's dollar amount changed the
    // drawdown % and the daily loss % (the same dollar gap over a smaller base): a withdrawal
    // made in a drawdown tripped the kill switch. A cash flow now scales them as a fund's
    // subscription or redemption does (core/safety.ts flowFactor).
    // cash_flows.factor: (E + usd) / E, E the account's equity just before the flow.
    // equity.scale: the product of the factors of the cash flows before the snapshot (times a
    // change of the cash not yet confirmed, taken as a cash flow for now) — the scale its hwm is
    // at; a later snapshot scales the mark by the ratio. equity.flows is no longer written.
    // Rows from before: factor 1 and scale 1 — their flows are in the marks already (moved by
    // their amount then), so every mark reads as it was recorded; but for the upgrade day's
    // start, which an older hlcopy moved when it read it: the journal scales it by that day's
    // earlier flows when it is read (journal.ts dayStartEquity).
    sql: `
ALTER TABLE cash_flows ADD COLUMN factor REAL NOT NULL DEFAULT 1;
ALTER TABLE equity ADD COLUMN scale REAL NOT NULL DEFAULT 1;
`,
  },
  {
    version: 9,
    name: "whose fill: a fill hlcopy did not place is a liquidation, an auto-deleveraging or a trade outside hlcopy",
    // fills.origin, of a fill with no kind (hlcopy did not place its order): 'liquidation' (a
    // liquidation of the account), 'adl' (the exchange's auto-deleveraging) or 'outside' (a
    // trade by hand or by another bot) — core/pnl.ts forcedCloseKind. NULL for hlcopy's own
    // fills, and for fills journaled before this version (hlcopy did not keep which they were:
    // status counts them as not placed by hlcopy, untold).
    sql: `
ALTER TABLE fills ADD COLUMN origin TEXT CHECK (origin IN ('liquidation', 'adl', 'outside'));
`,
  },
  {
    version: 10,
    name: "open orders found by an index: resting ones too",
    // Every look-up of open orders (recovery, the managed snapshot, protection, passive
    // entries: several each sweep) read the whole orders table — the partial index left out
    // 'resting', and a status list bound as one JSON value matched no index at all: ~6 ms warm
    // (130 ms cold) per look-up on a month of 1 000 orders a day, growing with every order,
    // between the copy's plans. One partial index over the open statuses (an order is in it
    // from its intent until it is filled, cancelled or rejected); Journal.ordersInState repeats
    // its condition word for word, which is how SQLite knows it may use it.
    sql: `
DROP INDEX orders_unresolved;
CREATE INDEX orders_open ON orders (status) WHERE status IN ('pending', 'sent', 'uncertain', 'resting');
`,
  },
  {
    version: 11,
    name: "the last high-water-mark reset found by an index",
    // The ledger's anchor (Journal.cashFlowAnchor, at each ledger read: every sweep of a follow)
    // is the last reset of the high-water mark; a journal with none read every equity record to
    // say so: 86 400 a month at the default sweep, 3.5 ms warm and 20 ms cold each time.
    sql: `
CREATE INDEX equity_reset ON equity (id) WHERE reset = 1;
`,
  },
  {
    version: 12,
    name: "a decision held by a pause says so",
    // A leader's trade that came while the run was paused is skipped `paused` (core/leader-trades.ts
    // coinOutcome): `report` counts it from here as the dashboard and the summary do. NULL:
    // sent (or nothing to send), or journaled before this version (not known).
    sql: `
ALTER TABLE decisions ADD COLUMN held TEXT CHECK (held IN ('paused'));
`,
  },
  {
    version: 13,
    name: "the leader's trades a run saw: its leader fills and what each decision had seen of them",
    // `report` counts the leader's trades as follow's summary does, by replaying a run's journal
    // through the same tally (core/leader-trades.ts): it needs the leader fills the run was told
    // (leader_fills: one row each, \`seq\` its number in the run), how many of them each decision's
    // plan was made after (decisions.leader_seen: NULL on a decision that decides none of them —
    // a re-plan of a few coins), and our orders and their fills (kept already; fills_cloid finds
    // an order's). runs.leader_trades = 1: the run
    // journaled them; 0 (every run from before this version): its leader trades are not known.
    sql: `
CREATE TABLE leader_fills (
  id     INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  seq    INTEGER NOT NULL,              -- the fill's number among those the run was told (1, 2, …)
  ts     INTEGER NOT NULL,              -- when the run was told (ms)
  leader TEXT NOT NULL,
  oid    INTEGER NOT NULL,              -- the leader's order: its fills are one leader trade
  coin   TEXT NOT NULL
);
CREATE INDEX leader_fills_run ON leader_fills (run_id, seq);
CREATE INDEX leader_fills_ts ON leader_fills (ts);
ALTER TABLE decisions ADD COLUMN leader_seen INTEGER;
ALTER TABLE runs ADD COLUMN leader_trades INTEGER NOT NULL DEFAULT 0;
-- An order's fills by its cloid (the replay reads them per order: a fill settles an uncertain one).
CREATE INDEX fills_cloid ON fills (cloid) WHERE cloid IS NOT NULL;
`,
  },
  {
    version: 14,
    name: "a decision held by the run's stop says so",
    // A plan made as the run stops sends nothing: its leader trades are skipped `stopping`
    // (core/leader-trades.ts coinOutcome), journaled as held 'stopping' — which version 12's CHECK
    // refused, so the write failed. SQLite cannot change a column's CHECK: the table is rebuilt
    // (its rows, ids and index kept).
    sql: `
CREATE TABLE decisions_14 (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER,
  ts          INTEGER NOT NULL,
  trigger     TEXT NOT NULL CHECK (trigger IN ('sweep', 'fill', 'start', 'manual')),
  coins       TEXT NOT NULL,
  plan        TEXT NOT NULL,
  in_sync     INTEGER NOT NULL,
  n_actions   INTEGER NOT NULL,
  n_skipped   INTEGER NOT NULL,
  held        TEXT CHECK (held IN ('paused', 'stopping')),
  leader_seen INTEGER
);
INSERT INTO decisions_14 (id, run_id, ts, trigger, coins, plan, in_sync, n_actions, n_skipped, held, leader_seen)
  SELECT id, run_id, ts, trigger, coins, plan, in_sync, n_actions, n_skipped, held, leader_seen FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_14 RENAME TO decisions;
CREATE INDEX decisions_ts ON decisions (ts);
`,
  },
];

/** The schema version this build writes and understands. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.length;
