// `hlcopy follow`: set up (key, lock, journal, approval, alerts, --listen) and hand the engine
// to runEngineWithView, which shows and runs it until q / Ctrl-C / SIGTERM / SIGHUP / SIGQUIT
// (or a halt with --exit-on-halt); then report the run.

import type { RunAlerts } from "../../alerts/index.js";
import type { UndeliveredAlert } from "../../alerts/sender.js";
import {
  ALERT_DELIVERY_KEY,
  type AlertDeliveryState,
  checkAlertSettings,
  nextAlertDelivery,
} from "../../core/alerts.js";
import { MIN_ORDER_USD } from "../../core/drift.js";
import { toHlcopyError, UsageError } from "../../core/errors.js";
import { utcMinute } from "../../core/format.js";
import { closesNotSentText } from "../../core/safety.js";
import { enumValue, type Settings } from "../../core/settings.js";
import { checkSizingSettings } from "../../core/sizing.js";
import type { Address } from "../../core/types.js";
import { CopyEngine } from "../../engine/engine.js";
import { EngineEvents, type RunMode } from "../../engine/events.js";
import { bookReaderOf, liveExecutor, paperExecutor } from "../../engine/executor.js";
import { exitStepNotDone } from "../../engine/exit-step.js";
import type { OnExit } from "../../engine/ports.js";
import { checkLeverageBelowCap } from "../../engine/start-checks.js";
import type { RequestBudget } from "../../exchange/budget.js";
import { MAX_LEADERS, WS_LIMITS } from "../../exchange/limits.js";
import type { Journal } from "../../store/journal.js";
import { fmtMs, fmtPctSigned, fmtSlippage, fmtUsdSigned, wrapToWidth } from "../../ui/format.js";
import { finalDriftText, type RunSummary, skippedText, tradeBucketsText } from "../../ui/model.js";
import { approveHint } from "../agent/common.js";
import { type CliContext, parseLeaderAddresses } from "../context.js";
import { parseNumberFlag, parseWeightsFlag } from "../numbers.js";
import { printDocument } from "../output.js";
import { keepRefusal } from "../refusal.js";
import { planReviewer } from "../review.js";
import { runEngineWithView } from "../run-engine.js";
import { openTradingSession } from "../trading.js";
import type { ListenOptions } from "./serve.js";

const PAPER_ACCOUNT = "0x0000000000000000000000000000000000000000" as Address;

export interface FollowOptions {
  leaders: { address: Address; weight: number }[];
  mode: RunMode;
  paperEquity: number;
  noUi: boolean;
  exitOnHalt: boolean;
  /** Manage positions hlcopy did not open instead of refusing them. */
  adopt: boolean;
  /** Confirm a start plan that needs review without asking. */
  yes: boolean;
  allowEmptyLeader: boolean;
  /** An agent approval that ends mid-run: keep running and resume when approved again (else exit 4). */
  waitForApproval: boolean;
  /** What a clean stop of a live run does with open positions. */
  onExit: OnExit;
}

const ON_EXIT: readonly OnExit[] = ["protect", "hold", "flatten"];

