// Our leverage and margin mode on the exchange (design §6): before the first increase in a coin
// this run, the exchange's setting is made the settings' — nothing to send when our position
// already carries it, else one `updateLeverage`, whose acknowledgement is the verification. At
// most one request per coin per run (a transient failure is retried after a pause); a coin the
// exchange refuses keeps its increases skipped "leverage-not-set" for the run. What to set is
// pure (core/leverage.ts); this keeps what was set and sends it.

import { AgentNotApprovedError, toHlcopyError } from "../core/errors.js";
import { exchangeLeverage, type LeverageSetting, leverageMatches } from "../core/leverage.js";
import type { Settings } from "../core/settings.js";
import type { Markets, PlannedAction, Positions } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { EngineEvent } from "./events.js";
import type { EngineReader } from "./ports.js";

export interface LeverageKeeperOptions {
  journal: Journal;
  update: NonNullable<EngineReader["updateLeverage"]>;
  /** The pause before a transient failure is tried again (ms). */
  retryAfterMs: number;
  emit: (event: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
  countRequest: () => void;
  /**
   * The run's stop: once aborted no coin's request is signed, and one still waiting (for the
   * request budget) is not sent (the increases it was for are not sent either).
   */
  signal?: () => AbortSignal | undefined;
}

type CoinLeverage = ({ ok: true } & LeverageSetting) | { ok: false; detail: string; retryAt: number };

export class LeverageKeeper {
  readonly #o: LeverageKeeperOptions;
  /** Per coin, this run: the leverage the exchange holds for us (ok), or why it could not be set. */
  readonly #coins = new Map<string, CoinLeverage>();

  constructor(options: LeverageKeeperOptions) {
    this.#o = options;
  }

  /** The leverage this run set (or found) on the exchange for a coin, if it did. */
  setFor(coin: string): LeverageSetting | undefined {
    const c = this.#coins.get(coin);
    return c?.ok ? { leverage: c.leverage, marginMode: c.marginMode } : undefined;
  }

  /** The planner's "leverage-not-set" input: coin → why, for coins not retried yet. */
  notSet(now: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [coin, l] of this.#coins) if (!l.ok && l.retryAt > now) out[coin] = l.detail;
    return out;
  }

  /**
   * Make the exchange's leverage the settings' for the coin of every increase among `actions`
   * that was not set yet this run. Returns whether a coin could not be set (its increases are
   * then skipped: the caller re-plans).
   * @throws {AgentNotApprovedError} when the exchange no longer accepts our signer (nothing can
   *   be signed: the caller halts, not a per-coin skip).
   */
  async ensure(
    actions: readonly PlannedAction[],
    markets: Markets,
    settings: Settings,
    positions: Positions,
  ): Promise<boolean> {
    const o = this.#o;
    let failed = false;
    for (const a of actions) {
      // A stop that came while an earlier coin's request was out: the next coin's is not signed.
      const signal = o.signal?.();
      if (signal?.aborted) break;
      const known = this.#coins.get(a.coin);
      const market = markets[a.coin];
      if (a.reduceOnly || known?.ok || !market) continue;
      const now = o.now();
      if (known && known.retryAt > now) continue;
      const want = exchangeLeverage(settings, market);
      if (leverageMatches(positions[a.coin], want)) {
        this.#coins.set(a.coin, { ok: true, ...want });
        continue;
      }
      const data = { leverage: want.leverage, marginMode: want.marginMode };
      o.countRequest();
      try {
        await o.update(
          {
            coin: a.coin,
            assetId: market.assetId,
            leverage: want.leverage,
            isCross: want.marginMode === "cross",
          },
          signal ? { signal } : {},
        );
        this.#coins.set(a.coin, { ok: true, ...want });
        o.journal.recordEvent({ ts: o.now(), type: "leverage", runId: o.runId(), coin: a.coin, data });
      } catch (error) {
        // Stopped while it waited to be sent: nothing was, and nothing is wrong with the coin
        // (its increases are skipped: the run sends nothing more anyway).
        if (signal?.aborted) {
          failed = true;
          continue;
        }
        const e = toHlcopyError(error);
        if (e instanceof AgentNotApprovedError) throw e;
        // A transient failure is tried again after a pause; a refusal holds for the run.
        const retry = e.action === "retry";
        const detail = `${want.leverage}x ${want.marginMode} not set on the exchange (${e.message})`;
        this.#coins.set(a.coin, {
          ok: false,
          detail,
          retryAt: retry ? now + o.retryAfterMs : Number.POSITIVE_INFINITY,
        });
        failed = true;
        o.journal.recordEvent({
          ts: o.now(),
          type: "leverage",
          runId: o.runId(),
          coin: a.coin,
          data: { ...data, error: e.message },
        });
        o.emit({
          type: "warning",
          ts: o.now(),
          message: `${a.coin}: ${detail}; increases skipped${retry ? " until it is retried" : " this run"}`,
        });
      }
    }
    return failed;
  }
}
