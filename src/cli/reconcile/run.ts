// One reconcile: recover unresolved orders → read everything → plan → send (unless
// --dry-run, or a pause stands) → re-read and re-plan → report what happened and the drift
// that remains. The decisions are the engine's (the same code `follow` runs), so cron and
// follow agree — a pause recorded with `hlcopy pause` holds both alike (all but a halt's closes).

import { type DriftStatus, driftReport, shownDrift, shownTarget } from "../../core/drift.js";
import { ExitCode, HlcopyError, toHlcopyError } from "../../core/errors.js";
import {
  detailNumber,
  fmtUsd,
  roundFigure,
  roundOrNull,
  shortAddress,
  utcMinute,
} from "../../core/format.js";
import { orderFields } from "../../core/orders.js";
import { isCappedOrder, reasonText } from "../../core/reasons.js";
import type { HaltKind } from "../../core/safety.js";
import type { Settings } from "../../core/settings.js";
import { checkSizingSettings } from "../../core/sizing.js";
import { orderKind } from "../../core/slippage.js";
import type { Address, Plan, PlannedAction, ReasonCode } from "../../core/types.js";
import { CopyEngine } from "../../engine/engine.js";
import { liveExecutor } from "../../engine/executor.js";
import type { ExecutedAction } from "../../engine/ports.js";
import { checkLeverageBelowCap } from "../../engine/start-checks.js";
import { pendingPausePaths, readStandingPause, type StandingPause } from "../../store/control.js";
import { lookDirs } from "../../store/lock.js";
import { wrapToWidth } from "../../ui/format.js";
import type { CliContext } from "../context.js";
import { outputWidth, printDocument, renderTable, TABLE_WIDTH, type Writer } from "../output.js";
import { resendOnRateLimit } from "../rate-limit.js";
import { keepRefusal } from "../refusal.js";
import { planReviewer, ReviewDeclined } from "../review.js";
import { oneShotStop, RunInterrupted, whereStopped } from "../signals.js";
import { liveRunRefused, openTradingSession } from "../trading.js";

export interface ReconcileOptions {
  leader: Address;
  settings: Settings;
  dryRun: boolean;
  /** Manage positions hlcopy did not open instead of refusing them. */
  adopt?: boolean;
  /** Confirm a plan that needs review without asking. */
  yes?: boolean;
  /** Copy a leader that has never traded (no position, no fill on record; funded or not): as flat. */
  allowEmptyLeader?: boolean;
  out?: Writer;
  err?: Writer;
}

/** The `--json` document (the CLI contract: scripts depend on these names). */
export interface ReconcileReport {
  leader: Address;
  account: Address;
  dryRun: boolean;
  inSync: boolean;
  halted: boolean;
  /** What halted it (`halted` true): the kill switch, the daily loss limit or a flatten, and why; else null. */
  halt: { kind: HaltKind; reason: string } | null;
  /**
   * The pause that stands (`hlcopy pause`; a follow that ended paused), null when none: a live
   * run sends nothing under it but a halt's closes (the rest of its actions are "held", exit 4);
   * a dry run only says so.
   */
  paused: { since: number | null } | null;
  /**
   * The stop signal that came once the run could send (it sent nothing after it: the plan's
   * orders not sent yet are listed with status "not sent"), null when none.
   */
  interrupted: NodeJS.Signals | null;
  actions: ReportedAction[];
  /**
   * The plan's skips. `capped: true`: a cap's note beside the coin's own order, which goes cut —
   * no skip (listed under "capped:" in the text; core/reasons.ts isCappedOrder).
   */
  skipped: { coin: string; reason: string; detail: string; capped: boolean }[];
  /** Each coin as the run left it, with its drift status (core/drift.ts). */
  drift: {
    coin: string;
    /** The copy target; null for a position left alone (hlcopy has no target for it). */
    targetSize: number | null;
    ourSize: number;
    /** To the cent; null for a position left alone (no target, no drift figure). */
    driftUsd: number | null;
    status: DriftStatus;
    reason: string | null;
  }[];
  /** The leader's deposits/withdrawals since the copy began, netted out of its equity (USD). */
  cashFlows: { leader: Address; usd: number; since: number }[];
  /** Per coin a leader holds: the sizing mode that sized its target, the numbers behind it, one line. */
  sizing: { coin: string; mode: string; inputs: Record<string, number | null>; detail: string }[];
  /** Resting passive entries the plan cancels (exec.entry passive). */
  cancels: { coin: string; cloid: string; reason: string; detail: string }[];
  /** Requests made to the exchange by this run. */
  requests: number;
  /**
   * What the run said on stderr as it went, in order: a `warning:` line's text (a start-up read
   * that waits out a 429, …), and each notice (a netted cash flow, an unneeded --adopt, …) by its
   * kind — so a script reading the document misses none of it.
   */
  warnings: string[];
  notices: { kind: string; message: string }[];
}

