// The run-start checks (design: anything that looks wrong is refused before a single order is
// sent, with the reason and the way forward): the exchange still knows the account the journal
// was kept against (its newest journaled fill, else the account's anchor), no leader is an
// address that never traded (funded or not: no position and no fill on record), an API wallet
// (agent) whose trades are its master's, or our own sub-account that never traded, our account
// is neither an agent's address, nor unknown, nor empty. And, the empty-leader check's run-time
// side, a leader whose equity falls to zero is told once. And the first plan's: a copy too small
// to hold any of the leaders' positions (every target under the minimum order) is refused.
// The refusals and their text are plain functions below; the class does the reads (through the
// engine's start-up retries and request count) and keeps what a start read for later: whether
// the history was checked, the leaders told empty, and the start's read of our ledger (the
// anchor check's), which the safety rules' first read takes instead of reading it again.

import { ConfigError, UsageError } from "../core/errors.js";
import { type AccountAnchor, cashFlowForgotten, historyForgotten, pickAnchor } from "../core/fills.js";
import { detailNumber as fmt, fmtUsd, shortAddress as short, utcMinute } from "../core/format.js";
import type { LedgerHistory } from "../core/history.js";
import type { Settings } from "../core/settings.js";
import { tooSmallCopy, tooSmallText } from "../core/too-small.js";
import type { AccountRole, AccountState, Address, Markets, Plan } from "../core/types.js";
import type { CashFlowRow, Journal } from "../store/journal.js";
import type { EngineEvent, RunMode } from "./events.js";
import { ledgerHistoryRead } from "./fill-history.js";
import type { EngineReader } from "./ports.js";
import { runPolicy } from "./run-mode.js";

/**
 * The notice of an --allow-empty-leader the start found nothing for (kind `unneeded-flag`):
 * `leaders` leaders, of which `flatTraded` hold no position but have fills on record (a leader
 * flat between trades is copied as flat without the flag).
 */
export function unneededAllowEmptyLeader(leaders: number, flatTraded: readonly Address[] = []): string {
  const why =
    flatTraded.length === 0
      ? `${leaders > 1 ? "every leader holds" : "the leader holds"} positions`
      : leaders === 1
        ? "the leader has fills on record (no position now: it is copied as flat without the flag)"
        : `every leader holds positions or has fills on record (${flatTraded.map((a) => short(a)).join(", ")}: no position now, fills on record)`;
  return `--allow-empty-leader: nothing to allow — ${why} (the flag permits copying a leader with no position and no fill on record; it changed nothing)`;
}

/** Where the journal keeps the account's anchor on the exchange (core/fills.ts AccountAnchor). */
export const ACCOUNT_ANCHOR_KEY = "exchange.anchor";

/**
 * A journal's first anchor is its account's newest cash flow: looked for in this recent window of
 * the ledger first (one request on a long ledger), the whole ledger only when the window has none.
 */
const ANCHOR_WINDOW_MS = 30 * 86_400_000;
/**
 * The start's read of our ledger (the anchor check's) stands for the safety rules' first read when
 * that comes within this long (the start's sweep): a start reads the ledger once. A later first
 * sweep (a trader slow at the review) reads it again itself. A cash flow that lands between that
 * read and the sweep's read of our account is in the account's cash and not in the read: when the
 * cash shows a change the read leaves unexplained, the sweep reads the ledger once more before the
 * safety rules decide (sweep-reads.ts #afterStartLedger) — a start whose cash is explained reads it once.
 */
const START_LEDGER_REUSE_MS = 30_000;

/**
 * The anchor check's read of our ledger: from `since` to now, begun at `startedAt`; `through`:
 * it stopped at its page cap there (the entries after it were not read), else null.
 */
export interface StartLedger {
  flows: CashFlowRow[];
  since: number;
  startedAt: number;
  through?: number | null;
}

