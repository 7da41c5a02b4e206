// `hlcopy demo`: the simulator, a scripted leader and a follower in this process, and the
// real follow path between them (agent approval, signing, websockets, orders, journal).
// Keys are made in memory for this run and never written or printed.

import { UsageError } from "../../core/errors.js";
import { shownPnl } from "../../core/format.js";
import { defaultSettings } from "../../core/settings.js";
import type { Address } from "../../core/types.js";
import { CopyEngine } from "../../engine/engine.js";
import { EngineEvents } from "../../engine/events.js";
import { liveExecutor } from "../../engine/executor.js";
import { fmtMs, fmtPctSigned, fmtSlippage, fmtUsd, fmtUsdSigned, wrapToWidth } from "../../ui/format.js";
import { finalDriftText, type RunSummary, skippedText, tradeBucketsText } from "../../ui/model.js";
import { nextSteps } from "../next-steps.js";
import { parseNumberFlag } from "../numbers.js";
import { runEngineWithView } from "../run-engine.js";

export interface DemoOptions {
  speed: number;
  durationMs: number;
  noUi: boolean;
}

const LEADER_USD = 100_000;
const FOLLOWER_USD = 10_000;
const COINS = ["BTC", "ETH", "SOL", "HYPE"];

/** "60s", "2m", "90" (seconds), "1.5m". */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  const unit = m?.[2] ?? "s";
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const ms = value * (units[unit] ?? Number.NaN);
  if (!Number.isFinite(ms) || ms <= 0 || ms > 24 * 3_600_000) {
    throw new UsageError(`invalid --duration "${text}": expected e.g. 30s, 2m or 90`, {
      hint: "a positive time up to 24h: 10s, 60s, 2m",
    });
  }
  return ms;
}

/** @throws {UsageError} for a bad --speed or --duration. */
export function parseDemoOptions(opts: { speed?: string; duration?: string; ui?: boolean }): DemoOptions {
  const speed = parseNumberFlag(opts.speed ?? 1, "--speed", {
    min: 0,
    exclusive: true,
    max: 50,
    example: "3",
    hint: "1 is 2 leader trades a second; try --speed 3",
  });
  return { speed, durationMs: parseDuration(opts.duration ?? "60s"), noUi: opts.ui === false };
}

/**
 * " of the leader's 121" when the run saw fewer than the leader filled (it sees those filled
 * once its streams are open: the scripted leader starts first); "" when it saw them all.
 */
function unseenText(leaderOrders: number, seen: number): string {
  return leaderOrders > seen
    ? ` of the leader's ${leaderOrders} (the run sees those filled once its streams are open)`
    : "";
}

export async function runDemo(options: DemoOptions & { json: boolean }): Promise<number> {
  const { startSim } = await import("../../sim/index.js");
  const { startScriptedLeader } = await import("../../sim/leader.js");
  const { generatePrivateKey, privateKeyToAccount } = await import("viem/accounts");
  const { approveAgent } = await import("../../exchange/agents.js");
  const { engineClient, streamsOpener } = await import("../wiring.js");
  const { openJournal } = await import("../../store/journal.js");

  const progress = (line: string) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  let leaderTrades = () => 0;
  const { code, summary } = await runEngineWithView({
    command: "demo",
    json: options.json,
    noUi: options.noUi,
    setUp: async (signal) => {
      const sim = await startSim({ seed: 7, tickMs: Math.max(20, Math.round(500 / options.speed)) });
      // What set-up started is closed again if it fails (or a stop signal comes during it): the
      // simulator's server would otherwise keep the process alive.
      const leader = await startScriptedLeader({
        httpUrl: sim.httpUrl,
        seed: 42,
        ratePerSec: 2 * options.speed,
        coins: COINS,
        fundUsd: LEADER_USD,
      }).catch(async (error: unknown) => {
        await sim.close();
        throw error;
      });
      leaderTrades = () => leader.trades();
      const masterKey = generatePrivateKey();
      const account = privateKeyToAccount(masterKey).address.toLowerCase() as Address;
      const agentKey = generatePrivateKey();
      try {
        sim.control.fund(account, FOLLOWER_USD);
        await approveAgent({
          httpUrl: sim.httpUrl,
          isTestnet: false,
          masterKey,
          agentAddress: privateKeyToAccount(agentKey).address.toLowerCase() as Address,
          name: "hlcopy-demo",
        });
        if (signal.aborted) throw new Error("demo stopped during set-up");
      } catch (error) {
        await leader.stop();
        await sim.close();
        throw error;
      }
      progress(
        `demo: simulator ${sim.httpUrl}; leader ${leader.address} ($${LEADER_USD.toLocaleString("en-US")}); you ${account} ($${FOLLOWER_USD.toLocaleString("en-US")}, agent approved)`,
      );

      const settings = defaultSettings();
      settings.exec.sweepSeconds = 5;
      const events = new EngineEvents();
      const client = engineClient(
        { httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account, agentKey },
        events,
      );
      const journal = openJournal(":memory:");
      const leaders = [{ address: leader.address as Address, weight: 1 }];
      const engine = new CopyEngine({
        reader: client,
        executor: liveExecutor(client),
        journal,
        settings,
        leaders,
        account,
        network: "demo (local simulator)",
        mode: "live",
        command: "demo",
        events,
        // Its own scripted leader, funded a moment ago: it may not have traded yet, and is no typo.
        allowEmptyLeader: true,
      });

      let finishing: Promise<void> | null = null;
      /** Stop the leader, let one last sweep settle the copy, then stop the engine. */
      const finish = (reason: string): Promise<void> => {
        finishing ??= (async () => {
          await leader.stop();
          try {
            // A sweep like the periodic ones (journaled and shown as "sweep"): nobody pressed `s`.
            await engine.sweep("sweep");
          } catch {
            // the run's summary still stands; the error was shown as an event
          }
          await engine.stop(reason);
        })();
        return finishing;
      };
      const timer = setTimeout(() => void finish("demo time is up"), options.durationMs);
      return {
        engine,
        events,
        initial: { mode: "live", leaders, account, network: "demo", maxLeverage: settings.risk.maxLeverage },
        streams: streamsOpener({
          wsUrl: sim.wsUrl,
          isTestnet: false,
          leaders: [leader.address as Address],
          account,
        }),
        stop: (request) => void finish(request === "quit" ? "quit" : "interrupted"),
        afterRun: async () => {
          await finishing;
        },
        close: async () => {
          clearTimeout(timer);
          await leader.stop();
          journal.close();
          await sim.close();
        },
      };
    },
  });
  if (!summary) return code;

  if (!options.json)
    process.stdout.write(
      demoSummary(
        summary,
        leaderTrades(),
        process.stdout.isTTY ? process.stdout.columns || 80 : Number.POSITIVE_INFINITY,
      ),
    );
  return code;
}

