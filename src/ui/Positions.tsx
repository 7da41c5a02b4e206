// Positions: per coin, the leader's size and notional (whole dollars; with several leaders,
// "leaders": their net position, the sum of their own sizes), our target ("-" for a
// position hlcopy leaves alone: it has none), what we hold, the drift (USD and %: "closing" at a
// target of 0, where a % is undefined) flagged by its status (core/drift.ts: "!" the next cycle
// trades it, "×" a gate blocks it, "‖" the pause holds it, "alone" a position hlcopy does not
// size), our uPnL, the coin's P&L since the copy began, its leverage (its notional ÷ our equity:
// the rows add up to the header's lev), and — with resting protection on — our stop and take-profit trigger prices ("-" =
// none resting; "+N" = N more take-profit tiers beyond the nearest). Under entry-only a position
// the leader reduced or closed shows "held" (its exits are ours); with risk.maxHoldHours, the
// time left before the time stop closes it. A coin traded and closed during the copy stays
// listed ("closed") with its P&L, so the rows add up to the header's P&L. Columns drop by
// priority in narrow terminals; rows beyond maxRows fold into "+N more", which carries their P&L.
import { Box, Text } from "ink";
import { leadersHold } from "../core/drift.js";
import { roundHalfAway } from "../core/format.js";
import { cell, fmtAge, fmtLev, fmtNum, fmtPctShort, fmtUsd, fmtUsdShort } from "./format.js";
import { type Column, fitColumns } from "./layout.js";
import { foldRows, type PositionRow } from "./model.js";

export interface PositionsProps {
  rows: readonly PositionRow[];
  width: number;
  /** Body rows available (the column header not counted); at least 1. */
  maxRows: number;
  /** False until the first account snapshot: "waiting" rather than "no positions". */
  loaded: boolean;
  /** The run is paused: drift the next cycle would trade is held ("‖"), not marked "!". */
  paused?: boolean;
  /** The run follows several leaders: the leader columns are their net position, "leaders". */
  several?: boolean;
}

const signColor = (x: number | null) => (x === null || x === 0 ? undefined : x > 0 ? "green" : "red");

/** A leader holds the coin (several: one does, though their sizes may net to 0). */
const leaderHeld = (r: PositionRow): boolean => leadersHold(r);

/**
 * The leader's value in whole dollars, the same format on every row: $64,000, -$855; "-" when
 * the leader holds none (as its size column says it) or no mid is known. With several leaders,
 * their net position's.
 */
const leaderUsd = (r: PositionRow): string =>
  r.leaderNotional === null || !leaderHeld(r) ? "-" : fmtUsd(r.leaderNotional, 0);

/**
 * The leader's size; "-" when it holds none (and its leader $ is "-" too): nothing held. With
 * several leaders ("leaders"), their net position: the sum of their own sizes, "0" when they
 * hold the coin on both sides evenly.
 */
const leaderSizeText = (r: PositionRow): string => (!leaderHeld(r) ? "-" : fmtNum(r.leaderSize));

/**
 * The drift mark (core/drift.ts status, in the help's words): "!" the next cycle trades it, "×"
 * a gate holds it, "‖" the pause holds it (paused: no cycle trades), " " none (in sync, tolerated).
 */
export function driftMark(r: PositionRow, paused: boolean): string {
  if (r.status === "drift") return paused ? "‖" : "!";
  return heldBack(r) ? "×" : " ";
}

/** A gate holds drift on this row: blocked, with a drift to show (a halted flat row's $0.00 holds nothing). */
function heldBack(r: PositionRow): boolean {
  return r.status === "blocked" && r.driftUsd !== null && roundHalfAway(r.driftUsd, 2) !== 0;
}

/**
 * The positions columns; `paused` changes the drift mark, `rows` size the leader $ column,
 * `several` (a run of several leaders) titles the leader columns "leaders" and "leaders $": the
 * leaders' net position, no one leader's.
 */
