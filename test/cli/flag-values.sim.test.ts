// Flags as a trader types them, through the real binary against the simulator: a flag that
// takes one value is given once, numbers are plain decimals, a history span has a bound, a
// file name is not empty. Each mistake is exit 2 with the contract's two lines, before anything
// is read from or sent to the exchange and before anything is written.

import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type ScriptedLeader, startScriptedLeader } from "../../src/sim/leader.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir, unwrapped } from "../helpers/cli.js";

let sim: SimHandle;
let leader: ScriptedLeader;
let follower: { account: Address; agentKey: string };

beforeAll(async () => {
  sim = await startSim({ seed: 43, tickMs: 0 });
  leader = await startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: 4301,
    ratePerSec: 50,
    maxTrades: 6,
    notionalUsd: [20_000, 40_000],
    fundUsd: 1_000_000,
  });
  await leader.done;
  const f = await masterWithAgent(sim, 20_000);
  follower = { account: f.master.address, agentKey: f.agentKey };
}, 30_000);
afterAll(async () => {
  await leader?.stop();
  await sim?.close();
});

const requests = () => {
  const { info, exchange } = sim.control.stats().requests;
  return { info, exchange };
};

/**
 * hlcopy as the follower, with a fresh config directory: its exit code, its stderr, and what it
 * left behind (files in the config directory, requests the exchange received).
 */
async function hlcopy(args: string[]) {
  const dir = tempDir();
  const before = requests();
  // backtest and scan refuse --account (they judge at --equity, never the account's value).
  const account = args[0] === "backtest" || args[0] === "scan" ? [] : ["--account", follower.account];
  const r = await runCli(["--network", sim.httpUrl, ...account, ...args], {
    env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: follower.agentKey },
  });
  const after = requests();
  return {
    code: r.code,
    stderr: r.stderr,
    files: readdirSync(dir),
    requests: { info: after.info - before.info, exchange: after.exchange - before.exchange },
  };
}

/** A refusal: exit 2, these two lines, nothing read or sent, nothing written. */
const refused = (error: string, hint: string) => ({
  code: 2,
  stderr: `error: ${error}\nhint: ${hint}\n`,
  files: [],
  requests: { info: 0, exchange: 0 },
});

describe("a flag that takes one value is given once", () => {
  it("a setting flag given twice is exit 2 naming both values: the last one does not silently win", async () => {
    const cases: [string[], string, string][] = [
      [["--mode", "fixed-ratio", "--ratio", "0.05", "--ratio", "0.5"], "--ratio", "0.05 and 0.5"],
      [["--multiplier", "0.1", "--multiplier=5"], "--multiplier", "0.1 and 5"],
      [["--mode", "fixed-ratio", "--mode", "equity-ratio"], "--mode", "fixed-ratio and equity-ratio"],
      [["--max-leverage", "1", "--max-leverage", "40"], "--max-leverage", "1 and 40"],
      [["--allow-coins", "BTC", "--allow-coins", "ETH,SOL"], "--allow-coins", "BTC and ETH,SOL"],
    ];
    for (const [flags, flag, values] of cases) {
      // A live reconcile confirmed with --yes: it would have traded at once.
      expect(await hlcopy(["reconcile", leader.address, "--yes", ...flags]), flag).toEqual(
        refused(
          `${flag} is given twice (${values})`,
          `give ${flag} once (an alias or script may add it too)`,
        ),
      );
    }
  });

  it("the same for the other flags that pick what is traded: --network, --account, --equity, --paper-equity", async () => {
    expect(await hlcopy(["reconcile", leader.address, "--dry-run", "--network", "testnet"])).toEqual(
      refused(
        `--network is given twice (${sim.httpUrl} and testnet)`,
        "give --network once (an alias or script may add it too)",
      ),
    );
    const other = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
    expect(await hlcopy(["reconcile", leader.address, "--dry-run", "--account", other])).toEqual(
      refused(
        `--account is given twice (${follower.account} and ${other})`,
        "give --account once (an alias or script may add it too)",
      ),
    );
    expect(await hlcopy(["inspect", leader.address, "--equity", "500", "--equity", "50000"])).toEqual(
      refused(
        "--equity is given twice (500 and 50000)",
        "give --equity once (an alias or script may add it too)",
      ),
    );
    expect(
      await hlcopy(["follow", leader.address, "--paper", "--paper-equity", "1000", "--paper-equity", "9"]),
    ).toEqual(
      refused(
        "--paper-equity is given twice (1000 and 9)",
        "give --paper-equity once (an alias or script may add it too)",
      ),
    );
  });
});