export interface ReportedAction {
  coin: string;
  side: "buy" | "sell";
  size: number;
  limitPx: number;
  reduceOnly: boolean;
  cloid: string;
  reason: string;
  /**
   * "planned" in --dry-run, "held" under a pause (not sent), "not sent" when a stop signal came
   * before it went; otherwise the exchange's outcome.
   */
  status: string;
  filledSize: number;
  avgPx: number | null;
  /** Execution slippage: the fill against the best bid/ask when the order was decided (bps; a sweep's orders are no copies). */
  execSlippageBps: number | null;
  /**
   * The order's kind, as the journal counts it: a reconcile's orders are sweep repairs, safety
   * closes (kill switch) or, under the halt of the trader's flatten, its closes; null in a dry run.
   */
  kind: "repair" | "safety" | "flatten" | null;
  error: string | null;
  /** A post-only entry resting at `limitPx` (exec.entry passive). */
  passive?: boolean;
}

/** What a reconcile a stop signal ended before it sent says to do. */
const AGAIN = "hlcopy reconcile";

/**
 * @returns the exit code: 0 in sync, 3 drift remains, 4 halted or (a live run) paused.
 * @throws {RunInterrupted} (exit 130) when a stop signal ended it before it could send.
 */
export async function runReconcile(ctx: CliContext, options: ReconcileOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const { dryRun, settings, leader } = options;
  // A sizing mode that cannot act (risk-per-trade without a stop) is refused before anything runs.
  checkSizingSettings(settings);
  // An exchange leverage below the cap would have the exchange refuse the copy's orders near it.
  // A dry run answers "what would a live run do now?": one that would be refused so is said.
  let leverageRefusal: string | null = null;
  if (!dryRun) checkLeverageBelowCap(settings);
  else {
    try {
      checkLeverageBelowCap(settings);
    } catch (error) {
      if (!(error instanceof HlcopyError)) throw error;
      leverageRefusal = liveRunRefused(error);
    }
  }
  // Ctrl-C, kill (cron's `timeout`), a closed terminal: before the run may send (start-up, the
  // checks, the passphrase, the review) it stops there — nothing sent, and it says so: error and
  // hint lines, exit 130 (RunInterrupted: the account was not brought in sync). Once past its
  // review its one sweep is under way: the orders out are awaited, the account read again and the
  // report printed (what was sent, and its usual exit code), and nothing more is sent (a second
  // signal kills).
  const stop = oneShotStop(err, "an order request already out is awaited");
  try {
    return await reconcileOnce();
  } finally {
    stop.off();
  }

  async function reconcileOnce(): Promise<number> {
    // Kept for the --json document as well (ReconcileReport warnings, notices): every `warning:`
    // line the run prints, the start-up's (a read retried, the approval ending soon, a dry run's
    // "a live run would be refused now") and a rate limit's resend included.
    const warnings: string[] = [];
    const notices: { kind: string; message: string }[] = [];
    const warnLine = (line: string): void => {
      if (line.startsWith("warning: ")) warnings.push(line.slice("warning: ".length));
    };
    // The set-up's warnings about the run are the engine's to say (CopyEngine.warn): once the
    // start checks pass, never before a refusal (a coin list's typo, a leader that never traded).
    const setUp: string[] = leverageRefusal ? [leverageRefusal] : [];
    const waited: { message: string; ts: number }[] = [];
    let session: Awaited<ReturnType<typeof openTradingSession>>;
    try {
      session = await openTradingSession(ctx, {
        signal: stop.startup,
        needKey: !dryRun,
        unlockLater: true,
        lock: !dryRun,
        command: "reconcile",
        oneShot: true,
        leaders: [leader],
        warn: (line) => setUp.push(line),
        // Why the start takes time (a retried check, a held journal): said as it happens, and
        // journaled as the run's warnings once it begins, at their own times (saidAtSetUp).
        wait: (line) => {
          warnLine(line);
          if (line.startsWith("warning: "))
            waited.push({ message: line.slice("warning: ".length), ts: Date.now() });
          err.write(`${line}\n`);
        },
        startupTimeoutMs: settings.exec.startupTimeoutSeconds * 1000,
      });
    } catch (error) {
      // A session that did not open (a key, the lock, the approval): bad input changes nothing
      // on disk, so no refusal is kept (cli/refusal.ts).
      if (!stop.signalled) throw error;
      throw new RunInterrupted(stop.signalled, "during start-up", AGAIN);
    }
    if (stop.signalled) {
      session.close();
      throw new RunInterrupted(stop.signalled, "during start-up", AGAIN);
    }
    // A pause recorded for the account (hlcopy pause with no follow running, or a follow that
    // ended paused) holds a live run as it holds a follow: it plans and sends nothing until
    // hlcopy resume. Read once the lock is held: a pause asked for after that is refused (this
    // run takes no commands). A dry run only says it stands.
    const paused = readStandingPause(pendingPausePaths(lookDirs(ctx.env), ctx.network, session.account));
    const { writeAboveQuestion } = await import("../ask.js");
    const engine = new CopyEngine({
      reader: session.client,
      // A 429 on its orders is waited out and the same batch sent again (a cron run has no next
      // plan to leave it to), one line per wait: above the review's question, as the lines below.
      executor: dryRun
        ? null
        : liveExecutor(session.client, {
            resendOnRateLimit: resendOnRateLimit((line) => {
              warnLine(line);
              writeAboveQuestion(err, `${line}\n`);
            }),
          }),
      journal: session.journal,
      settings,
      leaders: [{ address: leader, weight: 1 }],
      account: session.account,
      network: ctx.network.name,
      mode: dryRun ? "dry-run" : "live",
      command: dryRun ? "dry-run" : "reconcile",
      adopt: options.adopt === true,
      allowEmptyLeader: options.allowEmptyLeader === true,
      sayUnneededPermits: true,
      // Resting stops / take-profits (risk.stopLossPct …) are kept in step by every live reconcile too.
      ...(dryRun
        ? {}
        : {
            review: planReviewer(options.yes === true),
            protection: session.client,
            passive: session.client,
            unlock: (signal: AbortSignal) => session.unlock(signal),
          }),
    });
    // A stop signal reaches the engine from here (oneShotStop).
    stop.engine = engine;
    // What a start-up read waits for (a 429, a 5xx) and what the run netted or adopted: one
    // line each on stderr, so stdout stays the report (a JSON document with --json); above the
    // review's question while it waits, never onto its line.
    // On a terminal within its width, as the report; a pipe or a log keeps each line whole (one
    // line per event, as follow's event lines).
    const errWidth = (err as { isTTY?: boolean }).isTTY
      ? process.stderr.columns || TABLE_WIDTH
      : Number.POSITIVE_INFINITY;
    for (const line of setUp) engine.warn(line.replace(/^warning: /, ""));
    for (const w of waited) engine.saidAtSetUp(w.message, w.ts);
    engine.events.on((e) => {
      if (e.type === "warning") {
        warnings.push(e.message);
        writeAboveQuestion(err, `${wrapToWidth(`warning: ${e.message}`, errWidth)}\n`);
      } else if (e.type === "notice") {
        notices.push({ kind: e.kind, message: e.message });
        writeAboveQuestion(err, `${wrapToWidth(e.message, errWidth)}\n`);
      }
    });
    let code: number = ExitCode.runtime;
    try {
      // The follow's own pause: nothing is sent but a halt's closes — the kill switch is the
      // trader's standing instruction to close, and reducing risk is always allowed — as a
      // paused follow sends them (engine #execute, core/safety.ts sentWhilePaused).
      if (paused && !dryRun) engine.togglePause();
      // A journal another program holds (a SQLite browser, a backup tool) is waited for, said once.
      await engine.beginWhenFree();
      if (!dryRun) await engine.recoverOrders();
      const first = await engine.sweep("sweep", !dryRun);
      if (stop.stoppedEarly) throw new RunInterrupted(stop.signalled ?? "SIGINT", "before sending", AGAIN);
      // After sending, the truth is the exchange's: read it again and plan without sending.
      const final = first.results.length > 0 ? await engine.sweep("sweep", false) : first;
      const report = buildReport({
        leader,
        account: session.account,
        dryRun,
        decided: first.plan,
        final: final.plan,
        results: first.results,
        halted: final.halted,
        halt: final.halt,
        paused,
        interrupted: stop.signalled,
        cashFlows: engine.leaderCashFlows,
        requests: session.client.budget.sent,
        // The sizing change a review's prompt showed is one of the run's warnings all the same.
        warnings: [...engine.toldAtReview, ...warnings],
        notices,
      });
      // Held by a pause, a live run exits 4 as a halted one does: trading is held until hlcopy
      // resume (which lifts both); the report's `paused` tells the two apart.
      // A dry run whose live run would cancel a resting entry would act: exit 3, as for an order.
      code =
        report.halted || (report.paused && !dryRun)
          ? ExitCode.halted
          : report.inSync && !(dryRun && report.cancels.length > 0)
            ? ExitCode.ok
            : ExitCode.drift;
      if (ctx.json) printDocument("reconcile", report, out);
      else out.write(await renderReport(report, first.plan, final.plan));
    } catch (error) {
      code = toHlcopyError(error).exitCode;
      // Stopped by a signal before it could send (at the review, the passphrase, the checks).
      if (stop.stoppedEarly)
        throw error instanceof RunInterrupted
          ? error
          : new RunInterrupted(stop.signalled ?? "SIGINT", whereStopped(error), AGAIN);
      // No at the review: one plain line, nothing sent, not an error — and not in sync either:
      // the drift the plan would have repaired remains (exit 3, as a run that leaves drift).
      if (error instanceof ReviewDeclined) code = ExitCode.drift;
      else {
        // Refused before it could send (a start check, positions hlcopy did not open, a review
        // without --yes): kept for status, as a follow's is. An error once it may have sent is
        // no refusal: that run is journaled.
        if (!dryRun && !engine.hasActed) await keepRefusal(ctx, "reconcile", session.account, error);
        throw error;
      }
      // --json: the one document the contract promises (a script reading stdout got nothing).
      if (ctx.json)
        printDocument(
          "error",
          {
            message: error.message,
            hint: "run it again and answer y, or pass --yes once the plan (--dry-run) is what you want",
            fatal: true,
          },
          out,
        );
      else err.write(`${error.message}\n`);
    } finally {
      await engine.stop(dryRun ? "dry-run done" : "reconcile done", code);
      session.close();
    }
    return code;
  }
}

