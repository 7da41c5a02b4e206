// Setting flags a command takes but could never act on are refused before anything is read:
// inspect and scan judge each leader trade at its own price from nothing held, a backtest starts
// from nothing held, and alerts test posts one message (the real binary; a closed port as the
// network, so a flag that got through would end on the connection, not exit 2).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/bundle/main.js")))
    throw new Error("run `npm run build` first (npm test does)");
});

const LEADER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const OTHER_LEADER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
const NOWHERE = [
  "--network",
  "http://127.0.0.1:9",
  "--account",
  "0x1111111111111111111111111111111111111111",
];

// backtest and scan refuse --account (they judge at --equity, never the account's value).
const run = (args: string[]) =>
  runCli([
    ...(args[0] === "backtest" || args[0] === "scan" ? NOWHERE.slice(0, 2) : NOWHERE),
    "--config-dir",
    tempDir(),
    ...args,
  ]);

describe("setting flags a command never acts on", () => {
  it("inspect and scan: --slippage-bps, --max-entry-drift-bps, --close-denied are exit 2 naming why and where they act", async () => {
    for (const command of ["inspect", "scan"]) {
      for (const [flag, value, why, where] of [
        ["--slippage-bps", "50", "where that limit never binds", "hlcopy backtest 0x… --slippage-bps 50"],
        [
          "--max-entry-drift-bps",
          "1",
          "so it never moves from it",
          "reconcile 0x… --dry-run --max-entry-drift-bps 50",
        ],
        ["--close-denied", "true", `${command} starts from nothing held`, "give it to reconcile or follow"],
      ] as const) {
        const r = await run([command, LEADER, flag, value]);
        expect(r.code, `${command} ${flag}`).toBe(2);
        const [error = "", hint = "", ...rest] = r.stderr.split("\n");
        expect(error).toMatch(new RegExp(`^error: ${flag} .*, but ${command} `));
        expect(error).toContain(why);
        expect(hint).toMatch(/^hint: /);
        expect(hint).toContain(where);
        expect(hint).toContain(`or drop ${flag}`);
        expect(rest.join("")).toBe("");
        expect(r.stdout).toBe("");
      }
    }
  });

  it("backtest: --close-denied true is exit 2 (a replay never holds a denied coin); --close-denied false and the flags it acts on are not refused", async () => {
    const refused = await run(["backtest", LEADER, "--deny-coins", "BTC", "--close-denied", "true"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: --close-denied closes positions you hold in denied coins, but a backtest starts from nothing held and never opens a denied coin\nhint: .*or drop --close-denied\n$/,
    );
    // Acted on (or the default): these get past the flags to the next check, a bad --since.
    for (const flags of [
      ["--close-denied", "false"],
      ["--slippage-bps", "50"],
      ["--max-entry-drift-bps", "10"],
    ]) {
      const r = await run(["backtest", LEADER, OTHER_LEADER, ...flags, "--since", "0d"]);
      expect(r.code, flags.join(" ")).toBe(2);
      expect(r.stderr, flags.join(" ")).toMatch(/^error: invalid --since "0d"/);
    }
  });

  it("backtest of one leader: --max-entry-drift-bps is exit 2 before anything is fetched (the replay's price at a copy is that leader's own fill, so the gate never closes); several leaders replay it", async () => {
    const why =
      /^error: --max-entry-drift-bps skips an increase once the price has moved from the leader's, but a backtest of one leader prices each coin by that leader's own fills, so it never moves from them\nhint: it acts live: hlcopy reconcile 0x… --dry-run --max-entry-drift-bps 50 shows what it would skip now .*or drop --max-entry-drift-bps\n$/;
    for (const args of [
      [LEADER, "--max-entry-drift-bps", "10"],
      [LEADER, "--compare", "max-entry-drift-bps=0,max-entry-drift-bps=50"],
    ]) {
      const r = await run(["backtest", ...args, "--since", "7d"]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(why);
    }
    // Two leaders: past the check, to the next one — the funding file, read before any fetch.
    const two = await run([
      "backtest",
      LEADER,
      OTHER_LEADER,
      "--max-entry-drift-bps",
      "10",
      "--since",
      "7d",
      "--funding",
      join(tempDir(), "missing.json"),
    ]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^error: cannot read funding file .*missing\.json: no such file\n/);
  });

  it("alerts test: --alert-drift-minutes and --alert-ws-down-seconds are exit 2 (one test message has no thresholds), and not offered in its help", async () => {
    for (const flag of ["--alert-drift-minutes", "--alert-ws-down-seconds"]) {
      const r = await run(["alerts", "test", "--alert-webhook", "http://127.0.0.1:9/hook", flag, "30"]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: ${flag} sets when a running follow alerts on .*, but alerts test only posts one test message\\nhint: give it to hlcopy follow, or store it .*or drop ${flag}\\n$`,
        ),
      );
    }
    const help = await runCli(["alerts", "test", "--help"]);
    expect(help.stdout).not.toContain("--alert-drift-minutes");
    expect(help.stdout).toContain("--alert-webhook");
    // Its help shows no refusal examples of flags it does not take.
    expect(help.stdout).not.toContain("--max-leverage 0x10");
  });

  it("help: inspect and scan no longer offer the three; backtest no longer offers --close-denied", async () => {
    for (const command of ["inspect", "scan"]) {
      const help = (await runCli([command, "--help"])).stdout;
      for (const flag of ["--slippage-bps", "--max-entry-drift-bps", "--close-denied"])
        expect(help, `${command} ${flag}`).not.toContain(flag);
      expect(help).toContain("--deadband-pct");
      expect(help).not.toContain("--trailing-step-pct 1");
    }
    const backtest = (await runCli(["backtest", "--help"])).stdout;
    expect(backtest).not.toContain("--close-denied");
    expect(backtest).toContain("--slippage-bps");
  });
});

describe("inspect and scan: risk-per-trade without a stop", () => {
  it("is exit 2 before anything is read (it judged every trade at a copy of 0), with a hint they can follow", async () => {
    for (const command of ["inspect", "scan"]) {
      const r = await run([command, LEADER, "--mode", "risk-per-trade"]);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toBe(
        "error: sizing mode risk-per-trade sizes each position by the loss at its stop, but no stop is set\nhint: store the stop your runs will use (hlcopy config set risk.stopLossPct 5), or choose another --mode\n",
      );
    }
  });
});

describe("global options a command never reads", () => {
  it("demo and sim refuse --network, --account and --config-dir on their command line (exit 2, nothing started)", async () => {
    for (const [command, flag, value, why] of [
      ["demo", "--network", "mainnet", "the demo runs its own local simulator"],
      [
        "demo",
        "--account",
        "0x1111111111111111111111111111111111111111",
        "the demo runs its own local simulator",
      ],
      ["demo", "--config-dir", tempDir(), "keeps no config"],
      ["sim", "--network", "testnet", "the simulator is the network"],
      [
        "sim",
        "--account",
        "0x1111111111111111111111111111111111111111",
        "the simulator serves every account",
      ],
      ["sim", "--config-dir", tempDir(), "the simulator keeps no config"],
    ] as const) {
      // A flag that got through would start the demo (60 s) or the simulator (until killed).
      const extra = command === "demo" ? ["--no-ui"] : ["--port", "0"];
      const r = await runCli([command, flag, value, ...extra], { timeoutMs: 15_000 });
      expect(r.code, `${command} ${flag}`).toBe(2);
      expect(r.stderr, `${command} ${flag}`).toMatch(
        new RegExp(
          `^error: ${flag} is not used by hlcopy ${command}: .*${why}.*\\nhint: .*, or drop ${flag}\\n$`,
        ),
      );
      expect(r.stdout).toBe("");
    }
  });

  // Each was taken and ignored: sim --json printed what it prints without it; backtest and scan
  // judge at --equity, never the account's value; config get network printed the stored one.
  it("sim --json, backtest/scan --account, config get/list/path --network/--account are exit 2 naming why", async () => {
    const ACCOUNT = "0x1111111111111111111111111111111111111111";
    for (const [args, flag, why] of [
      [["backtest", LEADER], "--account", "never your account's"],
      [["scan", LEADER], "--account", "never your account's"],
      [["config", "get", "network"], "--network", "shows the config file"],
      [["config", "list"], "--account", "shows the config file"],
      [["config", "path"], "--network", "shows the config file"],
    ] as const) {
      const value = flag === "--account" ? ACCOUNT : "testnet";
      // Refused before anything is read: no network is reached.
      const r = await runCli([...args, flag, value], {
        timeoutMs: 15_000,
        env: { HLCOPY_CONFIG_DIR: tempDir() },
      });
      const name = `${args.slice(0, 2).join(" ")} ${flag}`;
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(
        new RegExp(
          `^error: ${flag} is not used by hlcopy ${args[0] === "config" ? `config ${args[1]}` : args[0]}: .*${why}.*\\nhint: .*, or drop ${flag}\\n$`,
        ),
      );
      expect(r.stdout, name).toBe("");
    }
    // --json asks for the error as JSON: the refusal of sim --json is that document.
    const json = await runCli(["sim", "--port", "0", "--json"], { timeoutMs: 15_000 });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: "error",
      message: expect.stringMatching(
        /^--json is not used by hlcopy sim: its ready line on stdout is JSON always/,
      ),
      hint: expect.stringMatching(/or drop --json$/),
    });
    // What they read is not refused: config set with --account (a follow running with it is told of).
    const set = await runCli(["--account", ACCOUNT, "config", "set", "risk.maxLeverage", "3"], {
      env: { HLCOPY_CONFIG_DIR: tempDir() },
    });
    expect(set.code, set.stderr).toBe(0);
  });

  it("HLCOPY_CONFIG_DIR in the environment is not refused: it is ambient, not asked of the demo", async () => {
    const r = await runCli(["demo", "--no-ui", "--duration", "1s"], {
      env: { HLCOPY_CONFIG_DIR: tempDir() },
    });
    expect(r.code, r.stderr).toBe(0);
  });
});
