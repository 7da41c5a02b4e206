// `hlcopy backtest`: load one or several leaders' fills (userFills JSON files, or fetched by
// address), replay them through the planner with the friction model (several leaders with
// their weights, as `follow L1 L2 --weights` copies them), and print the report (tables and
// small charts) or one JSON document; `--compare` replays sizing modes or settings side by
// side. Progress goes to stderr, never to stdout.

import { readFile } from "node:fs/promises";
import { type FillColumns, readFillsFile } from "../../analytics/columns.js";
import type { LeaderDataSource } from "../../analytics/fetch.js";
import { DEFAULT_FRICTION, type FrictionModel } from "../../analytics/friction.js";
import { type BacktestLeader, type BacktestResult, runBacktest as replay } from "../../analytics/replay.js";
import {
  type CandleClose,
  type Fill,
  type FundingRate,
  type MetaAsset,
  parseCandles,
  parseFundingHistory,
  parseMeta,
} from "../../analytics/wire.js";
import { UsageError } from "../../core/errors.js";
import { shortAddress, shownTotal, utcMinute, utcSecond, windowText } from "../../core/format.js";
import { type HistoryCut, historyCutText } from "../../core/history.js";
import {
  choiceOf,
  flagName,
  parseSettingInput,
  resolveCoinSettings,
  type SettingKey,
  type Settings,
  type SettingValue,
  SIZING_MODES,
  type SizingMode,
} from "../../core/settings.js";
import { sizingParams, stopDistance } from "../../core/sizing.js";
import { maxOf, minOf } from "../../core/stats.js";
import type { Address, ReasonCode } from "../../core/types.js";
import { equityCurve, sparkline } from "../../ui/charts.js";
import {
  fmtFixed,
  fmtMs,
  fmtPct,
  fmtPctSigned,
  fmtShare,
  fmtUsd,
  fmtUsdSigned,
  wrapReportLines,
  wrapToWidth,
} from "../../ui/format.js";
import { refuseUnknownCoinsFirst } from "../analytics/coins.js";
import { compactTable, formatDuration } from "../analytics/format.js";
import { parseLeaderAddresses } from "../context.js";
import { parseNumberFlag, parseWeightsFlag } from "../numbers.js";
import { outputWidth, printDocument, type Writer } from "../output.js";
import { BACKTEST_SETTING_KEYS } from "../settings-options.js";

export interface BacktestRunOptions {
  /**
   * The stop flags given on the command line (--stop-loss-pct, --trailing-stop-pct): a backtest
   * rests no stops, it sizes risk-per-trade by them, so one no column of it sizes that way is
   * refused (a value from the config file is not).
   */
  stopFlags?: string[];
  /** --max-entry-drift-bps was given on the command line (refused for one leader, where it cannot act). */
  entryDriftFlag?: boolean;
  /** Leader address (fetched through `source`), or several… */
  address?: string;
  addresses?: string[];
  /** …or a file of fills in the userFills shape, or several (one per leader). */
  fillsFile?: string;
  fillsFiles?: string[];
  /** Weights of several leaders, e.g. "0.6,0.4" (normalised to sum 1), as `follow --weights`. */
  weights?: string;
  /** Raw flag values (validated here). */
  equity?: string | number;
  /** One leader equity, or one per leader ("250000,80000"). */
  leaderEquity?: string;
  delayMs?: string;
  feeBps?: string;
  spreadBps?: string;
  /** USD per bp of book depth, or "none" for unlimited depth. */
  depthUsd?: string;
  /** A meta JSON file (szDecimals per coin) for --fills runs. */
  metaFile?: string;
  /** A fundingHistory JSON file (one coin's or several merged) for --fills runs. */
  fundingFile?: string;
  /** A candleSnapshot JSON file (hourly candles, one coin's or several) for risk-parity in --fills runs. */
  candlesFile?: string;
  /**
   * Columns to run side by side, comma-separated: "modes" (every sizing mode), a sizing mode,
   * or setting flags "flag=value", joined by "+" within a column ("kelly+copy-delay-minutes=5").
   */
  compare?: string;
  days?: string | number;
  /** Settings for this run (flags > config > defaults), resolved by the caller. */
  settings: Settings;
  json: boolean;
  /** Where address-mode fills come from (the exchange adapter, or infoHttpSource). */
  source?: LeaderDataSource;
  now?: number;
  out?: Writer;
  err?: Writer;
  /** Columns the text's lines are broken to (default: the terminal's, else 80); --json is whole. */
  width?: number;
}

export interface BacktestReport {
  /** The leader's address (the first one's with several; null for --fills). */
  leader: Address | null;
  /** Every leader replayed, with its weight (one entry for a single leader). */
  leaders: {
    label: string;
    address: Address | null;
    weight: number;
    /**
     * The exchange served less of this leader's history than asked (its 10,000 most recent
     * fills) or the read hit its page cap: the span covered (core/history.ts). Null for a whole
     * window and for --fills.
     */
    historyCut: HistoryCut | null;
  }[];
  source: string;
  result: BacktestResult;
  /** Funding rates replayed: how many, and where from ("none" when not known). */
  funding: { rates: number; source: "file" | "exchange" | "none" };
  /** Hourly candles replayed for risk-parity (none: its volatility comes from the fills' prices). */
  candles: { count: number; source: "file" | "exchange" | "none" };
  /** --compare: the same replay per column (a sizing mode, or settings changed for it). */
  compare?: CompareResult[];
  /** What the comparison or the inputs left out, and why. */
  notes: string[];
}

