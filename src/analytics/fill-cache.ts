// Leader fills cached on disk, one file per address, so a second scan fetches only the fills
// that are new since the last one. Written atomically (temp file + rename) right after each
// fetch: an interrupted scan keeps every address it finished.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HistoryCut } from "../core/history.js";
import type { Address } from "../core/types.js";
import type { LeaderDataSource, RawFillHistory } from "./fetch.js";

interface CacheFile {
  version: 1;
  user: string;
  /**
   * The span covered: every fill with from ≤ time ≤ to is in `fills`. A read the exchange cut
   * (its 10,000 most recent fills) covers from its first fill, not from the start asked.
   */
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
  const history = async (user: Address, startTime: number, endTime?: number): Promise<RawFillHistory> => {
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
    const got: RawFillHistory = source.getFillHistory
      ? await source.getFillHistory(user, fetchFrom, end)
      : { fills: await source.getFillsByTime(user, fetchFrom, end), cut: null };
    const fresh = got.fills as Record<string, unknown>[];
    let to = Math.max(end, cached?.to ?? end);
    if (got.cut?.reason === "exchange-limit") {
      // The exchange no longer serves the fills between where the cache ends and where this read
      // begins: what the cache holds is cut off from now, and the history starts again here.
      base = [];
      from = got.cut.start;
    } else if (got.cut?.reason === "page-cap") to = got.cut.end;
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
    write({ version: 1, user: user.toLowerCase(), from, to, fills: merged });
    const fills = merged.filter((f) => {
      const t = timeOf(f);
      return t >= startTime && t <= end;
    });
    const cut: HistoryCut | null =
      from > startTime || to < end
        ? {
            reason: to < end ? "page-cap" : "exchange-limit",
            start: Math.max(from, startTime),
            end: Math.min(to, end),
            askedStart: startTime,
            askedEnd: end,
            fills: fills.length,
          }
        : null;
    return { fills, cut };
  };
  return {
    ...source,
    stats,
    async getFillsByTime(user: Address, startTime: number, endTime?: number) {
      return (await history(user, startTime, endTime)).fills;
    },
    getFillHistory: history,
  };
}
