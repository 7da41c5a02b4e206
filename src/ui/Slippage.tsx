// Slippage against the leader's fill price: mean / median / p95 over the sample window with
// a sparkline of the latest fills, the last fills' bps by coin, and an equity sparkline.
import { Box, Text } from "ink";
import { fmtSigned, fmtUsd, truncate } from "./format.js";
import { type DashboardState, slippageStats } from "./model.js";
import { sparkline } from "./sparkline.js";

export interface SlippageProps {
  state: DashboardState;
  width: number;
}

/** Positive bps = worse than the leader. */
function bpsColor(bps: number): string | undefined {
  if (bps <= 0) return "green";
  return bps > 10 ? "yellow" : undefined;
}

/** Lines this panel takes. */
export const SLIPPAGE_HEIGHT = 3;

export function Slippage({ state, width }: SlippageProps) {
  const st = slippageStats(state);
  const label = "slip bps";
  if (st.n === 0) {
    return (
      <Box flexDirection="column" width={width}>
        <Text dimColor wrap="truncate-end">
          {label} no fills yet
        </Text>
        <Text wrap="truncate-end"> </Text>
        <EquityLine state={state} width={width} />
      </Box>
    );
  }
  const stats = `${label} mean ${fmtSigned(st.mean)} med ${fmtSigned(st.median)} p95 ${fmtSigned(st.p95)} n=${st.n}`;
  const sparkWidth = Math.min(40, width - stats.length - 2);
  const spark = sparkWidth >= 8 ? sparkline(state.slippage.samples, sparkWidth) : "";

  // Newest first, as many as fit.
  const recent: { key: number; coin: string; bps: number }[] = [];
  let used = "last".length;
  const rows = state.slippage.recent;
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    if (!r) continue;
    const text = ` ${r.coin} ${fmtSigned(r.bps)}`;
    if (used + text.length > width) break;
    used += text.length;
    recent.push({ key: i, coin: r.coin, bps: r.bps });
  }

  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        {truncate(stats, width)}
        {spark ? <Text color="cyan">{`  ${spark}`}</Text> : null}
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>last</Text>
        {recent.map((r) => (
          <Text key={r.key}>
            {` ${r.coin} `}
            <Text color={bpsColor(r.bps)}>{fmtSigned(r.bps)}</Text>
          </Text>
        ))}
      </Text>
      <EquityLine state={state} width={width} />
    </Box>
  );
}

function EquityLine({ state, width }: SlippageProps) {
  const value = state.equity === null ? "-" : fmtUsd(state.equity);
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
