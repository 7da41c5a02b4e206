// THE display formatting of numbers, money, percentages, ages, clock times and fixed-width cells, for the
// dashboard panels, the line output and every command's text (addresses and UTC times, which the
// planner's reasons need too, are in core/format.ts). Plain ASCII plus a few single-width
// symbols, so a string's length is its width on screen. Every fixed-decimal figure is rounded by
// core/format.ts roundHalfAway: the same number shows the same digits wherever it is shown.

import { FIGURE_DECIMALS, fixed, roundHalfAway } from "../core/format.js";
import { drawdownOfShown } from "../core/safety.js";

export { fmtMs, fmtUsd, fmtUsdSigned } from "../core/format.js";

/** A number with at most `sig` significant digits, trailing zeros trimmed: 64000.5, 0.01; "-" when missing. */
export function fmtNum(x: number | null, sig = 6): string {
  if (x === null || !Number.isFinite(x)) return "-";
  if (x === 0) return "0";
  if (Math.abs(x) >= 10 ** sig) return x.toFixed(0);
  const s = Number(x.toPrecision(sig)).toString();
  return s === "-0" ? "0" : s;
}

/** Fixed decimals, no grouping, "-" for a missing figure (null, undefined, NaN, ±∞): 1.50. */
export function fmtFixed(x: number | null | undefined, decimals = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "-" : fixed(x, decimals);
}

/** The number as JavaScript writes it (every digit kept), "-" for a missing figure. */
export function fmtExact(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "-" : String(x);
}

/**
 * Dollars in at most ~7 characters for table cells: $12.34, $1.2k, -$3.45M; "-" when missing.
 * `signed`: a gain has its + (+$12.34), as fmtUsdSigned writes a P&L everywhere else.
 */
export function fmtUsdShort(x: number | null, signed = false): string {
  if (x === null || !Number.isFinite(x)) return "-";
  const a = roundHalfAway(Math.abs(x), 2);
  let body: string;
  if (a < 1000) body = a.toFixed(2);
  else if (a < 1e6) body = `${fixed(a / 1e3, 1)}k`;
  else if (a < 1e9) body = `${fixed(a / 1e6, 2)}M`;
  else body = `${fixed(a / 1e9, 2)}B`;
  return x < 0 && a !== 0 ? `-$${body}` : signed && a !== 0 ? `+$${body}` : `$${body}`;
}

/**
 * A percentage in at most 7 characters for a table cell (the dashboard's drift%), whole where a
 * tenth does not fit: 12.3%, -138.9%, -1542%, and past ±9999 only the bound (">9999%",
 * "<-9999%"). A cell that cut "-1541.5%" to "-1541.…" showed a figure that is none.
 */
export function fmtPctShort(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  const tenth = fmtPct(x, 1);
  if (tenth.length <= 7) return tenth;
  if (Math.abs(roundHalfAway(x, 0)) <= 9999) return fmtPct(x, 0);
  return x > 0 ? ">9999%" : "<-9999%";
}

/**
 * A value already in percent: 12.345 → "12.35%"; "-" when missing. By default to
 * FIGURE_DECIMALS.pct (0.01 %), as ROI and drawdown are shown everywhere (scan, inspect, status,
 * the dashboard, backtest).
 */
export function fmtPct(x: number | null | undefined, digits: number = FIGURE_DECIMALS.pct): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "-" : `${fixed(x, digits)}%`;
}

/**
 * A signed percentage — the copy's ROI, wherever it is shown (dashboard, status, report, the
 * closing summaries, journal), a leader's (scan) and a replayed copy's return (backtest):
 * +1.23%, -0.06%, 0.00% (a figure of 0 as shown has no sign); "-"
 * when missing. fmtUsdSigned's form for a percentage.
 */
export function fmtPctSigned(x: number | null | undefined, digits: number = FIGURE_DECIMALS.pct): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  return `${roundHalfAway(x, digits) > 0 ? "+" : ""}${fmtPct(x, digits)}`;
}

/**
 * Leverage (core/leverage.ts grossLeverage: notional ÷ equity) to the hundredth, as the
 * dashboard, the state line and `status` show it: 1.23x; "-" when missing.
 */
export function fmtLev(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "-" : `${fixed(x, 2)}x`;
}

/** A ratio 0..1 as a percentage: 0.4732 → "47.3%"; "-" when missing. */
export function fmtShare(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "-" : `${fixed(x * 100, digits)}%`;
}

/**
 * THE slippage figure, in bps — a fill's, a mean, a percentile — wherever it is shown (the
 * dashboard's slippage panel, the event lines, follow's closing summary, status, report, the
 * demo, the journal): to FIGURE_DECIMALS.bps, a minus when better than the price it is measured
 * against and no plus when worse (a cost, as `fees` is written), "0.0" when it rounds to nothing
 * (never "-0.0"), "-" when missing. The dashboard wrote `p95 +0.1` where the closing summary and
 * status wrote `p95 0.1` for the same figure.
 */
export function fmtSlippage(x: number | null | undefined): string {
  return fmtFixed(x, FIGURE_DECIMALS.bps);
}

/** A slippage figure with its unit, as every other text writes it: "0.8 bps" (it read "0.8bps"). */
export function fmtBps(x: number | null): string {
  return x === null || !Number.isFinite(x) ? "-" : `${fmtSlippage(x)} bps`;
}

/** How long ago, compactly (core/format.ts: the drift verdict says ages too). */
export { fmtAge } from "../core/format.js";

/** Wall-clock time of an epoch-ms timestamp, UTC: 12:00:01.234. */
export function fmtClock(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString().slice(11, 23) : "--:--:--.---";
}