/** The kind of a reconcile's order (a sweep's: core/slippage.ts orderKind), as the journal has it. */
function sweepKind(reason: ReasonCode): "repair" | "safety" | "flatten" {
  const kind = orderKind("sweep", reason, false);
  return kind === "safety" || kind === "flatten" ? kind : "repair";
}

/** The halt as status says it — `(manual): flatten requested …` — not every halt is a safety rule's. */
function haltedBy(halt: ReconcileReport["halt"]): string {
  return halt ? `(${halt.kind}): ${halt.reason}` : "by a safety rule";
}

export function buildReport(p: {
  leader: Address;
  account: Address;
  dryRun: boolean;
  decided: Plan;
  final: Plan;
  results: ExecutedAction[];
  halted: boolean;
  halt?: { kind: HaltKind; reason: string } | null;
  /** The pause that stands (a live run sent nothing under it). */
  paused?: StandingPause | null;
  /** The stop signal that came once it could send: nothing went after it. */
  interrupted?: NodeJS.Signals | null;
  cashFlows?: { leader: Address; usd: number; since: number }[];
  requests: number;
  warnings?: string[];
  notices?: { kind: string; message: string }[];
}): ReconcileReport {
  // The coins the plan has an order for: a cap's note beside one is no skip (the order goes, cut).
  const planned = new Set(p.decided.actions.map((a) => a.coin));
  const paused = p.paused ? { since: p.paused.pausedAt } : null;
  const interrupted = p.dryRun ? null : (p.interrupted ?? null);
  // Nothing sent — a dry run, or what a pause held (all but a halt's closes): the plan's orders,
  // as planned or held; what went, with its outcome.
  const notSent = (a: PlannedAction): ReportedAction => ({
    ...orderFields(a),
    status: p.dryRun ? "planned" : paused ? "held" : "not sent",
    filledSize: 0,
    avgPx: null,
    execSlippageBps: null,
    kind: p.dryRun ? null : sweepKind(a.reason),
    error: null,
    ...(a.passive ? { passive: true } : {}),
  });
  const sent: ReportedAction[] = p.dryRun
    ? []
    : p.results.map((r) => ({
        coin: r.coin,
        side: r.side,
        size: r.size,
        limitPx: r.limitPx,
        reduceOnly: r.reduceOnly,
        cloid: r.cloid,
        reason: r.reason,
        status: r.status,
        filledSize: r.filledSize,
        avgPx: r.avgPx,
        execSlippageBps: roundFigure("bps", r.slippageBps),
        kind: sweepKind(r.reason),
        error: r.error,
        ...(r.passive ? { passive: true } : {}),
      }));
  const went = new Set(sent.map((a) => a.cloid));
  const actions: ReportedAction[] =
    p.dryRun || paused || interrupted
      ? [...sent, ...p.decided.actions.filter((a) => !went.has(a.cloid)).map(notSent)]
      : sent;
  // The one drift meaning (the dashboard's, status's): each coin's status in the final plan.
  const statusOf = new Map(
    driftReport({
      targets: p.final.targets,
      skipped: p.final.skipped,
      actionCoins: p.final.actions.map((a) => a.coin),
    }).coins.map((c) => [c.coin, c]),
  );
  return {
    leader: p.leader,
    account: p.account,
    dryRun: p.dryRun,
    inSync: p.final.inSync && !p.halted,
    halted: p.halted,
    halt: p.halt ?? null,
    paused,
    interrupted,
    actions,
    skipped: p.decided.skipped.map((s) => ({
      coin: s.coin,
      reason: s.reason,
      detail: s.detail,
      capped: isCappedOrder(s, planned),
    })),
    drift: p.final.targets
      .filter((t) => {
        // A coin neither side holds at a target of 0 is nothing to say, unless it keeps the copy
        // out of sync (a leader's coin with nothing to size from: no target, blocked).
        const s = statusOf.get(t.coin)?.status;
        return t.targetSize !== 0 || t.ourSize !== 0 || s === "blocked" || s === "drift";
      })
      .map((t) => {
        const d = statusOf.get(t.coin);
        return {
          coin: t.coin,
          targetSize: shownTarget(t.targetSize, d),
          ourSize: t.ourSize,
          driftUsd: roundOrNull(shownDrift(t.driftUsd, d), 2),
          status: d?.status ?? "in-sync",
          reason: d?.reason ?? null,
        };
      }),
    cashFlows: (p.cashFlows ?? []).filter((c) => c.usd !== 0),
    sizing: p.decided.targets.flatMap((t) =>
      t.sizing
        ? [{ coin: t.coin, mode: t.sizing.mode, inputs: t.sizing.inputs, detail: t.sizing.detail }]
        : [],
    ),
    cancels: (p.decided.cancels ?? []).map((c) => ({
      coin: c.coin,
      cloid: c.cloid,
      reason: c.reason,
      detail: c.detail,
    })),
    requests: p.requests,
    warnings: [...(p.warnings ?? [])],
    notices: [...(p.notices ?? [])],
  };
}

