// Help: the keys, every figure and abbreviation the header, the positions table and the
// slippage panel show, and the skip reasons seen so far in plain words. The words are the
// README's (its "The dashboard, figure by figure" block is these lines; a test holds them
// together). Each line fits 80 columns (narrower, it goes on over the next lines, never cut);
// what does not fit the lines available goes on the next page (? turns the page, then closes).
import { Box, Text } from "ink";
import { reasonText } from "../core/reasons.js";
import type { ReasonCode } from "../core/types.js";
import { truncate } from "./format.js";

export interface HelpProps {
  width: number;
  /** Skip counts by reason, biggest first (shown with their meaning). */
  skipped: readonly { reason: ReasonCode; count: number }[];
  /** Lines available for one page. */
  maxLines: number;
  /** The page shown (0-based; clamped to the pages there are). */
  page?: number;
}

export interface HelpSection {
  title: string;
  /** Each at most 78 characters: indented by two, a line fits an 80-column terminal. */
  lines: readonly string[];
}

/** What the dashboard shows, in the README's words. */
export const HELP_SECTIONS: readonly HelpSection[] = [
  {
    title: "header",
    lines: [
      "LIVE / PAPER / DRY-RUN / HALTED / STOPPED = the run's mode · PAUSED: copy held",
      "leader = whom we copy (several: the first, weight, +N) · acct = our account",
      "agent Nd left = days left on the agent's approval (yellow in its last week)",
      "equity = our account value · P&L = the copy's net since it began",
      "  (realized + unrealized − fees + funding) · ROI = P&L ÷ equity it began with",
      // What core/safety.ts keeps: not the highest account value ever shown — our own cash flows move it.
      "hwm = high-water mark: our highest equity, carried over from run to run (the",
      "  journal keeps it; hlcopy resume resets it), scaled by our own deposits and",
      "  withdrawals (they are not trading results) · dd = drawdown from the hwm, %",
      "  (beyond risk.maxDrawdownPct the kill switch closes everything and halts)",
      "ws = the websocket's state and the age of its last message",
      "lag = leader fill → our fill, last copy · p50 = the median over copies",
      // Two units, as the closing summary says them: our orders (a flip's close and open are
      // two), and the leader's trades (one leader order's fills; core/leader-trades.ts), each in
      // one bucket: the buckets add up to the trades.
      "orders filled = ours, every kind · planned = a dry run's · rejected = refused",
      "leader trades N = the leader's filled orders the run saw, each in one bucket:",
      "sweep = the last sweep's age · rate-limited = waiting out the request limit",
      "gated = a leader's increases held back · unfollowed = a leader not copied",
    ],
  },
  {
    // Every word the header's verdict, its stream segment and the lines under it can show.
    title: "verdict and states",
    lines: [
      "in sync = nothing to trade · in sync · $X tolerated = drift left on purpose",
      "  (inside the deadband, under the $10 minimum, a cap's cut)",
      "drift $X (coins) = orders are planned for those coins · not in sync = none",
      "  planned, but a coin is blocked or a position is not hlcopy's (not-ours)",
      "blocked: COIN reason = a gate holds that coin's drift (narrow: N blocked)",
      "halted · not opened: COIN = a halt keeps it flat, no drift (N not opened)",
      "left alone: COIN reason = the rows' alone: positions hlcopy does not size",
      "  (narrow: N left alone); a not-ours one keeps the copy out of sync",
      "stale 1m = nothing came from the exchange for that long (no stream message,",
      "  no good sweep): not in sync until a good read · last in sync 34s ago /",
      "  not in sync at the last read = the verdict before the data went stale",
      "ws open 0.3s ago = open, its last message's age (yellow ≥ 15s, red ≥ 60s)",
      "  · connecting / reconnecting for 5s = not open yet · closed = run ended",
      "pausing… / resuming… = p was pressed; the run has not taken it up yet",
      "HALTED kind: reason = a safety rule (or a flatten) holds orders; how it clears",
      "stopped: reason = the run has ended, and how · sweep - = none yet",
    ],
  },
  {
    title: "columns",
    lines: [
      "leader = the leader's size (signed), - none · leader $ = its value at the mid",
      "  several leaders: leaders, leaders $ = their net, the sum of their own sizes",
      "target = leader size × copy ratio, after caps and rounding; - = left alone",
      "ours = our size · drift $ = (target − ours) × mid · drift% = of the target",
      "  ! next cycle trades it · × a gate holds it · ‖ held by the pause (p resumes)",
      "  no mark: tolerated (deadband, minimum, a cap) · alone: not sized by hlcopy",
      "  closing = target 0, no % of it · closed = traded, now flat: its P&L only",
      "uPnL = the copy's unrealized P&L at the mid (- when held all by hand)",
      "P&L = the coin's net since the copy began",
      "  one mid per frame, the latest: leader $, drift $, drift% and uPnL are at it",
      "lev = our position's notional at the mid ÷ equity; the rows add up to the",
      "  header's lev 1.2x/3x: its cap risk.maxLeverage (yellow near, red above)",
      "held = entry-only keeps a position the leader reduced or closed",
      "stop = our resting stop · tp = the nearest take-profit (+N = more tiers)",
      "t-stop = time left before the time stop closes the position",
    ],
  },
  {
    title: "slippage",
    lines: [
      "slip exec bps = each fill vs the best bid/ask at decision: mean, p50, p95, n",
      "vs leader = hot-path copies vs the leader's fill · > budget! = p95 over budget",
      "last = newest fills' bps (/r repair, /j join, /s safety, /f your flatten)",
      "equity = our equity over time",
      "wide: a sparkline of the fills' exec bps · - = a dry run: nothing measured",
    ],
  },
  {
    title: "keys",
    lines: [
      "q quit: stop cleanly (in-flight orders awaited) · p pause / resume copying",
      "s sweep now: re-read, repair drift · f flatten all reduce-only (y confirms)",
      "? next page of help, then close · Esc close",
    ],
  },
  {
    // The header's buckets of the leader's trades (core/leader-trades.ts): they add up to N.
    title: "leader trades: copied + in line + skipped + missed + in flight + unknown = N",
    lines: [
      "copied = ours filled (a merged burst: all of it) · in line = no order needed",
      "skipped = not copied, by reason · missed = our order did not fill",
      // unknown: the words the summary says it in are "outcome unknown" (its order's).
      "in flight = not settled · unknown = our order uncertain · planned = dry run's",
    ],
  },
];

