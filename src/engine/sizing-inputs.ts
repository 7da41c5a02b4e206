// The inputs risk-parity and kelly size from, read off the hot path and cached: each coin's
// volatility from the exchange's hourly candles (core/volatility.ts) and each leader's edge
// from its own fills (core/kelly.ts), each refreshed at most once an hour. The start's reads
// are start-up reads (a 5xx, a 429, a timeout retried until exec.startupTimeoutSeconds, then
// the start fails), and kelly refuses a leader with too few closing trades there, before any
// order (core/kelly.ts kellyHistoryRefusal). A later read that fails keeps the last value (and
// says so); a coin or leader never read is "sizing-input-missing" in the plan, so nothing is
// ever sized from a guess.

import { toHlcopyError } from "../core/errors.js";
import { detailNumber, shortAddress } from "../core/format.js";
import { type FillHistory, historyCutText, spanWords } from "../core/history.js";
import {
  type EdgeFill,
  kellyHistoryRefusal,
  kellyScale,
  type LeaderEdge,
  leaderEdge,
} from "../core/kelly.js";
import type { Settings } from "../core/settings.js";
import { type SizingInputs, sizingParams } from "../core/sizing.js";
import type { Address } from "../core/types.js";
import { hourlyVolatility } from "../core/volatility.js";
import type { EngineEvent } from "./events.js";
import { fillHistoryRead } from "./fill-history.js";
import type { StartupReads } from "./startup-waits.js";

/** What the keeper reads (HlClient satisfies it). */
export interface SizingInputsReader {
  getHourlyCandles?(coin: string, startTime: number, endTime?: number): Promise<{ t: number; c: number }[]>;
  getFillsByTime?(user: Address, startTime: number): Promise<EdgeFill[]>;
  /** The same read with the span it covers (HlClient.getFillHistory): preferred when present. */
  getFillHistory?(user: Address, startTime: number, endTime?: number): Promise<FillHistory<EdgeFill>>;
}

export interface SizingInputsOptions {
  settings: Settings;
  reader: SizingInputsReader;
  now: () => number;
  emit: (event: EngineEvent) => void;
  countRequest: () => void;
}

/** A cached value is read again after this long. */
export const REFRESH_MS = 3_600_000;
/** A failed read is tried again after this long (not on every plan). */
const RETRY_MS = 60_000;

export class SizingInputsKeeper {
  readonly #o: SizingInputsOptions;
  readonly #vol = new Map<string, { value: number | null; at: number }>();
  readonly #edge = new Map<string, { value: ReturnType<typeof leaderEdge>; at: number }>();
  readonly #failedAt = new Map<string, number>();
  /** Leaders whose last read of fills the exchange cut (said once a cut begins). */
  readonly #cut = new Set<string>();

  constructor(options: SizingInputsOptions) {
    this.#o = options;
  }

  /** Whether the run's sizing mode needs anything read. */
  static needed(settings: Settings): boolean {
    return settings.sizing.mode === "risk-parity" || settings.sizing.mode === "kelly";
  }

