// `scan --file` given what it cannot read: said in words, as backtest says it of its files — a
// directory read "cannot read address file /tmp: EISDIR".
import { mkdtempSync } from "node:fs";
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
