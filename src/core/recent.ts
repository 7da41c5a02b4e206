// A bounded memory of keys already seen: the newest `limit` keys are remembered, the oldest
// forgotten first. For dedupe guards on streams that run for days (fill ids, trade ids): a
// plain Set there grows with every message for as long as the process lives.

export class RecentKeys<K> {
  readonly #keys = new Set<K>();
  /** The same keys in the order they came; once full, #next is the oldest (and is overwritten). */
  readonly #ring: K[] = [];
  #next = 0;
  readonly limit: number;

  /** @throws {RangeError} when `limit` is not a positive integer. */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`RecentKeys limit must be ≥ 1, got ${limit}`);
    this.limit = limit;
  }

  /** Remember `key`; returns false when it was already remembered (a duplicate). O(1). */
  add(key: K): boolean {
    if (this.#keys.has(key)) return false;
    if (this.#ring.length < this.limit) this.#ring.push(key);
    else {
      // Forget the oldest. (Not by iterating the Set from its start: deleted entries stay
      // there as holes until a rehash, and skipping them made every add O(limit).)
      this.#keys.delete(this.#ring[this.#next] as K);
      this.#ring[this.#next] = key;
      this.#next = (this.#next + 1) % this.limit;
    }
    this.#keys.add(key);
    return true;
  }

  has(key: K): boolean {
    return this.#keys.has(key);
  }

  get size(): number {
    return this.#keys.size;
  }
}
