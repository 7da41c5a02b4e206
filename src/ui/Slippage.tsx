// Slippage (src/core/slippage.ts): execution slippage of every fill against the best bid/ask
// when its order was decided — mean / p50 (the median) / p95 over the sample window, the budget warning
// when the p95 exceeds exec.slippageBudgetBps, a sparkline — then copy slippage (hot-path copies
// against the leader's fill), the last fills' bps by coin (kind-marked when not a copy), and an
// equity sparkline.
import { Box, Text } from "ink";
import type { OrderKind } from "../core/slippage.js";
import { fmtSlippage, fmtUsd, truncate } from "./format.js";
import { budgetState, copySlippageStats, type DashboardState, slippageStats } from "./model.js";
import { sparkline } from "./sparkline.js";

export interface SlippageProps {
  state: DashboardState;
  width: number;
}

/** A fill's kind in the "last" list: copies plain, the rest marked (r repair, j join, s safety, f flatten). */
const KIND_MARK: Record<OrderKind, string> = { copy: "", repair: "r", join: "j", safety: "s", flatten: "f" };

/** Positive bps = worse than the touch. */
function bpsColor(bps: number): string | undefined {
  if (bps <= 0) return "green";
  return bps > 10 ? "yellow" : undefined;
}

/** Lines this panel takes. */
export const SLIPPAGE_HEIGHT = 3;

export function Slippage({ state, width }: SlippageProps) {
  const st = slippageStats(state);
  const copy = copySlippageStats(state);
  const budget = budgetState(state);
  const label = "slip exec bps";
  if (st.n === 0) {
    return (
      <Box flexDirection="column" width={width}>
        <Text dimColor wrap="truncate-end">
          {/* A dry run's orders fill in its own model (paper's fills, fees included): no slippage is measured. */}
          {state.runMode === "dry-run"
            ? truncate(`${label} -  dry run: orders are modelled, not sent (no slippage measured)`, width)
            : `${label} no fills yet`}
        </Text>
        <Text wrap="truncate-end"> </Text>
        <EquityLine state={state} width={width} />
      </Box>
    );
  }
  const stats = `${label} mean ${fmtSlippage(st.mean)} p50 ${fmtSlippage(st.median)} p95 ${fmtSlippage(st.p95)} n=${st.n}`;
  // The budget is judged over the run's last fills (engine/figures.ts BUDGET_WINDOW, as the
  // engine's event): once the run has more, the p95 beside it is another figure — say the one
  // judged and its fills ("p95 0.0 n=1030 > budget 10!" read as a p95 under the budget over it).
  const judged =
    budget.n < st.n && budget.p95Bps !== null ? ` (last ${budget.n}: p95 ${fmtSlippage(budget.p95Bps)})` : "";
  let over = budget.exceeded ? ` > budget ${budget.budgetBps}!${judged}` : "";
  // Narrower than the whole line: the warning keeps the p95 it judged, and the run's mean and
  // median go (at 60 columns the terminal cut it to "p95 0.0 n=1030 > budget 10!…" — a p95 under
  // the budget flagged as over it — and at 80 to "(last 500: p95 +20.…", a figure cut inside).
  let shown = stats;
  if (over && stats.length + over.length > width) {
    shown =
      judged && budget.p95Bps !== null
        ? `${label} last ${budget.n}: p95 ${fmtSlippage(budget.p95Bps)}`
        : `${label} p95 ${fmtSlippage(st.p95)} n=${st.n}`;
    over = ` > budget ${budget.budgetBps}!`;
  }
  // The comparison with the leader's price is shown whole or not at all (never "vs lea…").
  const copyText =
    copy.n > 0 ? `  vs leader p50 ${fmtSlippage(copy.median)} p95 ${fmtSlippage(copy.p95)}` : "";
  const vsLeader = shown.length + over.length + copyText.length <= width ? copyText : "";
  const sparkWidth = Math.min(40, width - shown.length - over.length - vsLeader.length - 2);
  const spark = sparkWidth >= 8 ? sparkline(state.slippage.samples, sparkWidth) : "";

  // Newest first, as many as fit.
  const recent: { key: number; coin: string; bps: number }[] = [];
  let used = "last".length;
  const rows = state.slippage.recent;
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    if (!r) continue;
    const mark = r.kind ? KIND_MARK[r.kind] : "?";
    const coin = mark ? `${r.coin}/${mark}` : r.coin;
    const text = ` ${coin} ${fmtSlippage(r.bps)}`;
    if (used + text.length > width) break;
    used += text.length;
    recent.push({ key: i, coin, bps: r.bps });
  }

  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        {truncate(shown, width)}
        {over ? (
          <Text color="yellow" bold>
            {over}
          </Text>
        ) : null}
        {vsLeader ? <Text dimColor>{vsLeader}</Text> : null}
        {spark ? <Text color="cyan">{`  ${spark}`}</Text> : null}
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>last</Text>
        {recent.map((r) => (
          <Text key={r.key}>
            {` ${r.coin} `}
            <Text color={bpsColor(r.bps)}>{fmtSlippage(r.bps)}</Text>
          </Text>
        ))}
      </Text>
      <EquityLine state={state} width={width} />
    </Box>
  );
}

function EquityLine({ state, width }: SlippageProps) {
  const value = fmtUsd(state.equity);
  const sparkWidth = Math.min(60, width - "equity ".length - value.length - 2);
  const spark = sparkWidth >= 8 ? sparkline(state.equitySeries, sparkWidth) : "";
  return (
    <Text wrap="truncate-end">
      <Text dimColor>equity </Text>
      {value}
      {spark ? <Text color="cyan">{`  ${spark}`}</Text> : null}
    </Text>
  );
}