export interface CompareResult {
  label: string;
  mode: SizingMode;
  /** The settings the column changed ("sizing.mode" included), as given. */
  overrides: Record<string, string>;
  result: BacktestResult;
}

/**
 * The replay simulates no resting stop: a stop flag acts only as risk-per-trade's stop
 * distance. Given to a backtest none of whose columns sizes that way, it would be accepted and
 * change nothing, so it is refused.
 * @throws {UsageError} (exit 2) naming the flag.
 */
export function refuseUnsimulatedStops(stopFlags: readonly string[], columns: readonly Settings[]): void {
  const flag = stopFlags[0];
  if (flag === undefined || columns.some((s) => s.sizing.mode === "risk-per-trade")) return;
  throw new UsageError(
    `${flag} only sizes risk-per-trade in a backtest (the replay rests no stops), but no column of this one sizes that way`,
    {
      hint: `add --mode risk-per-trade (or --compare modes) to size by it, or drop ${flag}`,
    },
  );
}

/**
 * The replay prices each coin by the leaders' fills (there is no other price in it): with one
 * leader the mid at a copy is that leader's own last fill, so the entry-drift gate — the mid
 * moved past the leader's fill price — can never close. Given for one leader it would be accepted
 * and change nothing, so it is refused (a value from the config file is not). With several
 * leaders another's fill in the same coin moves the mid, and it acts.
 * @throws {UsageError} (exit 2) naming the flag and where it acts.
 */
export function refuseEntryDriftAlone(given: boolean, leaders: number): void {
  if (!given || leaders !== 1) return;
  throw new UsageError(
    "--max-entry-drift-bps skips an increase once the price has moved from the leader's, but a backtest of one leader prices each coin by that leader's own fills, so it never moves from them",
    {
      hint: "it acts live: hlcopy reconcile 0x… --dry-run --max-entry-drift-bps 50 shows what it would skip now (a backtest of several leaders in the same coins replays it), or drop --max-entry-drift-bps",
    },
  );
}

/** A column of --compare: a label and the settings it runs with. */
export interface CompareColumn {
  label: string;
  settings: Settings;
  overrides: Record<string, string>;
}

/**
 * Parse --compare into columns over `base`: "modes" = every sizing mode (risk-per-trade only
 * with a stop, or it is left out with a note), otherwise comma-separated columns, each a sizing
 * mode or "flag=value" setting changes joined by "+".
 * @throws {UsageError} for an unknown mode, flag or value.
 */
export function parseCompare(raw: string, base: Settings, notes: string[] = []): CompareColumn[] {
  const text = raw.trim();
  const hint =
    "e.g. --compare modes, --compare equity-ratio,kelly,risk-parity, or --compare copy-delay-minutes=0,copy-delay-minutes=5,entry=passive";
  if (text === "" || text.toLowerCase() === "modes") {
    return SIZING_MODES.flatMap((mode): CompareColumn[] => {
      const settings = withSetting(base, "sizing.mode", mode);
      if (mode === "risk-per-trade" && stopDistance(settings) === null) {
        notes.push("risk-per-trade left out of --compare: it needs a stop (add --stop-loss-pct 5)");
        return [];
      }
      return [{ label: mode, settings, overrides: { "sizing.mode": mode } }];
    });
  }
  const columns: CompareColumn[] = [];
  /** Each column's settings as parsed (key → value), to tell a column listed twice in any spelling. */
  const seen = new Map<string, string>();
  const items = text
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  for (const [i, item] of items.entries()) {
    let settings = base;
    const overrides: Record<string, string> = {};
    const parsed: Record<string, SettingValue> = {};
    /** The column's label: its parts, a sizing mode in its own spelling (Kelly is kelly). */
    const label: string[] = [];
    // A setting given twice in a column (kelly+equity-ratio): the last won, under a label naming
    // both — a column headed "kelly+equity-ratio" replayed equity-ratio.
    const once = (key: SettingKey, value: SettingValue) => {
      if (key in parsed)
        throw new UsageError(
          `invalid --compare column "${item}": it sets ${key} twice, and a column replays one value of each setting`,
          { hint: `one value per column, the columns apart: e.g. --compare ${item.split("+").join(",")}` },
        );
      parsed[key] = value;
    };
    for (const part of item.split("+").map((x) => x.trim())) {
      const mode = choiceOf("sizing.mode", part);
      if (mode !== undefined) {
        once("sizing.mode", mode);
        settings = withSetting(settings, "sizing.mode", mode);
        overrides["sizing.mode"] = mode;
        label.push(mode);
        continue;
      }
      label.push(part);
      const eq = part.indexOf("=");
      const flag = (eq > 0 ? part.slice(0, eq) : part).replace(/^--/, "");
      const key = BACKTEST_SETTING_KEYS.find((k) => flagName(k) === flag || k === flag);
      if (eq <= 0 || !key) {
        throw new UsageError(
          `invalid --compare column "${part}": expected a sizing mode (${SIZING_MODES.join(", ")}) or a backtest setting as flag=value`,
          { hint },
        );
      }
      const value = part.slice(eq + 1);
      const setting = parseSettingInput(key, value);
      once(key, setting);
      settings = withSetting(settings, key, setting);
      overrides[key] = value;
    }
    // The same column twice (kelly,Kelly; copy-delay-minutes=5,copy-delay-minutes=5.0): two
    // identical replays side by side, read as two results.
    const same = JSON.stringify(Object.entries(parsed).sort(([a], [b]) => a.localeCompare(b)));
    const before = seen.get(same);
    if (before !== undefined)
      throw new UsageError(
        before === label.join("+")
          ? `invalid --compare: the column "${before}" is listed twice`
          : `invalid --compare: the columns "${before}" and "${label.join("+")}" are the same settings`,
        { hint: `list each column once: --compare ${items.filter((_, j) => j !== i).join(",")}` },
      );
    seen.set(same, label.join("+"));
    columns.push({ label: label.join("+"), settings, overrides });
  }
  if (columns.length === 0) throw new UsageError(`invalid --compare "${raw}": nothing to compare`, { hint });
  return columns;
}

