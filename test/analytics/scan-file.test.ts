// `scan --file` given what it cannot read: said in words, as backtest says it of its files — a
// directory read "cannot read address file /tmp: EISDIR".
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScanCommand } from "../../src/cli/scan/run.js";
import { UsageError } from "../../src/core/errors.js";
import { defaultSettings } from "../../src/core/settings.js";
import { cassetteSource, sink } from "./helpers.js";

describe("scan --file it cannot read", () => {
  it("a directory: 'is a directory', exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-scan-file-"));
    const error = await runScanCommand({
      addresses: [],
      file: dir,
      settings: defaultSettings(),
      json: false,
      csv: false,
      excludeLiquidated: false,
      consensus: false,
      source: cassetteSource(),
      configDir: dir,
      out: sink(),
      err: sink(),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`cannot read address file ${dir}: is a directory`);
    expect((error as UsageError).exitCode).toBe(2);
  });
});

describe("scan given a leader more than once", () => {
  it("scans it once and says so: the ranking's count is not the list's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-scan-twice-"));
    const file = join(dir, "leaders.txt");
    const a = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
    const b = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
    // A leaderboard export names a twice (in another case); b is given on the command line too.
    writeFileSync(file, `${a}\n${b}\n${a.toUpperCase().replace("0X", "0x")}\n`);
    const err = sink();
    // The recorded fills' own time: a window that holds them.
    const fills = await cassetteSource().getFillsByTime(a, 0);
    const now = Math.max(...fills.map((f) => (f as { time: number }).time)) + 86_400_000;
    const report = await runScanCommand({
      now,
      addresses: [b],
      file,
      settings: defaultSettings(),
      json: true,
      csv: false,
      excludeLiquidated: false,
      consensus: false,
      source: cassetteSource(),
      configDir: dir,
      out: sink(),
      err,
    });
    const scanned = [
      ...report.leaders.map((r) => r.address),
      ...report.noTrades,
      ...report.excluded.map((x) => x.address),
    ];
    expect(scanned.map((x) => x.toLowerCase()).sort()).toEqual([a, b].sort());
    expect(err.text()).toContain(
      "note: 2 leader(s) listed more than once, scanned once each: 0xb7b6…17b2 ×2, 0x5e9e…a13a ×2\n",
    );
  });
});
