// THE formatting of addresses, numbers in one-line details (skip reasons, cap notes, warnings),
// UTC times, dollar amounts and durations (copy lag): pure, so the planner's reasons and the analytics use it; the
// engine, the dashboard and the commands use the same functions (the rest of the display
// formatting is ui/format.ts).

/**
 * An address cut to `0x` + its first and last `digits` hex digits: 0x1234…abcd by default
 * (enough to recognise it), 0xb7b6f3ce…d9b017b2 with 8 (report headers). Anything too short to
 * cut is returned as it is.
 */
export function shortAddress(address: string, digits = 4): string {
  return address.length > 2 * digits + 4
    ? `${address.slice(0, digits + 2)}…${address.slice(-digits)}`
    : address;
}

/** Items of a sentence: "a", "a and b", "a, b and c". */
export function listed(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items.at(-1)}` : (items[0] ?? "");
}

/** A number for a one-line detail: at most 6 significant figures, no exponent for usual values. */
export function detailNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-9) return x.toPrecision(4);
  return String(Number(x.toPrecision(6)));
}

/**
 * A number as plain decimal digits, never in exponent notation: 1e-7 → "0.0000001",
 * 1.5e21 → "1500000000000000000000". The digits are the number's shortest form (String(x)),
 * only the decimal point moves. For settings and other values shown as the user typed them.
 */
export function plainDecimal(x: number): string {
  const text = String(x);
  const e = text.indexOf("e");
  if (!Number.isFinite(x) || e < 0) return text;
  const sign = x < 0 ? "-" : "";
  const mantissa = text.slice(sign.length, e);
  const exp = Number(text.slice(e + 1));
  const [int = "", frac = ""] = mantissa.split(".");
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A time in UTC to the minute, for messages: 2025-01-02 15:04 UTC. */
export function utcMinute(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A time in UTC to the second, for report headers: 2025-01-02 15:04:05 UTC. */
export function utcSecond(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Thousands separators in the integer part of a decimal string: 1234567.5 → 1,234,567.5. */
export function groupThousands(s: string): string {
  const [int = "", frac] = s.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/**
 * THE rounding of a figure to `decimals` places, for every view and every JSON figure that is
 * rounded: half away from zero on the number as it is written (94.705 → 94.71, −0.125 → −0.13),
 * never −0. `toFixed` alone rounds the binary value (94.705 is 94.70499… → "94.70") and
 * `Math.round(x * 100) / 100` rounds it the other way (94.71): one figure read as two.
 */
export function roundHalfAway(x: number, decimals = 2): number {
  // Past 2^53 a double has no fraction left to round.
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 53) return x;
  // Shift the decimal point in the number's shortest decimal form, not by a binary multiply.
  const [mantissa, exp = "0"] = String(Math.abs(x)).split("e");
  const shifted = Math.round(Number(`${mantissa}e${Number(exp) + decimals}`));
  if (shifted >= 1e21) return x; // too big to carry a fraction at this many places
  const r = Number(`${shifted}e${-decimals}`);
  return x < 0 && r !== 0 ? -r : r;
}

/** roundHalfAway of a figure that may be missing: null stays null. */
export function roundOrNull(x: number | null, decimals = 2): number | null {
  return x === null ? null : roundHalfAway(x, decimals);
}

/** `x` with exactly `decimals` places, rounded by roundHalfAway: fixed(94.705) = "94.71". */
export function fixed(x: number, decimals = 2): string {
  return roundHalfAway(x, decimals).toFixed(decimals);
}

/** Dollars with thousands separators (cents by default): $10,234.12, -$5.00; never -$0.00. */
export function fmtUsd(x: number | null | undefined, decimals = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  const r = roundHalfAway(x, decimals);
  const s = groupThousands(Math.abs(r).toFixed(decimals));
  return r < 0 ? `-$${s}` : `$${s}`;
}

/**
 * THE form of a signed dollar figure — the copy's P&L and its parts, wherever they are shown
 * (dashboard, status, report, the closing summaries, journal, alerts), and a leader's or a
 * replayed copy's (inspect, scan, backtest, and their charts' axes): fmtUsd with an explicit
 * + for a gain: +$3.67, -$3.67, $0.00 (a figure of 0 at the cent has no sign); "-" when missing.
 * `−3.67 USD` in one place and `-$3.67` in another read as two figures.
 */
export function fmtUsdSigned(x: number | null | undefined, decimals = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  return `${roundHalfAway(x, decimals) > 0 ? "+" : ""}${fmtUsd(x, decimals)}`;
}

/**
 * A dollar figure `value` said to be below `limit` (value < limit, both ≥ 0), each in fmtUsd's
 * form, so that the text shown says what the figures are: where both round to the same cent
 * ("$10.00 is below the $10 minimum" for $9.996), the value is cut down and the limit up to the
 * cent ("$9.99", "$10.00") — still within a cent of each figure, and the pair still reads
 * value < limit.
 */
export function fmtUsdBelow(value: number, limit: number): { value: string; limit: string } {
  if (!(value < limit) || roundHalfAway(value) < roundHalfAway(limit))
    return { value: fmtUsd(value), limit: fmtUsd(limit) };
  const down = Math.floor(Number(`${fixed(value, 6)}e2`)) / 100;
  const up = Math.ceil(Number(`${fixed(limit, 6)}e2`)) / 100;
  return { value: fmtUsd(down), limit: fmtUsd(up) };
}

/**
 * THE format of a duration in milliseconds — copy lag above all, wherever it is shown (the
 * dashboard, event lines, status, the closing summaries, the journal): whole ms under a second
 * (39ms), then seconds (1.23s, 12.5s); "-" without a figure. Three formats ("39 ms", "12.5 ms",
 * "39ms") read as three different measures.
 */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  const whole = roundHalfAway(ms, 0);
  if (Math.abs(whole) < 1000) return `${whole}ms`;
  return `${fixed(ms / 1000, Math.abs(ms) < 10_000 ? 2 : 1)}s`;
}

/**
 * THE decimals of each kind of figure, in every line, table and --json document (a JSON figure
 * is the figure its command prints): USD amounts and drift to the cent, drift % to 0.1,
 * drawdown % to 0.01, slippage to 0.1 bps, durations (copy lag) to the ms, the copy's P&L to the
 * micro-dollar (USDC's 6 decimals, core/pnl.ts round6).
 */
export const FIGURE_DECIMALS = {
  usd: 2,
  driftPct: 1,
  pct: 2,
  bps: 1,
  ms: 0,
  pnl: 6,
} as const;

export type FigureKind = keyof typeof FIGURE_DECIMALS;

/** A figure of `kind` rounded as it is shown (roundHalfAway at FIGURE_DECIMALS); null stays null. */
export function roundFigure(kind: FigureKind, x: number | null): number | null {
  return roundOrNull(x, FIGURE_DECIMALS[kind]);
}

/** Every number-or-null field of a set of statistics (mean, median, p95 …) rounded as `kind`. */
export function roundStats<T extends object>(kind: FigureKind, stats: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stats))
    out[k] = typeof v === "number" && k !== "count" && k !== "n" ? roundFigure(kind, v) : v;
  return out as T;
}

/** The kind of figure a field of a --json document or line holds, by its name (FIGURE_DECIMALS). */
const FIELD_KINDS: Readonly<Record<string, FigureKind>> = {
  driftUsd: "usd",
  outsideUsd: "usd",
  deadbandUsd: "usd",
  maxDriftUsd: "usd",
  driftPct: "driftPct",
  slippageBps: "bps",
  execSlippageBps: "bps",
  p95Bps: "bps",
  lagMs: "ms",
  equity: "usd",
  hwm: "usd",
  drawdownPct: "pct",
};

/**
 * A document as --json prints it (`journal --json`, follow's --json event lines): each figure
 * rounded as the tables and every other view show it (drift and equity to the cent, slippage to
 * 0.1 bps, drawdown to 0.01 %, lag to the ms), and a float's binary tail (a mid of
 * 189.14999999999998) cut at 15 significant digits, where a double's precision ends. Sizes,
 * prices, fees and the P&L keep every digit there is.
 */
export function shownFigures<T>(value: T): T {
  return walk(value, null) as T;
}

function walk(value: unknown, key: string | null): unknown {
  if (typeof value === "number") {
    const kind = key === null ? undefined : FIELD_KINDS[key];
    if (kind) return roundFigure(kind, value);
    return Number.isInteger(value) || !Number.isFinite(value) ? value : Number(value.toPrecision(15));
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, null));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  return value;
}

/** How long ago, compactly: 0.4s, 12s, 3m, 2h, 5d. */
export function fmtAge(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const a = Math.max(0, ms);
  if (a < 10_000) return `${(a / 1000).toFixed(1)}s`;
  if (a < 120_000) return `${Math.round(a / 1000)}s`;
  if (a < 7_200_000) return `${Math.round(a / 60_000)}m`;
  if (a < 172_800_000) return `${Math.round(a / 3_600_000)}h`;
  return `${Math.round(a / 86_400_000)}d`;
}

/**
 * A window as the flags spell it (`--since 30m|24h|7d`): in the largest of seconds, minutes,
 * hours or days it is a whole number of (hours up to 2 days: the default `24h` reads as typed),
 * else in the largest of them it spans, to 3 decimals — never `0.041666666666666664 days` for `--since 1h`. `words`
 * spells the unit for a sentence ("the last 7 days", "the last 1 hour").
 */
export function windowText(ms: number, style: "short" | "words" = "short"): string {
  const units: readonly (readonly [number, string, string])[] = [
    [86_400_000, "d", "day"],
    [3_600_000, "h", "hour"],
    [60_000, "m", "minute"],
    [1_000, "s", "second"],
  ];
  const whole = (unit: number) => Math.abs(ms / unit - Math.round(ms / unit)) < 1e-9;
  const found = units.find(([unit], i) => whole(unit) && (i !== 0 || ms >= 2 * unit));
  // Not whole in any unit (a window from a date: `--since 2026-12-01`): the largest unit it
  // spans, to 3 decimals — 5.123d, not 442627.2s.
  const [unit, short, word] =
    found ?? units.find(([u]) => Math.abs(ms) >= u) ?? ([1_000, "s", "second"] as const);
  const n = found ? Math.round(ms / unit) : Number((ms / unit).toFixed(3));
  return style === "short" ? `${n}${short}` : `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A sum as it is shown with its parts: every figure rounded, the parts adding up to the total. */
