// Run metrics fed by the engine's events, rendered in the Prometheus text format (0.0.4).
// Counters only go up; gauges are the latest value; histograms use fixed buckets.

import { shownDrift, syncVerdict } from "../core/drift.js";
import { leverageAt } from "../core/leverage.js";
import type { CopyPnl } from "../core/pnl.js";
import { drawdownOfShown } from "../core/safety.js";
import type { EngineEvent } from "../engine/events.js";

const LAG_BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];
const SLIPPAGE_BUCKETS_BPS = [-25, -10, -5, 0, 5, 10, 25, 50, 100];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    this.buckets.forEach((b, i) => {
      if (v <= b) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
  }
}

export interface ExternalMetrics {
  requests?: Record<string, number>;
  requestWeight?: number;
  alerts?: { sent: number; failed: number; deduplicated: number; rateLimited: number };
  /** The process's memory (`process.memoryUsage()`): a long follow's RSS and heap, watched over days. */
  memory?: { rss: number; heapTotal: number; heapUsed: number; external: number };
}

export class RunMetrics {
  readonly #lag = new Histogram(LAG_BUCKETS_MS);
  readonly #slip = new Histogram(SLIPPAGE_BUCKETS_BPS);
  readonly #execSlip = new Histogram(SLIPPAGE_BUCKETS_BPS);
  #pnl: CopyPnl | null = null;
  #inSync: number | null = null;
  readonly #orders = new Map<string, number>();
  readonly #halts = new Map<string, number>();
  #drift: Record<string, number> = {};
  #equity: number | null = null;
  #drawdownPct: number | null = null;
  #leverage: number | null = null;
  /**
   * The copy's net P&L this run: the copy's net (core/pnl.ts, cash flows never in it) at the
   * run's first reading of it is the base; `carried` keeps what a copy that began again during
   * the run (its `since` moved: hlcopy resume) had made by then.
   */
  #runPnl: { since: number | null; base: number; net: number; carried: number } | null = null;
  #wsUp = 0;
  #reconnects = 0;
  #leaderFills = 0;
  #fills = 0;
  #sweeps = 0;
  #halted = 0;
  #dailyLossStop = 0;
  #paused = 0;
  #lastMessage: number | null = null;
  readonly #started = Date.now();

  observe(e: EngineEvent): void {
    switch (e.type) {
      case "connection":
        this.#wsUp = e.state === "open" ? 1 : 0;
        break;
      case "heartbeat":
        this.#wsUp = 1;
        this.#lastMessage = e.ts;
        break;
      case "reconnect":
        this.#reconnects++;
        break;
      case "leaderFill":
        this.#leaderFills++;
        break;
      case "fill":
        this.#fills++;
        if (e.lagMs !== null) this.#lag.observe(e.lagMs);
        if (e.slippageBps !== null) this.#slip.observe(e.slippageBps);
        if (e.execSlippageBps !== null) this.#execSlip.observe(e.execSlippageBps);
        break;
      case "order":
        if (e.status !== "sent") this.#orders.set(e.status, (this.#orders.get(e.status) ?? 0) + 1);
        break;
      case "sweep":
        this.#sweeps++;
        break;
      case "state":
        this.#equity = e.account.accountValue;
        // Of the equity gauge's value, as the dashboard's dd (core/safety.ts drawdownOfShown).
        this.#drawdownPct = drawdownOfShown(e.account.accountValue, e.hwm, e.drawdownPct);
        // The dashboard's lev (core/leverage.ts): what risk.maxLeverage caps.
        this.#leverage = leverageAt(e);
        // The drift every view shows (core/drift.ts shownDrift): none for a position left alone
        // or a coin with nothing to size from — no sample, never a 0 that reads "in sync".
        this.#drift = {};
        for (const t of e.targets) {
          const shown = shownDrift(
            t.driftUsd,
            e.drift?.coins.find((c) => c.coin === t.coin),
          );
          if (shown !== null) this.#drift[t.coin] = shown;
        }
        if (e.pnl) {
          this.#pnl = e.pnl;
          this.#runPnl = runPnlAfter(this.#runPnl, e.pnl);
        }
        if (e.drift) this.#inSync = syncVerdict(e.drift, e.ts, e.freshness).inSync ? 1 : 0;
        // The stop lifts by itself at 00:00 UTC: no event says so, the run's state does.
        if (e.dailyLossStop !== undefined) this.#dailyLossStop = e.dailyLossStop ? 1 : 0;
        break;
      case "halt":
        // A halt standing from before the run (since) was counted when it happened: the counter
        // counts halts, not restarts. The gauges still say it stands.
        if (e.since === undefined) this.#halts.set(e.kind, (this.#halts.get(e.kind) ?? 0) + 1);
        // The daily loss limit only stops increases until 00:00 UTC: it is not a halt (nothing
        // closes, hlcopy resume has nothing to clear), so hlcopy_halted does not count it.
        if (e.kind === "daily-loss") this.#dailyLossStop = 1;
        else this.#halted = 1;
        break;
      case "resume":
        this.#halted = 0;
        break;
      case "paused":
        this.#paused = e.paused ? 1 : 0;
        break;
      default:
        break;
    }
  }

