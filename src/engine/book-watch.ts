// The top of book the engine prices limit orders from: in a run with streams, the best bid/ask of
// every coin the leaders or we hold is streamed (re-subscribed at each sweep when the coins
// change; a failure said once, and once when they stream again); without streams (reconcile),
// the books of the coins a plan places a passive entry in are read over REST. Both write into
// the market model; the hot path only reads it.

import { toHlcopyError } from "../core/errors.js";
import type { Plan } from "../core/types.js";
import type { LeaderModel, MarketModel, OurModel } from "./models.js";
import type { EngineReader, EngineStreams, PartBase } from "./ports.js";

export interface BookWatchOptions extends Pick<PartBase, "emit" | "now" | "countRequest"> {
  reader: Pick<EngineReader, "getTopOfBook">;
  /** The run's streams (null: none yet, or a run without them). */
  streams: () => EngineStreams | null;
  stopping: () => boolean;
  market: Pick<MarketModel, "markets" | "applyBook">;
  ours: Pick<OurModel, "state">;
  leaders: readonly Pick<LeaderModel, "state">[];
}

export class BookWatch {
  readonly #o: BookWatchOptions;
  #watchedBooks = "";
  /**
   * Why the books are not streamed, as last said ("websocket": it is down; else the error's
   * message): said once until they are streamed again, not at every sweep that retries.
   */
  #booksUnstreamed: string | null = null;
  /** Stream disconnects so far: a book watch that saw one failed because the websocket was down. */
  #disconnects = 0;

  constructor(options: BookWatchOptions) {
    this.#o = options;
  }

  /** The stream dropped (a book watch that saw one failed because the websocket was down). */
  disconnected(): void {
    this.#disconnects++;
  }

  /**
   * A run without book streams: read the best bid and ask of each coin the plan places a passive
   * entry in and has no book for (one l2Book each). Returns whether any was read (then re-plan).
   * A failed read leaves the mid-based price (a crossing refusal then goes as IOC).
   */
  async readPassiveBooks(plan: Plan): Promise<boolean> {
    const read = this.#o.reader.getTopOfBook?.bind(this.#o.reader);
    if (this.#o.streams() || !read || this.#o.stopping()) return false;
    const coins = new Set<string>();
    for (const a of plan.actions) {
      const m = this.#o.market.markets[a.coin];
      if (a.passive && m && (m.bestBid === undefined || m.bestAsk === undefined)) coins.add(a.coin);
    }
    let any = false;
    for (const coin of [...coins].sort()) {
      try {
        this.#o.countRequest();
        const book = await read(coin);
        if (book.bestBid === undefined && book.bestAsk === undefined) continue;
        this.#o.market.applyBook(coin, book.bestBid, book.bestAsk);
        any = true;
      } catch (error) {
        this.#o.emit({
          type: "warning",
          ts: this.#o.now(),
          message: `${coin}: the book could not be read to price the passive entry (${toHlcopyError(error).message}): priced at the mid`,
        });
      }
    }
    return any;
  }

  /**
   * Stream the top of book of every coin the leaders or we hold, so limit prices start from
   * the real best bid/ask instead of the mid (off the hot path; failures only warn). A failure
   * is retried at the next sweep but said once (and once when the books stream again): while
   * the websocket is down every sweep's retry fails, and each said so (every 5–10 s).
   */
  watch(): void {
    const streams = this.#o.streams();
    if (!streams?.watchBooks || this.#o.stopping()) return;
    const coins = new Set<string>(Object.keys(this.#o.ours.state.positions));
    for (const l of this.#o.leaders) for (const c of Object.keys(l.state.positions)) coins.add(c);
    const key = [...coins].sort().join(",");
    // Unchanged, but said not streamed: tried again (to say when they are back).
    if (key === this.#watchedBooks && this.#booksUnstreamed === null) return;
    this.#watchedBooks = key;
    const disconnects = this.#disconnects;
    const downAtStart = !streams.health().connected;
    streams.watchBooks([...coins]).then(
      () => {
        if (this.#booksUnstreamed === null || this.#o.stopping()) return;
        // Nothing new to subscribe resolves at once, the websocket down or not: not back yet.
        if (!streams.health().connected) return;
        this.#booksUnstreamed = null;
        this.#o.emit({
          type: "notice",
          ts: this.#o.now(),
          kind: "books",
          message: "books: the best bid/ask is streamed again",
        });
      },
      (error: unknown) => {
        this.#watchedBooks = "";
        // A subscription cut short by our own stop (the socket closes under it) is no problem.
        if (this.#o.stopping()) return;
        const down = downAtStart || this.#disconnects !== disconnects || !streams.health().connected;
        const why = down ? "websocket" : toHlcopyError(error).message;
        if (why === this.#booksUnstreamed) return;
        this.#booksUnstreamed = why;
        this.#o.emit({
          type: "warning",
          ts: this.#o.now(),
          message: down
            ? "books: the websocket is down: the best bid/ask is not streamed, so order prices start from the mid the sweeps read, until it is back (the run goes on)"
            : `books: ${why}`,
        });
      },
    );
  }
}
