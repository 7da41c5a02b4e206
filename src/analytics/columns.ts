// Fills as columns (typed arrays) for replays of a million fills: ~70 bytes a fill instead
// of a ~400-byte object per fill, and a file read in chunks so its text is never held
// whole. Rows are read back into one reused Fill object in replay order (sortedOrder).

import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { type Fill, parseFillsJson, toFill } from "./wire.js";

export class FillColumns {
  length = 0;
  /** Coin names; `coin[i]` indexes this list. */
  readonly coins: string[] = [];
  readonly #coinIndex = new Map<string, number>();
  coin = new Uint16Array(0);
  /** Bit 0: buy ("B"); bit 1: liquidation; bit 2: has a tid; bit 3: crossed known; bit 4: crossed. */
  flags = new Uint8Array(0);
  time = new Float64Array(0);
  px = new Float64Array(0);
  sz = new Float64Array(0);
  startPosition = new Float64Array(0);
  closedPnl = new Float64Array(0);
  fee = new Float64Array(0);
  oid = new Float64Array(0);
  tid = new Float64Array(0);

  constructor(capacity = 1024) {
    this.#grow(Math.max(16, capacity));
  }

  static from(fills: readonly Fill[]): FillColumns {
    const c = new FillColumns(fills.length);
    for (const f of fills) c.push(f);
    return c;
  }

  #grow(capacity: number): void {
    const g = <T extends Float64Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.coin = g(this.coin, (n) => new Uint16Array(n));
    this.flags = g(this.flags, (n) => new Uint8Array(n));
    const f64 = (n: number) => new Float64Array(n);
    this.time = g(this.time, f64);
    this.px = g(this.px, f64);
    this.sz = g(this.sz, f64);
    this.startPosition = g(this.startPosition, f64);
    this.closedPnl = g(this.closedPnl, f64);
    this.fee = g(this.fee, f64);
    this.oid = g(this.oid, f64);
    this.tid = g(this.tid, f64);
  }

  push(f: Fill): void {
    if (this.length === this.time.length) this.#grow(this.length * 2);
    const i = this.length++;
    let ci = this.#coinIndex.get(f.coin);
    if (ci === undefined) {
      ci = this.coins.length;
      this.coins.push(f.coin);
      this.#coinIndex.set(f.coin, ci);
    }
    this.coin[i] = ci;
    this.flags[i] =
      (f.side === "B" ? 1 : 0) |
      (f.liquidation ? 2 : 0) |
      (f.tid !== undefined ? 4 : 0) |
      (f.crossed !== undefined ? 8 : 0) |
      (f.crossed ? 16 : 0);
    this.time[i] = f.time;
    this.px[i] = f.px;
    this.sz[i] = f.sz;
    this.startPosition[i] = f.startPosition;
    this.closedPnl[i] = f.closedPnl;
    this.fee[i] = f.fee;
    this.oid[i] = f.oid;
    this.tid[i] = f.tid ?? 0;
  }

  /** Row `i` written into `out` (reused: copy what you keep). dir and hash are not kept. */
  row(i: number, out: Fill = emptyFill()): Fill {
    const fl = this.flags[i] as number;
    out.coin = this.coins[this.coin[i] as number] as string;
    out.px = this.px[i] as number;
    out.sz = this.sz[i] as number;
    out.side = fl & 1 ? "B" : "A";
    out.time = this.time[i] as number;
    out.startPosition = this.startPosition[i] as number;
    out.closedPnl = this.closedPnl[i] as number;
    out.fee = this.fee[i] as number;
    out.oid = this.oid[i] as number;
    if (fl & 4) out.tid = this.tid[i] as number;
    else delete out.tid;
    if (fl & 8) out.crossed = (fl & 16) !== 0;
    else delete out.crossed;
    if (fl & 2) out.liquidation = true;
    else delete out.liquidation;
    return out;
  }

  /**
   * Row indices in replay order (see sortFills): ascending time, then tid when both fills
   * have one, then file order.
   */
  sortedOrder(): Uint32Array {
    const n = this.length;
    const idx = new Uint32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      idx[i] = i;
      if (sorted && i > 0 && this.#cmp(i - 1, i) > 0) sorted = false;
    }
    if (sorted) return idx;
    // Newest-first input (the API's order) reversed keeps same-time fills in file order
    // only if they were reversed too; sort stably instead.
    const arr = Array.from(idx);
    arr.sort((a, b) => this.#cmp(a, b) || a - b);
    return Uint32Array.from(arr);
  }

  #cmp(a: number, b: number): number {
    const ta = this.time[a] as number;
    const tb = this.time[b] as number;
    if (ta !== tb) return ta - tb;
    const fa = this.flags[a] as number;
    const fb = this.flags[b] as number;
    if (fa & 4 && fb & 4 && this.tid[a] !== this.tid[b])
      return (this.tid[a] as number) - (this.tid[b] as number);
    return 0;
  }
}