/** What the start checks need of the run, and nothing more. */
export interface StartChecksPort {
  journal: Pick<
    Journal,
    "path" | "lastFillTime" | "fillsSince" | "getCopyState" | "setCopyState" | "recordEvent"
  >;
  reader: Pick<
    EngineReader,
    | "hasTraded"
    | "accountRole"
    | "getFillsByTime"
    | "getLatestFills"
    | "getLedgerUpdates"
    | "getLedgerHistory"
  >;
  /** Our account (--account). */
  account: Address;
  network: string;
  mode: RunMode;
  /** The leaders' addresses, in the engine's order (none: a flatten, which only closes). */
  leaders: readonly Address[];
  /** --allow-empty-leader: a leader that never traded is waited for, not refused. */
  allowEmptyLeader: boolean;
  /** `allowEmptyLeader` is the trader's flag: when every leader holds positions, said (EngineOptions.sayUnneededPermits). */
  sayUnneeded?: boolean;
  now: () => number;
  emit: (event: EngineEvent) => void;
  runId: () => number | null;
  /** A read made before the first sweep succeeded: transient failures retried (the engine's). */
  startupRead: <T>(what: string, read: () => Promise<T>) => Promise<T>;
  /** One request to the exchange was made (the run's count). */
  countRequest: () => void;
  /** Our account is hlcopy's own (paper, a seeded dry run): the exchange's is not checked. */
  ownAccount: () => boolean;
  /** Where the safety rules read our ledger from (SafetyWatch.ledgerSince). */
  ledgerSince: () => number;
}

export class StartChecks {
  readonly #o: StartChecksPort;
  /** The exchange's history of the account was checked against the journal's (once a run). */
  #historyChecked = false;
  /**
   * The anchor check's read of our ledger (from no later than the safety rules' ledgerSince, to
   * now) and when it began: the safety rules' first read takes its flows from it (takeStartLedger).
   */
  #startLedger: StartLedger | null = null;
  /** Leaders whose equity fell to zero (said once). */
  readonly #emptyLeaders = new Set<Address>();
  /** The roles of the leaders the start found never traded (readTraded): an agent's address, our sub-account. */
  readonly #leaderRoles = new Map<Address, AccountRole>();

  constructor(port: StartChecksPort) {
    this.#o = port;
  }

  get historyChecked(): boolean {
    return this.#historyChecked;
  }

  /**
   * The exchange still holds the newest fill an earlier run journaled for the account. When it
   * does not (core/fills.ts historyForgotten) the account's history is gone — a simulator
   * restarted without its state, a reset testnet — while the journal remembers it: its
   * high-water mark, day start and copy P&L would be measured against an account that no longer
   * exists (an emptied account read as a 100 % drawdown, the kill switch tripped by it, "in
   * sync" beside positions that vanished with no fill). Refused at the start, before anything is
   * read in or sent. One request, once a run; an account of its own (paper) is not checked, nor
   * is a flatten (no leader: it only closes).
   * @throws {ConfigError} (exit 2) when the exchange has forgotten it.
   */
  async checkHistory(): Promise<void> {
    this.#historyChecked = true;
    const o = this.#o;
    // A run with no leader is a flatten: it only closes (reducing risk is always allowed).
    if (o.ownAccount() || !o.reader.getFillsByTime || o.leaders.length === 0) return;
    const ts = o.journal.lastFillTime();
    // A fill a run journaled (one seeded by hand or a test has no run).
    const runId = o.runId();
    const last =
      ts === null
        ? undefined
        : o.journal
            .fillsSince(ts)
            .find((f) => f.ts === ts && f.tid !== null && f.runId !== null && f.runId !== runId);
    if (!last || last.tid === null || ts === null) {
      await this.#checkAnchor();
      return;
    }
    const read = o.reader.getFillsByTime.bind(o.reader);
    const fills = await o.startupRead("your fills", () => {
      o.countRequest();
      return read(o.account, ts);
    });
    if (!historyForgotten({ tid: last.tid, ts }, fills)) return;
    throw historyGone(
      o.network,
      o.account,
      o.journal.path,
      `fills this journal holds (the newest: ${last.coin} ${last.side} ${fmt(last.sz)} at ${utcMinute(ts)})`,
    );
  }