export interface ShownSum {
  /** The true total rounded (roundHalfAway): the figure itself, never bent to fit its parts. */
  total: number;
  /** Each part within one unit of the last place of its true value; together exactly `total`. */
  parts: number[];
}

/**
 * THE figures of a sum shown beside its parts (`net = realised + unrealised − fees + funding`):
 * the total is its true figure rounded to `decimals`, and the parts, each rounded alike, are
 * made to add up to it — the missing cents go, one each, to the parts with the largest rounding
 * remainder in that direction (largest-remainder method), so a row never reads `net −0.05` beside
 * parts that add to −0.04. `parts` are signed as they add (fees as −fees); `total` defaults to
 * their sum (give it when the total is a figure of its own, e.g. a journaled net). For text only:
 * --json keeps every figure as it is.
 */
export function shownSum(parts: readonly number[], total?: number, decimals = 2): ShownSum {
  const scale = 10 ** decimals;
  // Whole units of the last place (cents), from the one rounding every view uses.
  const units = (x: number) => Math.round(roundHalfAway(x, decimals) * scale);
  const shown = parts.map(units);
  const want = units(total ?? parts.reduce((s, x) => s + x, 0));
  const diff = want - shown.reduce((s, u) => s + u, 0);
  if (diff !== 0 && shown.length > 0) {
    const step = Math.sign(diff);
    // How far each true part is from its shown one, in units; the largest in diff's direction first.
    const remainder = parts.map((x, i) => x * scale - (shown[i] ?? 0));
    const order = parts
      .map((_, i) => i)
      .sort((a, b) => step * ((remainder[b] ?? 0) - (remainder[a] ?? 0)) || a - b);
    for (let k = 0; k < Math.abs(diff); k++) {
      const i = order[k % order.length] ?? 0;
      shown[i] = (shown[i] ?? 0) + step;
    }
  }
  // `|| 0`: never −0 (shown as −0.00).
  return { total: want / scale || 0, parts: shown.map((u) => u / scale || 0) };
}

