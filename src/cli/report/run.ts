// `hlcopy report [--since 7d] [--csv FILE] [--json]`: the copy day by day from the journal
// (src/core/report.ts), a terminal chart of equity and drawdown (src/ui/charts.ts), and CSV
// exports of fills, orders and funding for a spreadsheet or a tax tool. Journal only: no key,
// no network.

import { basename, dirname, extname, join, resolve } from "node:path";
import { type PnlParts, roundFigure, shortAddress, shownPnlTables, utcSecond } from "../../core/format.js";
import { copyFill, copyFunding, isCopyPnl } from "../../core/pnl.js";
import { dailyReport, type Report, type TradeBuckets, toCsv } from "../../core/report.js";
import type { Address } from "../../core/types.js";
import { storeError } from "../../store/disk-errors.js";
import type { Journal } from "../../store/journal.js";
import {
  fmtAge,
  fmtPct,
  fmtPctSigned,
  fmtSlippage,
  fmtUsd,
  fmtUsdSigned,
  wrapToWidth,
} from "../../ui/format.js";
import { type TradeFigures, tradeBucketsText } from "../../ui/model.js";
import { outputWidth, printDocument, renderTable, type Writer } from "../output.js";
import { currentRun, type MomentPnl, momentOf, noRunsLine, openExisting, pnlAsOf } from "../status/run.js";
import { replayLeaderTrades } from "./leader-trades.js";

export interface ReportDocument extends Report {
  account: Address;
  /** The paper account's (`report --paper`: follow --paper runs' own journal), not the real one's. */
  paper: boolean;
  since: number;
  /**
   * The moment every figure is of: the last sweep or run end in the window (`unrealisedAsOf`),
   * now when there is none. Fills, funding, orders and equity after it are in none of them.
   */
  until: number;
  /** Fills journaled after `until`: in none of the figures (the next sweep's report has them). */
  fillsAfter: number;
  /**
   * The latest journaled P&L snapshot (whole copy, per coin, per leader) with every fill made by
   * then, and `fillsAfter` (the fills journaled since, in none of its figures); or null.
   */
  pnl: MomentPnl | null;
  /**
   * When the unrealised P&L the window's figures end on was journaled (the last sweep or run end
   * in the window; null before any): `until`, the moment of every figure.
   */
  unrealisedAsOf: number | null;
  /** CSV files written (fills, orders, funding), when --csv was given. */
  csv: { fills: string; orders: string; funding: string } | null;
}

export interface RunReportParameters {
  configDir: string;
  account: Address;
  /** The network asked about (a name or API URL; default mainnet): its journal is read. */
  network?: string;
  /** `--paper`: the paper journal (follow --paper runs' own account) instead of the live one. */
  paper?: boolean;
  json: boolean;
  /** Window start (ms). */
  since: number;
  /** `--csv FILE`: fills go to FILE, orders and funding beside it (FILE-orders.csv, FILE-funding.csv). */
  csv?: string;
  out?: Writer;
  now?: number;
  /** The terminal's width (tests): every line of the text output fits it; default the terminal's, 80 when piped. */
  width?: number;
}

/** FILE → FILE, FILE-orders.csv and FILE-funding.csv (the extension kept once). */
export function csvPaths(file: string): { fills: string; orders: string; funding: string } {
  const full = resolve(file);
  const ext = extname(full) || ".csv";
  const base = join(dirname(full), basename(full, extname(full)));
  return { fills: `${base}${ext}`, orders: `${base}-orders${ext}`, funding: `${base}-funding${ext}` };
}

/**
 * `report --json` for an account with no journal yet on this network: every field a report has
 * (docs/events.md: a field not marked optional is always there) — no day, totals of nothing, of
 * the window asked for up to now — and `journal: null` saying why. Until 2026-12-06 it had only
 * `days` and `csv`: a script reading `.totals.pnlUsd` found no totals.
 */
