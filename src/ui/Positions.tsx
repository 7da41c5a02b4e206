// Positions: per coin, the leader's size and notional, our target ("-" for a position hlcopy
// leaves alone: it has none), what we hold, the drift (USD and %) flagged by its status
// (core/drift.ts: "!" the next cycle trades it, "×" a gate blocks it, "alone" a position hlcopy
// does not size), our uPnL, the coin's P&L since the copy began, the leverage the exchange
// holds for our position, and — with resting protection on — our stop and take-profit trigger
// prices ("-" = none resting; "+N" = N more take-profit tiers beyond the nearest). Under
// entry-only a position the leader reduced or closed shows "held" (its exits are ours); with
// risk.maxHoldHours, the time left before the time stop closes it. Columns drop by priority in
// narrow terminals; rows beyond maxRows fold into "+N more".
import { Box, Text } from "ink";
import { cell, fmtAge, fmtNum, fmtPct, fmtUsdShort } from "./format.js";
import { type Column, fitColumns } from "./layout.js";
import type { PositionRow } from "./model.js";

export interface PositionsProps {
  rows: readonly PositionRow[];
  width: number;
  /** Body rows available (the column header not counted); at least 1. */
  maxRows: number;
  /** False until the first account snapshot: "waiting" rather than "no positions". */
  loaded: boolean;
}

const signColor = (x: number | null) => (x === null || x === 0 ? undefined : x > 0 ? "green" : "red");

export const POSITION_COLUMNS: readonly Column<PositionRow>[] = [
  {
    key: "coin",
    title: "coin",
    width: 6,
    priority: 100,
    align: "left",
    text: (r) => r.coin,
    bold: () => true,
  },
  {
    key: "leader",
    title: "leader",
    width: 9,
    priority: 60,
    align: "right",
    text: (r) => fmtNum(r.leaderSize),
  },
  {
    key: "leaderUsd",
    title: "leader $",
    width: 8,
    priority: 20,
    align: "right",
    text: (r) => fmtUsdShort(r.leaderNotional),
  },
  {
    key: "target",
    title: "target",
    width: 9,
    priority: 80,
    align: "right",
    text: (r) => fmtNum(r.targetSize),
  },
  { key: "ours", title: "ours", width: 9, priority: 90, align: "right", text: (r) => fmtNum(r.ourSize) },
  {
    key: "drift",
    title: "drift $ ",
    width: 9,
    priority: 95,
    align: "right",
    // "!" drift the next cycle trades, "×" drift a gate holds (blocked), readable without colour.
    text: (r) =>
      r.status === "left-alone"
        ? "alone "
        : `${fmtUsdShort(r.driftUsd)}${r.status === "drift" ? "!" : r.status === "blocked" ? "×" : " "}`,
    color: (r) => (r.status === "blocked" ? "red" : r.outsideDeadband ? "yellow" : undefined),
    bold: (r) => r.outsideDeadband,
  },
  {
    key: "driftPct",
    title: "drift%",
    width: 7,
    priority: 40,
    align: "right",
    text: (r) => fmtPct(r.driftPct, 1),
    color: (r) => (r.outsideDeadband ? "yellow" : undefined),
  },
  {
    key: "upnl",
    title: "uPnL",
    width: 8,
    priority: 50,
    align: "right",
    text: (r) => fmtUsdShort(r.upnl),
    color: (r) => signColor(r.upnl),
  },
  {
    key: "pnl",
    title: "P&L",
    width: 8,
    priority: 55,
    align: "right",
    text: (r) => fmtUsdShort(r.netPnl),
    color: (r) => signColor(r.netPnl === null ? null : Math.round(r.netPnl * 100) / 100),
  },
  {
    key: "lev",
    title: "lev",
    width: 4,
    priority: 10,
    align: "right",
    text: (r) => (r.leverage === null ? "-" : `${fmtNum(r.leverage, 3)}x`),
  },
];

/** Our resting stop and take-profit: shown only when resting protection is on. */
export const PROTECTION_COLUMNS: readonly Column<PositionRow>[] = [
  {
    key: "stop",
    title: "stop",
    width: 9,
    priority: 70,
    align: "right",
    text: (r) => fmtNum(r.stopPx ?? null),
  },
  {
    key: "tp",
    title: "tp",
    width: 11,
    priority: 30,
    align: "right",
    text: (r) => `${fmtNum(r.takeProfitPx ?? null)}${r.moreTakeProfits ? `+${r.moreTakeProfits}` : ""}`,
  },
];

/** entry-only: "held" marks a position the leader reduced or closed that we keep. */
export const HELD_COLUMN: Column<PositionRow> = {
  key: "held",
  title: "held",
  width: 4,
  priority: 75,
  align: "left",
  text: (r) => (r.held ? "held" : ""),
  color: (r) => (r.held ? "yellow" : undefined),
};

/** risk.maxHoldHours: time left before the time stop closes the position. */
export const TIME_STOP_COLUMN: Column<PositionRow> = {
  key: "tstop",
  title: "t-stop",
  width: 6,
  priority: 25,
  align: "right",
  text: (r) => (r.timeStopInMs == null ? "-" : fmtAge(r.timeStopInMs)),
};

export function Positions({ rows, width, maxRows, loaded }: PositionsProps) {
  const guarded = rows.some((r) => r.stopPx !== undefined || r.takeProfitPx !== undefined);
  const held = rows.some((r) => r.held);
  const timed = rows.some((r) => r.timeStopInMs !== undefined);
  const columns = fitColumns(
    [
      ...POSITION_COLUMNS,
      ...(held ? [HELD_COLUMN] : []),
      ...(guarded ? PROTECTION_COLUMNS : []),
      ...(timed ? [TIME_STOP_COLUMN] : []),
    ],
    width,
  );
  if (rows.length === 0) {
    return (
      <Text dimColor wrap="truncate-end">
        {loaded
          ? "no positions yet: waiting for the leader's next trade"
          : "waiting for the first account snapshot…"}
      </Text>
    );
  }
  const limit = Math.max(1, maxRows);
  const shown = rows.length > limit ? rows.slice(0, limit - 1) : rows;
  const hidden = rows.length - shown.length;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold dimColor wrap="truncate-end">
        {columns.map((c) => cell(c.title, c.width, c.align)).join(" ")}
      </Text>
      {shown.map((row) => (
        <Text key={row.coin} wrap="truncate-end">
          {columns.map((c, i) => (
            <Text key={c.key} color={c.color?.(row)} bold={c.bold?.(row)}>
              {i > 0 ? " " : ""}
              {cell(c.text(row), c.width, c.align)}
            </Text>
          ))}
        </Text>
      ))}
      {hidden > 0 ? (
        <Text dimColor wrap="truncate-end">
          +{hidden} more (smaller)
        </Text>
      ) : null}
    </Box>
  );
}
