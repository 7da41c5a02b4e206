// A leader's fills stream gone quiet while its account stream moves: a position change no fill
// explains within a second is said (once while the fills stay quiet, and once when they come
// back) and its coin copied from the account stream at once, not at the next sweep. The engine
// tells it each leader's account update and each batch of new fills.

import type { AccountState, Address } from "../core/types.js";
import type { PartBase } from "./ports.js";

/** How long a leader position change seen on the account stream waits for its fill. */
const UNEXPLAINED_MS = 1_000;

export interface FillsSilenceOptions extends Pick<PartBase, "emit" | "now"> {
  /** Latest leader fill time per coin (a fill in the wait explains the change). */
  leaderFillTime: ReadonlyMap<string, number>;
  stopping: () => boolean;
  /** The run has its streams (a change is copied from them). */
  streaming: () => boolean;
  /** Plan `coin` now (a hot-path plan). */
  replan: (coin: string) => void;
}

export class FillsSilence {
  readonly #o: FillsSilenceOptions;
  /** Leaders whose positions change on the account stream with no fill on the fills stream. */
  readonly #fillsSilent = new Set<Address>();
  /** When each leader's fills stream last carried a new fill (its quiet spells end there). */
  readonly #leaderFillsAt = new Map<Address, number>();

  constructor(options: FillsSilenceOptions) {
    this.#o = options;
  }

  /**
   * New fills of `leader` came on its fills stream at `now`. Returns whether its stream had been
   * said quiet (the caller says it is back).
   */
  fillsCame(leader: Address, now: number): boolean {
    this.#leaderFillsAt.set(leader, now);
    return this.#fillsSilent.delete(leader);
  }

  /**
   * A leader position the account stream changed with no fill on the fills stream within a
   * second (that channel quiet while the socket lives): say so and copy it now, not at the next
   * sweep. A fill that arrives in that second explains the change, and nothing happens.
   */
  watch(leader: Address, before: AccountState["positions"], after: AccountState["positions"]): void {
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (coin) => (before[coin]?.size ?? 0) !== (after[coin]?.size ?? 0),
    );
    const seenAt = this.#o.now();
    for (const coin of changed) {
      const fillTime = this.#o.leaderFillTime.get(coin);
      const timer = setTimeout(() => {
        if (this.#o.stopping() || !this.#o.streaming() || this.#o.leaderFillTime.get(coin) !== fillTime)
          return;
        // Said once while the fills stream stays quiet (a muted channel changes every position the
        // leader trades: one line each would push everything else off the dashboard), and once
        // when its fills come back (fillsCame) — not again for a change seen before then.
        const spoke = (this.#leaderFillsAt.get(leader) ?? -1) >= seenAt;
        if (!spoke && !this.#fillsSilent.has(leader)) {
          this.#fillsSilent.add(leader);
          this.#o.emit({
            type: "warning",
            ts: this.#o.now(),
            message: `${coin}: leader ${leader} changed position with no fill on the fills stream; copying from the account stream until its fills come back`,
          });
        }
        this.#o.replan(coin);
      }, UNEXPLAINED_MS);
      timer.unref?.();
    }
  }
}