/**
 * Cut a string to `width` characters, marking the cut with an ellipsis — never inside a figure:
 * a cut that falls inside a word holding a digit goes back to the space before it. An event line
 * cut at 60 columns read "order SOL sell 1.07 @ 189.38 close ro filled 1…" (the fill was 1.07),
 * a halt line "drawdown 2…" (it was 25.3 %): a figure that is none. With no space before it,
 * the figure goes whole ("…").
 */
export function truncate(s: string, width: number): string {
  if (width <= 0) return "";
  if (s.length <= width) return s;
  if (width === 1) return "…";
  let head = s.slice(0, width - 1);
  const next = s[width - 1] ?? " ";
  if (!/\s/u.test(next)) {
    const start = head.search(/\S*$/u);
    const word = head.slice(start) + (/\S*/u.exec(s.slice(width - 1))?.[0] ?? "");
    if (/\d/u.test(word)) head = head.slice(0, start);
  }
  return `${head.trimEnd()}…`;
}

/** Exactly `width` characters: truncated, then padded (right-aligned numbers by default). */
export function cell(s: string, width: number, align: "left" | "right" = "right"): string {
  const t = truncate(s, width);
  return align === "right" ? t.padStart(width) : t.padEnd(width);
}

/**
 * The drawdown a view shows beside the equity and high-water mark it shows: of those two
 * figures. The engine's state event carries the safety check's drawdown of its last account
 * update, while its equity is valued now: `equity $9,999.09 · hwm $10,000.49 · dd 0.00%` read
 * as a contradiction. (How the kill switch computes its drawdown is core/safety.ts's, unchanged;
 * this is the same formula, core/safety.ts lossPct, on the figures shown.) Falls back to `given` without an hwm.
 */
export function shownDrawdownPct(
  equity: number | null,
  hwm: number | null,
  given: number | null,
): number | null {
  // core/safety.ts lossPct: the kill switch's own formula — a mark below a cent measures nothing
  // (an emptied account's mark, scaled to a micro-dollar, read "hwm $0.00 · dd 100.00%" here
  // while status and the kill switch said 0 %). One function for every view (drawdownOfShown).
  return drawdownOfShown(equity, hwm, given);
}

/**
 * A line cut into lines of at most `width` at its separators, never inside a figure or
 * between an operator and its term: after "; ", " · " and ", ", or before " = ", " + ", " − "
 * (`… + unrealised 0.00` / `− fees 6.26 …`, never `… −` / `fees 6.26`). Continuation lines
 * start with `indent`. A piece longer than the line is left whole (the terminal cuts it).
 * An infinite width returns the text as it is.
 */
export function wrapAtSeparators(text: string, width: number, indent = ""): string {
  if (!Number.isFinite(width) || text.length <= width) return text;
  const pieces = text.split(/(?<=; |·\s|, )|(?= [=+−] )/u);
  const lines: string[] = [];
  let line = "";
  for (const piece of pieces) {
    if (line !== "" && (line + piece).trimEnd().length > width) {
      lines.push(line.trimEnd());
      line = indent + piece.trimStart();
    } else line += piece;
  }
  if (line.trim() !== "") lines.push(line.trimEnd());
  return lines.join("\n");
}

/**
 * A report's lines (status's, backtest's) within `width`: each broken by wrapToWidth, but a
 * table (a block drawn from ┌, fitted to the width already) left as it is — its rows are not
 * lines of words.
 */
export function wrapReportLines(lines: readonly string[], width: number): string[] {
  return lines.map((l) => (l.startsWith("┌") ? l : wrapToWidth(l, width)));
}

/**
 * Every line of `text` within `width` columns: cut at its separators first (wrapAtSeparators),
 * then a piece still too long at its spaces — the short end of that cut takes the pieces after
 * it while they fit (no line of one word: `ago,`). A continuation line starts with the line's
 * own indentation plus `indent`. Only a single word longer than the line (none of hlcopy's: an
 * address is 42) is left whole. An infinite width returns the text as it is.
 */
export function wrapToWidth(text: string, width: number, indent = "  "): string {
  if (!Number.isFinite(width)) return text;
  return text
    .split("\n")
    .map((line) => {
      const cont = `${/^\s*/.exec(line)?.[0] ?? ""}${indent}`;
      const out: string[] = [];
      let tail = false;
      for (const l of wrapAtSeparators(line, width, cont).split("\n")) {
        const last = out.at(-1);
        const joined = last === undefined ? "" : `${last} ${l.trimStart()}`;
        if (tail && joined.length <= width) out[out.length - 1] = joined;
        else if (l.length <= width) {
          out.push(l);
          tail = false;
        } else {
          out.push(...wrapAtSpaces(l, width, cont));
          tail = true;
        }
      }
      return out.join("\n");
    })
    .join("\n");
}

function wrapAtSpaces(line: string, width: number, cont: string): string[] {
  const lead = /^\s*/.exec(line)?.[0] ?? "";
  const out: string[] = [];
  let cur = lead;
  // Words and the spaces between them, kept as they are on a line: a label padded to its
  // column ("leader trades    16 …") keeps its figures in the column.
  const parts = line.slice(lead.length).split(/( +)/);
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i] as string;
    const gap = parts[i - 1] ?? "";
    if (word === "") continue;
    if (cur.trim() !== "" && cur.length + gap.length + word.length > width) {
      out.push(cur);
      cur = cont + word;
    } else cur = cur.trim() === "" ? cur + word : cur + gap + word;
  }
  out.push(cur);
  return out;
}

/**
 * Why a decision's orders did not go, as every view says it: a pause held them, or the run was
 * ending — a stop signal's, and a reconcile's re-read after its orders (what it leaves, read for
 * its report).
 */
export function notSentText(held: "paused" | "stopping"): string {
  return held === "paused" ? "paused: not sent" : "not sent: the run was ending";
}
