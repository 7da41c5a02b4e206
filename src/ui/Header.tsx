// Header: who we copy and as whom, the mode in colour, the agent approval's days left, equity,
// the copy's P&L and ROI since it began, HWM / drawdown, our leverage against risk.maxLeverage,
// the stream's health (state and age of
// the last message), copy lag, the copy's running counts and its drift (core/drift.ts: the
// same words as `status`).
import { Box, Text } from "ink";
import { driftFigureText, leftAloneShort, leftAloneText, syncVerdict } from "../core/drift.js";
import { roundHalfAway, shortAddress } from "../core/format.js";
import {
  fmtAge,
  fmtLev,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtPctSigned,
  fmtUsd,
  fmtUsdSigned,
  truncate,
} from "./format.js";
import { MODE_COLOR, type Segment } from "./layout.js";
import {
  connectionAgeMs,
  type DashboardState,
  lagStats,
  modeBadge,
  modeLabel,
  skippedByReason,
  tradeBucketsText,
} from "./model.js";
import { Segments } from "./Segments.js";

const signColor = (x: number) => (x > 0 ? "green" : x < 0 ? "red" : undefined);

/** A stream quiet for this long is worth a yellow; this long, a red. */
const QUIET_MS = 15_000;
const SILENT_MS = 60_000;

export interface HeaderProps {
  state: DashboardState;
  width: number;
}

function connectionSegment(state: DashboardState): Segment {
  const { connection } = state;
  const age = connectionAgeMs(state);
  const ageText = age === null ? "" : ` ${fmtAge(age)} ago`;
  let color = "green";
  if (connection.state === "closed") color = "red";
  else if (connection.state !== "open") color = connection.state === "unknown" ? "gray" : "yellow";
  else if (age !== null && age >= SILENT_MS) color = "red";
  else if (age !== null && age >= QUIET_MS) color = "yellow";
  const since =
    connection.state !== "open" && connection.since !== null
      ? ` for ${fmtAge(state.now - connection.since)}`
      : "";
  const label = connection.state === "unknown" ? "ws -" : `ws ${connection.state}${since}`;
  return { text: `${label}${connection.state === "open" ? ageText : ""}`, color, priority: 8 };
}

/** Leverage at or above this share of risk.maxLeverage is yellow: the next increases may be cut. */
const NEAR_CAP = 0.9;

/**
 * Our gross notional ÷ equity against risk.maxLeverage, the cap the planner holds it under
 * (core/caps.ts): "lev 1.23x/3x". Red above the cap (prices or a loss took it there: no increase
 * is sent until it is back under), yellow near it.
 */
export function leverageSegment(state: DashboardState): Segment | null {
  if (state.leverage === null) return null;
  const cap = state.maxLeverage;
  const lev = fmtLev(state.leverage);
  const color =
    cap === null
      ? undefined
      : state.leverage > cap
        ? "red"
        : state.leverage >= cap * NEAR_CAP
          ? "yellow"
          : undefined;
  return {
    text: cap === null ? `lev ${lev}` : `lev ${lev}/${fmtNum(cap, 3)}x`,
    short: `lev ${lev}`,
    color,
    // Before the ROI (the P&L beside it says most of that); near or above the cap before the
    // hwm and the stream's age.
    priority: color === undefined ? 5 : 9,
  };
}

function leadersText(state: DashboardState): string {
  const [first, ...rest] = state.leaders;
  if (!first) return "leader -";
  if (rest.length === 0) return `leader ${shortAddress(first.address)}`;
  return `leaders ${shortAddress(first.address)} ${Math.round(first.weight * 100)}% +${rest.length}`;
}

/** Leaders not followed (red) and leaders whose increases a breaker holds back (yellow). */
function leaderSegments(state: DashboardState): Segment[] {
  const out: Segment[] = [];
  for (const l of state.leaderCopy) {
    const who = shortAddress(l.address);
    if (!l.following && l.stop) {
      out.push({
        text: `unfollowed ${who} (${l.stop.kind === "drawdown" ? `drawdown${l.drawdownPct === null ? "" : ` ${fmtPct(l.drawdownPct)}`}` : "liquidated"})`,
        color: "red",
        bold: true,
        priority: 9,
      });
    } else if (l.gated.leverage || l.gated.coins.length > 0) {
      const why = [l.gated.leverage ? "leverage" : "", ...l.gated.coins].filter(Boolean).join(",");
      out.push({ text: `gated ${who} (${why})`, color: "yellow", priority: 7 });
    }
  }
  return out;
}