  /**
   * A journal without a fill of its own may still hold figures — the high-water mark, the day's
   * start, the kill switch's baseline — and they are the exchange's they were taken on. The
   * account's anchor (core/fills.ts AccountAnchor: its newest cash flow — every funded account
   * has one — else its newest fill),
   * taken by the journal's first run, says whether the exchange is still that one: one read at
   * the start of a run whose journal has no fill yet. A dry run, which writes nothing, takes no
   * anchor; a journal whose first runs predate the anchor gets one now.
   * The ledger read here reaches to now from no later than where the safety rules read it
   * (SafetyWatch.ledgerSince): their first read takes its flows from it (takeStartLedger), so a
   * start reads the ledger once. The first anchor looks in a recent window first
   * (ANCHOR_WINDOW_MS): the newest cash flow in it is the ledger's newest; an empty window reads
   * the whole ledger, as a long one costs more than one request.
   * @throws {ConfigError} (exit 2) when the exchange no longer holds the anchor.
   */
  async #checkAnchor(): Promise<void> {
    const o = this.#o;
    const reader = o.reader;
    const anchor = o.journal.getCopyState<AccountAnchor>(ACCOUNT_ANCHOR_KEY);
    const readLedger = ledgerHistoryRead(reader);
    if (!anchor) {
      if (!runPolicy(o.mode).journals || !reader.getLatestFills || !readLedger) return;
      // The ledger first: every funded account has a cash flow; fills only for one without.
      const picked = await o.startupRead("your account's history", async () => {
        const recent = Math.min(o.now() - ANCHOR_WINDOW_MS, o.ledgerSince());
        let flows = await this.#readStartLedger(readLedger, recent);
        if (flows.length === 0) flows = await this.#readStartLedger(readLedger, 0);
        if (flows.length > 0) return pickAnchor([], flows);
        o.countRequest();
        return pickAnchor((await reader.getLatestFills?.(o.account)) ?? [], []);
      });
      if (picked) o.journal.setCopyState(ACCOUNT_ANCHOR_KEY, picked, o.now());
      return;
    }
    let forgotten: boolean;
    if (anchor.kind === "fill") {
      const read = reader.getFillsByTime?.bind(reader);
      if (!read) return;
      const fills = await o.startupRead("your fills", () => {
        o.countRequest();
        return read(o.account, anchor.time);
      });
      forgotten = historyForgotten({ tid: anchor.tid, ts: anchor.time }, fills);
    } else {
      if (!readLedger) return;
      const since = Math.min(anchor.time, o.ledgerSince());
      const flows = await o.startupRead("your ledger", () => this.#readStartLedger(readLedger, since));
      forgotten = cashFlowForgotten(anchor, flows);
    }
    if (!forgotten) return;
    throw historyGone(o.network, o.account, o.journal.path, anchorGone(anchor));
  }