describe("numbers a flag takes are plain decimals, as the settings' are", () => {
  const RULE =
    "numbers are plain decimals (digits and an optional fraction: no hex, exponent, spaces or units)";

  it("inspect, scan and backtest: --equity, --leader-equity and --delay-ms refuse 0x10, 1e3 and ' 5'", async () => {
    for (const bad of ["0x10", "1e3", " 5"]) {
      expect(await hlcopy(["inspect", leader.address, "--equity", bad]), bad).toEqual(
        refused(`invalid --equity "${bad}": ${RULE}; expected a number > 0`, "e.g. --equity 1000"),
      );
      expect(await hlcopy(["scan", leader.address, "--equity", bad]), bad).toEqual(
        refused(`invalid --equity "${bad}": ${RULE}; expected a number > 0`, "e.g. --equity 2000"),
      );
      expect(await hlcopy(["backtest", leader.address, "--equity", bad]), bad).toEqual(
        refused(`invalid --equity "${bad}": ${RULE}; expected a number > 0`, "e.g. --equity 1000"),
      );
      expect(await hlcopy(["backtest", leader.address, "--delay-ms", bad]), bad).toEqual(
        refused(
          `invalid --delay-ms "${bad}": ${RULE}; expected an integer ≥ 0 and ≤ 86400000`,
          "e.g. --delay-ms 500",
        ),
      );
    }
    // --leader-equity is a list (one amount per leader): spaces around its commas separate.
    for (const bad of ["0x10", "1e3"]) {
      expect(await hlcopy(["backtest", leader.address, "--leader-equity", bad]), bad).toEqual(
        refused(
          `invalid --leader-equity "${bad}": ${RULE}; expected a number > 0`,
          "e.g. --leader-equity 250000",
        ),
      );
    }
  });

  it("follow --paper --paper-equity 0x10 runs no $16 account", async () => {
    expect(await hlcopy(["follow", leader.address, "--paper", "--no-ui", "--paper-equity", "0x10"])).toEqual(
      refused(`invalid --paper-equity "0x10": ${RULE}; expected a number > 0`, "e.g. --paper-equity 5000"),
    );
  });

  it("demo --speed 0x10 and agent approve --valid-days ' 30' are refused the same way", async () => {
    expect(await hlcopy(["demo", "--speed", "0x10"])).toEqual(
      refused(
        `invalid --speed "0x10": ${RULE}; expected a number > 0 and ≤ 50`,
        "1 is 2 leader trades a second; try --speed 3",
      ),
    );
    expect(await hlcopy(["agent", "approve", "--valid-days", " 30"])).toEqual(
      refused(
        `invalid --valid-days " 30": ${RULE}; expected a whole number of days from 1 to 180`,
        "e.g. --valid-days 90",
      ),
    );
  });
});

describe("a history span has a bound", () => {
  it("--since 99999d is exit 2 with the range and an example, in inspect, backtest and scan", async () => {
    const error = 'invalid --since "99999d": longer than 3650d (10 years)';
    const hint = (example: string) =>
      `give a span up to 3650d (that reaches all of the exchange's history), e.g. ${example}`;
    expect(await hlcopy(["inspect", leader.address, "--since", "99999d"])).toEqual(
      refused(error, hint("hlcopy inspect 0x… --since 7d")),
    );
    expect(await hlcopy(["backtest", leader.address, "--since", "99999d"])).toEqual(
      refused(error, hint("hlcopy backtest 0x… --since 7d")),
    );
    expect(await hlcopy(["scan", leader.address, "--since", "99999d"])).toEqual(
      refused(error, hint("hlcopy scan --file leaders.txt --since 30d")),
    );
    expect(await hlcopy(["inspect", leader.address, "--days", "99999"])).toEqual(
      refused('invalid --days "99999": expected a number > 0 and ≤ 3650', "e.g. --days 30"),
    );
  });

  it("the journal's, status's and report's --since have the same bound (the journal's had none)", async () => {
    const error = 'invalid --since "99999d": longer than 3650d (10 years)';
    const hint = (example: string) =>
      `give a span up to 3650d (that reaches all of the exchange's history), e.g. ${example}`;
    expect(await hlcopy(["journal", "--since", "99999d"])).toEqual(
      refused(error, hint("hlcopy journal --since 1h")),
    );
    expect(await hlcopy(["journal", "--since", "522w"])).toEqual(
      refused('invalid --since "522w": longer than 3650d (10 years)', hint("hlcopy journal --since 1h")),
    );
    expect(await hlcopy(["status", "--since", "99999d"])).toEqual(
      refused(error, hint("hlcopy status --since 1h")),
    );
    expect(await hlcopy(["report", "--since", "99999d"])).toEqual(
      refused(error, hint("hlcopy report --since 7d")),
    );
    // The longest span and an ISO time still read the journal.
    for (const since of ["3650d", "2025-01-02"])
      expect(
        (
          await runCli(
            ["--network", sim.httpUrl, "--account", follower.account, "journal", "--since", since],
            {
              env: { HLCOPY_CONFIG_DIR: tempDir() },
            },
          )
        ).code,
        since,
      ).toBe(0);
  });

  it("--since 3650d, the longest, reads the leader's whole history", async () => {
    const r = await hlcopy(["inspect", leader.address, "--since", "3650d", "--json"]);
    expect(r.code).toBe(0);
    // Broken to 80 columns (stderr is a pipe here): the words joined again.
    expect(unwrapped(r.stderr)).toContain(`fetching fills of ${leader.address} for the last 3650 days…`);
    expect(r.stderr.split("\n").every((l) => l.length <= 80)).toBe(true);
  });
});