export function positionColumns(
  o: { paused?: boolean; rows?: readonly PositionRow[]; several?: boolean } = {},
): Column<PositionRow>[] {
  const paused = o.paused ?? false;
  const several = o.several ?? (o.rows ?? []).some((r) => r.byLeader !== undefined);
  // Whole dollars never lose a digit to the cell: the column is as wide as its widest figure
  // (and its title: "leaders $" is 9).
  const leaderWidth = Math.max(several ? 9 : 8, ...(o.rows ?? []).map((r) => leaderUsd(r).length));
  // The planner acts on it: outside the deadband and not held by the pause.
  const acting = (r: PositionRow) => r.outsideDeadband && !(paused && r.status === "drift");
  return [
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
      title: several ? "leaders" : "leader",
      width: 9,
      priority: 60,
      align: "right",
      text: leaderSizeText,
    },
    {
      key: "leaderUsd",
      title: several ? "leaders $" : "leader $",
      width: leaderWidth,
      priority: 20,
      align: "right",
      text: leaderUsd,
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
      // The mark says what happens to the drift, readable without colour (driftMark).
      text: (r) =>
        r.closed
          ? "closed "
          : r.status === "left-alone"
            ? "alone "
            : `${fmtUsdShort(r.driftUsd)}${driftMark(r, paused)}`,
      color: (r) => (heldBack(r) ? "red" : acting(r) ? "yellow" : undefined),
      bold: (r) => acting(r),
    },
    {
      key: "driftPct",
      title: "drift%",
      width: 7,
      priority: 40,
      align: "right",
      // Undefined at a target of 0 (core/drift.ts driftPct): the USD drift says how much.
      text: (r) => (r.closing ? "closing" : fmtPctShort(r.driftPct)),
      color: (r) => (acting(r) ? "yellow" : undefined),
    },
    {
      key: "upnl",
      title: "uPnL",
      width: 8,
      priority: 50,
      align: "right",
      text: (r) => fmtUsdShort(r.upnl, true),
      color: (r) => signColor(r.upnl),
    },
    {
      key: "pnl",
      title: "P&L",
      width: 8,
      priority: 55,
      align: "right",
      text: (r) => fmtUsdShort(r.netPnl, true),
      color: (r) => signColor(r.netPnl === null ? null : roundHalfAway(r.netPnl, 2)),
    },
    {
      // The position's notional ÷ our equity: the rows add up to the header's lev.
      key: "lev",
      title: "lev",
      width: 6,
      priority: 10,
      align: "right",
      text: (r) => fmtLev(r.leverage),
    },
  ];
}

/** The columns of a running (not paused) copy, at their narrowest. */
export const POSITION_COLUMNS: readonly Column<PositionRow>[] = positionColumns();

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

export function Positions({ rows, width, maxRows, loaded, paused = false, several }: PositionsProps) {
  const guarded = rows.some((r) => r.stopPx !== undefined || r.takeProfitPx !== undefined);
  const held = rows.some((r) => r.held);
  const timed = rows.some((r) => r.timeStopInMs !== undefined);
  const { shown, hidden, hiddenNetPnl } = foldRows(rows, maxRows);
  const columns = fitColumns(
    [
      ...positionColumns({
        paused,
        rows: shown,
        several: several || rows.some((r) => r.byLeader !== undefined),
      }),
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
          {foldLine(columns, hidden, hiddenNetPnl)}
        </Text>
      ) : null}
    </Box>
  );
}

/**
 * "+N more (smaller)", with their P&L in the P&L column when it is shown (at the end when not),
 * so the lines on screen add up to the header's P&L.
 */
function foldLine(columns: readonly Column<PositionRow>[], hidden: number, netPnl: number | null): string {
  const label = `+${hidden} more (smaller)`;
  if (netPnl === null) return label;
  let offset = 0;
  for (const c of columns) {
    if (c.key === "pnl") {
      const text = cell(fmtUsdShort(netPnl, true), c.width, c.align);
      return offset > label.length
        ? `${label.padEnd(offset)}${text}`
        : `${label} P&L ${fmtUsdShort(netPnl, true)}`;
    }
    offset += c.width + 1;
  }
  return `${label} P&L ${fmtUsdShort(netPnl, true)}`;
}