  /** The anchor check's read of our ledger from `since` to now, kept for the safety rules' first read. */
  async #readStartLedger(
    read: (user: Address, since: number) => Promise<LedgerHistory<CashFlowRow>>,
    since: number,
  ): Promise<CashFlowRow[]> {
    const o = this.#o;
    o.countRequest();
    const startedAt = o.now();
    const { flows, through } = await read(o.account, since);
    this.#startLedger = { flows, since, startedAt, through };
    return flows;
  }

  /**
   * The start's read of our ledger (the anchor check's), handed over once: whoever asks next
   * (the safety rules' first read) gets it and it is forgotten; null when none was kept.
   * Whether it may stand for that read: startLedgerStands.
   */
  takeStartLedger(): StartLedger | null {
    const start = this.#startLedger;
    this.#startLedger = null;
    return start;
  }

  /**
   * A read of our ledger kept as the start's for the next read that takes it: a live follow's
   * preflight hands back the start's read it took, or its own when none stood (the history check
   * went by our fills), so the review's plan and the run's start sweep cost one read.
   */
  keepStartLedger(read: StartLedger): void {
    this.#startLedger ??= read;
  }

  /**
   * Whether each leader holding no position ever traded (the start check). Its equity does not
   * vouch for it: a funded address that never traded (the trader's own other wallet, an exchange's
   * deposit address, a vault's depositor) copied would close every position we hold, as a
   * mistyped one would. A leader flat between trades has fills on record: one read says so.
   * A leader that never traded is asked its role too (one more read): an API wallet (agent) signs
   * for its master, whose trades are booked on the master — never on the agent, so it would stay
   * flat for ever, --allow-empty-leader or not —, and our own sub-account is where to copy to;
   * checkAccounts says which (leaderRoleRefusal).
   */
  async readTraded(states: readonly AccountState[]): Promise<Map<Address, boolean>> {
    const o = this.#o;
    const out = new Map<Address, boolean>();
    // With --allow-empty-leader nothing is refused, but the trader's flag is read for as without
    // it (one start-up request per flat leader, the one an unflagged run makes; none between
    // sweeps): a flat leader with fills on record did not need it, and the run says so
    // (checkAccounts). A flag passed by hlcopy itself (the demo) says nothing: no read.
    if ((o.allowEmptyLeader && o.sayUnneeded !== true) || !o.reader.hasTraded) return out;
    const hasTraded = o.reader.hasTraded.bind(o.reader);
    for (const [i, address] of o.leaders.entries()) {
      const s = states[i];
      if (!s || Object.keys(s.positions).length > 0) continue;
      const traded = await o.startupRead(`the leader's fills (${address})`, () => {
        o.countRequest();
        return hasTraded(address);
      });
      out.set(address, traded);
      if (!traded && o.reader.accountRole) {
        const accountRole = o.reader.accountRole.bind(o.reader);
        const role = await o.startupRead(`the leader's role (userRole, ${address})`, () => {
          o.countRequest();
          return accountRole(address);
        });
        this.#leaderRoles.set(address, role);
      }
    }
    return out;
  }

  /** What our account is, when it looks empty (no equity, no position): else null, no request. */
  async readOurRole(ours: AccountState | null): Promise<AccountRole | null> {
    const o = this.#o;
    const reader = o.reader;
    if (!ours || !looksEmpty(ours) || !reader.accountRole) return null;
    const accountRole = reader.accountRole.bind(reader);
    return o.startupRead("your account's role (userRole)", () => {
      o.countRequest();
      return accountRole(o.account);
    });
  }

  /**
   * The leaders and our account as the start's reads found them (readTraded, readOurRole; the
   * leaders' states in the run's order): a leader that is an agent's address or our own empty
   * sub-account, one that never traded, then our account (leaderRoleRefusal, neverTradedRefusal, ourAccountRefusal).
   * @throws {UsageError} (exit 2) when either is refused.
   */
  checkAccounts(
    traded: ReadonlyMap<Address, boolean>,
    role: AccountRole | null,
    ours: AccountState | null,
    leaders: readonly AccountState[],
  ): void {
    const o = this.#o;
    // An agent's address never trades (its trades are its master's), and our own empty
    // sub-account is where to copy to, not from: refused with or without --allow-empty-leader.
    let byRole: UsageError | null = null;
    for (const l of o.leaders) {
      const role = this.#leaderRoles.get(l);
      byRole ??= role && traded.get(l) === false ? leaderRoleRefusal(l, role, o.account) : null;
    }
    const refusal =
      byRole ??
      (o.allowEmptyLeader ? null : neverTradedRefusal(o.leaders, traded, o.network, leaders)) ??
      ourAccountRefusal(o.account, o.network, role, ours);
    if (refusal) throw refusal;
    // --allow-empty-leader permits copying a leader with no position and no fill on record: with
    // every leader holding positions or with fills on record (readTraded) it did nothing — said,
    // not refused (cron passes it always). A flat leader whose fills were not read (a reader
    // without them) is not known: nothing is said rather than "unneeded".
    if (!o.allowEmptyLeader || o.sayUnneeded !== true || leaders.length === 0) return;
    const flatTraded: Address[] = [];
    for (const [i, s] of leaders.entries()) {
      if (Object.keys(s.positions).length > 0) continue;
      const address = o.leaders[i];
      if (address === undefined || traded.get(address) !== true) return;
      flatTraded.push(address);
    }
    o.emit({
      type: "notice",
      ts: o.now(),
      kind: "unneeded-flag",
      message: unneededAllowEmptyLeader(leaders.length, flatTraded),
    });
  }

  /**
   * A leader whose equity fell to zero during the run (withdrew everything, wiped out) is not
   * sized from: its coins are left alone (the planner says "leader-no-equity") and our own exit
   * rules apply. Said once, and journaled, when it happens (again if it empties again).
   */
  noticeEmptyLeaders(leaders: readonly { address: Address; accountValue: number }[]): void {
    const o = this.#o;
    for (const l of leaders) {
      const empty = !(l.accountValue > 0);
      if (empty && !this.#emptyLeaders.has(l.address)) {
        this.#emptyLeaders.add(l.address);
        o.emit({ type: "warning", ts: o.now(), message: emptyLeaderText(l.address, l.accountValue) });
        o.journal.recordEvent({
          ts: o.now(),
          type: "leaderEmpty",
          runId: o.runId(),
          data: { leader: l.address, accountValue: l.accountValue },
        });
      } else if (!empty) this.#emptyLeaders.delete(l.address);
    }
  }
}

/** No equity and no position: what the leader and our account checks look further at. */
export function looksEmpty(s: AccountState): boolean {
  return !(s.accountValue > 0 || Object.keys(s.positions).length > 0);
}

