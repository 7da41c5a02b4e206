// A sweep's reads, all over REST and outside the engine's plan-and-send queue (a leader fill is
// copied while a sweep reads): orders still unresolved looked up, then markets, the leaders and
// our account at once, then what depends on them — the start checks' reads, the leaders' and our
// own cash flows (the ledger family: the start's ledger read standing for the first sweep's, read
// once more when a cash flow landed between), join baselines without streams, the P&L's inputs.
// Returns a SweepReads the engine applies on its queue; marks taken before the reads let the
// apply keep whatever the streams changed meanwhile. The leaders' flows are netted here too.

import { toHlcopyError } from "../core/errors.js";
import { fmtUsdSigned, shortAddress as short, utcMinute } from "../core/format.js";
import type { LedgerHistory } from "../core/history.js";
import { CASH_FLOW_CONFIRM_MS } from "../core/safety.js";
import type { Settings } from "../core/settings.js";
import { usesLeaderEquity } from "../core/sizing.js";
import type { AccountRole, AccountState, Address, Fill, Markets } from "../core/types.js";
import type { CashFlowRow, Journal } from "../store/journal.js";
import type { CopyState } from "./copy-state.js";
import type { PnlKeeper } from "./figures.js";
import { ledgerHistoryRead } from "./fill-history.js";
import type { LeaderModel, MarketModel, OurModel } from "./models.js";
import type { OurFills } from "./our-fills.js";
import type { OwnershipWatch } from "./ownership-watch.js";
import type { EngineReader, PartBase } from "./ports.js";
import type { ProtectionKeeper } from "./protection.js";
import type { OrderRecovery } from "./recovery.js";
import type { RunPolicy } from "./run-mode.js";
import type { SafetyWatch } from "./safety-watch.js";
import { type StartChecks, startLedgerStands } from "./start-checks.js";

/** What a sweep read (outside the queue), applied in its queued step. */
export interface SweepReads {
  markets: Markets;
  /** MarketModel.mark() before the markets were read. */
  marketsMark: number;
  /** Each leader's account, in the order of the engine's leaders. */
  leaders: AccountState[];
  receivedAt: number;
  /** Leaders that look empty: whether they ever traded (only before the start checks passed). */
  traded: Map<Address, boolean>;
  /** Net cash flow per leader since its copy began (null: not netted). */
  flows: Map<Address, { usd: number; since: number }> | null;
  /**
   * Our own cash flows since the last journaled one (live runs, a dry run's first read; null when
   * not read): read after our account, or the start's read with what it missed (#afterStartLedger).
   */
  ourFlows: { time: number; usd: number; kind: string; hash: string }[] | null;
  /** A dry run's first read: our account's fills the journal does not hold (null: not read). */
  ourFills: Fill[] | null;
  /** join new-only without streams: each leader's fills since the baseline was last checked. */
  joinFills: Map<Address, Fill[]>;
  /** Our account (null: the executor keeps its own, paper). */
  ours: AccountState | null;
  /** What our account is on the exchange, read before the start checks only when it looks empty. */
  ourRole: AccountRole | null;
  oursMark: number;
  /** SweepReaderOptions.resolutionMark() once the look-ups were done, before our account was read. */
  resolvedMark: number;
  protectionMark: number;
}

/** Our cash flows as a sweep read them: `fromStart`, the start's ledger read stood for the sweep's. */
interface OurCashFlows {
  flows: CashFlowRow[];
  fromStart: boolean;
}

export interface SweepReaderOptions extends Pick<PartBase, "emit" | "now" | "runId" | "countRequest"> {
  reader: EngineReader;
  account: Address;
  settings: Pick<Settings, "sizing">;
  /** EngineOptions.leaderCashFlows (false: the leaders' flows are not netted). */
  leaderCashFlows: boolean | undefined;
  journal: Pick<Journal, "recordEvent">;
  can: Pick<RunPolicy, "recoversOrders" | "previewsLive">;
  leaders: readonly LeaderModel[];
  market: Pick<MarketModel, "mark">;
  ours: Pick<OurModel, "mark">;
  protection: Pick<ProtectionKeeper, "mark"> | null;
  recovery: Pick<OrderRecovery, "resolveUnresolved">;
  checks: Pick<
    StartChecks,
    "historyChecked" | "checkHistory" | "readTraded" | "readOurRole" | "takeStartLedger" | "keepStartLedger"
  >;
  safety: Pick<SafetyWatch, "ledgerSince" | "ledgerRead" | "unexplainedAt">;
  pnl: Pick<PnlKeeper, "readFunding">;
  copyState: Pick<CopyState, "leader">;
  ownership: Pick<OwnershipWatch, "joinFillsFrom">;
  ourFills: Pick<OurFills, "readDryRunFills" | "readOwnFills">;
  /** A read before the first good sweep: transient failures retried until the start-up deadline. */
  startupRead: <T>(what: string, read: () => Promise<T>) => Promise<T>;
  /** A sweep succeeded in this run. */
  swept: () => boolean;
  /** The run-start checks passed. */
  checked: () => boolean;
  /** The run has its streams (follow; a reconcile has none). */
  streaming: () => boolean;
  /** The account hlcopy keeps itself (paper's, a seeded dry run's) tells what ours is. */
  ownAccount: () => boolean;
  /** Our account is read now, after every fill journaled so far: its equity is theirs. */
  readingAccount: () => void;
  /** Counts the look-ups that resolved an uncertain order of this run (SweepReads.resolvedMark). */
  resolutionMark?: () => number;
}

