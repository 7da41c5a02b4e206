// Leader fills cached on disk, one file per address, so a second scan fetches only the fills
// that are new since the last one. Written atomically (temp file + rename) right after each
// fetch: an interrupted scan keeps every address it finished.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "../core/types.js";
import type { LeaderDataSource } from "./fetch.js";

interface CacheFile {
  version: 1;
  user: string;
  /** The span covered: every fill with from ≤ time ≤ to is in `fills`. */
  from: number;
  to: number;
  /** Raw userFills items as the source returned them, oldest first. */
  fills: Record<string, unknown>[];
}

function keyOf(f: Record<string, unknown>): string {
  return String(f.tid ?? `${f.hash}|${f.oid}|${f.px}|${f.sz}|${f.side}|${f.time}`);
}

function timeOf(f: Record<string, unknown>): number {
  return typeof f.time === "number" ? f.time : Number(f.time);
}

export interface CacheStats {
  /** Addresses answered (partly) from the cache. */
  hits: number;
  /** Fills read from the cache / fetched from the source. */
  cachedFills: number;
  fetchedFills: number;
}

/**
 * `source` with getFillsByTime answered from `<dir>/<address>.json` where it covers the
 * window, fetching only from the cache's end (inclusive; duplicates dropped by tid) to the
 * window's end. A cache that does not reach back to the window's start is refetched whole.
 * An unreadable cache file is ignored (and rewritten).
 */
export function cachedFillsSource(
  source: LeaderDataSource,
  dir: string,
  stats: CacheStats = { hits: 0, cachedFills: 0, fetchedFills: 0 },
): LeaderDataSource & { stats: CacheStats } {
  const fileOf = (user: string) => join(dir, `${user.toLowerCase()}.json`);
  const read = (user: string): CacheFile | null => {
    try {
      const c = JSON.parse(readFileSync(fileOf(user), "utf8")) as CacheFile;
      if (c.version === 1 && Array.isArray(c.fills) && Number.isFinite(c.from) && Number.isFinite(c.to))
        return c;
    } catch {
      // missing or unreadable: fetch afresh
    }
    return null;
  };
  const write = (c: CacheFile) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = fileOf(c.user);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
    renameSync(tmp, file);
  };
  return {
    ...source,
    stats,
    async getFillsByTime(user: Address, startTime: number, endTime?: number) {
      const end = endTime ?? Date.now();
      const cached = read(user);
      let base: Record<string, unknown>[] = [];
      let from = startTime;
      let fetchFrom = startTime;
      if (cached && cached.from <= startTime && cached.to >= startTime) {
        base = cached.fills;
        from = cached.from;
        fetchFrom = Math.min(cached.to, end);
        stats.hits++;
        stats.cachedFills += base.length;
      }
      const fresh = (await source.getFillsByTime(user, fetchFrom, end)) as Record<string, unknown>[];
      const seen = new Set(base.map(keyOf));
      const merged = [...base];
      for (const f of fresh) {
        const k = keyOf(f);
        if (seen.has(k)) continue;
        seen.add(k);
        merged.push(f);
        stats.fetchedFills++;
      }
      merged.sort((a, b) => timeOf(a) - timeOf(b));
      write({
        version: 1,
        user: user.toLowerCase(),
        from,
        to: Math.max(end, cached?.to ?? end),
        fills: merged,
      });
      return merged.filter((f) => {
        const t = timeOf(f);
        return t >= startTime && t <= end;
      });
    },
  };
}