/**
 * A total shown where its parts are shown too (elsewhere on the screen, or beside it): the sum of
 * the parts as they are shown, each rounded to `decimals` — backtest's `fees + slippage` of the
 * `fees` and `slippage` rows, never the sum rounded once, a cent off what a reader adds. The parts
 * are the figures (each also in --json); the total is theirs, within a cent per part of its true figure.
 */
export function shownTotal(parts: readonly number[], decimals = 2): number {
  return roundHalfAway(
    parts.reduce((sum, x) => sum + roundHalfAway(x, decimals), 0),
    decimals,
  );
}

/**
 * A column of figures beside their total, as shown (to the cent, or to 0.01 % for ROIs): the rows
 * add up to the total as shown (shownSum), none off by more than its last place — the dashboard's
 * and status's P&L rows under the copy's P&L. As they are when a figure or the total is unknown,
 * or when they are not that total's parts (their sum is not it, to the micro-dollar each).
 */
export function shownColumn(
  values: readonly (number | null)[],
  total: number | null,
  decimals = 2,
): (number | null)[] {
  if (total === null || values.some((v) => v === null)) return [...values];
  const xs = values as number[];
  if (Math.abs(xs.reduce((sum, x) => sum + x, 0) - total) > 1e-5 * Math.max(1, xs.length)) return [...values];
  return shownSum(xs, total, decimals).parts;
}