/**
 * Reads of our ledger one sweep makes at most, each going on where the last stopped at its page
 * cap (500 entries a page, 10 pages): 25,000 entries.
 */
const LEDGER_READS = 5;

export class SweepReader {
  readonly #o: SweepReaderOptions;

  constructor(options: SweepReaderOptions) {
    this.#o = options;
  }

  /**
   * A sweep's reads, all over REST and none applied yet: orders still unresolved looked up by
   * cloid, then markets, the leaders and our account at once, then what depends on them (the
   * never-traded check, the leaders' cash flows, join baselines without streams). Marks taken
   * before the reads are sent let the apply step keep whatever the streams and our own orders
   * changed meanwhile.
   */
  async read(pnlInputs = true): Promise<SweepReads> {
    const o = this.#o;
    // Orders whose outcome is still unknown are looked up first (after start-up's recovery).
    if (this.#o.swept() && this.#o.can.recoversOrders) await this.#o.recovery.resolveUnresolved();
    // Before any other read is taken in (our fills are journaled as they arrive): the account the
    // journal was kept against is still the exchange's.
    if (!this.#o.checks.historyChecked) await this.#o.checks.checkHistory();
    const marketsMark = this.#o.market.mark();
    const oursMark = this.#o.ours.mark();
    const resolvedMark = this.#o.resolutionMark?.() ?? 0;
    // This read of our account comes after every fill journaled so far: its equity is theirs.
    if (!this.#o.ownAccount()) this.#o.readingAccount();
    const protectionMark = this.#o.protection?.mark() ?? 0;
    const [markets, leaders, ours] = await Promise.all([
      this.#o.startupRead("the markets (meta, allMids)", () => {
        this.#o.countRequest();
        return o.reader.getMarkets();
      }),
      Promise.all(
        this.#o.leaders.map((l) =>
          this.#o.startupRead(`the leader's account (${l.address})`, () => {
            this.#o.countRequest();
            return o.reader.getAccountState(l.address, { openOrders: false });
          }),
        ),
      ),
      this.#o.ownAccount()
        ? null // an account of its own (paper, a seeded dry run) tells it
        : this.#o.startupRead("your account", () => {
            this.#o.countRequest();
            return o.reader.getAccountState(o.account);
          }),
    ]);
    const receivedAt = this.#o.now();
    // A dry run's first read is its only read of the real account's cash: its ledger and fills
    // come with it even when the read takes no P&L inputs (follow --dry-run's preflight). From
    // then on it models its own account, and nothing would confirm a change they explain.
    const firstDry = this.#o.can.previewsLive && !this.#o.checked();
    // A live follow's preflight decides the plan its review shows: our cash flows since the last
    // run come with it (the start's ledger read, no request), or a withdrawal made while no run
    // watched holds the increases there and the run's start sweep sends them unreviewed.
    const preflight = !pnlInputs && !this.#o.checked();
    const [traded, ourRole, flows, joinFills, ourRead, ourFills] = await Promise.all([
      this.#o.checked() ? new Map<Address, boolean>() : this.#o.checks.readTraded(leaders),
      this.#o.checked() ? null : this.#o.checks.readOurRole(ours),
      this.#readCashFlows(leaders),
      this.#readJoinFills(),
      // Our ledger for the safety rules (not for the on-exit step's read: nothing is decided on it).
      pnlInputs || preflight ? this.#readOurCashFlows(preflight) : null,
      firstDry ? this.#o.ourFills.readDryRunFills() : null,
      // The P&L's inputs the stream does not bring (funding records; our fills without a
      // stream): journaled as they arrive, as streamed ones are, so they need not wait their turn.
      ...(pnlInputs ? [this.#o.ourFills.readOwnFills(), this.#o.pnl.readFunding()] : []),
    ]);
    const ourFlows = await this.#afterStartLedger(ourRead, ours, ourFills);
    return {
      markets,
      marketsMark,
      leaders,
      receivedAt,
      traded,
      flows,
      ourFlows,
      ourFills,
      joinFills,
      ours,
      ourRole,
      oursMark,
      resolvedMark,
      protectionMark,
    };
  }

  /** Each leader's net deposits/withdrawals since its copy began (null: not netted in this run). */
  async #readCashFlows(
    /** The leaders' accounts this sweep read (in the leaders' order): flows after each are not in it. */
    states: readonly (AccountState | undefined)[],
  ): Promise<Map<Address, { usd: number; since: number }> | null> {
    const o = this.#o;
    if (
      o.leaderCashFlows === false ||
      !o.reader.getLedgerUpdates ||
      !usesLeaderEquity(o.settings.sizing.mode)
    ) {
      return null;
    }
    const read = o.reader.getLedgerUpdates.bind(o.reader);
    const out = new Map<Address, { usd: number; since: number }>();
    await Promise.all(
      this.#o.leaders.map(async (l, i) => {
        const since = this.#o.copyState.leader(l.address, this.#o.now()).since;
        // The account was read before the ledger: a flow that landed in between is not in its
        // value yet (the stream's next snapshot brings it, LeaderModel.pendingCashFlow).
        const asOf = states[i]?.time;
        const flows = await this.#o.startupRead(`the leader's ledger (${l.address})`, () => {
          this.#o.countRequest();
          return read(l.address, since);
        });
        const inAccount = asOf !== undefined && asOf > 0 ? flows.filter((f) => f.time <= asOf) : flows;
        out.set(l.address, { usd: inAccount.reduce((sum, f) => sum + f.usd, 0), since });
      }),
    );
    return out;
  }

  /**
   * Our own deposits/withdrawals/transfers since the last journaled one: the same ledger read
   * as the leaders', for the safety rules (their stream may have missed one, or there is no
   * stream). A failed read only waits for the next sweep: the account stream's unexplained cash
   * change waits for it meanwhile (core/safety.ts CashTracker). A dry run reads them too, until
   * its account is its own (its first read): the ones no live run journaled yet scale its marks
   * as they would a live run's. Paper's account is its own from the start: none. The first read
   * of a run that checked its anchor is the anchor check's (StartChecks.takeStartLedger): one
   * read per start (two when a cash flow landed after it, before our account was read:
   * #afterStartLedger).
   */
  async #readOurCashFlows(preflight = false): Promise<OurCashFlows | null> {
    const o = this.#o;
    // The start's read (the anchor check's), once, when this comes soon after it: it began no
    // later than this read would, and holds every flow the ledger had when it was taken. A
    // preflight hands back what it used, for the run's start sweep (no request there either).
    const start = this.#o.checks.takeStartLedger();
    if (!o.reader.getLedgerUpdates || this.#o.ownAccount()) return null;
    const since = this.#o.safety.ledgerSince();
    if (start && startLedgerStands(start, since, this.#o.now())) {
      // A preflight hands the read back: the run's start sweep takes it under the same rule.
      if (preflight) this.#o.checks.keepStartLedger(start);
      const flows = start.flows.filter((f) => f.time >= since);
      if (start.through === undefined || start.through === null) {
        this.#o.safety.ledgerRead(start.startedAt);
        return { flows, fromStart: true };
      }
      // The start's read stopped at its page cap: the rest is read now, from where it stopped.
      const rest = await this.#readOurLedger(start.through);
      return { flows: rest ? [...flows, ...rest.flows] : flows, fromStart: true };
    }
    const startedAt = this.#o.now();
    const read = await this.#readOurLedger(since);
    // A preflight's own read (no start read stood) stands for the start sweep's in turn.
    if (read && preflight)
      this.#o.checks.keepStartLedger({ flows: read.flows, since, startedAt, through: read.through });
    return read && { flows: read.flows, fromStart: false };
  }

  /**
   * A read of our ledger begun at `startedAt` went through — to `through` only, when it stopped
   * at its page cap. Then the safety rules' next read starts there, not at this read's start:
   * moved to now, it would never read the entries after `through`, and a withdrawal among them
   * would stay a change of the cash the ledger never explains, counted as a trading loss once it
   * waited CASH_FLOW_CONFIRM_MS (core/safety.ts) — the kill switch could close everything on it;
   * a deposit, a gain. So the rest is read at the next sweep (until then such a change waits
   * unconfirmed, increases held when a limit would be hit by it), and the trader is told.
   */
  #ledgerReadThrough(startedAt: number, through: number | null, entries: number): void {
    if (through === null) {
      this.#o.safety.ledgerRead(startedAt);
      return;
    }
    this.#o.safety.ledgerRead(startedAt, through);
    this.#o.emit({
      type: "warning",
      ts: this.#o.now(),
      message: `your account's ledger after ${utcMinute(through)} could not be read at once (the read stopped at its page cap, ${entries.toLocaleString("en-US")} entries): deposits and withdrawals after then are read at the next sweep — until then a change of the cash they made waits unconfirmed (no increase is sent while a limit would be hit by it), and one still unexplained after ${CASH_FLOW_CONFIRM_MS / 60_000} minutes counts as a trading result`,
    });
  }

  /**
   * The start's ledger read stood for this sweep's (#readOurCashFlows) but was taken before the
   * sweep read our account: a deposit or withdrawal that landed in between is in the account's
   * cash and not in those flows, and the safety rules would take it for a change the ledger has
   * not explained (a withdrawal: a possible loss, increases held; a dry run, which never reads
   * the ledger again, for the rest of its run). So when the account's cash shows a change the
   * flows and our fills leave unexplained (SafetyWatch.unexplainedAt), the ledger is read once
   * more — now, after the account — and the rules decide on that read. Once a run (a follow's
   * preflight and its start sweep both take the start's read); a start whose cash is explained
   * reads nothing more.
   * A failed read keeps the start's flows (the change waits for the next read, as before).
   */
  async #afterStartLedger(
    read: OurCashFlows | null,
    ours: AccountState | null,
    fills: readonly Fill[] | null,
  ): Promise<CashFlowRow[] | null> {
    if (!read?.fromStart || !ours || this.#readAfterStart) return read?.flows ?? null;
    if (this.#o.safety.unexplainedAt(ours.cash, read.flows, fills ?? []) === 0) return read.flows;
    this.#readAfterStart = true;
    const again = await this.#readOurLedger(this.#o.safety.ledgerSince());
    // The start's flows too: the new read may begin later (SafetyWatch.ledgerSince moved up to
    // where the start's read began); the safety rules take each flow once.
    return again ? [...read.flows, ...again.flows] : read.flows;
  }

  /** The ledger was read again after the start's read (#afterStartLedger): once a run. */
  #readAfterStart = false;

  /**
   * A read of our ledger from `since` (one request); null when it failed (said: a warning).
   * `through`: it stopped at its page cap there (#ledgerReadThrough).
   */
  async #readOurLedger(since: number): Promise<LedgerHistory<CashFlowRow> | null> {
    const o = this.#o;
    const read = ledgerHistoryRead(o.reader);
    if (!read) return null;
    try {
      const startedAt = this.#o.now();
      // A read stopped at its page cap goes on from there at once, a few times: the safety
      // rules decide this sweep on every deposit and withdrawal (#ledgerReadThrough).
      const flows: CashFlowRow[] = [];
      let through: number | null = since;
      for (let i = 0; i < LEDGER_READS && through !== null; i++) {
        this.#o.countRequest();
        const got: LedgerHistory<CashFlowRow> = await read(o.account, through);
        flows.push(...got.flows);
        through = got.through;
      }
      // Each read on begins with the entries at the time the last stopped at: counted once.
      const entries = new Set(flows.map((f) => `${f.time}|${f.hash}|${f.kind}`)).size;
      this.#ledgerReadThrough(startedAt, through, entries);
      return { flows, through };
    } catch (error) {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `your account's ledger could not be read (deposits and withdrawals wait for the next sweep): ${toHlcopyError(error).message}`,
      });
      return null;
    }
  }

  /** Equity-ratio: the leaders' deposits/withdrawals since their copy began are not trades (design §4). */
  netLeaderCashFlows(read: Map<Address, { usd: number; since: number }> | null): void {
    const o = this.#o;
    if (!read) return;
    for (const l of this.#o.leaders) {
      const flow = read.get(l.address);
      if (!flow) continue;
      const { usd: net, since } = flow;
      if (net !== l.netCashFlow && net !== 0) {
        const message = `leader ${short(l.address)} moved ${fmtUsdSigned(net)} in or out since ${new Date(since).toISOString()}: netted out of its equity, not copied as a trade`;
        this.#o.emit({ type: "notice", ts: this.#o.now(), kind: "cash-flow", message });
        o.journal.recordEvent({
          ts: this.#o.now(),
          type: "cashFlow",
          runId: this.#o.runId(),
          data: { leader: l.address, usd: net, since },
        });
      }
      l.netCashFlow = net;
    }
  }

  /** Without streams (a cron run): each leader's fills since its join baseline was last checked. */
  async #readJoinFills(): Promise<Map<Address, Fill[]>> {
    const o = this.#o;
    const out = new Map<Address, Fill[]>();
    const read = o.reader.getFillsByTime?.bind(o.reader);
    if (this.#o.streaming() || !read) return out;
    for (const l of this.#o.leaders) {
      const from = this.#o.ownership.joinFillsFrom(l.address);
      if (from === null) continue;
      this.#o.countRequest();
      out.set(l.address, await read(l.address, from));
    }
    return out;
  }
}