interface HelpLine {
  key: string;
  text: string;
  bold?: boolean;
}

/**
 * The help cut into pages of at most `maxLines` lines: a section stays on one page when it
 * fits one, and starts a new page rather than split. The skip reasons seen so far come last.
 */
export function helpPages(
  maxLines: number,
  skipped: HelpProps["skipped"],
  width = Number.POSITIVE_INFINITY,
): HelpLine[][] {
  const raw: HelpLine[][] = HELP_SECTIONS.map((s) => [
    { key: `h-${s.title}`, text: s.title, bold: true },
    ...s.lines.map((text, i) => ({ key: `${s.title}-${i}`, text: `  ${text}` })),
  ]);
  if (skipped.length > 0) {
    raw.push([
      {
        key: "h-skips",
        text: "skipped so far (leader trades, by reason; a cap's cut is no skip)",
        bold: true,
      },
      ...skipped.map((s) => ({
        key: `s-${s.reason}`,
        text: `  ${s.reason} ×${s.count}: ${reasonText(s.reason)}`,
      })),
    ]);
  }
  // Narrower than a line (60 columns), a line goes on over the next ones rather than cut: the
  // help cut every line ("equity = our account value · P&L = the copy's net since i…").
  const sections = raw.map((section) =>
    section.flatMap((l) =>
      wrapWords(l.text, width).map((text, i) => ({ ...l, key: i === 0 ? l.key : `${l.key}~${i}`, text })),
    ),
  );
  const size = Math.max(1, maxLines);
  const pages: HelpLine[][] = [];
  let page: HelpLine[] = [];
  for (const section of sections) {
    if (page.length > 0 && page.length + section.length > size) {
      pages.push(page);
      page = [];
    }
    for (const line of section) {
      if (page.length === size) {
        pages.push(page);
        page = [];
      }
      page.push(line);
    }
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/**
 * A help line in lines of at most `width`, broken at spaces (a continuation indented two more
 * than the line); a word longer than the line is left whole. An infinite width: the line.
 */
function wrapWords(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lead = /^\s*/u.exec(text)?.[0] ?? "";
  const cont = `${lead}  `;
  const out: string[] = [];
  let cur = lead;
  for (const word of text.slice(lead.length).split(" ")) {
    if (word === "") continue;
    if (cur.trim() !== "" && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = cont + word;
    } else cur = cur.trim() === "" ? cur + word : `${cur} ${word}`;
  }
  out.push(cur);
  return out;
}

export function Help({ width, skipped, maxLines, page = 0 }: HelpProps) {
  const pages = helpPages(maxLines, skipped, width);
  const lines = pages[Math.min(Math.max(0, page), pages.length - 1)] ?? [];
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l) => (
        <Text key={l.key} bold={l.bold} wrap="truncate-end">
          {truncate(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}