/** The parts of a P&L figure, each in USD: net = realised + unrealised − fees + funding. */
export interface PnlParts {
  netUsd: number;
  realisedUsd: number;
  unrealisedUsd: number;
  feesUsd: number;
  fundingUsd: number;
}

/**
 * A P&L's figures as a line or table row shows them beside each other (shownSum): to the cent,
 * the net its true figure rounded, and realised + unrealised − fees + funding as shown equal to
 * it. `unrealisedUsd` may be any part that adds (report's window: the unrealised change).
 */
export function shownPnl(p: PnlParts): PnlParts {
  const { total, parts } = shownSum([p.realisedUsd, p.unrealisedUsd, -p.feesUsd, p.fundingUsd], p.netUsd);
  const [realisedUsd = 0, unrealisedUsd = 0, minusFees = 0, fundingUsd = 0] = parts;
  return { netUsd: total, realisedUsd, unrealisedUsd, feesUsd: -minusFees || 0, fundingUsd };
}

/** A P&L line and the tables under it, as shown: each table's rows add up to the line, across and down. */
export interface ShownPnlTables {
  /** The line's figures: its net the true net rounded, its parts within a cent of theirs, adding up to it. */
  line: PnlParts;
  /** Each table's rows, in the order given. */
  tables: PnlParts[][];
}