/** The network as the header says it: an API URL (hlcopy sim) without its scheme, 127.0.0.1:7070. */
function networkText(network: string): string {
  return network.replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
}

/**
 * How the halt clears, said only where it is true: an agent the exchange no longer knows is
 * fixed by approving it again (the reason names the command) and the daily loss limit lifts at
 * 00:00 UTC (the reason says so), neither by `hlcopy resume`. A dry run's own halt is in its
 * memory only: resume does not see it, restarting the dry run ends it. A halt the journal holds
 * is cleared by resume — a dry run showing it has no control channel, so it keeps it until it
 * is restarted.
 */
function haltHint(state: DashboardState): string {
  const halt = state.halt;
  if (!halt || halt.kind === "agent-expired" || halt.kind === "daily-loss") return "";
  if (halt.recorded === false) return " · not recorded (dry run): restart to clear";
  if (state.runMode === "dry-run") return " · hlcopy resume clears it, then restart the dry run";
  return " · hlcopy resume clears it";
}

export function Header({ state, width }: HeaderProps) {
  const mode = modeLabel(state);
  const lag = lagStats(state);
  const skipped = skippedByReason(state);
  const pending = state.ui.pendingPause;
  const pauseBadge: Segment | null =
    pending !== null
      ? { text: pending ? "pausing…" : "resuming…", color: "yellow", priority: 9 }
      : state.paused
        ? { text: "PAUSED", color: "yellow", bold: true, inverse: true, priority: 9 }
        : null;
  const ddColor = state.halt ? "red" : (state.drawdownPct ?? 0) > 0 ? "yellow" : undefined;
  const sweep = state.lastSweep;
  const rate = state.rateLimit;

  // At 80 columns who we copy and as whom come before the network and the name: the account
  // (priority 3) used to be the first piece dropped, behind "hlcopy" and a simulator's URL.
  const line1: (Segment | null)[] = [
    { text: "hlcopy", bold: true, priority: 2 },
    { text: ` ${modeBadge(state)} `, color: MODE_COLOR[mode], bold: true, inverse: true, priority: 10 },
    pauseBadge,
    state.network ? { text: networkText(state.network), priority: 4 } : null,
    { text: leadersText(state), priority: 6 },
    state.account ? { text: `acct ${shortAddress(state.account)}`, priority: 6 } : null,
    // The agent's approval: days left, loud in its last week (it must be renewed to keep copying).
    state.agentDaysLeft === null
      ? null
      : state.agentDaysLeft <= 7
        ? { text: `agent ${state.agentDaysLeft}d left`, color: "yellow", bold: true, priority: 8 }
        : { text: `agent ${state.agentDaysLeft}d left`, dim: true, priority: 5 },
    state.stopped ? null : { text: "? help", dim: true, priority: 1 },
  ];
  const pnl = state.pnl;
  const line2: (Segment | null)[] = [
    { text: `equity ${fmtUsd(state.equity)}`, bold: true, priority: 10 },
    // The copy's net P&L since it began (realised + unrealised − fees + funding), and its ROI
    // on the equity it began with when there is room.
    // Sign and colour of the figure as shown (to the cent), as the rows' P&L.
    pnl
      ? {
          text: `P&L ${fmtUsdSigned(pnl.netUsd)}`,
          color: signColor(roundHalfAway(pnl.netUsd)),
          priority: 9,
        }
      : null,
    pnl && pnl.roiPct !== null ? { text: `ROI ${fmtPctSigned(pnl.roiPct)}`, priority: 4 } : null,
    { text: `hwm ${fmtUsd(state.hwm)}`, priority: 5 },
    {
      text: `dd ${fmtPct(state.drawdownPct)}`,
      color: ddColor,
      priority: 9,
    },
    leverageSegment(state),
    connectionSegment(state),
    { text: `lag ${fmtMs(lag.last)}${lag.n > 1 ? ` p50 ${fmtMs(lag.p50)}` : ""}`, priority: 6 },
  ];
  const top = skipped
    .slice(0, 2)
    .map((s) => `${s.reason} ${s.count}`)
    .join(", ");
  const verdict = state.drift ? syncVerdict(state.drift, state.now, state.freshness) : null;
  // Two units, each named as the closing summary names it ("N order(s) filled; leader trades T:
  // copied C, in line L, skipped S, missed M"): our orders (of every kind, a flip is two) and the
  // leader's trades (one leader order's fills, each in one bucket: core/leader-trades.ts) — the
  // buckets said add up to T. Narrow, the word "leader" goes first, then the reasons; never a
  // bucket. Below the verdict: the copy's drift is never dropped for its counts (when even the
  // short form has no room, the trades go whole).
  const dryRun = state.runMode === "dry-run";
  const line3: (Segment | null)[] = [
    state.runMode === "dry-run"
      ? { text: `orders planned ${state.counters.plannedActions}`, color: "yellow", priority: 10 }
      : { text: `orders filled ${state.counters.ordersFilled}`, color: "green", priority: 10 },
    // Our orders the exchange refused, beside the orders filled: orders too, not trades.
    state.counters.rejections > 0
      ? { text: `rejected ${state.counters.rejections}`, color: "red", priority: 9 }
      : null,
    // A dry run fills nothing: its leader trades are planned, in line or skipped, none copied.
    {
      text: `leader trades ${state.counters.leaderTrades}: ${tradeBucketsText(state.counters, dryRun)}`,
      short: `trades ${state.counters.leaderTrades}: ${tradeBucketsText(state.counters, dryRun, "", true)}`,
      priority: 6,
    },
    // The skips' reasons (? lists them all): in the room left once the verdict and the rest
    // have their full text.
    top ? { text: `(${top}${skipped.length > 2 ? ", …" : ""})`, priority: 5, detail: true } : null,
    // Drift as it stands now (the latest state), in the words `status` uses — or "stale" when
    // the data behind it is older than the engine's window (core/drift.ts syncVerdict); the
    // sweep's age apart.
    verdict
      ? {
          text: verdict.text,
          // Counts instead of names when the line is narrow: never dropped for the sweep's age.
          short: verdict.short,
          color: verdict.inSync ? undefined : "yellow",
          priority: 7,
        }
      : sweep
        ? {
            text: driftFigureText(sweep),
            color: sweep.inSync ? undefined : "yellow",
            priority: 7,
          }
        : null,
    // In sync with positions left alone (a denied coin): named, or counted when narrow — as many
    // as the rows show "alone".
    state.drift && leftAloneText(state.drift) && verdict?.inSync
      ? { text: leftAloneText(state.drift), short: leftAloneShort(state.drift), dim: true, priority: 3 }
      : null,
    sweep
      ? { text: `sweep ${fmtAge(state.now - sweep.ts)} ago`, dim: true, priority: 4 }
      : { text: "sweep -", dim: true, priority: 2 },
    rate && rate.until > state.now
      ? { text: `rate-limited ${fmtMs(rate.until - state.now)}`, color: "yellow", priority: 9 }
      : null,
    ...leaderSegments(state),
  ];

  return (
    <Box flexDirection="column" width={width}>
      <Segments segments={line1} width={width} />
      <Segments segments={line2} width={width} />
      <Segments segments={line3} width={width} />
      {state.halt ? (
        <Text color="red" bold wrap="truncate-end">
          {truncate(`HALTED ${state.halt.kind}: ${state.halt.reason}${haltHint(state)}`, width)}
        </Text>
      ) : null}
      {state.stopped ? (
        <Text color="yellow" wrap="truncate-end">
          {truncate(`stopped: ${state.stopped.reason}`, width)}
        </Text>
      ) : null}
    </Box>
  );
}
