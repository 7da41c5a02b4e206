// The inspect and backtest commands, run in-process: reports, JSON, progress on stderr,
// and every bad input as a UsageError with a hint.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { register as registerBacktest } from "../../src/cli/backtest/command.js";
import { runBacktestCommand } from "../../src/cli/backtest/run.js";
import { register as registerInspect } from "../../src/cli/inspect/command.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { UsageError } from "../../src/core/errors.js";
import { defaultSettings } from "../../src/core/settings.js";
import { tempDir } from "../helpers/cli.js";
import { cassetteSource, META_FILE, sink, TRACE_FILE } from "./helpers.js";

/** The text's lines whole: these tests read their words (backtest-funding.test.ts pins the breaking at 80 columns). */
const WHOLE = Number.POSITIVE_INFINITY;

const LEADER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
const NOW = 1683245884863 + 60_000;

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("backtest command", () => {
  it("prints the side-by-side report for a fills file", async () => {
    const out = sink();
    const err = sink();
    await runBacktestCommand({
      width: WHOLE,
      fillsFile: TRACE_FILE,
      metaFile: META_FILE,
      equity: "1000",
      settings: defaultSettings(),
      json: false,
      out,
      err,
    });
    const text = out.text();
    for (const s of [
      "500 fills",
      "target-state (hlcopy)",
      "naive fill-by-fill",
      "tracking error",
      "Skipped by the planner: below-min-notional",
      "fewer orders",
      "P&L, target-state copy",
    ]) {
      expect(text).toContain(s);
    }
    // The modelled copy delay in the one form of a duration (fmtMs), as status's copy lag: it read "500 ms".
    expect(text).toContain("copy delay 500ms\n");
    // The chart's axis a P&L as every P&L is written (fmtUsdSigned: -$64.68), not -64.68.
    const axis = text
      .slice(text.indexOf("P&L, target-state copy"))
      .split("\n")
      .flatMap((l) => /^ *(\S+) ┤/.exec(l)?.[1] ?? []);
    expect(axis).toHaveLength(2);
    for (const label of axis) expect(label).toMatch(/^([+-]\$|\$)\d{1,3}(,\d{3})*\.\d\d$/);
    expect(err.text()).toBe("");
  });

  it("--json prints one JSON document", async () => {
    const out = sink();
    await runBacktestCommand({
      width: WHOLE,
      fillsFile: TRACE_FILE,
      equity: 1000,
      delayMs: "0",
      depthUsd: "none",
      settings: defaultSettings(),
      json: true,
      out,
    });
    const doc = JSON.parse(out.text());
    expect(doc.result.fills).toBe(500);
    expect(doc.result.friction).toEqual({
      takerFee: 0.00045,
      book: { halfSpreadBps: 1, depthUsdPerBps: null },
      delayMs: 0,
    });
    expect(out.text().trim().split("\n")).toHaveLength(1);
  });

  it("fetches by address through the source, progress on stderr only", async () => {
    const out = sink();
    const err = sink();
    const report = await runBacktestCommand({
      width: WHOLE,
      address: LEADER,
      days: "1",
      now: NOW,
      settings: defaultSettings(),
      json: true,
      source: cassetteSource(),
      out,
      err,
    });
    expect(report.result.fills).toBe(500);
    expect(report.result.leader.equitySource).toBe("given");
    expect(JSON.parse(out.text()).leader).toBe(LEADER);
    expect(err.text()).toContain("fetching fills");
  });

  it("bad input is a usage error with a hint", async () => {
    const base = { settings: defaultSettings(), json: false, out: sink() };
    const garbage = join(tempDir(), "garbage.json");
    writeFileSync(garbage, "not json at all");
    const cases: [Parameters<typeof runBacktestCommand>[0], string][] = [
      [{ ...base }, "nothing to replay"],
      [{ ...base, address: LEADER, fillsFile: TRACE_FILE }, "not both"],
      [
        { ...base, fillsFile: "/nonexistent/fills.json" },
        "cannot read fills file /nonexistent/fills.json: no such file",
      ],
      [{ ...base, fillsFile: garbage }, "is not a valid fills file (not JSON"],
      [{ ...base, fillsFile: TRACE_FILE, equity: "-5" }, 'invalid --equity "-5": expected a number > 0'],
      [{ ...base, fillsFile: TRACE_FILE, equity: "lots" }, 'invalid --equity "lots"'],
      [{ ...base, fillsFile: TRACE_FILE, delayMs: "1.5" }, "expected an integer ≥ 0"],
      [{ ...base, address: "0x123", source: cassetteSource() }, 'invalid leader address "0x123"'],
    ];
    for (const [opts, message] of cases) {
      const e = await usageError(runBacktestCommand(opts));
      expect(e.message).toContain(message);
      expect(e.hint).toBeTruthy();
      expect(e.exitCode).toBe(2);
    }
    const empty = join(tempDir(), "empty.json");
    writeFileSync(empty, "[]");
    expect(
      (await usageError(runBacktestCommand({ width: WHOLE, ...base, fillsFile: empty }))).message,
    ).toContain("no fills to replay");
  });
});