function noJournalReport(
  account: Address,
  paper: boolean,
  since: number,
  now: number,
): ReportDocument & { journal: null } {
  const empty = dailyReport({
    since,
    until: now,
    equity: [],
    fills: [],
    funding: [],
    orders: [],
    snapshots: [],
  });
  return {
    account,
    paper,
    journal: null,
    since,
    until: now,
    fillsAfter: 0,
    ...empty,
    days: [],
    pnl: null,
    unrealisedAsOf: null,
    csv: null,
  };
}

/**
 * @throws {ConfigError} for a corrupt journal; {OperationalError} when a CSV cannot be written.
 */
export async function runReport(p: RunReportParameters): Promise<ReportDocument | null> {
  const out = p.out ?? process.stdout;
  const now = p.now ?? Date.now();
  // Every line of the human output within the terminal's width (80 when piped), as reconcile's.
  const width = p.width ?? outputWidth();
  const paper = p.paper === true;
  const opened = openExisting(p.configDir, p.account, p.network, { paper });
  if (!opened) {
    // --csv asked for files: none is written, and that is said (it was left unsaid, exit 0).
    if (p.json) printDocument("report", noJournalReport(p.account, paper, p.since, now), out, now);
    else
      out.write(
        `${wrapToWidth(`${noRunsLine(p.configDir, p.account, p.network, { paper, command: "report" })}${p.csv !== undefined ? "; nothing to export: no CSV written" : ""}`, width)}\n`,
      );
    return null;
  }
  const { journal } = opened;
  try {
    // Every read of one snapshot: a follow writing beside it made the first line's "N fills
    // since" and the last line's differ within one report (read at two moments).
    const read = journal.read(() => {
      const start = journal.copyStart();
      // The copy's figures begin with the copy: fills from before it are not its P&L.
      const since = Math.max(p.since, start?.since ?? p.since);
      return {
        since,
        inputs: readInputs(journal, since, now),
        latest: latestPnl(journal),
        csvTexts: p.csv !== undefined ? csvTexts(journal, since) : null,
      };
    });
    const { since, inputs, latest } = read;
    // Every figure of one moment: the last sweep or run end (its unrealised P&L is the newest
    // there is), the fills, funding and equity cut there too. Fills to now beside the unrealised
    // of a sweep up to 30 s old read as one moment and were not: a day's P&L of −1.13 beside an
    // equity 1.24 lower. The fills since are counted and said, in the next report's figures.
    // Of the window only: the newest earlier one is where the window opens, not its moment (a
    // window begun after the last run's end read "12:52 → 12:51", its moment before its start).
    const closing = inputs.snapshots
      .filter((x) => x.ts >= since && x.ts <= now && x.unrealisedUsd !== null)
      .at(-1);
    const until = closing?.ts ?? now;
    // The leader's trades as follow's summary counts them: each run's journal replayed through
    // its tally (core/leader-trades.ts), by the day of each trade's first fill, to the same moment.
    const report = dailyReport({ ...inputs, until, trades: replayLeaderTrades(journal, since, until) });
    const fillsAfter = inputs.fills.filter((f) => f.ts > until).length;
    const pnl = latest ? latest.pnl : null;
    let csv: ReportDocument["csv"] = null;
    if (p.csv !== undefined && read.csvTexts !== null) csv = await writeCsv(read.csvTexts, p.csv);
    const doc: ReportDocument = {
      account: p.account,
      paper,
      since,
      until,
      fillsAfter,
      ...report,
      pnl,
      unrealisedAsOf: closing?.ts ?? null,
      csv,
    };
    if (p.json) printDocument("report", doc, out, now);
    else
      out.write(
        await render(doc, width, now, {
          pnl: latest?.moment ?? null,
          unrealised: closing?.moment ?? null,
        }),
      );
    return doc;
  } finally {
    journal.close();
  }
}