/**
 * The table: columns of one moment each. Without orders sent (a dry run, a pause, nothing to
 * do) the plan's read is the whole story: leader, target, ours, drift $ and what it would do.
 * After orders, leader, target and ours are the plan's (what the orders were sized against),
 * then the action, then `after` and `drift $` as the exchange was read again: `leader -13.84 │
 * target -0.69 │ ours 2.53 │ buy 2.53` read as buying against a short leader when ours was
 * re-read after a buy the leader's earlier long asked for. The drift is one meaning everywhere
 * (re-read target − re-read ours, as in --json): a target the re-read moved is shown moved —
 * `0.0376 → -0.0011` — so `after 0.0376 │ drift $ -116.15` reads against the target it is of.
 */
export async function renderReport(
  report: ReconcileReport,
  decided: Plan,
  final: Plan,
  width: number = outputWidth(),
): Promise<string> {
  // Each coin's orders (with why) or skips, in one cell: the reason leads, as a label. The
  // skips' details are said under the table — in a column of their own they made the table
  // 101 columns wide (status says its skips under its table too).
  const byCoin = new Map<string, string[]>();
  const add = (coin: string, text: string) => byCoin.set(coin, [...(byCoin.get(coin) ?? []), text]);
  // A cap's note beside the coin's own order is no skip: the order goes, cut ("buy 8.8 (capped)").
  const capped = new Set(report.skipped.filter((s) => s.capped).map((s) => s.coin));
  for (const a of report.actions) {
    const cut = capped.has(a.coin) ? " (capped)" : "";
    const what = `${a.side} ${detailNumber(a.size)}${cut}${a.reduceOnly ? " (reduce)" : ""}${a.passive ? ` (passive @ ${detailNumber(a.limitPx)})` : ""}`;
    const outcome =
      a.status === "planned"
        ? "planned"
        : a.status === "held"
          ? "held (paused)"
          : a.status === "not sent"
            ? `not sent (${report.interrupted ?? "stop signal"})`
            : a.status === "filled"
              ? `filled @ ${detailNumber(a.avgPx ?? 0)}`
              : a.status === "partial"
                ? `partial ${detailNumber(a.filledSize)} @ ${detailNumber(a.avgPx ?? 0)}`
                : a.status;
    add(a.coin, `${a.reason}: ${what} → ${outcome}`);
  }
  for (const s of report.skipped) {
    if (s.capped) continue;
    add(s.coin, `skipped: ${s.reason}`);
  }
  // Orders went out (not a dry run; under a pause, a halt's closes): the table has two moments.
  const sent = report.actions.some(
    (a) => a.status !== "planned" && a.status !== "held" && a.status !== "not sent",
  );
  const rows: (string | number)[][] = [];
  const coins = new Set<string>([
    ...decided.targets.map((t) => t.coin),
    ...final.targets.map((t) => t.coin),
    ...byCoin.keys(),
  ]);
  // A position left alone has no target and no drift figure (core/drift.ts), as in status.
  const statusOf = new Map(report.drift.map((d) => [d.coin, d]));
  const plannedStatus = new Map(
    driftReport({
      targets: decided.targets,
      skipped: decided.skipped,
      actionCoins: decided.actions.map((a) => a.coin),
    }).coins.map((c) => [c.coin, c]),
  );
  for (const coin of [...coins].sort()) {
    const before = decided.targets.find((x) => x.coin === coin);
    const after = final.targets.find((x) => x.coin === coin);
    const b = byCoin.get(coin);
    const flat = (t: typeof before) => !t || (t.targetSize === 0 && t.ourSize === 0);
    if (!b && flat(before) && flat(after)) continue;
    // No drift figure where there is no target (left alone, nothing to size from): "-".
    const alone = after !== undefined && shownDrift(after.driftUsd, statusOf.get(coin)) === null;
    // The plan's columns: its read, and its own view of each coin.
    const plan = sent ? before : after;
    const planTarget = plan
      ? shownTarget(plan.targetSize, (sent ? plannedStatus : statusOf).get(coin))
      : null;
    const shown = (size: number | null) => (size === null ? "-" : detailNumber(size));
    // After orders the drift is of the re-read target: where the re-read moved it, both are shown.
    const reread = sent && after ? shownTarget(after.targetSize, statusOf.get(coin)) : planTarget;
    const targetCell =
      shown(reread) === shown(planTarget) ? shown(planTarget) : `${shown(planTarget)} → ${shown(reread)}`;
    const planned = [
      coin,
      // "-" where the leader holds none, as the dashboard and status say it.
      plan && plan.leaderSize !== 0 ? detailNumber(plan.leaderSize) : "-",
      targetCell,
      plan ? detailNumber(plan.ourSize) : "-",
    ];
    const action = b?.join("; ") ?? (after && after.targetSize === after.ourSize ? "in sync" : "-");
    rows.push(
      sent
        ? [
            ...planned,
            after ? detailNumber(after.ourSize) : "-",
            after && !alone ? fmtUsd(after.driftUsd) : "-",
            action,
          ]
        : [...planned, after && !alone ? fmtUsd(after.driftUsd) : "-", action],
    );
  }
  // The dashboard's and status's column names; the last column wraps into what is left of 80.
  const head = sent
    ? ["coin", "leader", "target", "ours", "after", "drift $", "action"]
    : ["coin", "leader", "target", "ours", "drift $", "action"];
  // Every line within the tables' width (80 off a terminal), as status's and report's: the
  // addresses shortened as the dashboard's header says them (--json keeps them whole), the
  // lines of words cut at their separators.
  const within = (line: string) => wrapToWidth(line, width);
  const moved = sent && rows.some((r) => String(r[2]).includes(" → "));
  const table =
    rows.length > 0
      ? [
          ...(sent
            ? [
                within(
                  `leader, target, ours: as planned · after, drift $: re-read after the orders${moved ? " · target x → y: y as re-read, the one drift $ is against" : ""}`,
                ),
              ]
            : []),
          await renderTable(head, rows, { wrapLast: true, width }),
        ].join("\n")
      : "no positions on either side";
  // A cap that cut an order is listed as capped, not skipped: the order went (or goes), smaller.
  const line = (s: ReconcileReport["skipped"][number]) => `  ${s.coin} ${s.reason}: ${s.detail}`;
  const cappedLines = report.skipped.filter((s) => s.capped).map(line);
  const skipped = report.skipped.filter((s) => !s.capped).map(line);
  const errors = report.actions.filter((a) => a.error).map((a) => `  ${a.coin}: ${a.error}`);
  const since = report.paused?.since ? ` since ${utcMinute(report.paused.since)}` : "";
  // A dry run sends nothing, paused or not: under a pause it says what the live run would do —
  // send nothing (a halt's closes aside) until hlcopy resume, exit 4 — and what it planned is
  // what that run sends once resumed.
  const pausedDry = report.paused !== null && report.dryRun;
  const pausedDryText = `paused${since}: a live run would send nothing${report.halted ? " but the halt's closes" : ""} until hlcopy resume (exit 4)`;
  const status =
    report.paused && !report.dryRun
      ? `paused${since}: ${report.actions.some((a) => a.status !== "held") ? "only the halt's closes sent (reducing risk is always allowed)" : "nothing sent"}; hlcopy resume to trade again`
      : report.halted
        ? `HALTED ${haltedBy(report.halt)}: only reductions are sent (hlcopy status; hlcopy resume clears it)`
        : report.inSync
          ? report.dryRun
            ? report.cancels.length > 0
              ? "in sync, but a live run would cancel the resting entries above (dry run: nothing sent)"
              : "in sync: nothing to do"
            : report.actions.length > 0 || report.cancels.length > 0
              ? "done: in sync"
              : "in sync: nothing to do"
          : report.dryRun
            ? pausedDry
              ? `${pausedDryText}; ${report.actions.length} order(s) planned for when it resumes (dry run: nothing sent)`
              : `${report.actions.length} order(s) would be sent (dry run: nothing sent)`
            : "drift remains outside the deadband (the next run retries it)";
  // Which sizing mode sized each target, and with what (issue 21). Sized alike (one ratio for
  // every coin: equity-ratio, fixed-ratio), said once with the coins it sized.
  const alike = report.sizing.length > 1 && report.sizing.every((x) => x.detail === report.sizing[0]?.detail);
  const sizingHead = `sizing (${report.sizing[0]?.mode})${alike ? `, every coin alike (${report.sizing.map((x) => x.coin).join(", ")})` : ""}:`;
  const sizing = alike
    ? [`  ${report.sizing[0]?.detail}`]
    : report.sizing.map((x) => `  ${x.coin}: ${x.detail}`);
  const cancels = report.cancels.map((c) => `  ${c.coin}: ${c.detail}`);
  const lines = [
    within(
      `leader ${shortAddress(report.leader)} → account ${shortAddress(report.account)}${report.dryRun ? " (dry run)" : ""}`,
    ),
    table,
    ...(cappedLines.length > 0 ? ["capped:", ...cappedLines.map(within)] : []),
    ...(skipped.length > 0 ? ["skipped:", ...skipped.map(within)] : []),
    ...(sizing.length > 0 ? [within(sizingHead), ...sizing.map(within)] : []),
    ...(cancels.length > 0
      ? [report.dryRun ? "would cancel:" : "cancelled first:", ...cancels.map(within)]
      : []),
    ...(errors.length > 0 ? ["rejected:", ...errors.map(within)] : []),
    // A dry run plans as a live run would, and says what holds a live one (on its own line
    // where the status line does not say it).
    ...(pausedDry && !status.startsWith(pausedDryText) ? [within(pausedDryText)] : []),
    within(`${status} · ${report.requests} requests`),
  ];
  if (!report.dryRun && report.skipped.some((s) => s.reason === "kill-switch")) {
    lines.push(within(reasonText("kill-switch")));
  }
  return `${lines.join("\n")}\n`;
}
