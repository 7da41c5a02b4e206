// Help: the keys, what the columns mean, and the skip reasons seen so far in plain words.
import { Box, Text } from "ink";
import { reasonText } from "../core/reasons.js";
import type { ReasonCode } from "../core/types.js";
import { truncate } from "./format.js";

export interface HelpProps {
  width: number;
  /** Skip counts by reason, biggest first (shown with their meaning). */
  skipped: readonly { reason: ReasonCode; count: number }[];
  /** Lines available; the reasons list is cut to fit. */
  maxLines: number;
}

const KEYS: readonly [string, string][] = [
  ["q", "quit: stop cleanly (in-flight orders awaited, journal flushed)"],
  ["p", "pause / resume sending orders (plans are still made and shown)"],
  ["s", "sweep now: re-read both accounts over REST and repair drift"],
  ["f", "flatten: close every position reduce-only (asks y to confirm)"],
  ["?", "show / hide this help"],
];

const LEGEND: readonly string[] = [
  "target = leader size × copy ratio, after caps and rounding",
  "drift $ = (target − ours) × mid · ! next cycle trades it · × a gate holds it",
  "  no mark: tolerated (deadband, minimum, a cap) · alone: not sized by hlcopy",
  "held = entry-only keeps a position the leader reduced or closed (your own exits close it)",
  "stop / tp = resting stop and nearest take-profit (+N = more tiers); t-stop = time to the time stop",
  "uPnL = our position at the mid · P&L = the coin's net since the copy began",
  "  (realised + unrealised − fees + funding); header: the whole copy, ROI %",
  "lev = leverage the exchange holds for our position (exec.leverage sets it;",
  "  - until a sweep reads it), not our notional ÷ equity",
  "slip exec = fill vs best bid/ask at decision (every order) · vs leader =",
  "  hot-path copies vs the leader's fill · lag = leader fill → ours (copies)",
];

export function Help({ width, skipped, maxLines }: HelpProps) {
  const lines: { key: string; text: string; bold?: boolean }[] = [
    { key: "h-keys", text: "keys", bold: true },
    ...KEYS.map(([k, text]) => ({ key: `k-${k}`, text: `  ${k}  ${text}` })),
    { key: "h-cols", text: "columns", bold: true },
    ...LEGEND.map((text, i) => ({ key: `l-${i}`, text: `  ${text}` })),
  ];
  if (skipped.length > 0) {
    lines.push({ key: "h-skips", text: "skipped so far", bold: true });
    for (const s of skipped) {
      lines.push({ key: `s-${s.reason}`, text: `  ${s.reason} ×${s.count}: ${reasonText(s.reason)}` });
    }
  }
  return (
    <Box flexDirection="column" width={width}>
      {lines.slice(0, Math.max(1, maxLines)).map((l) => (
        <Text key={l.key} bold={l.bold} wrap="truncate-end">
          {truncate(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}