/**
 * A leader with no positions and no fill on record (`traded` false), funded or not, is almost
 * always a mistyped or wrong address: copying it would close every position we hold. The first
 * such leader's refusal, else null. A funded one (`states`, aligned with `leaders`) is said to
 * be: its money is what makes the address look right.
 */
export function neverTradedRefusal(
  leaders: readonly Address[],
  traded: ReadonlyMap<Address, boolean>,
  network: string,
  states: readonly (AccountState | undefined)[] = [],
): UsageError | null {
  const i = leaders.findIndex((l) => traded.get(l) === false);
  const address = leaders[i];
  if (address === undefined) return null;
  const value = states[i]?.accountValue ?? 0;
  if (value > 0) {
    return new UsageError(
      `${address} has never traded on ${network}: check the address (it holds ${fmtUsd(value)}, but no position and no fill)`,
      {
        hint: "a funded address that never trades is often another wallet of the trader's or an exchange's deposit address: copy the one that trades (hlcopy inspect <address> shows its history), or pass --allow-empty-leader to wait for its first trade",
      },
    );
  }
  return new UsageError(`${address} has never traded on ${network}: check the address`, {
    hint: "copy an address that trades (hlcopy inspect <address> shows its history), or pass --allow-empty-leader to wait for its first trade",
  });
}

/**
 * A leader with no position and no fill whose role says what it is (readTraded asks it), else
 * null (it is refused as never traded, or waited for with --allow-empty-leader):
 * * an API wallet (agent): it signs orders for its master, and the trades are booked on the
 *   master — the agent's own account never holds a position, so copying it would copy nothing
 *   (or, as a flat leader, close what we hold). The master is the address to follow; an agent of
 *   our own account (not the one this run signs with: trading.ts refuses that one before any
 *   request) is said as ours;
 * * a sub-account of our own account: the isolation the README recommends copying into, given
 *   as the leader instead of as --account.
 */
export function leaderRoleRefusal(leader: Address, role: AccountRole, account: Address): UsageError | null {
  const ours = (a: Address) => a.toLowerCase() === account.toLowerCase();
  if (role.role === "subAccount" && ours(role.master)) {
    return new UsageError(
      `the leader ${leader} is a sub-account of your own account ${role.master}, one that never traded: a place to copy into, not a leader`,
      {
        hint: `to copy into it, give it as --account ${leader} (the agent approved for ${role.master} signs for it), and the trader you mean to copy as the leader`,
      },
    );
  }
  if (role.role !== "agent") return null;
  const master = role.master;
  if (ours(master)) {
    return new UsageError(`the leader ${leader} is an API wallet (agent) of your own account ${master}`, {
      hint: "follow someone else's address; an agent trades for the account that approved it and holds no positions of its own",
    });
  }
  return new UsageError(
    `the leader ${leader} is an API wallet (agent) of ${master}: it signs that account's orders and never trades itself`,
    {
      hint: `follow the account it trades for: give ${master} as the leader instead`,
    },
  );
}

/** `--account` given an agent's (API wallet's) address instead of its master's: said alike by the start checks and `agent show`. */
export function agentAsAccountRefusal(account: Address, master: Address): UsageError {
  return new UsageError(`${account} is an API wallet (agent) of ${master}, not a trading account`, {
    hint: `--account takes the master account the agent trades for: --account ${master} (or hlcopy config set account ${master})`,
  });
}

/**
 * An empty account (no equity, no position) is refused before any order, dry runs too:
 * planned against its $0 every target is 0 and the run would say "in sync" while the leader
 * holds positions. An agent's address (--account given the API wallet instead of the
 * master) and an address the exchange does not know say so; a funded-then-emptied master is
 * told to fund it. An account of its own (paper, a seeded dry run) is not read (`ours` null).
 * Later in a run, an account emptied is the planner's "no-equity" (not in sync), said once.
 */
export function ourAccountRefusal(
  account: Address,
  network: string,
  role: AccountRole | null,
  ours: AccountState | null,
): UsageError | null {
  if (role?.role === "agent") return agentAsAccountRefusal(account, role.master);
  if (!ours || !looksEmpty(ours)) return null;
  if (role?.role === "missing") {
    return new UsageError(
      `${account} is not an account on ${network} (no funds, no history): nothing to copy with`,
      {
        hint: "check --account (the master account that holds your funds), or deposit USDC to it first",
      },
    );
  }
  return new UsageError(
    `${account} has no equity on ${network} (${fmtUsd(ours.accountValue)}): nothing to copy with`,
    {
      hint: "fund the account (deposit USDC) and run again, or check --account",
    },
  );
}