export function emptyFill(): Fill {
  return {
    coin: "",
    px: 0,
    sz: 0,
    side: "B",
    time: 0,
    startPosition: 0,
    dir: "",
    closedPnl: 0,
    fee: 0,
    hash: "",
    oid: 0,
  };
}

/** Read size: small batches keep the parsed items young, so the heap stays small. */
const CHUNK = 256 << 10;
/** Files below this are read whole (any shape parseFillsJson accepts). */
const STREAM_FROM = 1 << 20;

/**
 * Read a userFills JSON file into columns. Large files holding a top-level array are read
 * in chunks and parsed a batch of items at a time; anything else (a cassette, a small
 * file, malformed JSON) goes through parseFillsJson for the same result or error.
 * @throws {UsageError} like parseFillsJson; I/O errors pass through.
 */
export function readFillsFile(
  file: string,
  source = file,
  options: { streamFrom?: number; chunk?: number } = {},
): FillColumns {
  if (statSync(file).size >= (options.streamFrom ?? STREAM_FROM)) {
    const c = streamArray(file, source, Math.max(16, options.chunk ?? CHUNK));
    if (c) return c;
  }
  return FillColumns.from(parseFillsJson(readFileSync(file, "utf8"), source));
}

/**
 * Columns from a file holding a JSON array of objects, or null when it is not one. The
 * bytes are scanned for item boundaries (UTF-8 never puts an ASCII byte inside a multi-byte
 * character), and each run of complete items is decoded and parsed at once.
 */
function streamArray(file: string, source: string, chunk: number): FillColumns | null {
  const fd = openSync(file, "r");
  try {
    const cols = new FillColumns(1 << 16);
    let buf = Buffer.allocUnsafe(chunk);
    /** Bytes held in buf; [0, scanned) were scanned already. */
    let held = 0;
    let scanned = 0;
    let started = false;
    let depth = 0;
    let inString = false;
    let escaped = false;
    let index = 0;
    /** Where the item still open starts in buf (-1: none open). */
    let openStart = -1;
    for (;;) {
      if (held === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, held);
        buf = bigger;
      }
      const n = readSync(fd, buf, held, buf.length - held, null);
      held += n;
      let i = scanned;
      if (!started) {
        while (i < held && isSpace(buf[i] as number)) i++;
        if (i === held) {
          if (n === 0) return null;
          held = 0;
          scanned = 0;
          continue;
        }
        if (buf[i] !== 91 /* [ */) return null;
        started = true;
        depth = 1;
        i++;
      }
      let batchStart = openStart;
      let lastEnd = -1;
      let done = false;
      for (; i < held; i++) {
        const ch = buf[i] as number;
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === 92) escaped = true;
          else if (ch === 34) inString = false;
          continue;
        }
        if (ch === 34) inString = true;
        else if (ch === 123 || ch === 91) {
          if (depth === 1) {
            if (ch !== 123) return null; // an item that is not an object
            openStart = i;
            if (batchStart < 0) batchStart = i;
          }
          depth++;
        } else if (ch === 125 || ch === 93) {
          depth--;
          if (depth === 1) {
            lastEnd = i;
            openStart = -1;
          } else if (depth === 0) {
            done = true;
            break;
          }
        } else if (depth === 1 && ch !== 44 && !isSpace(ch)) return null;
      }
      if (lastEnd >= 0) {
        let items: unknown[];
        try {
          items = JSON.parse(`[${buf.toString("utf8", batchStart, lastEnd + 1)}]`) as unknown[];
        } catch {
          return null;
        }
        for (const item of items) cols.push(toFill(item, index++, source));
      }
      if (done) {
        for (let j = i + 1; j < held; j++) if (!isSpace(buf[j] as number)) return null;
        // Trailing bytes past this read must be whitespace too.
        for (;;) {
          const m = readSync(fd, buf, 0, buf.length, null);
          if (m === 0) return cols;
          for (let j = 0; j < m; j++) if (!isSpace(buf[j] as number)) return null;
        }
      }
      if (n === 0) return null; // ended inside the array
      // Keep only the open item's bytes (or nothing) for the next read.
      const keep = openStart >= 0 ? openStart : held;
      buf.copy(buf, 0, keep, held);
      held -= keep;
      scanned = held;
      if (openStart >= 0) openStart = 0;
    }
  } finally {
    closeSync(fd);
  }
}

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 10 || ch === 13 || ch === 9;
}