function readInputs(journal: Journal, since: number, until: number) {
  const fills = journal.fillsSince(since);
  // The copy's own moments (never a dry run's: an older hlcopy journaled them), each as the
  // figures it holds — the window's, and the newest earlier one with an unrealised P&L (the
  // window opens at it) — never every record whole.
  const snapshots = journal.copyMoments(since).map((m) => ({
    ts: m.ts,
    unrealisedUsd: m.unrealisedUsd,
    driftUsd: m.driftUsd,
    outsideUsd: m.outsideUsd,
    driftMaxUsd: m.driftMaxUsd,
    moment: momentOf(m.type, { moment: m.moment }),
  }));
  return {
    since,
    until,
    equity: journal.equitySince(since, until),
    fills,
    funding: journal.fundingSince(since),
    orders: journal.ordersSince(since),
    snapshots,
  };
}

/** What a journaled moment of the copy was, said as status says it (status/run.ts momentOf). */
type Moment = ReturnType<typeof momentOf>;

/** The newest P&L snapshot (a sweep or a run end), and which it was. */
function latestPnl(journal: Journal): { pnl: MomentPnl; moment: Moment } | null {
  const events = journal.listEntries({ table: "events", limit: 200, trading: true });
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.table !== "events" || (e.type !== "sweep" && e.type !== "state")) continue;
    const pnl = (e.data as { pnl?: unknown } | null)?.pnl;
    // Every fill made by then in it, as status has it (status/run.ts pnlAsOf); one that is not
    // whole (a damaged record) is passed over, as status does.
    if (isCopyPnl(pnl))
      return {
        pnl: pnlAsOf(journal, pnl, e.ts, currentRun(journal)?.leaders ?? []),
        moment: momentOf(e.type, e.data),
      };
  }
  return null;
}

const iso = (ts: number) => new Date(ts).toISOString();

interface CsvTexts {
  fills: string;
  orders: string;
  funding: string;
}

/** Fills (what a tax tool imports), orders and funding, each its own CSV. */
function csvTexts(journal: Journal, since: number): CsvTexts {
  const orders = journal.ordersSince(since);
  const byCloid = new Map(orders.map((o) => [o.cloid, o]));
  const fills = toCsv(
    [
      "date_utc",
      "timestamp_ms",
      "type",
      "market",
      "coin",
      "side",
      "size",
      "price",
      "notional_usd",
      "fee",
      "fee_currency",
      "realized_pnl_usd",
      "order_kind",
      "order_reason",
      "cloid",
      "oid",
      "tid",
      "exec_slippage_bps",
      "copy_slippage_bps",
      "copy_size",
    ],
    journal.fillsSince(since).map((f) => [
      iso(f.ts),
      f.ts,
      "trade",
      "perp",
      f.coin,
      f.side,
      f.sz,
      f.px,
      round(f.sz * f.px, 6),
      f.fee,
      "USDC",
      f.closedPnl ?? 0,
      f.kind ?? "",
      f.cloid ? (byCloid.get(f.cloid)?.reason ?? "") : "",
      f.cloid ?? "",
      f.oid ?? "",
      f.tid ?? "",
      // As every bps figure is shown (core/format.ts FIGURE_DECIMALS), in the tables and --json too.
      roundFigure("bps", f.execSlippageBps) ?? "",
      roundFigure("bps", f.slippageBps) ?? "",
      // The part the copy P&L counts (all of hlcopy's fills, the part of another fill that closed its position).
      copyFill(f)?.sz ?? 0,
    ]),
  );
  const orderCsv = toCsv(
    [
      "date_utc",
      "timestamp_ms",
      "coin",
      "side",
      "size",
      "limit_px",
      "reduce_only",
      "order_kind",
      "reason",
      "status",
      "filled_size",
      "avg_px",
      "cloid",
      "oid",
      "error",
    ],
    orders.map((o) => [
      iso(o.ts),
      o.ts,
      o.coin,
      o.side,
      o.size,
      o.limitPx,
      o.reduceOnly,
      o.kind ?? "",
      o.reason,
      o.status,
      o.filledSize,
      o.avgPx ?? "",
      o.cloid,
      o.oid ?? "",
      o.error ?? "",
    ]),
  );
  const funding = toCsv(
    [
      "date_utc",
      "timestamp_ms",
      "type",
      "coin",
      "amount_usd",
      "position_size",
      "funding_rate",
      "copy_amount_usd",
    ],
    // amount_usd: the account's payment; copy_amount_usd: the part the copy P&L counts.
    journal
      .fundingSince(since)
      .map((f) => [
        iso(f.ts),
        f.ts,
        "funding",
        f.coin,
        f.usdc,
        f.szi ?? "",
        f.rate ?? "",
        copyFunding(f)?.usdc ?? 0,
      ]),
  );
  return { fills, orders: orderCsv, funding };
}