  /** The Prometheus text exposition of everything seen so far. */
  render(external: ExternalMetrics = {}, now = Date.now()): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) out.push(`${name}${labels} ${sampleValue(v)}`);
    };
    const hist = (name: string, help: string, h: Histogram) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      h.buckets.forEach((b, i) => {
        out.push(`${name}_bucket{le="${b}"} ${h.counts[i] ?? 0}`);
      });
      out.push(
        `${name}_bucket{le="+Inf"} ${h.count}`,
        `${name}_sum ${sampleValue(h.sum)}`,
        `${name}_count ${h.count}`,
      );
    };
    metric("hlcopy_up", "gauge", "1 while the follow runs.", [["", 1]]);
    metric("hlcopy_uptime_seconds", "gauge", "Seconds since the follow started.", [
      ["", (now - this.#started) / 1000],
    ]);
    hist(
      "hlcopy_copy_lag_ms",
      "Leader fill to our fill, on the exchange's clock, hot-path copies only (ms).",
      this.#lag,
    );
    hist(
      "hlcopy_slippage_bps",
      "Copy slippage: our fill against the leader's, hot-path copies only (bps, positive = worse).",
      this.#slip,
    );
    hist(
      "hlcopy_exec_slippage_bps",
      "Execution slippage: our fill against the best bid/ask when the order was decided, every order (bps, positive = worse).",
      this.#execSlip,
    );
    metric(
      "hlcopy_drift_usd",
      "gauge",
      "Target minus our position, per coin (USD, signed); no sample for a position hlcopy leaves alone.",
      Object.entries(this.#drift).map(([coin, v]) => [`{coin="${esc(coin)}"}`, v]),
    );
    if (this.#equity !== null)
      metric("hlcopy_equity_usd", "gauge", "Our account value (USD).", [["", this.#equity]]);
    if (this.#drawdownPct !== null)
      metric("hlcopy_drawdown_pct", "gauge", "Drawdown from the high-water mark (%).", [
        ["", this.#drawdownPct],
      ]);
    if (this.#leverage !== null)
      metric(
        "hlcopy_leverage",
        "gauge",
        "Our gross notional at the mid divided by equity: what risk.maxLeverage caps (not the exchange's per-coin leverage setting).",
        [["", this.#leverage]],
      );
    // P&L, as every P&L figure of hlcopy: the copy's, net of fees and funding, never a deposit
    // or a withdrawal (an equity change would count them: hlcopy_equity_usd has it, for a panel
    // of the account's value). It was that equity change until 2026-12-05.
    const run = this.#runPnl;
    if (run)
      metric(
        "hlcopy_run_pnl_usd",
        "gauge",
        "The copy's net P&L made since this run started (USD): the net part of hlcopy_copy_pnl_usd less its value at the run's start; deposits and withdrawals are not P&L and are never in it.",
        [["", run.carried + run.net - run.base]],
      );
    const p = this.#pnl;
    if (p) {
      metric(
        "hlcopy_copy_pnl_usd",
        "gauge",
        "The copy's P&L since it began (USD): realised, unrealised, fees (paid, positive), funding (received +), net.",
        [
          ['{part="realised"}', p.realisedUsd],
          ['{part="unrealised"}', p.unrealisedUsd],
          ['{part="fees"}', p.feesUsd],
          ['{part="funding"}', p.fundingUsd],
          ['{part="net"}', p.netUsd],
        ],
      );
      if (p.roiPct !== null)
        metric("hlcopy_copy_roi_pct", "gauge", "The copy's net P&L over its start equity (%).", [
          ["", p.roiPct],
        ]);
    }
    if (this.#inSync !== null)
      metric("hlcopy_in_sync", "gauge", "1 when the copy is in sync (no drift to trade or blocked).", [
        ["", this.#inSync],
      ]);
    metric(
      "hlcopy_requests_total",
      "counter",
      "REST requests sent, by endpoint kind.",
      Object.entries(external.requests ?? {}).map(([k, v]) => [`{endpoint="${esc(k)}"}`, v]),
    );
    metric("hlcopy_request_weight_total", "counter", "REST weight used.", [
      ["", external.requestWeight ?? 0],
    ]);
    metric("hlcopy_websocket_up", "gauge", "1 when the websocket is open.", [["", this.#wsUp]]);
    metric("hlcopy_websocket_reconnects_total", "counter", "Websocket reconnections.", [
      ["", this.#reconnects],
    ]);
    if (this.#lastMessage !== null)
      metric("hlcopy_websocket_last_message_seconds", "gauge", "Seconds since the last stream message.", [
        ["", Math.max(0, (now - this.#lastMessage) / 1000)],
      ]);
    metric("hlcopy_leader_fills_total", "counter", "Leader fills seen.", [["", this.#leaderFills]]);
    metric("hlcopy_fills_total", "counter", "Our fills.", [["", this.#fills]]);
    metric(
      "hlcopy_orders_total",
      "counter",
      "Orders by outcome.",
      [...this.#orders].map(([s, v]) => [`{status="${esc(s)}"}`, v]),
    );
    metric("hlcopy_sweeps_total", "counter", "REST sweeps run.", [["", this.#sweeps]]);
    metric(
      "hlcopy_halts_total",
      "counter",
      "Safety rules that tripped, by kind: kill-switch, manual (flatten) and agent-expired halt; daily-loss is the daily loss limit's stop (no increases until 00:00 UTC), not a halt. Each counts once, when it trips: one standing from an earlier run is not counted again at a restart (hlcopy_halted says it stands).",
      [...this.#halts].map(([k, v]) => [`{kind="${esc(k)}"}`, v]),
    );
    metric(
      "hlcopy_halted",
      "gauge",
      "1 while a halt stands (kill switch, flatten, agent no longer approved): nothing opens until it clears. The daily loss limit's stop is hlcopy_daily_loss_stop.",
      [["", this.#halted]],
    );
    metric(
      "hlcopy_daily_loss_stop",
      "gauge",
      "1 while the daily loss limit's stop holds increases (reductions still go); it lifts by itself at 00:00 UTC. Not a halt.",
      [["", this.#dailyLossStop]],
    );
    metric("hlcopy_paused", "gauge", "1 while sending is paused.", [["", this.#paused]]);
    const a = external.alerts;
    metric("hlcopy_alerts_sent_total", "counter", "Alerts delivered to a webhook.", [["", a?.sent ?? 0]]);
    metric("hlcopy_alerts_failed_total", "counter", "Alert deliveries that gave up.", [["", a?.failed ?? 0]]);
    const m = external.memory;
    if (m) {
      // The names Node exporters use (prom-client's defaults), so existing dashboards fit.
      metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [["", m.rss]]);
      metric("nodejs_heap_size_total_bytes", "gauge", "V8 heap size reserved (bytes).", [["", m.heapTotal]]);
      metric("nodejs_heap_size_used_bytes", "gauge", "V8 heap size in use (bytes).", [["", m.heapUsed]]);
      metric("nodejs_external_memory_bytes", "gauge", "Memory of C++ objects bound to JS objects (bytes).", [
        ["", m.external],
      ]);
    }
    return `${out.join("\n")}\n`;
  }
}

/** A sample value in the text exposition format: NaN, +Inf and -Inf spelled as Prometheus reads them. */
function sampleValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function esc(label: string): string {
  return label.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The run's P&L (RunMetrics.#runPnl) after a reading of the copy's P&L. */
function runPnlAfter(
  run: { since: number | null; base: number; net: number; carried: number } | null,
  p: Pick<CopyPnl, "since" | "netUsd">,
): { since: number | null; base: number; net: number; carried: number } {
  if (run === null) return { since: p.since, base: p.netUsd, net: p.netUsd, carried: 0 };
  // The copy began again during the run: what the old one made this run is kept, the new one counts from 0.
  if (p.since !== run.since)
    return { since: p.since, base: 0, net: p.netUsd, carried: run.carried + run.net - run.base };
  return { ...run, net: p.netUsd };
}