describe("--since: one grammar in every command", () => {
  // Each command with its hint's example (the same error, the command's own example); one test
  // per command, so that a loaded machine's slow network reads count against no other's time.
  const commands: [string, () => string[], string][] = [
    ["journal", () => ["journal"], "hlcopy journal --since 1h"],
    ["status", () => ["status"], "hlcopy status --since 1h"],
    ["report", () => ["report"], "hlcopy report --since 7d"],
    ["inspect", () => ["inspect", leader.address], "hlcopy inspect 0x… --since 7d"],
    ["scan", () => ["scan", leader.address], "hlcopy scan --file leaders.txt --since 30d"],
    ["backtest", () => ["backtest", leader.address], "hlcopy backtest 0x… --since 7d"],
  ];
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  // The journal's commands read no exchange: every form; the history commands fetch: a date.
  const reads = (name: string) => ["inspect", "scan", "backtest"].includes(name);

  for (const [name, args, example] of commands) {
    it(`${name}: a UTC date and an ISO time are taken as the journal took them (report and status refused dates before)`, async () => {
      const yesterday = day(Date.now() - 86_400_000);
      const forms = reads(name)
        ? [yesterday]
        : [yesterday, `${yesterday}T09:30`, `${yesterday}T09:30:00+02:00`];
      for (const since of forms) {
        const r = await hlcopy([...args(), "--since", since, "--json"]);
        expect(r.code, `${name} --since ${since}: ${r.stderr}`).toBe(0);
      }
    });

    it(`${name}: a bare number, a day the calendar lacks, a future time, one 10 years back and a word are refused alike`, async () => {
      const future = day(Date.now() + 2 * 86_400_000);
      expect(await hlcopy([...args(), "--since", "6"]), `${name} 6`).toEqual(
        refused(
          'invalid --since "6": a bare number has no unit',
          `say 6h or 6d (or give a date such as 2026-12-01), e.g. ${example}`,
        ),
      );
      for (const bad of ["2026-02-30", "soon"])
        expect(await hlcopy([...args(), "--since", bad]), `${name} ${bad}`).toEqual(
          refused(
            `invalid --since "${bad}": expected a span back from now (30s, 15m, 1h, 2d, 1w) or a date or time in UTC (2026-12-01, 2026-12-01T09:30)`,
            `e.g. ${example}, or --since 2026-12-01`,
          ),
        );
      const r = await hlcopy([...args(), "--since", future]);
      expect(r.code, `${name} ${future}`).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: invalid --since "${future}": in the future \\(now is .+ UTC\\)\nhint: give a time before now, or a span back from now, e\\.g\\. `,
        ),
      );
      expect(r.requests).toEqual({ info: 0, exchange: 0 });
      expect(await hlcopy([...args(), "--since", "2000-01-01"]), `${name} 2000-01-01`).toEqual(
        refused(
          'invalid --since "2000-01-01": longer than 3650d (10 years)',
          `give a span up to 3650d (that reaches all of the exchange's history), e.g. ${example}`,
        ),
      );
    });
  }
});

describe("report --csv needs a file name", () => {
  it('--csv "" and --csv= are exit 2, not a report that silently writes no file', async () => {
    for (const args of [["--csv", ""], ["--csv="]]) {
      expect(await hlcopy(["report", ...args]), args.join(" ")).toEqual(
        refused(
          'invalid --csv "": expected a file name',
          "e.g. hlcopy report --since 30d --csv copy.csv (orders and funding go beside it)",
        ),
      );
    }
  });
});