/** @throws {UsageError} for bad leaders, weights or a mode clash. */
export function parseFollowOptions(leaders: string[], opts: Record<string, unknown>): FollowOptions {
  const addresses = parseLeaderAddresses(leaders);
  if (new Set(addresses).size !== addresses.length) {
    throw new UsageError("the same leader is given twice", { hint: "list each leader once" });
  }
  if (addresses.length > MAX_LEADERS) {
    throw new UsageError(`too many leaders: ${addresses.length} (at most ${MAX_LEADERS})`, {
      hint: `the exchange streams at most ${WS_LIMITS.users} users per IP: ${MAX_LEADERS} leaders plus your account`,
    });
  }
  let weights = addresses.map(() => 1);
  if (typeof opts.weights === "string") weights = parseWeightsFlag(opts.weights, addresses.length);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (opts.dryRun === true && opts.paper === true) {
    throw new UsageError("--dry-run and --paper cannot be combined", {
      hint: "--dry-run sends nothing; --paper fills locally: pick one",
    });
  }
  if (opts.yes === true && (opts.dryRun === true || opts.paper === true)) {
    throw new UsageError(
      `--yes confirms live orders and --${opts.paper === true ? "paper" : "dry-run"} sends none: drop one`,
      {
        hint: "--yes is for live runs, after you reviewed the plan with --dry-run",
      },
    );
  }
  if (opts.adopt === true && opts.paper === true) {
    throw new UsageError("--adopt manages positions of your real account; --paper trades a paper one", {
      hint: "drop --adopt for a paper run",
    });
  }
  // Flags of one run mode given to another would be accepted and do nothing.
  const mode: RunMode = opts.dryRun === true ? "dry-run" : opts.paper === true ? "paper" : "live";
  if (opts.paperEquity !== undefined && mode !== "paper") {
    throw new UsageError(
      `--paper-equity is the paper account's starting equity, but this run is ${mode === "live" ? "live: it would trade your real account" : "a dry run"}`,
      { hint: "add --paper for a paper run (no key, nothing sent), or drop --paper-equity" },
    );
  }
  if (opts.onExit !== undefined && mode !== "live") {
    throw new UsageError(
      `--on-exit acts when a live run stops, but this run is ${mode === "paper" ? "--paper" : "--dry-run"}`,
      {
        hint: "drop --on-exit (a paper or dry run leaves nothing on the exchange)",
      },
    );
  }
  if (opts.exitOnHalt === true && mode === "dry-run") {
    throw new UsageError(
      "--exit-on-halt exits once a halt has flattened the account, but this run is --dry-run",
      {
        hint: "a dry run flattens nothing and records no halt: drop --exit-on-halt (it acts in a live or --paper run)",
      },
    );
  }
  if (opts.waitForApproval === true && mode !== "live") {
    throw new UsageError(
      `--wait-for-approval waits out an agent approval that ends mid-run, but this run is --${mode === "paper" ? "paper" : "dry-run"}`,
      { hint: "drop --wait-for-approval (a paper or dry run signs nothing, so no approval can end)" },
    );
  }
  // A word, as a setting's choice is (core/settings.ts enumValue): --on-exit Flatten is flatten.
  const onExit = enumValue(ON_EXIT, String(opts.onExit ?? "protect"));
  if (onExit === undefined) {
    throw new UsageError(`invalid --on-exit "${String(opts.onExit)}": expected protect, hold or flatten`, {
      hint: "protect keeps a resting stop on every position (with --stop-loss-pct), flatten closes them, hold leaves them",
    });
  }
  const paperEquity =
    typeof opts.paperEquity === "string"
      ? parseNumberFlag(opts.paperEquity, "--paper-equity", { min: 0, exclusive: true, example: "5000" })
      : 10_000;
  // Under the exchange's smallest order the paper account could open nothing, and every run of
  // it would read "in sync": refused, as a setting that cannot act.
  if (paperEquity < MIN_ORDER_USD) {
    throw new UsageError(
      `--paper-equity ${opts.paperEquity} is under the exchange's smallest order ($${MIN_ORDER_USD}): the paper account could copy nothing`,
      { hint: "e.g. --paper-equity 5000 (the default is 10000)" },
    );
  }
  return {
    leaders: addresses.map((address, i) => ({ address, weight: (weights[i] ?? 1) / sum })),
    mode,
    paperEquity,
    noUi: opts.ui === false,
    exitOnHalt: opts.exitOnHalt === true,
    adopt: opts.adopt === true,
    yes: opts.yes === true,
    allowEmptyLeader: opts.allowEmptyLeader === true,
    waitForApproval: opts.waitForApproval === true,
    onExit,
  };
}