describe("inspect command", () => {
  it("prints tables, charts, copyability and a verdict", async () => {
    const out = sink();
    const err = sink();
    const report = await runInspectCommand({
      address: LEADER,
      days: 1,
      equity: "1000",
      settings: defaultSettings(),
      json: false,
      source: cassetteSource(),
      now: NOW,
      out,
      err,
    });
    const text = out.text();
    for (const s of [
      "win rate",
      "profit factor",
      "max drawdown",
      "Sharpe (daily)",
      "orders / day",
      "holding time",
      "leverage",
      "long / short",
      "style",
      "high-frequency",
      "SUI",
      "Cumulative net realized P&L",
      "Holding time of closed positions",
      "Copyability at $1,000",
      "below the $10 minimum",
      "Verdict: avoid",
    ]) {
      expect(text).toContain(s);
    }
    expect(report.copyability?.verdict.level).toBe("avoid");
    expect(err.text()).toContain("fills: 500");
    expect(text).not.toContain("fetching");
  });

  it("kelly and risk-parity, judged at their equity ratio, say so (text and --json); the other modes add no note", async () => {
    for (const mode of ["kelly", "risk-parity", "equity-ratio", "fixed-ratio"] as const) {
      const settings = defaultSettings();
      settings.sizing.mode = mode;
      const out = sink();
      const report = await runInspectCommand({
        address: LEADER,
        days: 1,
        equity: "1000",
        settings,
        json: false,
        source: cassetteSource(),
        now: NOW,
        out,
        err: sink(),
      });
      const said = `sizing mode ${mode} is judged at the equity ratio it scales`;
      if (mode === "kelly" || mode === "risk-parity") {
        expect(out.text()).toContain(`note: ${said}`);
        expect(report.warnings.join("\n")).toContain(`hlcopy backtest --mode ${mode} replays it`);
      } else expect(out.text()).not.toContain("is judged at the equity ratio");
    }
  });

  it("--json: one document; equity from the follower account when --equity is absent", async () => {
    const out = sink();
    await runInspectCommand({
      address: LEADER,
      days: 1,
      account: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
      settings: defaultSettings(),
      json: true,
      source: cassetteSource(),
      now: NOW,
      out,
      err: sink(),
    });
    const doc = JSON.parse(out.text());
    expect(doc.equitySource).toBe("account");
    expect(doc.copyability.equity).toBeCloseTo(1182.312496, 6);
    expect(doc.metrics.counts.fills).toBe(500);
  });

  it("bad address, days or equity are usage errors", async () => {
    const base = {
      settings: defaultSettings(),
      json: false,
      source: cassetteSource(),
      out: sink(),
      err: sink(),
    };
    expect((await usageError(runInspectCommand({ ...base, address: "nope" }))).message).toContain(
      "invalid leader address",
    );
    expect((await usageError(runInspectCommand({ ...base, address: LEADER, days: "0" }))).message).toContain(
      "invalid --days",
    );
    expect(
      (await usageError(runInspectCommand({ ...base, address: LEADER, equity: "-1" }))).message,
    ).toContain("invalid --equity");
  });

  it("a leader with no fill in the window (never traded) is refused with a hint, text and --json alike — no report of zeros", async () => {
    for (const json of [false, true]) {
      const out = sink();
      const e = await usageError(
        runInspectCommand({
          address: LEADER,
          days: 1,
          equity: "1000",
          settings: defaultSettings(),
          json,
          source: cassetteSource({ getFillsByTime: async () => [] }),
          now: NOW,
          out,
          err: sink(),
        }),
      );
      expect(e.message).toBe(`no fills of ${LEADER} in the last 24 hours: nothing to analyse`);
      expect(e.hint).toContain("--since 90d");
      expect(e.exitCode).toBe(2);
      expect(out.text()).toBe("");
    }
  });
});

