// `--since` (every read-only command's window) as a new user types a month or a year: refused,
// with the span in days to give. `1M` read as one minute (units were any case) and `3mo`, `1y`
// got the generic "expected a span" error with no word of what to write instead.
import { describe, expect, it } from "vitest";
import { parseSince } from "../../src/cli/span.js";
import { UsageError } from "../../src/core/errors.js";
import { runCli, tempDir } from "../helpers/cli.js";

const NOW = Date.UTC(2026, 11, 7, 12);

function refused(value: string): UsageError {
  try {
    parseSince(value, NOW, "hlcopy report --since 7d");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`--since ${value} was accepted`);
}

describe("--since in months or years", () => {
  it.each([
    ["1M", "M is no unit (m is minutes)", "--since 30d for 1 month"],
    ["3mo", "months and years are no unit", "--since 90d for 3 months"],
    ["2 months", "months and years are no unit", "--since 60d for 2 months"],
    ["1y", "months and years are no unit", "--since 365d for 1 year"],
    ["1Yr", "months and years are no unit", "--since 365d for 1 year"],
  ])("%s: refused, with the span in days", (value, why, days) => {
    const e = refused(value);
    expect(e.message).toBe(`invalid --since "${value}": ${why}`);
    expect(e.hint).toBe(`give it in days: ${days}, e.g. hlcopy report --since 7d`);
    expect(e.exitCode).toBe(2);
  });

  it("m, and the other units in any case, are still spans", () => {
    expect(parseSince("15m", NOW, "").spanMs).toBe(15 * 60_000);
    expect(parseSince("7D", NOW, "").spanMs).toBe(7 * 86_400_000);
    expect(parseSince("2H", NOW, "").spanMs).toBe(2 * 3_600_000);
  });

  it("through the CLI: exit 2, the contract's two lines", async () => {
    const r = await runCli(
      ["--account", "0x5e9ee1089755c3435139848e47e6635505d5a13a", "report", "--since", "1M"],
      { env: { HLCOPY_CONFIG_DIR: tempDir("hlcopy-since-") } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: invalid --since "1M": M is no unit (m is minutes)\nhint: give it in days: --since 30d for 1 month, e.g. hlcopy report --since 7d\n',
    );
    expect(r.stdout).toBe("");
  });
});