/** @returns the exit code: 0 after a clean stop, 4 halted with --exit-on-halt, 1 could not run. */
export async function runFollow(
  ctx: CliContext,
  options: FollowOptions & { settings: Settings; listen?: ListenOptions | null },
): Promise<number> {
  const { mode, leaders, settings } = options;
  const events = new EngineEvents();
  // Alerts (issue 18): their own queue, fed by the events; the "stopped" alert is flushed at the end.
  checkAlertSettings(settings.alerts);
  // A sizing mode that cannot act (risk-per-trade without a stop) is refused before anything runs.
  checkSizingSettings(settings);
  // An exchange leverage below the cap would have the exchange refuse the copy's orders near it.
  if (mode === "live") checkLeverageBelowCap(settings);
  // --listen (issue 18): read-only /status and /metrics, up before the session so a port in
  // use fails the run before anything is locked or sent.
  const served: { account: Address | null; budget: RequestBudget | null } = { account: null, budget: null };
  let alerts: RunAlerts | null = null;
  const listening = options.listen
    ? await (await import("./listen.js")).startListening(
        ctx,
        events,
        options.listen,
        served,
        () => alerts?.sender.stats,
      )
    : null;
  // Each alert's outcome goes to the journal once the run has started, so `status` (another
  // process) can say the webhook is failing.
  let alertJournal: Journal | null = null;
  alerts =
    settings.alerts.webhook.length > 0
      ? (await import("../../alerts/index.js")).startAlerts(events, settings, {
          onOutcome: (outcome) => {
            try {
              const prev = alertJournal?.getCopyState<AlertDeliveryState>(ALERT_DELIVERY_KEY) ?? null;
              alertJournal?.setCopyState(ALERT_DELIVERY_KEY, nextAlertDelivery(prev, outcome), outcome.ts);
            } catch {
              // the journal is closing or the disk failed: the engine reports that itself
            }
          },
        })
      : null;
  const { code, summary, dashboard } = await runEngineWithView({
    json: ctx.json,
    noUi: options.noUi,
    setUp: async (signal) => {
      let session: Awaited<ReturnType<typeof openTradingSession>>;
      // The set-up's warnings about the run are the engine's to say (CopyEngine.warn): once the
      // start checks pass, never before a refusal (a coin list's typo, a leader that never traded).
      const setUp: string[] = [];
      // Its waits are said at once (below), and journaled as the run's warnings once it begins,
      // at their own times (CopyEngine.saidAtSetUp): status and journal say them after the run.
      const waited: { message: string; ts: number }[] = [];
      try {
        session = await openTradingSession(ctx, {
          needKey: mode === "live",
          unlockLater: true,
          lock: mode !== "dry-run",
          command: "follow",
          leaders: leaders.map((l) => l.address),
          paper: mode === "paper",
          ...(mode === "paper" && !ctx.account ? { account: PAPER_ACCOUNT } : {}),
          events,
          warn: (line) => setUp.push(line),
          // Why the start takes time (a retried check, a held journal), before the view starts:
          // a line on stderr, or a JSON warning line with --json.
          wait: (line) => {
            const message = line.replace(/^warning: /, "");
            if (line !== message) waited.push({ message, ts: Date.now() });
            if (ctx.json) printDocument("warning", { message });
            else process.stderr.write(`${line}\n`);
          },
          startupTimeoutMs: settings.exec.startupTimeoutSeconds * 1000,
          signal,
        });
      } catch (error) {
        await sayUndelivered(ctx, (await alerts?.close(0)) ?? []);
        await listening?.close();
        throw error;
      }
      served.account = session.account;
      served.budget = session.client.budget;
      const engine = new CopyEngine({
        reader: session.client,
        executor:
          mode === "live"
            ? liveExecutor(session.client)
            : mode === "paper"
              ? paperExecutor(bookReaderOf(session.client), { equity: options.paperEquity })
              : null,
        journal: session.journal,
        settings,
        leaders,
        account: session.account,
        network: ctx.network.name,
        mode,
        command: mode === "live" ? "follow" : mode,
        events,
        exitOnHalt: options.exitOnHalt,
        adopt: options.adopt,
        allowEmptyLeader: options.allowEmptyLeader,
        sayUnneededPermits: true,
        ...(mode === "live"
          ? {
              review: planReviewer(options.yes),
              unlock: (signal: AbortSignal) => session.unlock(signal),
              protection: session.client,
              passive: session.client,
              onExit: options.onExit,
            }
          : {}),
        waitForApproval: options.waitForApproval,
        ...(mode === "live"
          ? {
              approveHint: approveHint(ctx, { account: session.master }),
              agentValidUntil: session.agentValidUntil ?? null,
            }
          : {}),
      });
      for (const line of setUp) engine.warn(line.replace(/^warning: /, ""));
      for (const w of waited) engine.saidAtSetUp(w.message, w.ts);
      const { streamsOpener } = await import("../wiring.js");
      return {
        engine,
        events,
        initial: {
          mode,
          leaders,
          account: session.account,
          network: ctx.network.name,
          maxLeverage: settings.risk.maxLeverage,
        },
        streams: streamsOpener({
          wsUrl: ctx.network.wsUrl,
          isTestnet: ctx.network.isTestnet,
          leaders: leaders.map((l) => l.address),
          account: session.account,
        }),
        preflight: true,
        // Control channel (issue 18): hlcopy pause|resume|flatten|stop reach this run through a
        // socket next to the lock (a dry run takes no lock, so it has none). Never fatal.
        // bin/hlcopy.js restarts a follow with its memory settings through process.execve
        // (Node >= 22.15): on an older Node the run holds about twice the memory, for days.
        started: () => {
          // The alerts' outcomes are journaled from here: a run refused at its start leaves the
          // journal as it was (none at all where there was none), whatever its webhook did.
          alertJournal = session.journal;
          if (typeof process.execve === "function") return;
          events.emit({
            type: "warning",
            ts: Date.now(),
            message: `Node ${process.versions.node} cannot restart follow with its memory settings (process.execve needs Node >= 22.15): this run holds about twice the memory; Node 24 keeps it small`,
          });
        },
        attach: async () =>
          mode === "dry-run"
            ? await dryRunPause(ctx, session.account, engine)
            : (await import("../control/serve.js"))
                .serveControl({
                  ctx,
                  account: session.account,
                  engine,
                  events,
                  journal: session.journal,
                  paper: mode === "paper",
                })
                .catch((error: unknown) => {
                  engine.warn(
                    `no control channel (hlcopy pause/stop will not reach this run): ${toHlcopyError(error).message}`,
                  );
                  return null;
                }),
        close: async () => {
          session.close();
          await sayUndelivered(ctx, (await alerts?.close()) ?? []);
          await listening?.close();
        },
      };
    },
  }).catch(async (error: unknown) => {
    // A live follow refused by its start checks leaves the journal as it was: status says it
    // from here. Before its session opened (served.account unset) nothing is kept (cli/refusal.ts).
    if (mode === "live") await keepRefusal(ctx, "follow", served.account, error);
    throw error;
  });

  // Stopped before it started (run-engine said by what, and that nothing was sent): no summary.
  // An error that ended the run was printed there, once.
  if (!summary) return code;
  // The same closing summary after the dashboard as after event lines: the dashboard's last
  // frame is cut to the terminal, and its log lines too (so it repeats the on-exit one, which
  // event lines have just printed).
  // An on-exit step not taken (exit 1) ended the run in order too: its positions are listed.
  const exitStepFailed = code === 1 && exitStepNotDone(summary.onExit);
  if (!ctx.json && (code === 0 || code === 4 || exitStepFailed))
    process.stdout.write(
      closingSummary(summary, {
        eventLines: !dashboard,
        paper: mode === "paper",
        // On a terminal its lines break at their separators, not mid-figure where the terminal would.
        width: process.stdout.isTTY ? process.stdout.columns || 80 : Number.POSITIVE_INFINITY,
      }),
    );
  return code;
}