describe("command registration", () => {
  afterEach(() => vi.restoreAllMocks());
  const program = () => {
    const p = new Command("hlcopy")
      .option("--json")
      .option("--config-dir <dir>")
      .option("--network <n>")
      .option("--account <a>")
      .option("--debug")
      .exitOverride();
    registerBacktest(p);
    registerInspect(p);
    return p;
  };

  it("help has examples and the per-run setting flags", () => {
    for (const name of ["backtest", "inspect"]) {
      const cmd = program().commands.find((c) => c.name() === name);
      const help = cmd?.helpInformation() ?? "";
      expect(help).toContain("--max-leverage");
      expect(help).toContain("--equity");
    }
    let text = "";
    const backtest = program().commands.find((c) => c.name() === "backtest");
    backtest?.configureOutput({ writeOut: (s) => (text += s) });
    backtest?.outputHelp();
    expect(text).toContain("$ hlcopy backtest --fills fills.json --equity 1000");
  });

  it("a setting flag changes the replay through the planner", async () => {
    const run = async (extra: string[]) => {
      let written = "";
      vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
        written += String(s);
        return true;
      });
      await program().parseAsync([
        "node",
        "hlcopy",
        "--json",
        "--config-dir",
        tempDir(),
        "backtest",
        "--fills",
        TRACE_FILE,
        "--equity",
        "5000",
        ...extra,
      ]);
      vi.restoreAllMocks();
      return JSON.parse(written).result;
    };
    const base = await run([]);
    const denied = await run(["--deny-coins", "SUI,ETH"]);
    expect(base.targetState.byCoin.SUI.orders).toBeGreaterThan(0);
    expect(denied.targetState.byCoin.SUI).toBeUndefined();
    expect(denied.targetState.skipped["coin-denied"]).toBeGreaterThan(0);
  });
});

describe("a stop flag in a backtest", () => {
  afterEach(() => vi.restoreAllMocks());
  const run = async (extra: string[], configDir = tempDir()) => {
    const p = new Command("hlcopy").option("--json").option("--config-dir <dir>").exitOverride();
    registerBacktest(p);
    let written = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      written += String(s);
      return true;
    });
    await p.parseAsync([
      "node",
      "hlcopy",
      "--json",
      "--config-dir",
      configDir,
      "backtest",
      "--fills",
      TRACE_FILE,
      ...extra,
    ]);
    return JSON.parse(written) as { columns?: unknown[] };
  };

  it("is refused when no column sizes risk-per-trade: the replay rests no stops, it would change nothing", async () => {
    for (const flags of [
      ["--stop-loss-pct", "5"],
      ["--trailing-stop-pct", "3"],
      ["--stop-loss-pct", "5", "--compare", "equity-ratio,kelly"],
    ]) {
      const error = await run(flags).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe(
        `${flags[0]} only sizes risk-per-trade in a backtest (the replay rests no stops), but no column of this one sizes that way`,
      );
      expect((error as UsageError).hint).toMatch(/add --mode risk-per-trade \(or --compare modes\)/);
    }
  });

  it("acts where a column sizes risk-per-trade; off (none), or from the config file, it is not refused", async () => {
    await expect(run(["--stop-loss-pct", "5", "--mode", "risk-per-trade"])).resolves.toBeDefined();
    await expect(run(["--stop-loss-pct", "5", "--compare", "modes"])).resolves.toBeDefined();
    await expect(run(["--stop-loss-pct", "none"])).resolves.toBeDefined();
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ risk: { stopLossPct: 5 } }));
    await expect(run([], dir)).resolves.toBeDefined();
  });
});
