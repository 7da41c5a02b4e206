import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FillColumns, readFillsFile } from "../../src/analytics/columns.js";
import { sortFills } from "../../src/analytics/fills.js";
import { syntheticFills, toWireFill } from "../../src/analytics/synthetic.js";
import { type Fill, parseFillsJson } from "../../src/analytics/wire.js";
import { UsageError } from "../../src/core/errors.js";
import { loadTrace } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "hlcopy-columns-"));
let n = 0;
function file(text: string): string {
  const f = join(dir, `f${n++}.json`);
  writeFileSync(f, text);
  return f;
}

/** The columns read back as fills (dir and hash are not kept). */
function rows(c: FillColumns): Fill[] {
  return Array.from({ length: c.length }, (_, i) => {
    const { dir: _d, hash: _h, ...rest } = c.row(i);
    return { ...rest, dir: "", hash: "" } as Fill;
  });
}
const strip = (fills: Fill[]) => fills.map((f) => ({ ...f, dir: "", hash: "" }));

// Streamed from the first byte, through reads of a few bytes: every item straddles reads.
const STREAM = { streamFrom: 0, chunk: 37 };

describe("reading fills into columns", () => {
  it("a streamed file gives the fills parseFillsJson gives, in file order", () => {
    const text = JSON.stringify(syntheticFills({ fills: 300, seed: 2 }).map(toWireFill), null, 1);
    const f = file(text);
    expect(rows(readFillsFile(f, f, STREAM))).toEqual(strip(parseFillsJson(text, f)));
    expect(rows(readFillsFile(f, f, { streamFrom: 0, chunk: 1 << 20 }))).toEqual(
      strip(parseFillsJson(text, f)),
    );
  });

  it("the reference trace (liquidation objects, crossed flags) reads the same streamed or whole", () => {
    const trace = loadTrace();
    const f = file(JSON.stringify(trace));
    expect(rows(readFillsFile(f, f, STREAM))).toEqual(strip(trace));
    expect(rows(readFillsFile(f))).toEqual(strip(trace));
  });

  it("strings holding braces, brackets, escaped quotes and non-ASCII text do not split items", () => {
    const base = toWireFill(syntheticFills({ fills: 1, seed: 1 })[0] as Fill);
    const items = [
      { ...base, dir: 'Open } { ] [ "Long"', hash: "\\\\" },
      { ...base, coin: "kPEPE", dir: "Überlong ✓", liquidation: { method: "market", markPx: "1" } },
    ];
    const text = JSON.stringify(items);
    const f = file(text);
    expect(rows(readFillsFile(f, f, { streamFrom: 0, chunk: 16 }))).toEqual(strip(parseFillsJson(text, f)));
  });

  it("a cassette, a bad fill and broken JSON give the whole-file parser's result or error", () => {
    const fills = syntheticFills({ fills: 5, seed: 3 });
    const cassette = file(JSON.stringify({ request: {}, response: fills.map(toWireFill) }));
    expect(rows(readFillsFile(cassette, cassette, STREAM))).toEqual(strip(fills));
    const bad = fills.map(toWireFill);
    (bad[3] as Record<string, unknown>).px = "12abc";
    const badFile = file(JSON.stringify(bad));
    expect(() => readFillsFile(badFile, "b.json", STREAM)).toThrow(UsageError);
    expect(() => readFillsFile(badFile, "b.json", STREAM)).toThrow(/fill #3\.px/);
    const cut = file(JSON.stringify(fills.map(toWireFill)).slice(0, -40));
    expect(() => readFillsFile(cut, "c.json", STREAM)).toThrow(
      /c\.json is not a valid fills file \(not JSON/,
    );
    const trailing = file(`${JSON.stringify(fills.map(toWireFill))} x`);
    expect(() => readFillsFile(trailing, "t.json", STREAM)).toThrow(/not JSON/);
    const empty = file(" [ ] ");
    expect(readFillsFile(empty, "e.json", STREAM).length).toBe(0);
  });

  it("replay order: time, then tid, then file order, as sortFills", () => {
    const fills = syntheticFills({ fills: 500, seed: 6 });
    const shuffled = [...fills].reverse();
    const c = FillColumns.from(shuffled);
    const order = Array.from(c.sortedOrder(), (i) => shuffled[i]);
    expect(order).toEqual(sortFills(shuffled));
  });
});