/**
 * The alerts the run's end could not deliver (the "stopped" alert to a webhook that did not take
 * it in the wait, one still queued): never dropped silently. One line each on stderr, which the
 * run's view — closed by now — no longer owns, and with --json a `warning` document too (before
 * the summary), whose `alert` says which, to where and why.
 */
async function sayUndelivered(ctx: CliContext, undelivered: readonly UndeliveredAlert[]): Promise<void> {
  if (undelivered.length === 0) return;
  const { undeliveredText } = await import("../../alerts/sender.js");
  for (const u of undelivered) {
    const { message, hint } = undeliveredText(u);
    process.stderr.write(`warning: ${message} — hint: ${hint}\n`);
    if (ctx.json) printDocument("warning", { message, hint, alert: { kind: u.kind, to: u.to, why: u.why } });
  }
}

/**
 * What a follow run that ended in order prints last, whatever showed it: the counts (a dry run:
 * the orders it planned, and the positions its model holds), drift, P&L, slippage and lag on one
 * line, what the on-exit step did (unless `eventLines` showed the
 * run: its line is just above), and each open position with its resting protection. Plain
 * lines, never truncated: broken between words at the terminal's width (`shown.width`).
 */
export function closingSummary(
  summary: RunSummary,
  shown: { eventLines: boolean; width?: number; paper?: boolean },
): string {
  // Broken at separators, then at spaces: never inside a word (a terminal's own wrap would).
  return wrapToWidth(closingText(summary, shown), shown.width ?? Number.POSITIVE_INFINITY, "  ");
}