/**
 * A P&L line with the tables of rows under it, as shown (status's line with its per coin and per
 * leader tables, report's window with its days): each row's net is the column of nets adding up
 * to the line's net (shownColumn — the same figures the dashboard and status's positions show),
 * each row's parts add up to its net, and each column of parts adds up to the line's part. Rows
 * rounded one by one added up across but not down: realised −0.18 −0.03 −0.13 +0.11 = −0.23 under
 * a line's −0.22. A cent is moved between two parts of a row (or along a chain of rows) to mend a
 * column, never taking a part beyond the cents either side of its true figure.
 *
 * The line is shownPnl(total) whenever its tables can add up to it; when they cannot, it is the
 * nearest other rounding of its parts that they can (each part still within a cent of its
 * truth): with rows `fees 0.743038` and `unrealised 3.496963, funding −0.320002`, the nets read
 * −0.74 and 3.17 (their column's cent goes to the second), so the second row reads unrealised
 * 3.49; a line bending its fees to 0.75 instead could never be added up to — it bends its
 * unrealised to 3.49. A table whose rows are not the line's parts (their sums are not its, to the
 * micro-dollar) is shown row by row, alone.
 */
export function shownPnlTables(total: PnlParts, ...tables: readonly (readonly PnlParts[])[]): ShownPnlTables {
  const standalone = shownPnl(total);
  const prepared = tables.map((rows) => prepareRows(rows, total));
  const fits = (want: readonly number[]) => {
    const out: PnlParts[][] = [];
    for (const t of prepared) {
      const rows = t.mend ? t.mend(want) : t.shown;
      if (!rows) return null;
      out.push(rows);
    }
    return out;
  };
  for (const want of lineCandidates(total, standalone)) {
    const mended = fits(want);
    if (mended) return { line: fromCells(standalone.netUsd, want), tables: mended };
  }
  // Not reached for rows that are the line's parts (some rounding of the line always fits); kept
  // so a table never goes unshown.
  return { line: standalone, tables: prepared.map((t) => t.shown) };
}

const PNL_KEYS = ["realisedUsd", "unrealisedUsd", "feesUsd", "fundingUsd"] as const;
/** How each part adds to the net: fees are taken away. */
const PNL_SIGN: readonly number[] = [1, 1, -1, 1];
/** A part in cents, signed as it adds (fees as −fees): from the one rounding every view uses. */
const signedCents = (r: PnlParts, j: number) =>
  Math.round(roundHalfAway((PNL_SIGN[j] ?? 1) * r[PNL_KEYS[j] ?? "realisedUsd"], 2) * 100);
function fromCells(netUsd: number, cents: readonly number[]): PnlParts {
  const [realised = 0, unrealised = 0, minusFees = 0, funding = 0] = cents.map((u) => u / 100 || 0);
  return {
    netUsd,
    realisedUsd: realised,
    unrealisedUsd: unrealised,
    feesUsd: -minusFees || 0,
    fundingUsd: funding,
  };
}

/**
 * The line's parts as it may show them, in cents (signed as they add), best first: shownPnl's,
 * then every other choice of each part's cent either side of its truth that adds up to the net as
 * shown, nearest the truth first.
 */
function lineCandidates(total: PnlParts, standalone: PnlParts): number[][] {
  const first = PNL_KEYS.map((_, j) => signedCents(standalone, j));
  const net = Math.round(standalone.netUsd * 100);
  const truth = PNL_KEYS.map((k, j) => (PNL_SIGN[j] ?? 1) * total[k] * 100);
  const choices = truth.map((t) => [...new Set([Math.floor(t + 1e-6), Math.ceil(t - 1e-6)])]);
  let all: number[][] = [[]];
  for (const c of choices) all = all.flatMap((prefix) => c.map((x) => [...prefix, x]));
  const distance = (cells: readonly number[]) =>
    cells.reduce((s, x, j) => s + Math.abs(x - (truth[j] ?? 0)), 0);
  const others = all
    .filter((cells) => cells.reduce((s, x) => s + x, 0) === net && cells.some((x, j) => x !== first[j]))
    .sort((a, b) => distance(a) - distance(b));
  return [first, ...others];
}