/** The figures' column of the demo's summary: a label padded to it, a continuation under it. */
const FIGURES_AT = 19;

/**
 * What the demo prints at its end (without --json): its figures under one column, each line
 * within `width` columns (a terminal's; infinite: as they are) — broken at its separators, then
 * at spaces, never inside a word, the continuation under the figures.
 */
export function demoSummary(summary: RunSummary, leaderOrders: number, width: number): string {
  const skipped = skippedText(summary.skipped);
  const p = summary.pnl;
  // The parts as shown add up to the net as shown (core/format.ts shownPnl).
  const s = p ? shownPnl(p) : null;
  const row = (label: string, figures: string) => `  ${label.padEnd(FIGURES_AT - 2)}${figures}`;
  return (
    [
      "",
      // The scripted leader's orders that filled, as it counted them; the copy's "leader trades"
      // are the same unit (one leader order's fills: core/leader-trades.ts), as the run saw them.
      `demo summary (the leader filled ${leaderOrders} orders)`,
      row("orders filled", `${summary.ordersFilled} (ours, of every kind: a flip is two)`),
      row(
        "leader trades",
        `${summary.leaderTrades}${unseenText(leaderOrders, summary.leaderTrades)}: ${tradeBucketsText(summary, false)}`,
      ),
      row("skipped", skipped || "none"),
      row("at the end", finalDriftText(summary)),
      ...(p && s
        ? [
            row(
              "copy P&L",
              `net ${fmtUsdSigned(s.netUsd)}${p.roiPct === null ? "" : ` (${fmtPctSigned(p.roiPct)})`} = realized ${fmtUsdSigned(s.realisedUsd)} + unrealized ${fmtUsdSigned(s.unrealisedUsd)} − fees ${fmtUsd(s.feesUsd)} + funding ${fmtUsdSigned(s.fundingUsd)}`,
            ),
          ]
        : []),
      row(
        "slippage",
        `execution mean ${fmtSlippage(summary.execSlippageBps.mean)} · p50 ${fmtSlippage(summary.execSlippageBps.median)} · p95 ${fmtSlippage(summary.execSlippageBps.p95)} bps; vs the leader (copies) p50 ${fmtSlippage(summary.slippageBps.median)} · p95 ${fmtSlippage(summary.slippageBps.p95)} bps`,
      ),
      row("copy lag", `p50 ${fmtMs(summary.copyLagMs.p50)} · p99 ${fmtMs(summary.copyLagMs.p99)}`),
    ]
      // Lines start with two spaces: a continuation takes FIGURES_AT − 2 more.
      .map((line) => wrapToWidth(line, width, " ".repeat(FIGURES_AT - 2)))
      // The Next block is not under the figures' column: its own alignment (cli/output.ts).
      .concat(
        "",
        ...nextSteps(
          [
            ["hlcopy inspect <leader>", "vet a real leader"],
            ["hlcopy --help", "everything"],
          ],
          ...(Number.isFinite(width) ? [width] : []),
        ),
        "",
      )
      .join("\n")
  );
}
