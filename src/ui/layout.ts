// Pure width arithmetic for the panels: which segments of a status line and which table
// columns fit a terminal width. Narrow terminals lose the least important pieces whole,
// never wrap a half.

import type { LogLevel } from "./describe.js";
import type { ModeLabel } from "./model.js";

/** A piece of a status line; higher priority survives a narrow terminal longer. */
export interface Segment {
  text: string;
  priority: number;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/**
 * The segments that fit `width` when joined by `gap` spaces, in their original order: taken
 * by priority (ties: earlier first) while they fit. A lone segment wider than the line is cut
 * by the renderer's truncation.
 */
export function fitSegments<S extends { text: string; priority: number }>(
  segments: readonly S[],
  width: number,
  gap = 2,
): S[] {
  const order = segments.map((s, i) => ({ s, i })).sort((a, b) => b.s.priority - a.s.priority || a.i - b.i);
  const keep = new Set<number>();
  let used = 0;
  for (const { s, i } of order) {
    const cost = s.text.length + (keep.size > 0 ? gap : 0);
    if (used + cost <= width || keep.size === 0) {
      keep.add(i);
      used += cost;
    }
  }
  return segments.filter((_, i) => keep.has(i));
}

export interface Column<Row> {
  key: string;
  title: string;
  width: number;
  priority: number;
  align: "left" | "right";
  text: (row: Row) => string;
  color?: (row: Row) => string | undefined;
  bold?: (row: Row) => boolean;
}

/** The columns that fit `width` with one space between them, in their original order. */
export function fitColumns<Row>(columns: readonly Column<Row>[], width: number): Column<Row>[] {
  const probes = columns.map((c) => ({ text: " ".repeat(c.width), priority: c.priority, column: c }));
  return fitSegments(probes, width, 1).map((p) => p.column);
}

export const MODE_COLOR: Record<ModeLabel, string> = {
  LIVE: "green",
  "DRY-RUN": "yellow",
  PAPER: "cyan",
  HALTED: "red",
  STOPPED: "gray",
};

export const LEVEL_COLOR: Record<LogLevel, string | undefined> = {
  info: undefined,
  good: "green",
  warn: "yellow",
  error: "red",
  dim: "gray",
};