  /** The inputs as known now (plain data for the planner). */
  get inputs(): SizingInputs {
    const volatility: Record<string, number> = {};
    const tooFewCandles: string[] = [];
    for (const [coin, v] of this.#vol) {
      if (v.value !== null) volatility[coin] = v.value;
      else tooFewCandles.push(coin);
    }
    const edge: SizingInputs["edge"] = {};
    for (const [leader, e] of this.#edge) edge[leader] = e.value;
    return { volatility, edge, ...(tooFewCandles.length > 0 ? { tooFewCandles } : {}) };
  }

  /** Coins among `coins` whose volatility risk-parity still lacks. */
  missing(coins: readonly string[]): string[] {
    if (this.#o.settings.sizing.mode !== "risk-parity") return [];
    return coins.filter((c) => this.#vol.get(c)?.value == null);
  }

  /**
   * Read what is due: the volatility of `coins` (risk-parity) or the edge of `leaders` (kelly),
   * each at most hourly. Returns the coins whose volatility became known (to re-plan them).
   * At the start (`startup`, no sweep yet) each read is a start-up read and kelly's history is
   * checked; otherwise a failed read warns and keeps the last value.
   * @throws at the start only: what a start-up read throws once its retries are spent, and the
   *   {UsageError} (exit 2) of a leader kelly cannot size (kellyHistoryRefusal).
   */
  async refresh(
    coins: readonly string[],
    leaders: readonly Address[],
    startup?: StartupReads,
  ): Promise<string[]> {
    const mode = this.#o.settings.sizing.mode;
    const p = sizingParams(this.#o.settings);
    const now = this.#o.now();
    const learned: string[] = [];
    const starting = startup !== undefined && !startup.swept;
    /** One read: the start's retried as the other start-up reads are; later ones once. */
    const once = <T>(what: string, read: () => Promise<T>): Promise<T> => {
      const counted = () => {
        this.#o.countRequest();
        return read();
      };
      return starting ? startup.read(what, counted) : counted();
    };
    if (mode === "risk-parity" && this.#o.reader.getHourlyCandles) {
      const read = this.#o.reader.getHourlyCandles.bind(this.#o.reader);
      for (const coin of [...new Set(coins)].sort()) {
        if (!this.#due(`vol:${coin}`, this.#vol.get(coin)?.at, now)) continue;
        try {
          const candles = await once(`${coin}'s hourly candles (risk-parity)`, () =>
            read(coin, now - p.volLookbackDays * 86_400_000),
          );
          const value = hourlyVolatility(candles, this.#o.now(), p.volLookbackDays);
          const had = this.#vol.get(coin)?.value;
          this.#vol.set(coin, { value, at: now });
          if (value !== null && had == null) learned.push(coin);
          if (value === null)
            this.#warn(
              `risk-parity: ${coin} has too few hourly candles in the last ${p.volLookbackDays} days for a volatility: not sized`,
            );
        } catch (error) {
          if (starting) throw error;
          this.#failed(`vol:${coin}`, now, `risk-parity: ${coin}'s candles could not be read`, error);
        }
      }
      if (learned.length > 0) {
        const inputs = this.inputs.volatility ?? {};
        this.#notice(
          `risk-parity: annualised volatility over ${p.volLookbackDays} days of hourly candles: ${learned
            .map((c) => `${c} ${((inputs[c] ?? 0) * 100).toFixed(1)}%`)
            .join(", ")} (target ${detailNumber(p.targetVol * 100)}%)`,
        );
      }
    }
    // The span the fills cover: the exchange keeps a leader's 10,000 most recent fills, and a
    // busy leader's lookback may reach past them (core/history.ts). To now on the keeper's clock.
    const read = mode === "kelly" ? fillHistoryRead(this.#o.reader, this.#o.now) : undefined;
    if (read) {
      /** The start's lines of each leader's edge: said once the history check has passed. */
      const told: string[] = [];
      for (const leader of leaders) {
        const key = leader.toLowerCase();
        if (!this.#due(`edge:${key}`, this.#edge.get(key)?.at, now)) continue;
        try {
          const { fills, cut } = await once(`the leader's fills (kelly, ${leader})`, () =>
            read(leader, now - p.kellyLookbackDays * 86_400_000),
          );
          const value = leaderEdge(fills, this.#o.now(), p.kellyLookbackDays);
          // Measured on less than the lookback: said when a cut begins (again if it ends and comes
          // back), for the edge is then a few days' of the leader's trading, not kellyLookbackDays'.
          const wasCut = this.#cut.has(key);
          if (cut && !wasCut) {
            this.#cut.add(key);
            this.#warn(
              `kelly: leader ${shortAddress(leader)}'s edge is measured on ${historyCutText(cut)} (--kelly-lookback-days ${p.kellyLookbackDays})`,
            );
          } else if (!cut && wasCut) this.#cut.delete(key);
          const over = cut
            ? `over ${spanWords(cut.end - cut.start)} (its history is cut, of ${p.kellyLookbackDays} days asked)`
            : `over ${p.kellyLookbackDays} days`;
          const had = this.#edge.get(key)?.value;
          this.#edge.set(key, { value, at: now });
          const scale = kellyScale(value, p.kellyFraction);
          const edgeText = `${value.closingTrades} closing trades, win rate ${value.winRate === null ? "-" : `${detailNumber(value.winRate * 100)}%`}, win/loss ${value.payoff === null ? "-" : detailNumber(value.payoff)}, Kelly ${value.kelly === null ? "-" : detailNumber(value.kelly)}`;
          const copied =
            "why" in scale ? `not copied: ${scale.why}` : `× ${detailNumber(p.kellyFraction)} copied`;
          const line = `kelly: leader ${shortAddress(leader)} ${over}: ${edgeText} (${copied})`;
          if (had === undefined) {
            // At the start a leader kelly cannot size is refused below, and says its count there.
            if (!starting) this.#notice(line);
            else told.push(line);
          } else if ("why" in kellyScale(had, p.kellyFraction) !== "why" in scale) {
            // A leader whose edge turned (or whose trades aged out of the lookback) between
            // reads: its coins are closed, or copied again, on this read's word — said.
            if ("why" in scale) this.#warn(`${line}: its share of the copy is closed (negative-edge)`);
            else this.#notice(line);
          }
        } catch (error) {
          if (starting) throw error;
          this.#failed(
            `edge:${key}`,
            now,
            `kelly: leader ${shortAddress(leader)}'s fills could not be read`,
            error,
          );
        }
      }
      if (starting) {
        const edges = leaders.flatMap((address) => {
          const edge: LeaderEdge | undefined = this.#edge.get(address.toLowerCase())?.value;
          return edge ? [{ address, edge }] : [];
        });
        const refusal = kellyHistoryRefusal(edges, p.kellyLookbackDays);
        if (refusal) throw refusal;
        for (const line of told) this.#notice(line);
      }
    }
    return learned;
  }

  #due(key: string, at: number | undefined, now: number): boolean {
    const failed = this.#failedAt.get(key);
    if (failed !== undefined && now - failed < RETRY_MS) return false;
    return at === undefined || now - at >= REFRESH_MS;
  }

  #failed(key: string, now: number, what: string, error: unknown): void {
    this.#failedAt.set(key, now);
    this.#warn(`${what} (${toHlcopyError(error).message}); the last value is kept, tried again in a minute`);
  }

  #warn(message: string): void {
    this.#o.emit({ type: "warning", ts: this.#o.now(), message });
  }

  #notice(message: string): void {
    this.#o.emit({ type: "notice", ts: this.#o.now(), kind: "sizing", message });
  }
}
