// Fills as hlcopy takes them in, from any source (the userFills stream and its replays after a
// reconnect, a second channel carrying the same fills, REST reads): ONE de-duplication, by the
// fill's identity, so a fill delivered twice is applied — and planned on — once.

/** What identifies a fill: its trade id and its order (both sides of a self-trade share the tid). */
export interface FillIdentity {
  tid: number;
  oid: number;
}

/** Remembers fill identities per user (bounded: the oldest are forgotten first). */
export class FillDeduper {
  readonly #seen = new Map<string, Set<string>>();
  readonly #limit: number;

  constructor(limit = 20_000) {
    this.#limit = limit;
  }

  /** The fills not seen before for this user, in their order (marking them seen). */
  fresh<T extends FillIdentity>(user: string, fills: readonly T[]): T[] {
    let seen = this.#seen.get(user);
    if (!seen) {
      seen = new Set();
      this.#seen.set(user, seen);
    }
    const out: T[] = [];
    for (const f of fills) {
      const key = `${f.tid}:${f.oid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
    if (seen.size > this.#limit) {
      // Drop the oldest keys (a Set iterates in insertion order).
      let extra = seen.size - this.#limit;
      for (const k of seen) {
        if (extra-- <= 0) break;
        seen.delete(k);
      }
    }
    return out;
  }
}
