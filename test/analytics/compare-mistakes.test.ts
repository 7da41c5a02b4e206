// `backtest --compare` as a new user mistypes it: a column listed twice (in any spelling) or a
// setting given twice in one column is refused (exit 2, the contract's two lines, nothing on
// stdout) before anything is replayed. Before, `kelly,kelly` printed two identical columns read
// as two results, and `kelly+equity-ratio` replayed equity-ratio under a label naming kelly.
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { TRACE_FILE } from "./helpers.js";

const backtest = (compare: string) =>
  runCli(["backtest", "--fills", TRACE_FILE, "--compare", compare], {
    env: { HLCOPY_CONFIG_DIR: tempDir("hlcopy-compare-") },
  });

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