function closingText(summary: RunSummary, shown: { eventLines: boolean; paper?: boolean }): string {
  const p = summary.pnl;
  const pnl = p
    ? `; copy P&L net ${fmtUsdSigned(p.netUsd)}${p.roiPct === null ? "" : ` (${fmtPctSigned(p.roiPct)})`}`
    : "";
  const skipped = skippedText(summary.skipped);
  if (summary.planned !== null) {
    // A dry run sent nothing: what it planned, and where its model of the account ended.
    const modeled = p
      ? `; modeled P&L net ${fmtUsdSigned(p.netUsd)}${p.roiPct === null ? "" : ` (${fmtPctSigned(p.roiPct)})`}, fees included`
      : "";
    const held =
      summary.positions.length === 0
        ? "positions a live run would hold now: none\n"
        : `positions a live run would hold now:\n${summary.positions.map((x) => `  ${x.coin} ${x.size > 0 ? "+" : ""}${x.size}\n`).join("")}`;
    return `dry run: ${summary.planned} order(s) planned, none sent (each filled as paper fills it, on the book up to its limit, for the next plan); leader trades ${summary.leaderTrades}: ${tradeBucketsText(summary, true, skipped)}; ${finalDriftText(summary)}${modeled}
${held}`;
  }
  // A paper run's fills and positions are simulated: said on the line, never read as real ones.
  const paper = shown.paper === true;
  // Orders (ours, of every kind: a flip is two) and the leader's trades (each in one bucket:
  // core/leader-trades.ts; the buckets add up to the trades, as the dashboard says them) are
  // counted apart: two figures, two words.
  return `${paper ? "paper run: " : ""}${summary.ordersFilled}${paper ? " paper" : ""} order(s) filled; leader trades ${summary.leaderTrades}: ${tradeBucketsText(summary, false, skipped)}; ${finalDriftText(summary)}${pnl}; execution slippage p50 ${fmtSlippage(summary.execSlippageBps.median)} · p95 ${fmtSlippage(summary.execSlippageBps.p95)} bps, vs the leader p50 ${fmtSlippage(summary.slippageBps.median)} · p95 ${fmtSlippage(summary.slippageBps.p95)} bps; copy lag p50 ${fmtMs(summary.copyLagMs.p50)}
${unknownTradesLine(summary.unknownTrades)}${summary.onExit && !shown.eventLines ? `${summary.onExit}\n` : ""}${closesNotSentLine(summary.closesNotSent)}${positionLines(summary.positions, paper ? "paper positions" : "positions")}`;
}

/**
 * The leader's trades whose order was left uncertain and never resolved in the run, said plainly
 * ("" when none): not in flight, not known copied or missed.
 */
function unknownTradesLine(n: number): string {
  if (n === 0) return "";
  return `${n} leader trade(s): whether they were copied is not known — our order's outcome stayed uncertain (the exchange's reply was lost, or it still rests on the exchange: a passive entry) and nothing resolved it before the stop; the next run looks it up by cloid first (hlcopy journal --type orders shows it)\n`;
}

/** A closing halt the run ended under with positions open, and what to do ("" when none). */
function closesNotSentLine(c: RunSummary["closesNotSent"]): string {
  return c ? `${closesNotSentText(c.halt, c.coins)}\n` : "";
}

/** The summary's open positions, one line each with their resting protection. */
export function positionLines(
  positions: readonly {
    coin: string;
    size: number;
    stopPx: number | null;
    takeProfitPx: number | null;
    held?: boolean;
  }[],
  what = "positions",
): string {
  if (positions.length === 0) return `open ${what}: none\n`;
  return `open ${what}:\n${positions
    .map(
      (p) =>
        `  ${p.coin} ${p.size > 0 ? "+" : ""}${p.size} stop ${p.stopPx === null ? "none" : p.stopPx} take-profit ${p.takeProfitPx === null ? "none" : p.takeProfitPx}${p.held ? " (held: entry-only)" : ""}\n`,
    )
    .join("")}`;
}

/**
 * A dry run answers "what would a follow do now?": with a pause standing (hlcopy pause, or a
 * follow that ended paused — the marker a live follow takes at its start), a follow would send
 * nothing, so the dry run plans paused too, and says so. It leaves the marker for the live run
 * (it has no control channel to lift it: its own `p` toggles it for this dry run only).
 */
async function dryRunPause(
  ctx: CliContext,
  account: Address,
  engine: Pick<CopyEngine, "togglePause" | "warn">,
): Promise<null> {
  const { pauseMarkerPath } = await import("../control/run.js");
  const { readPendingPause } = await import("../../store/control.js");
  const standing = readPendingPause(pauseMarkerPath(ctx, account));
  if (standing === null) return null;
  engine.togglePause();
  // Said with the run's warnings once its start checks pass (a refused run never started paused).
  engine.warn(
    `started paused: a pause stands${standing.pausedAt ? ` since ${utcMinute(standing.pausedAt)}` : ""}, so a follow would send nothing and this dry run plans as that paused follow does (hlcopy resume lifts it)`,
  );
  return null;
}