/** A copy of `settings` with one setting (by key, e.g. "exec.copyDelayMinutes") changed. */
function withSetting(settings: Settings, key: SettingKey, value: SettingValue): Settings {
  const out = structuredClone(settings) as unknown as Record<string, Record<string, unknown> | unknown>;
  const [group, name] = key.split(".") as [string, string | undefined];
  if (name === undefined) out[group] = value;
  else out[group] = { ...((out[group] as Record<string, unknown>) ?? {}), [name]: value };
  return out as unknown as Settings;
}

function unreadable(error: unknown, file: string, what: string, hint: string): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "unreadable");
  return new UsageError(`cannot read ${what} ${file}: ${why}`, { hint, cause: error });
}

async function readText(file: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw unreadable(error, file, what, hint);
  }
}

async function readJson(file: string, what: string, hint: string): Promise<unknown> {
  const text = await readText(file, what, hint);
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON`, { hint });
  }
}

/**
 * The friction flags' bounds: bps as exec.slippageBps takes them (≤ 1000, 10 %), a delay as
 * exec.copyDelayMinutes (≤ 1 day). Past them the replay was nonsense, not a stress test: a half
 * spread of 50000 bps priced sells below zero, a delay of 99999999999999 ms ran to the year 5192.
 */
const MAX_FRICTION_BPS = 1000;
const MAX_DELAY_MS = 86_400_000;

/** Build the friction model from the flags (defaults: DEFAULT_FRICTION). */
export function frictionFromFlags(
  o: Pick<BacktestRunOptions, "delayMs" | "feeBps" | "spreadBps" | "depthUsd">,
): FrictionModel {
  const d = DEFAULT_FRICTION;
  const depthRaw = o.depthUsd?.trim();
  return {
    takerFee:
      o.feeBps === undefined
        ? d.takerFee
        : parseNumberFlag(o.feeBps, "--fee-bps", { min: 0, max: MAX_FRICTION_BPS, example: "4.5" }) / 1e4,
    book: {
      halfSpreadBps:
        o.spreadBps === undefined
          ? d.book.halfSpreadBps
          : parseNumberFlag(o.spreadBps, "--spread-bps", { min: 0, max: MAX_FRICTION_BPS, example: "1" }),
      depthUsdPerBps:
        depthRaw === undefined
          ? d.book.depthUsdPerBps
          : /^(none|inf|infinite|unlimited)$/i.test(depthRaw)
            ? null
            : parseNumberFlag(o.depthUsd as string, "--depth-usd", {
                min: 0,
                exclusive: true,
                example: "50000",
              }),
    },
    delayMs:
      o.delayMs === undefined
        ? d.delayMs
        : parseNumberFlag(o.delayMs, "--delay-ms", {
            min: 0,
            max: MAX_DELAY_MS,
            integer: true,
            example: "500",
          }),
  };
}

/**
 * --weights for `n` leaders (as follow takes them): positive numbers, one per leader,
 * normalised to sum 1; equal weights when absent.
 * @throws {UsageError} for a wrong count or a non-positive weight.
 */
export function parseWeights(raw: string | undefined, n: number): number[] {
  if (raw === undefined) return Array.from({ length: n }, () => 1 / n);
  const weights = parseWeightsFlag(raw, n, "this backtest replays one");
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/**
 * Run a backtest and print it.
 * @throws {UsageError} for missing/garbage input (no address and no file, unreadable or
 *   malformed fills, a bad address, a non-positive equity); source errors pass through.
 */
export async function runBacktestCommand(opts: BacktestRunOptions): Promise<BacktestReport> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const addresses = opts.addresses ?? (opts.address ? [opts.address] : []);
  const files = opts.fillsFiles ?? (opts.fillsFile ? [opts.fillsFile] : []);
  if (addresses.length > 0 && files.length > 0) {
    throw new UsageError("give either leader addresses or --fills FILE, not both", {
      hint: "hlcopy backtest --fills fills.json, or hlcopy backtest 0x…",
    });
  }
  if (addresses.length === 0 && files.length === 0) {
    throw new UsageError("nothing to replay: give a leader address or --fills FILE", {
      hint: "e.g. hlcopy backtest --fills fills.json --equity 1000, or hlcopy backtest 0x5e9ee1089755c3435139848e47e6635505d5a13a --since 30d",
    });
  }
  if (files.length > 0 && opts.days !== undefined) {
    // --since sets how much history is fetched for an address: a --fills file is replayed whole,
    // so it was accepted and did nothing (the window said was the file's, not the one asked for).
    throw new UsageError(
      "--since sets how much history to fetch for a leader address: a --fills file is replayed whole",
      {
        hint: "drop --since (cut the file to the window you want), or give the leader's address: hlcopy backtest 0x… --since 7d",
      },
    );
  }
  // The same leader twice replayed its fills twice, as two half-weight leaders: refused, as follow refuses it.
  const parsedAddresses = parseLeaderAddresses(addresses);
  const { resolve } = await import("node:path");
  const keys = files.length > 0 ? files.map((f) => resolve(f)) : parsedAddresses;
  if (new Set(keys).size !== keys.length) {
    throw new UsageError(
      files.length > 0 ? "the same --fills file is given twice" : "the same leader is given twice",
      { hint: "list each leader once" },
    );
  }
  const n = Math.max(addresses.length, files.length);
  const weights = parseWeights(opts.weights, n);
  const equity = parseNumberFlag(opts.equity ?? 1000, "--equity", {
    min: 0,
    exclusive: true,
    example: "1000",
  });
  const friction = frictionFromFlags(opts);
  const equities: (number | undefined)[] = Array.from({ length: n }, () => undefined);
  if (opts.leaderEquity !== undefined) {
    const list = opts.leaderEquity.split(",");
    if (list.length !== n && !(list.length === 1 && n === 1)) {
      throw new UsageError(
        `invalid --leader-equity "${opts.leaderEquity}": expected ${n} amount${n > 1 ? "s" : ""}`,
        {
          hint:
            n > 1
              ? "one equity per leader, in the same order, e.g. --leader-equity 250000,80000"
              : "e.g. --leader-equity 250000",
        },
      );
    }
    list.forEach((x, i) => {
      // Spaces around a comma separate the list; each amount is a plain decimal.
      equities[i] = parseNumberFlag(x.trim(), "--leader-equity", {
        min: 0,
        exclusive: true,
        example: "250000",
      });
    });
  }
  let meta: MetaAsset[] | undefined;
  if (opts.metaFile) {
    meta = parseMeta(
      await readJson(opts.metaFile, "meta file", 'pass the JSON of an info {type: "meta"} response'),
      opts.metaFile,
    );
  }
  const notes: string[] = [];
  const columns = opts.compare === undefined ? undefined : parseCompare(opts.compare, opts.settings, notes);
  refuseUnsimulatedStops(opts.stopFlags ?? [], columns?.map((c) => c.settings) ?? [opts.settings]);
  refuseEntryDriftAlone(
    opts.entryDriftFlag === true || (columns ?? []).some((c) => "exec.maxEntryDriftBps" in c.overrides),
    keys.length,
  );
  let funding: FundingRate[] = [];
  let fundingSource: BacktestReport["funding"]["source"] = "none";
  if (opts.fundingFile) {
    funding = parseFundingHistory(
      await readJson(opts.fundingFile, "funding file", "pass the JSON of fundingHistory responses"),
      opts.fundingFile,
    );
    fundingSource = "file";
  }
  let candles: CandleClose[] = [];
  let candlesSource: BacktestReport["candles"]["source"] = "none";
  if (opts.candlesFile) {
    candles = parseCandles(
      await readJson(
        opts.candlesFile,
        "candles file",
        "pass the JSON of candleSnapshot responses (interval 1h)",
      ),
      opts.candlesFile,
    );
    candlesSource = "file";
  }

  const leaders: BacktestLeader[] = [];
  const reported: BacktestReport["leaders"] = [];
  let sourceName: string;
  if (files.length > 0) {
    for (const [i, file] of files.entries()) {
      let fills: FillColumns;
      // Read in chunks into columns: a million fills never sit in memory as text or objects.
      try {
        fills = readFillsFile(file);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw unreadable(
          error,
          file,
          "fills file",
          "pass a JSON file of fills in the userFills shape, e.g. the response of an info userFills request",
        );
      }
      if (fills.length === 0) {
        throw new UsageError(`no fills to replay in ${file}`, { hint: "the file holds an empty list" });
      }
      const e = equities[i];
      leaders.push({
        fills,
        weight: weights[i] as number,
        label: file,
        ...(e !== undefined ? { leaderEquity: e } : {}),
      });
      reported.push({ label: file, address: null, weight: weights[i] as number, historyCut: null });
    }
    sourceName = files.join(", ");
  } else {
    if (!opts.source)
      throw new UsageError("no exchange connection to fetch fills from", { hint: "use --fills FILE" });
    // A file given beside an address replaces what the exchange would answer: said, as the
    // fetched ones are — the run's figures are the file's, not the exchange's.
    for (const [file, what] of [
      [opts.metaFile, "the exchange's markets (szDecimals)"],
      [opts.fundingFile, "the exchange's funding rates"],
      [opts.candlesFile, "the exchange's hourly candles"],
    ] as const)
      if (file) err.write(`note: ${file} is used in place of ${what}\n`);
    // A coin list naming no market (the run's or a compared column's), refused before any long read.
    const source = await refuseUnknownCoinsFirst(opts.source, [
      opts.settings,
      ...(columns ?? []).map((c) => c.settings),
    ]);
    const days = parseNumberFlag(opts.days ?? 30, "--days", { min: 0, exclusive: true, example: "30" });
    const { fetchLeaderData, leaderEquityAt } = await import("../../analytics/fetch.js");
    // Within the terminal's width (80 when piped): "fetching fills of 0x… for the last 1 hour…" was 81.
    const progress = (m: string) => err.write(`${wrapToWidth(m, outputWidth())}\n`);
    const parsed = parsedAddresses;
    for (const [i, address] of parsed.entries()) {
      const data = await fetchLeaderData(source, address, {
        days,
        now: opts.now ?? Date.now(),
        onProgress: progress,
        fillsOnly: true,
        fillsRequired: true,
      });
      for (const w of data.warnings) err.write(`note: ${w}\n`);
      if (data.fills.length === 0) {
        throw new UsageError(
          `no fills to replay in ${address} (last ${windowText(days * 86_400_000, "words")})`,
          {
            hint: "try a longer window (--since 90d) or another leader",
          },
        );
      }
      meta ??= data.meta;
      const first = data.fills[0]?.time ?? data.window.start;
      const e = equities[i] ?? leaderEquityAt(data, first) ?? undefined;
      leaders.push({
        fills: data.fills,
        weight: weights[i] as number,
        label: address,
        ...(e !== undefined ? { leaderEquity: e } : {}),
      });
      reported.push({ label: address, address, weight: weights[i] as number, historyCut: data.cut });
    }
    const aligned = alignCutHistories(leaders, reported);
    if (aligned) notes.push(aligned);
    const all = leaders.flatMap((l) => l.fills as Fill[]);
    const start = minOf(all.map((f) => f.time));
    const end = maxOf(all.map((f) => f.time));
    const coins = [...new Set(all.map((f) => f.coin))].sort();
    if (!opts.fundingFile && source.getFundingHistory) {
      try {
        for (const coin of coins) {
          progress(`fetching ${coin} funding rates…`);
          funding.push(...parseFundingHistory(await source.getFundingHistory(coin, start, end)));
        }
        funding.sort((a, b) => a.time - b.time);
        fundingSource = "exchange";
      } catch (error) {
        funding = [];
        err.write(
          `note: funding rates unavailable, replayed without funding (${error instanceof Error ? error.message.split("\n")[0] : String(error)})\n`,
        );
      }
    }
    // risk-parity (the run's mode or a compared one): the coins' hourly candles over the
    // lookback before the window and the window itself.
    const wantsCandles = [opts.settings, ...(columns ?? []).map((c) => c.settings)].some(
      (x) => x.sizing.mode === "risk-parity",
    );
    if (wantsCandles && !opts.candlesFile && source.getHourlyCandles) {
      const lookback = Math.max(
        ...[opts.settings, ...(columns ?? []).map((c) => c.settings)].map(
          (x) => sizingParams(x).volLookbackDays,
        ),
      );
      try {
        for (const coin of coins) {
          progress(`fetching ${coin} hourly candles…`);
          candles.push(
            ...parseCandles(await source.getHourlyCandles(coin, start - lookback * 86_400_000, end)),
          );
        }
        candlesSource = "exchange";
      } catch (error) {
        candles = [];
        err.write(
          `note: candles unavailable, risk-parity's volatility comes from the fills' prices (${error instanceof Error ? error.message.split("\n")[0] : String(error)})\n`,
        );
      }
    }
    const onlyCut = reported[0]?.historyCut;
    sourceName =
      parsed.length > 1
        ? parsed.join(", ")
        : `${parsed[0]} (${onlyCut ? historyCutText(onlyCut) : `last ${windowText(days * 86_400_000, "words")}`})`;
  }

  // A coin list naming no market replayed nothing at all (0 orders, exit 0): refused as a trading
  // run refuses it, where the markets are known (the exchange's, or --meta).
  if (meta) {
    const names = meta.map((m) => m.name);
    for (const s of [opts.settings, ...(columns ?? []).map((c) => c.settings)]) resolveCoinSettings(s, names);
  }
  const run = (settings: Settings) =>
    replay({
      leaders,
      settings,
      equity,
      friction,
      ...(meta ? { meta } : {}),
      ...(funding.length > 0 ? { funding } : {}),
      ...(candles.length > 0 ? { candles } : {}),
    });
  const result = run(opts.settings);
  const report: BacktestReport = {
    leader: reported[0]?.address ?? null,
    leaders: reported,
    source: sourceName,
    result,
    funding: { rates: funding.length, source: fundingSource },
    candles: { count: candles.length, source: candlesSource },
    notes,
  };
  if (columns) {
    report.compare = columns.map((c) => ({
      label: c.label,
      mode: c.settings.sizing.mode,
      overrides: c.overrides,
      // A column that changes nothing is the run itself.
      result: JSON.stringify(c.settings) === JSON.stringify(opts.settings) ? result : run(c.settings),
    }));
  }
  if (opts.json) printDocument("backtest", report, out);
  else out.write(`${await renderBacktest(report, opts.width ?? outputWidth())}\n`);
  return report;
}

/**
 * Several leaders, one of whose histories the exchange cut: each is replayed over the span every
 * history covers. Replayed over its own, the cut leader would join the copy days after the others
 * and the run's figures would mix a month of one with three days of another.
 * @throws {UsageError} when a leader has no fill in that span.
 */
function alignCutHistories(leaders: BacktestLeader[], reported: BacktestReport["leaders"]): string | null {
  const cuts = reported.flatMap((x) => (x.historyCut ? [x.historyCut] : []));
  if (leaders.length < 2 || cuts.length === 0) return null;
  const start = Math.max(...cuts.map((c) => c.start));
  const end = Math.min(...cuts.map((c) => c.end));
  for (const l of leaders) {
    const fills = (l.fills as readonly Fill[]).filter((f) => f.time >= start && f.time <= end);
    if (fills.length === 0)
      throw new UsageError(
        `no fills of ${l.label} from ${utcMinute(start)} to ${utcMinute(end)}, the span every leader's history covers (the exchange keeps a user's 10,000 most recent fills)`,
        { hint: "backtest the leaders one at a time, or leave out the busiest" },
      );
    l.fills = fills;
  }
  return `every leader replayed from ${utcMinute(start)} to ${utcMinute(end)}, the span every leader's history covers`;
}