async function writeCsv(texts: CsvTexts, file: string): Promise<ReportDocument["csv"]> {
  const paths = csvPaths(file);
  const { writeFileAtomic } = await import("../../store/fs-atomic.js");
  for (const [target, text] of [
    [paths.fills, texts.fills],
    [paths.orders, texts.orders],
    [paths.funding, texts.funding],
  ] as const) {
    try {
      await writeFileAtomic(target, text, { mode: 0o600 });
    } catch (error) {
      throw storeError(error, {
        file: target,
        what: "CSV export",
        operation: "write",
        elsewhere: "give --csv a path in a directory you can write",
      });
    }
  }
  return paths;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * The window's moment — its figures' (fills, funding, equity and the unrealised P&L, all to the
 * last sweep or run end): "(as of 12s ago, last sweep 12:03:04 UTC; 3 fills since)"; with no
 * sweep in the window, "(to 12:03:04 UTC, now; no unrealised P&L journaled)".
 */
function windowMoment(doc: ReportDocument, now: number, moment: Moment | null): string {
  // The time alone on the day of now; the date too before it.
  const sameDay = utcSecond(doc.until).slice(0, 10) === utcSecond(now).slice(0, 10);
  const since = doc.fillsAfter > 0 ? `; ${doc.fillsAfter} fill${doc.fillsAfter === 1 ? "" : "s"} since` : "";
  return doc.unrealisedAsOf === null
    ? `(to ${utcSecond(doc.until)}, now; no unrealized P&L journaled)`
    : `(as of ${fmtAge(now - doc.until)} ago, ${moment ?? "last sweep"} ${sameDay ? utcSecond(doc.until).slice(11) : utcSecond(doc.until)}${since})`;
}

/**
 * "leader trades 12: copied 10, in line 1, skipped 1 (below-min-notional 1)", and the runs whose
 * are not known: "; 1 run's leader trades not known (#3)"; none known: "leader trades not known
 * (run #3)".
 */
function tradesText(b: TradeBuckets, notKnown: readonly number[] = []): string {
  const ids = notKnown.map((r) => `#${r}`).join(", ");
  if (b.leaderTrades === null)
    return `leader trades not known (run${notKnown.length === 1 ? "" : "s"} ${ids})`;
  const unknownRuns =
    notKnown.length === 0
      ? ""
      : `; ${notKnown.length} run${notKnown.length === 1 ? "'s" : "s'"} leader trades not known (${ids})`;
  const figures: TradeFigures = {
    leaderTrades: b.leaderTrades,
    copiedTrades: b.copiedTrades ?? 0,
    inLineTrades: b.inLineTrades ?? 0,
    skippedTrades: b.skippedTrades ?? 0,
    missedTrades: b.missedTrades ?? 0,
    plannedTrades: b.plannedTrades ?? 0,
    inFlightTrades: b.inFlightTrades ?? 0,
    unknownTrades: b.unknownTrades ?? 0,
  };
  const reasons = Object.entries(b.skipped ?? {})
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .map(([r, c]) => `${r} ${c}`)
    .join(", ");
  return `leader trades ${b.leaderTrades}: ${tradeBucketsText(figures, false, reasons)}${unknownRuns}`;
}

/** The moment a line's figures are from, at its end, as status says it: "(as of 12s ago, last sweep)". */
const asOfText = (ts: number, now: number, what: string): string => `as of ${fmtAge(now - ts)} ago, ${what}`;
const asOf = (ts: number, now: number, what: string): string => `(${asOfText(ts, now, what)})`;

async function render(
  doc: ReportDocument,
  width: number,
  now: number,
  moments: { pnl: Moment | null; unrealised: Moment | null },
): Promise<string> {
  const { equityCurve } = await import("../../ui/charts.js");
  // Every line of words within `width`, cut at its separators (as reconcile's); the account
  // shortened as the dashboard's header says it (--json keeps it whole).
  const within = (line: string) => wrapToWidth(line, width);
  const lines = [
    within(
      `${doc.paper ? "paper " : ""}copy report for ${shortAddress(doc.account)}${doc.paper ? " (follow --paper runs)" : ""}: ${iso(doc.since).slice(0, 16).replace("T", " ")} → ${iso(doc.until).slice(0, 16).replace("T", " ")} UTC`,
    ),
  ];
  // Two tables of the same days, each within 80 columns (one of eleven columns was ~130 wide):
  // the money, then how the copy went. The leader's trades, in words, are said under them.
  // The moment of every figure below, said once over the tables and again on the window's line.
  const moment = windowMoment(doc, now, moments.unrealised);
  // A day's P&L beside every part it is made of, the unrealised change too (without it a day of
  // −1.16 read beside realised −0.22, fees 0.74, funding 0.00): each row adding up as shown, the
  // days' P&L and each column of parts adding up to the window's line below (shownPnlTables).
  const parts = (
    x: Pick<Report["totals"], "pnlUsd" | "realisedUsd" | "unrealisedChangeUsd" | "feesUsd" | "fundingUsd">,
  ): PnlParts => ({
    netUsd: x.pnlUsd,
    realisedUsd: x.realisedUsd,
    unrealisedUsd: x.unrealisedChangeUsd,
    feesUsd: x.feesUsd,
    fundingUsd: x.fundingUsd,
  });
  const shownDays = shownPnlTables(parts(doc.totals), doc.days.map(parts));
  const dayRows = shownDays.tables[0] ?? [];
  lines.push(
    within(`P&L by day ${moment}:`),
    // The day's equity is in the next table: seven columns of a whale's figures were 86 wide.
    await renderTable(
      ["day (UTC)", "P&L", "realized", "unrealized Δ", "fees", "funding"],
      doc.days.map((d, i) => {
        const r = dayRows[i] as PnlParts;
        return [
          d.day,
          fmtUsdSigned(r.netUsd),
          fmtUsdSigned(r.realisedUsd),
          fmtUsdSigned(r.unrealisedUsd),
          fmtUsd(r.feesUsd),
          fmtUsdSigned(r.fundingUsd),
        ];
      }),
    ),
    // The day's last journaled drift — a sweep's, a running follow's change record's or a run
    // end's —, not the last sweep's: a run that ended out of line after an in-sync sweep showed
    // its end's drift under "the day's last sweep". The header's and status's figure (--json's
    // outsideUsd): what orders were planned for or a gate held, not the part the deadband
    // tolerates ("-" for a record from before the figure was kept).
    "copy by day (slippage in bps; drift at the day's last record):",
    await renderTable(
      [
        "day (UTC)",
        "equity",
        // Our orders that filled, of every kind (the dashboard's "orders filled", the summary's
        // ordersFilled): not the leader's trades, which the skips below count. On two lines:
        // the table fits 80 columns with an equity of millions.
        "orders\nfilled",
        "exec p50/p95",
        "vs leader p50",
        "drift",
      ],
      doc.days.map((d) => [
        d.day,
        fmtUsd(d.equity),
        d.ordersFilled,
        `${fmtSlippage(d.execSlippageBps.median)}/${fmtSlippage(d.execSlippageBps.p95)}`,
        fmtSlippage(d.slippageBps.median),
        fmtUsd(d.outsideUsd),
      ]),
    ),
  );
  // The leader's trades of each day with any (or whose are not known), in the words of
  // follow's summary (ui/model.ts tradeBucketsText): one leader order's fills are one trade.
  const tradeDays = doc.days.filter((d) => d.leaderTrades !== 0 || d.tradesNotKnown !== null);
  if (tradeDays.length > 0)
    lines.push(
      "leader trades by day (of the first fill; as follow's summary counts them):",
      ...tradeDays.map((d) => within(`  ${d.day}  ${tradesText(d, d.tradesNotKnown?.runs)}`)),
    );
  const t = doc.totals;
  if (t.tradesNotKnown) {
    const runs = t.tradesNotKnown.runs;
    lines.push(
      within(
        `leader trades not known for run${runs.length === 1 ? "" : "s"} ${runs.map((r) => `#${r}`).join(", ")} (${t.tradesNotKnown.days.join(", ")}): journaled before hlcopy kept the leader's fills${t.leaderTrades === null ? "" : "; the leader trades shown count the other runs only"}`,
      ),
    );
  }
  // The parts as shown add up to the P&L as shown, and the days' columns above to them (shownPnlTables).
  const w = shownDays.line;
  lines.push(
    ...[
      `window: P&L ${fmtUsdSigned(w.netUsd)} = realized ${fmtUsdSigned(w.realisedUsd)} + unrealized change ${fmtUsdSigned(w.unrealisedUsd)} − fees ${fmtUsd(w.feesUsd)} + funding ${fmtUsdSigned(w.fundingUsd)} ${moment}; ${t.ordersFilled} orders filled (${t.fills} fills); ${tradesText(t, t.tradesNotKnown?.runs)}`,
      `execution slippage p50 ${fmtSlippage(t.execSlippageBps.median)} · p95 ${fmtSlippage(t.execSlippageBps.p95)} bps (${t.execSlippageBps.n} fills) · copy slippage vs the leader p50 ${fmtSlippage(t.slippageBps.median)} · p95 ${fmtSlippage(t.slippageBps.p95)} bps (${t.slippageBps.n} fills)`,
    ].map(within),
  );
  if (doc.pnl) {
    const p = doc.pnl;
    lines.push(
      within(
        `copy P&L since ${iso(p.since ?? doc.since)
          .slice(0, 16)
          .replace(
            "T",
            " ",
          )} UTC: net ${fmtUsdSigned(p.netUsd)}${p.roiPct === null ? "" : ` (${fmtPctSigned(p.roiPct)})`} ${asOf(p.asOf, now, `${moments.pnl ?? "last sweep"}${p.fillsAfter > 0 ? `; ${p.fillsAfter} fill${p.fillsAfter === 1 ? "" : "s"} since` : ""}`)} — hlcopy status has it per coin and per leader`,
      ),
    );
  }
  const eq = doc.equity.map((e) => e.equity);
  const dd = doc.equity.map((e) => e.drawdownPct);
  if (eq.length > 1) {
    // The axes in the form of every other figure of the same name: equity as fmtUsd writes it
    // ($20,000.00, not 20000.00), drawdown as fmtPct (0.03%, as status and the dashboard's dd).
    // Both charts within `width` whatever their labels' length (a whale's $1,198,765.43 is 13),
    // and of one width, so that a column is the same moment in each.
    const labels = [
      fmtUsd(Math.min(...eq)),
      fmtUsd(Math.max(...eq)),
      fmtPct(Math.min(...dd)),
      fmtPct(Math.max(...dd)),
    ];
    const chartWidth = Math.max(20, Math.min(100, width - Math.max(...labels.map((l) => l.length)) - 2));
    lines.push(
      "",
      "equity (USD)",
      equityCurve(eq, { width: chartWidth, height: 6, format: (v) => fmtUsd(v) }),
      "",
      `drawdown from the high-water mark (max ${fmtPct(doc.maxDrawdownPct ?? 0)})`,
      equityCurve(dd, { width: chartWidth, height: 4, format: (v) => fmtPct(v) }),
    );
  } else lines.push("equity: not enough snapshots for a chart yet");
  // A path is one word, never cut (to copy it): each on a line of its own.
  if (doc.csv)
    lines.push("", "wrote:", ...[doc.csv.fills, doc.csv.orders, doc.csv.funding].map((f) => `  ${f}`));
  return `${lines.join("\n")}\n`;
}