/**
 * Whether the start's read of our ledger may stand for a read from `since` made `now`: it began
 * no later (it holds every flow the ledger had from there when it was taken) and within
 * START_LEDGER_REUSE_MS.
 */
export function startLedgerStands(start: StartLedger, since: number, now: number): boolean {
  return start.since <= since && now - start.startedAt <= START_LEDGER_REUSE_MS;
}

/** The refusal of a run whose copy is too small to hold anything (core/too-small.ts), else null. */
export function tooSmallRefusal(
  plan: Plan,
  settings: Settings,
  markets: Markets,
  paper: boolean,
): UsageError | null {
  const found = tooSmallCopy(plan, settings, markets);
  if (!found) return null;
  const { message, hint } = tooSmallText(found, settings, paper);
  return new UsageError(message, { hint });
}

/** What a warning says of a leader whose equity fell to zero. */
export function emptyLeaderText(leader: Address, accountValue: number): string {
  return `leader ${short(leader)} has no equity left (${fmtUsd(accountValue)}): its coins are left alone, no increases from it; your own exit rules apply`;
}

/** What the exchange no longer holds of an anchor, as the refusal names it. */
function anchorGone(anchor: AccountAnchor): string {
  return anchor.kind === "fill"
    ? `fill the journal's figures were taken beside (${anchor.coin} ${anchor.side} ${fmt(anchor.sz)} at ${utcMinute(anchor.time)})`
    : `${anchor.type} the journal's figures were taken beside (${fmtUsd(Math.abs(anchor.usd))} at ${utcMinute(anchor.time)})`;
}

/** The refusal of a run whose exchange no longer holds the account the journal was kept against. */
export function historyGone(
  network: string,
  account: Address,
  journalPath: string,
  what: string,
): ConfigError {
  return new ConfigError(
    `${network} has no record of ${account}'s ${what}: the exchange's account is not the one the journal was kept against (a simulator restarted without its state, a reset testnet)`,
    {
      hint: `hlcopy will not measure the high-water mark, drawdown or P&L against a history that is gone: move the journal aside (mv ${journalPath} ${journalPath}.bak) or use another --config-dir, and start afresh`,
    },
  );
}

/**
 * A live run's exchange leverage below its cap, or at it: with `exec.leverage` L set on every
 * coin, the margin backs at most L× equity of positions (cross: Σ notional ÷ L ≤ equity;
 * isolated, each position's own), so a copy that risk.maxLeverage lets grow past L× equity sends
 * orders the exchange refuses ("Insufficient margin") — run after run, as drift that never
 * closes. At the cap (L = risk.maxLeverage) the copy filled to the cap needs all of that margin
 * at mid, and the exchange checks it at the order's limit price (slippage) after the fees paid:
 * the last orders are refused the same way (seen against the simulator: --leverage 3
 * --max-leverage 3, a copy the cap binds, SOL refused). Refused before anything is sent. `auto`
 * (the default) sets one above the cap and is never refused; a coin whose own maximum is lower
 * is capped by the planner (its per-coin cap), not here.
 * @throws {UsageError} (exit 2) naming both settings and the values that fit.
 */
export function checkLeverageBelowCap(settings: Settings): void {
  const leverage = settings.exec.leverage;
  const cap = settings.risk.maxLeverage;
  if (leverage === "auto" || leverage > cap) return;
  // A cap that fits: margin at L backs L× equity; 0.9 L leaves a tenth for slippage and fees.
  const fits = fmt(Math.floor(leverage * 9) / 10);
  throw new UsageError(
    leverage < cap
      ? `exec.leverage ${fmt(leverage)}x is below risk.maxLeverage ${fmt(cap)}x: the copy may grow to ${fmt(cap)}x equity, but margin at ${fmt(leverage)}x backs at most ${fmt(leverage)}x — the exchange would refuse the orders beyond it (insufficient margin)`
      : `exec.leverage ${fmt(leverage)}x is at risk.maxLeverage ${fmt(cap)}x: a copy at the cap needs all the margin ${fmt(leverage)}x gives, with none left for fees and the limit price's slippage — the exchange would refuse its last orders (insufficient margin)`,
    {
      hint: `raise --leverage to ${Math.ceil(cap) + 1} (or auto: risk.maxLeverage + 1), or lower --max-leverage below ${fmt(leverage)}, e.g. ${fits} (hlcopy config get exec.leverage shows a stored one)`,
    },
  );
}