const REASON_ORDER: ReasonCode[] = [
  "below-min-notional",
  "below-min-order",
  "inside-deadband",
  "entry-drift",
  "copy-delay",
  "reversed-after-delay",
  "outside-trading-hours",
  "passive-resting",
  "negative-edge",
  "sizing-input-missing",
  "coin-denied",
  "coin-not-allowed",
  "leverage-cap",
  "notional-cap",
  "total-notional-cap",
  "margin-cap",
  "cap-no-room",
  "daily-loss",
  "halted",
  "not-joined",
];

/**
 * --compare's table within `width`: as many columns side by side as fit, the rest in the tables
 * under it, each with the row names first (five sizing modes made one table 121 wide, which an
 * 80-column terminal broke inside its cells). A column wider than the line alone goes alone.
 */
async function sideBySide(width: number, head: string[], rows: string[][]): Promise<string> {
  // A cell's width as the table draws it: its text, a space each side, its border.
  const colWidth = (i: number) =>
    Math.max([...(head[i] ?? "")].length, ...rows.map((r) => [...(r[i] ?? "")].length)) + 3;
  const groups: number[][] = [];
  let group: number[] = [];
  let used = 1 + colWidth(0);
  for (let i = 1; i < head.length; i++) {
    if (group.length > 0 && used + colWidth(i) > width) {
      groups.push(group);
      group = [];
      used = 1 + colWidth(0);
    }
    group.push(i);
    used += colWidth(i);
  }
  if (group.length > 0) groups.push(group);
  const tables: string[] = [];
  for (const g of groups) {
    const pick = (r: string[]) => [r[0] ?? "", ...g.map((i) => r[i] ?? "")];
    tables.push(await compactTable(pick(head), rows.map(pick)));
  }
  return tables.join("\n");
}

