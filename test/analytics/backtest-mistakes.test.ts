// `backtest` as a new user mistypes it, refused (exit 2, the contract's two lines, nothing on
// stdout) before anything is replayed. Before: `--compare kelly,kelly` printed two identical
// columns read as two results, `kelly+equity-ratio` replayed equity-ratio under a label naming
// kelly; a half spread of 50000 bps priced sells below zero, a delay of 99999999999999 ms ran
// the replay to the year 5192 — each exit 0 with figures.
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { TRACE_FILE } from "./helpers.js";

const run = (args: string[]) =>
  runCli(["backtest", "--fills", TRACE_FILE, ...args], {
    env: { HLCOPY_CONFIG_DIR: tempDir("hlcopy-backtest-") },
  });
const backtest = (compare: string) => run(["--compare", compare]);

describe("backtest --compare mistakes", () => {
  const cases: [string, string, string][] = [
    [
      "kelly,kelly",
      'error: invalid --compare: the column "kelly" is listed twice',
      "hint: list each column once: --compare kelly",
    ],
    [
      "kelly,fixed-ratio,Kelly",
      'error: invalid --compare: the column "kelly" is listed twice',
      "hint: list each column once: --compare kelly,fixed-ratio",
    ],
    [
      "copy-delay-minutes=5,copy-delay-minutes=5.0",
      'error: invalid --compare: the columns "copy-delay-minutes=5" and "copy-delay-minutes=5.0" are the same settings',
      "hint: list each column once: --compare copy-delay-minutes=5",
    ],
    [
      "kelly+equity-ratio",
      'error: invalid --compare column "kelly+equity-ratio": it sets sizing.mode twice, and a column replays one value of each setting',
      "hint: one value per column, the columns apart: e.g. --compare kelly,equity-ratio",
    ],
    [
      "entry=passive+copy-delay-minutes=1+entry=ioc",
      'error: invalid --compare column "entry=passive+copy-delay-minutes=1+entry=ioc": it sets exec.entry twice, and a column replays one value of each setting',
      "hint: one value per column, the columns apart: e.g. --compare entry=passive,copy-delay-minutes=1,entry=ioc",
    ],
  ];
  for (const [compare, error, hint] of cases) {
    it(`--compare ${compare}: refused, said in two lines, exit 2`, async () => {
      const r = await backtest(compare);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${error}\n${hint}\n`);
      expect(r.stdout).toBe("");
    });
  }

  it("distinct columns still run side by side", async () => {
    const r = await backtest("kelly,equity-ratio+copy-delay-minutes=1,equity-ratio");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Side by side");
  });
});

describe("backtest friction flags out of range", () => {
  const cases: [string[], string, string][] = [
    [
      ["--fee-bps", "20000"],
      'error: invalid --fee-bps "20000": expected a number ≥ 0 and ≤ 1000',
      "hint: e.g. --fee-bps 4.5",
    ],
    [
      ["--spread-bps", "50000"],
      'error: invalid --spread-bps "50000": expected a number ≥ 0 and ≤ 1000',
      "hint: e.g. --spread-bps 1",
    ],
    [
      ["--delay-ms", "99999999999999"],
      'error: invalid --delay-ms "99999999999999": expected an integer ≥ 0 and ≤ 86400000',
      "hint: e.g. --delay-ms 500",
    ],
  ];
  for (const [args, error, hint] of cases) {
    it(`${args.join(" ")}: refused, said in two lines, exit 2`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${error}\n${hint}\n`);
      expect(r.stdout).toBe("");
    });
  }

  it("at the bounds they still replay", async () => {
    const r = await run(["--fee-bps", "1000", "--spread-bps", "1000", "--delay-ms", "86400000"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("taker fee 1000.00 bps");
  });
});