/**
 * One table's rows under the line: each row as shownPnl shows it with its net from the nets'
 * column, and — when the rows are the line's parts — how to mend its columns to a line's cells
 * (null when they cannot be).
 */
function prepareRows(
  rows: readonly PnlParts[],
  total: PnlParts,
): { shown: PnlParts[]; mend: ((want: readonly number[]) => PnlParts[] | null) | null } {
  const nets = shownColumn(
    rows.map((r) => r.netUsd),
    total.netUsd,
  );
  const shown = rows.map((r, i) => shownPnl({ ...r, netUsd: nets[i] ?? r.netUsd }));
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, rows.length);
  const sum = (k: keyof PnlParts) => rows.reduce((s, r) => s + r[k], 0);
  const adds =
    rows.length > 0 && PNL_KEYS.every((k) => near(sum(k), total[k])) && near(sum("netUsd"), total.netUsd);
  if (!adds) return { shown, mend: null };
  const truth = rows.map((r) => PNL_KEYS.map((k, j) => (PNL_SIGN[j] ?? 1) * r[k] * 100));
  const start = shown.map((r) => PNL_KEYS.map((_, j) => signedCents(r, j)));
  return { shown, mend: (want) => mendColumns(start, truth, want, shown) };
}

/**
 * The grid of cells (rows × parts, in cents) with each column adding up to `want`: each pass
 * moves one cent from a column over its figure to one under it, along the shortest chain of rows
 * (breadth-first: column a gains a cent in row i, which gives one from column c…), each row's sum
 * kept, no cell beyond the cents either side of its truth. Null when no chain is left.
 */
function mendColumns(
  start: readonly (readonly number[])[],
  truth: readonly (readonly number[])[],
  want: readonly number[],
  shown: readonly PnlParts[],
): PnlParts[] | null {
  const grid = start.map((g) => [...g]);
  const cols = PNL_KEYS.length;
  // The range a cell may take: the cents either side of its true figure (and where it began).
  const lo = (i: number, j: number) => Math.min(Math.floor((truth[i]?.[j] ?? 0) + 1e-6), start[i]?.[j] ?? 0);
  const hi = (i: number, j: number) => Math.max(Math.ceil((truth[i]?.[j] ?? 0) - 1e-6), start[i]?.[j] ?? 0);
  const off = () => want.map((w, j) => w - grid.reduce((s, g) => s + (g[j] ?? 0), 0));
  for (let pass = 0; pass < 4 * grid.length * cols; pass++) {
    const d = off();
    const from = d.findIndex((x) => x > 0);
    if (from < 0) break;
    const prev = new Map<number, { col: number; row: number }>([[from, { col: -1, row: -1 }]]);
    const queue = [from];
    let end = -1;
    while (queue.length > 0 && end < 0) {
      const a = queue.shift() as number;
      for (let i = 0; i < grid.length && end < 0; i++) {
        if ((grid[i]?.[a] ?? 0) + 1 > hi(i, a)) continue;
        for (let c = 0; c < cols; c++) {
          if (c === a || prev.has(c) || (grid[i]?.[c] ?? 0) - 1 < lo(i, c)) continue;
          prev.set(c, { col: a, row: i });
          if ((d[c] ?? 0) < 0) {
            end = c;
            break;
          }
          queue.push(c);
        }
      }
    }
    if (end < 0) return null;
    for (let c = end; c !== from; ) {
      const step = prev.get(c) as { col: number; row: number };
      const g = grid[step.row] as number[];
      g[step.col] = (g[step.col] ?? 0) + 1;
      g[c] = (g[c] ?? 0) - 1;
      c = step.col;
    }
  }
  if (off().some((x) => x !== 0)) return null;
  return shown.map((r, i) => fromCells(r.netUsd, grid[i] ?? []));
}