/** A copy's fees + slippage as shown: the sum of its fees and slippage rows as they read. */
function costShown(x: { fees: number; slippage: number }): number {
  return shownTotal([x.fees, x.slippage]);
}

/**
 * The human report: header, side-by-side table, skips, savings line and charts. Its lines are
 * broken at their separators to `width` (the header's window, the leader's line and the savings
 * line were 100–130 wide: an 80-column terminal cut them inside a word); the tables and the
 * charts are drawn as they are.
 */
export async function renderBacktest(
  report: BacktestReport,
  width = Number.POSITIVE_INFINITY,
): Promise<string> {
  const r = report.result;
  const { targetState: t, naive: n, leader: l, friction: f } = r;
  const lines: string[] = [];
  const several = report.leaders.length > 1;
  const who = several
    ? `${report.leaders.length} leaders (${report.leaders.map((x) => `${x.address ? shortAddress(x.address, 8) : x.label} ×${x.weight.toFixed(2)}`).join(", ")})`
    : report.leader
      ? shortAddress(report.leader, 8)
      : report.source;
  lines.push(
    `Backtest of ${who}: ${r.fills.toLocaleString("en-US")} fills, ${utcSecond(r.window.start)} → ${utcSecond(r.window.end)} (${formatDuration(r.window.end - r.window.start)})`,
  );
  // A history the exchange cut: the replay is of the span it covers, said under the header.
  for (const x of report.leaders) {
    if (!x.historyCut) continue;
    const whose = several && x.address ? `${shortAddress(x.address, 8)}: h` : "H";
    lines.push(`${whose}${historyCutText(x.historyCut).slice(1)}; the replay covers that span only`);
  }
  if (several) {
    lines.push(
      await compactTable(
        ["leader", "weight", "equity", "fills", "P&L", "copy ratio (first → last)"],
        r.leaders.map((x, i) => [
          report.leaders[i]?.address ? shortAddress(report.leaders[i]?.address as Address, 8) : x.label,
          x.weight.toFixed(2),
          `${fmtUsd(x.equity, 0)}${x.equitySource === "given" ? "" : " (est.)"}`,
          x.fills.toLocaleString("en-US"),
          fmtUsdSigned(x.pnl),
          `${fmtPct(x.ratio.first * 100, 3)} → ${fmtPct(x.ratio.last * 100, 3)}`,
        ]),
      ),
    );
  } else {
    lines.push(
      `Leader equity ${fmtUsd(l.equity, 0)} (${l.equitySource === "given" ? "known" : "estimated as its peak gross notional; pass --leader-equity"}), copy ratio ${fmtPct(l.ratio.first * 100, 3)} → ${fmtPct(l.ratio.last * 100, 3)}`,
    );
  }
  lines.push(`Sizing: ${r.sizing.mode}${sizingSource(report)}`);
  lines.push(
    `Friction: taker fee ${(f.takerFee * 1e4).toFixed(2)} bps, half spread ${f.book.halfSpreadBps} bps, depth ${f.book.depthUsdPerBps === null ? "unlimited" : `${fmtUsd(f.book.depthUsdPerBps, 0)}/bp`}, copy delay ${fmtMs(f.delayMs)}`,
  );
  const row = (label: string, a: string, b: string) => [label, a, b];
  // Funding replayed (rates from the exchange or a file: $0.00 when none fell in the window) or
  // not (--fills without --funding, or the rates could not be read): unknown is no $0.00.
  const fundingKnown = report.funding.source !== "none";
  const fundingUsd = (usd: number) => (fundingKnown ? fmtUsdSigned(usd) : "-");
  const table = await compactTable(
    ["", "target-state (hlcopy)", "naive fill-by-fill"],
    [
      row("P&L", fmtUsdSigned(t.pnl), fmtUsdSigned(n.pnl)),
      row("ROI", fmtPctSigned(t.returnPct), fmtPctSigned(n.returnPct)),
      row(
        several ? "leaders' P&L × their ratios" : "leader P&L × ratio",
        fmtUsdSigned(l.scaledPnl),
        fmtUsdSigned(l.scaledPnl),
      ),
      row("tracking error (RMS)", fmtUsd(t.trackingErrorUsd), fmtUsd(n.trackingErrorUsd)),
      row("orders", t.orders.toLocaleString("en-US"), n.orders.toLocaleString("en-US")),
      row("fees", fmtUsd(t.fees), fmtUsd(n.fees)),
      row("slippage", fmtUsd(t.slippage), fmtUsd(n.slippage)),
      row("funding", fundingUsd(t.funding), fundingUsd(n.funding)),
      row(
        "win rate (closing trades)",
        `${fmtShare(t.stats.winRate)} of ${t.stats.closingTrades}`,
        `${fmtShare(n.stats.winRate)} of ${n.stats.closingTrades}`,
      ),
      row("profit factor", fmtFixed(t.stats.profitFactor), fmtFixed(n.stats.profitFactor)),
      row("Sharpe (daily)", fmtFixed(t.stats.sharpe), fmtFixed(n.stats.sharpe)),
      row("volume", fmtUsd(t.volume, 0), fmtUsd(n.volume, 0)),
      row(
        "drift: mean / max",
        `${fmtUsd(t.drift.meanUsd)} / ${fmtUsd(t.drift.maxUsd)}`,
        `${fmtUsd(n.drift.meanUsd)} / ${fmtUsd(n.drift.maxUsd)}`,
      ),
      row("drift at the end", fmtUsd(t.drift.finalUsd), fmtUsd(n.drift.finalUsd)),
      row(
        "max drawdown",
        `${fmtUsd(t.maxDrawdownUsd)} (${fmtPct(t.maxDrawdownPct)})`,
        `${fmtUsd(n.maxDrawdownUsd)} (${fmtPct(n.maxDrawdownPct)})`,
      ),
      row(
        "skipped",
        `${sumValues(t.skipped).toLocaleString("en-US")} plan${sumValues(t.skipped) === 1 ? "" : "s"}`,
        `${n.skippedFills.toLocaleString("en-US")} fills`,
      ),
    ],
  );
  lines.push(table);
  lines.push(
    `Leader: win rate ${fmtShare(l.stats.winRate)} of ${l.stats.closingTrades} closing trades, profit factor ${fmtFixed(l.stats.profitFactor)}, Sharpe (daily) ${fmtFixed(l.stats.sharpe)}; funding ${!fundingKnown ? "- (not replayed: no funding rates; pass --funding FILE)" : report.funding.rates > 0 ? fmtUsdSigned(l.funding) : `${fmtUsd(0)} (no funding time in the window)`}`,
  );
  if (r.entries) {
    const e = r.entries;
    lines.push(
      `Passive entries: ${e.passivePlaced} placed, ${e.passiveFilled} filled at their limit, ${e.passiveConverted} converted to IOC after the timeout, ${e.passiveCancelled} cancelled`,
    );
  }
  if (report.compare) {
    lines.push("Side by side (target-state copy):");
    const cs = report.compare;
    const cell = (f: (r: BacktestResult) => string) => cs.map((c) => f(c.result));
    lines.push(
      await sideBySide(
        width,
        ["", ...cs.map((c) => c.label)],
        [
          ["P&L", ...cell((r) => fmtUsdSigned(r.targetState.pnl))],
          ["ROI", ...cell((r) => fmtPctSigned(r.targetState.returnPct))],
          [
            "copy ratio (first → last)",
            ...cell(
              (r) => `${fmtPct(r.leader.ratio.first * 100, 3)} → ${fmtPct(r.leader.ratio.last * 100, 3)}`,
            ),
          ],
          ["orders", ...cell((r) => r.targetState.orders.toLocaleString("en-US"))],
          // The sum of the fees and slippage rows as the table above shows them (shownTotal).
          ["fees + slippage", ...cell((r) => fmtUsd(costShown(r.targetState)))],
          ["funding", ...cell((r) => fundingUsd(r.targetState.funding))],
          ["mean drift", ...cell((r) => fmtUsd(r.targetState.drift.meanUsd))],
          ["tracking error", ...cell((r) => fmtUsd(r.targetState.trackingErrorUsd))],
          ["max drawdown", ...cell((r) => fmtPct(r.targetState.maxDrawdownPct))],
          ["win rate", ...cell((r) => fmtShare(r.targetState.stats.winRate))],
          ["profit factor", ...cell((r) => fmtFixed(r.targetState.stats.profitFactor))],
          ["Sharpe", ...cell((r) => fmtFixed(r.targetState.stats.sharpe))],
          ["skipped plans", ...cell((r) => sumValues(r.targetState.skipped).toLocaleString("en-US"))],
        ],
      ),
    );
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  const skips = Object.entries(t.skipped)
    .sort((a, b) => orderOf(a[0] as ReasonCode) - orderOf(b[0] as ReasonCode) || b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`);
  if (skips.length > 0) lines.push(`Skipped by the planner: ${skips.join(", ")}`);
  if (t.halted) lines.push(`Kill switch at ${utcSecond(t.halted.time)}: ${t.halted.reason}`);
  const c = r.comparison;
  // The difference of the two columns' fees + slippage as the table shows them (each the sum of
  // its shown rows): the saving read off the table is the saving said.
  const costSaved = costShown(n) - costShown(t);
  const drift =
    c.driftReductionPct === null
      ? ""
      : `, ${Math.abs(c.driftReductionPct).toFixed(0)}% ${c.driftReductionPct >= 0 ? "less" : "more"} mean drift`;
  lines.push(
    `Target-state copying vs naive: ${c.ordersSaved >= 0 ? `${c.ordersSaved.toLocaleString("en-US")} fewer` : `${(-c.ordersSaved).toLocaleString("en-US")} more`} orders${c.ordersSavedPct === null ? "" : ` (${Math.abs(c.ordersSavedPct).toFixed(0)}%)`}, ${fmtUsd(Math.abs(costSaved))} ${costSaved >= 0 ? "saved" : "extra"} in fees + slippage${drift}.`,
  );
  if (r.tracker.mismatches > 0) {
    lines.push(
      `Note: ${r.tracker.mismatches} fill(s) disagreed with the rebuilt leader position (missing fills); the exchange's startPosition was trusted.`,
    );
  }
  // The text so far within the width; the charts below are drawn as they are.
  lines.splice(0, lines.length, ...wrapReportLines(lines, width));
  lines.push("");
  lines.push("P&L, target-state copy (USD):");
  // Its axis a P&L as every P&L is written (fmtUsdSigned: -$0.60, +$12.50), not -0.60.
  lines.push(equityCurve(r.curves.targetState, { width: 60, height: 6, format: (v) => fmtUsdSigned(v) }));
  lines.push(`  leader × ratio  ${sparkline(r.curves.scaledLeader, 60)}`);
  lines.push(`  naive copy      ${sparkline(r.curves.naive, 60)}`);
  return lines.join("\n");
}

/** Where the sizing mode's input came from, for the header. */
function sizingSource(report: BacktestReport): string {
  const r = report.result;
  if (r.sizing.mode !== "risk-parity") return "";
  if (r.sizing.volatility === "candles")
    return ` (volatility from ${report.candles.count.toLocaleString("en-US")} hourly candles)`;
  if (r.sizing.volatility === "fills")
    return " (volatility realized from the fills' own prices: no hourly candles, pass --candles FILE)";
  return " (no volatility known: too few prices; pass --candles FILE)";
}

function orderOf(reason: ReasonCode): number {
  const i = REASON_ORDER.indexOf(reason);
  return i < 0 ? REASON_ORDER.length : i;
}

function sumValues(o: Partial<Record<string, number>>): number {
  let s = 0;
  for (const v of Object.values(o)) s += v ?? 0;
  return s;
}
