// The CLI contract through the real binary: every usage error is exit 2 with one `error:` and
// one `hint:` line naming the closest match, and a reader that goes away (`| head`) ends the
// run without an EPIPE stack trace (a follow says on stderr that it stopped, exit 1).

import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/program.js";
import { COMMAND_SYNONYMS } from "../../src/cli/synonyms.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { BIN, cleanEnv, runCli, tempDir } from "../helpers/cli.js";
import { plan } from "../store/fixtures.js";

const LEADER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const ACCOUNT = "0x1111111111111111111111111111111111111111";

describe("usage errors: exit 2, one error line, one hint with the closest match", () => {
  const cases: Array<{ args: string[]; error: RegExp; hint: RegExp }> = [
    {
      args: ["follow", LEADER, "--max-levrage", "2"],
      error: /unknown option '--max-levrage'/,
      hint: /did you mean --max-leverage\?/,
    },
    {
      args: ["reconcile", LEADER, "--dryrun"],
      error: /unknown option '--dryrun'/,
      hint: /did you mean --dry-run\?/,
    },
    {
      // Commander's spelling distance said --join: the options the word is part of come first.
      args: ["follow", LEADER, "--coins", "BTC"],
      error: /unknown option '--coins'/,
      hint: /did you mean --allow-coins or --deny-coins\?/,
    },
    {
      // Another bot's word for a coin list (it said only "… --help lists what it accepts").
      args: ["reconcile", LEADER, "--exclude", "BTC"],
      error: /unknown option '--exclude'/,
      hint: /^hint: did you mean --deny-coins\? \(hlcopy reconcile --help lists what it accepts\)$/m,
    },
    {
      args: ["follow", LEADER, "--only", "ETH"],
      error: /unknown option '--only'/,
      hint: /^hint: did you mean --allow-coins\? /m,
    },
    {
      // Another command's option (follow's exit step): commander's nearest spelling was no help.
      args: ["reconcile", LEADER, "--on-exit", "flatten"],
      error: /^error: --on-exit is not an option of hlcopy reconcile: hlcopy follow takes it$/m,
      hint: /^hint: run it with hlcopy follow, or leave it out \(hlcopy reconcile --help lists what hlcopy reconcile accepts\)$/m,
    },
    {
      args: ["reconcile", LEADER, "--weights", "0.5,0.5"],
      error:
        /^error: --weights is not an option of hlcopy reconcile: hlcopy follow and hlcopy backtest take it$/m,
      hint: /^hint: run it with hlcopy follow, or leave it out /m,
    },
    {
      // Not offered where the command has no such flag.
      args: ["status", "--exclude", "BTC"],
      error: /unknown option '--exclude'/,
      hint: /^hint: hlcopy status --help lists what it accepts$/m,
    },
    {
      // The closest by spelling were --allow-empty-leader (it waives the never-traded check) and
      // --leader-max-leverage: the leader is the command's argument.
      args: ["follow", "--leader", LEADER, "--dry-run"],
      error: /unknown option '--leader'/,
      hint: /^hint: the leader is an argument, not an option: hlcopy follow 0x… \(hlcopy follow --help shows examples\)$/m,
    },
    {
      args: ["scan", "--addresses", LEADER],
      error: /unknown option '--addresses'/,
      hint: /^hint: the address is an argument, not an option: hlcopy scan 0x… /m,
    },
    {
      // A bad value given as a flag: said as that flag, fixed as that flag (not config set).
      args: ["follow", LEADER, "--dry-run", "--max-notional-per-coin", "0"],
      error: /^error: invalid value "0" for --max-notional-per-coin \(risk\.maxNotionalPerCoin\): /,
      hint: /^hint: "none" turns it off \(0 does not\), e\.g\. --max-notional-per-coin none$/,
    },
    { args: ["agent", "generte"], error: /unknown command 'generte'/, hint: /did you mean generate\?/ },
    { args: ["config", "sett", "a", "b"], error: /unknown command 'sett'/, hint: /did you mean set\?/ },
    { args: ["foolow"], error: /unknown command 'foolow'/, hint: /did you mean follow\?/ },
    // Another word for a subcommand (it said only "hlcopy agent --help lists what it accepts").
    {
      args: ["agent", "status"],
      error: /^error: unknown command 'status'$/,
      hint: /^hint: did you mean hlcopy agent show\? \(hlcopy agent --help lists what it accepts\)$/,
    },
    { args: ["agent", "info"], error: /unknown command 'info'/, hint: /did you mean hlcopy agent show\?/ },
    { args: ["agent", "list"], error: /unknown command 'list'/, hint: /did you mean hlcopy agent show\?/ },
    { args: ["agent", "new"], error: /unknown command 'new'/, hint: /did you mean hlcopy agent generate\?/ },
    {
      args: ["agent", "delete"],
      error: /unknown command 'delete'/,
      hint: /did you mean hlcopy agent remove\?/,
    },
    { args: ["config", "show"], error: /unknown command 'show'/, hint: /did you mean hlcopy config list\?/ },
    { args: ["logs"], error: /unknown command 'logs'/, hint: /did you mean hlcopy journal\?/ },
    { args: ["--jsno", "status"], error: /unknown option '--jsno'/, hint: /did you mean --json\?/ },
    {
      // A command's option before the command: it said "hlcopy --help lists what it accepts".
      args: ["--dry-run", "reconcile", LEADER],
      error: /^error: --dry-run is an option of hlcopy reconcile, given before the command$/,
      hint: /^hint: give it after the command: hlcopy reconcile … --dry-run /,
    },
    {
      args: ["--network", "testnet", "--force", "agent", "generate"],
      error: /^error: --force is an option of hlcopy agent generate, given before the command$/,
      hint: /^hint: give it after the command: hlcopy agent generate … --force /,
    },
    {
      args: ["follow"],
      error: /missing required argument 'leader'/,
      hint: /usage: hlcopy follow \[options\] <leader\.\.\.>/,
    },
    {
      // A global option without its value takes the command's name: it said "unknown option
      // '--yes'" (or printed the whole help with "hlcopy needs a command").
      args: ["--account", "flatten", "--yes"],
      error:
        /^error: --account needs a value before the command: "flatten" was read as its value, and nothing as the command$/,
      hint: /^hint: give it one: hlcopy --account 0x… flatten … \(or drop --account\)$/,
    },
    {
      args: ["--network", "status"],
      error: /^error: --network needs a value before the command: "status" was read as its value/,
      hint: /^hint: give it one: hlcopy --network mainnet status … /,
    },
    { args: ["status", "extra"], error: /too many arguments/, hint: /usage: hlcopy status/ },
    { args: ["journal", "--limit"], error: /argument missing/, hint: /usage: hlcopy journal/ },
  ];
  for (const c of cases) {
    it(`hlcopy ${c.args.join(" ")}`, async () => {
      const r = await runCli(c.args, { env: { HLCOPY_CONFIG_DIR: tempDir() } });
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(c.error);
      expect(lines[1]).toMatch(/^hint: /);
      expect(lines[1]).toMatch(c.hint);
      expect(r.stdout).toBe("");
    });
  }

  it("a config directory named as a command, the command after it, is a directory: the command runs", async () => {
    // (status creates no directory: none is left behind.)
    const r = await runCli(["--config-dir", "demo", "status"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no follower account configured\n/);
  });

  it("every synonym names a subcommand that exists, and none is a command's own name (it would run)", () => {
    const program = createProgram();
    for (const [path, words] of Object.entries(COMMAND_SYNONYMS)) {
      let cmd: Command | undefined = program;
      for (const name of path.split(" ").slice(1)) cmd = cmd?.commands.find((c) => c.name() === name);
      expect(cmd, path).toBeDefined();
      const names = (cmd as Command).commands.flatMap((c) => [c.name(), ...c.aliases()]);
      for (const [word, meant] of Object.entries(words)) {
        expect(names, `${path} ${word} → ${meant}`).toContain(meant);
        expect(names, `${path} ${word}`).not.toContain(word);
      }
    }
  });

  it("a command group without its subcommand lists them and gives a runnable example", async () => {
    for (const [group, example] of [
      ["config", "hlcopy config list"],
      ["agent", "hlcopy agent generate"],
    ] as const) {
      const r = await runCli([group]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines.filter((l) => l.startsWith("error: "))).toHaveLength(1);
      expect(lines.at(-2)).toMatch(new RegExp(`^error: hlcopy ${group} needs a command: `));
      expect(lines.at(-1)).toContain(`hint: for example: ${example} `);
    }
  });

  // `hlcopy --json` with no command wrote the whole root help (60 lines) on stderr beside its
  // error document: a script asking for JSON gets the one document, exit 2, and nothing else.
  it("--json without a command: one error document on stdout, nothing on stderr; --json --help still helps", async () => {
    for (const args of [["--json"], ["--json", "config"], ["agent", "--json"]]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toBe("");
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? "")).toMatchObject({
        type: "error",
        message: expect.stringMatching(/needs a command: /),
        hint: expect.any(String),
        fatal: true,
      });
    }
    const help = await runCli(["--json", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hlcopy /);
  });

  // commander printed the whole root help on stdout before the error (and `help config bogus`
  // printed config's help, exit 0): only the two lines, with the closest name, as `hlcopy folow`.
  it("hlcopy help <unknown>: only the error and the closest command, nothing on stdout", async () => {
    for (const [args, error, hint] of [
      [
        ["help", "folow"],
        "unknown command 'folow'",
        "did you mean follow? (hlcopy --help lists what it accepts)",
      ],
      [["help", "bogus"], "unknown command 'bogus'", "hlcopy --help lists what it accepts"],
      [
        ["help", "config", "lst"],
        "unknown command 'lst'",
        "did you mean list? (hlcopy config --help lists what it accepts)",
      ],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr).toBe(`error: ${error}\nhint: ${hint}\n`);
    }
  });
});

/** Spawn hlcopy with its stdout read by a reader that stops after `keepLines` lines. */
function runIntoClosingReader(
  args: string[],
  keepLines: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: string | null; lines: string[]; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let buffer = "";
    let stderr = "";
    const close = () => child.stdout.destroy();
    if (keepLines === 0) close();
    else
      child.stdout.on("data", (d) => {
        buffer += d;
        for (let i = buffer.indexOf("\n"); i >= 0 && lines.length < keepLines; i = buffer.indexOf("\n")) {
          lines.push(buffer.slice(0, i));
          buffer = buffer.slice(i + 1);
        }
        if (lines.length >= keepLines) close();
      });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, lines, stderr });
    });
  });
}

describe("a reader that goes away (hlcopy … | head)", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ seed: 5, tickMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("--help: exit 0, no stack trace", async () => {
    const r = await runIntoClosingReader(["--help"], 0);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("journal: exit 0, no stack trace", async () => {
    const r = await runIntoClosingReader(["--account", ACCOUNT, "journal"], 0, {
      HLCOPY_CONFIG_DIR: tempDir(),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("journal longer than the pipe holds, read one line: exit 0, no stack trace", async () => {
    const dir = tempDir();
    const j = openJournal(journalPath(dir, ACCOUNT));
    const runId = j.startRun({
      command: "follow",
      leaders: [{ address: LEADER, weight: 1 }],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt: 1_700_000_000_000,
    });
    for (let i = 0; i < 1500; i++)
      j.recordDecision({ runId, ts: 1_700_000_000_000 + i, trigger: "fill", coins: ["BTC"], plan: plan() });
    j.close();
    const r = await runIntoClosingReader(["--account", ACCOUNT, "journal", "--limit", "0"], 1, {
      HLCOPY_CONFIG_DIR: dir,
    });
    expect(r.lines).toHaveLength(1);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  // The run stops as on a signal (nothing sent after it), but nobody asked it to: a silent exit 0
  // read as a clean stop — a supervisor (the example unit: Restart=on-failure) left the copy
  // stopped, and whoever piped it learnt nothing. It says so on stderr and exits 1.
  it("follow --json: once the reader has its line the run stops, says why on stderr, exit 1", async () => {
    // An account with nothing to copy with is refused at the start, dry runs too: fund it.
    sim.control.fund(ACCOUNT, 1_000);
    const r = await runIntoClosingReader(
      [
        "--network",
        sim.httpUrl,
        "--account",
        ACCOUNT,
        "--json",
        "follow",
        LEADER,
        "--dry-run",
        "--allow-empty-leader",
        "--sweep-seconds",
        "1",
      ],
      1,
      { HLCOPY_CONFIG_DIR: tempDir() },
    );
    expect(JSON.parse(r.lines[0] ?? "")).toMatchObject({ type: "start" });
    expect(r.stderr).toMatch(
      /^error: follow stopped: its output was closed \(EPIPE: the program reading it ended\); nothing was sent after that\nhint: .*start follow again\n$/,
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
  });

  // `follow --json >> follow.log` on a full disk: the help's own example. It said "the program
  // reading it ended" and to keep the output in a file — which is what failed.
  it.runIf(existsSync("/dev/full"))(
    "follow --json into a full disk: stops, says the write failed and why, exit 1",
    async () => {
      sim.control.fund(ACCOUNT, 1_000);
      const fd = openSync("/dev/full", "w");
      const args = ["--network", sim.httpUrl, "--account", ACCOUNT, "--json", "follow", LEADER];
      const child = spawn(process.execPath, [BIN, ...args, "--dry-run", "--allow-empty-leader"], {
        env: cleanEnv({ HLCOPY_CONFIG_DIR: tempDir() }),
        stdio: ["ignore", fd, "pipe"],
      });
      closeSync(fd);
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
      clearTimeout(timer);
      expect(stderr).toBe(
        "error: follow stopped: its output could not be written (ENOSPC: no space left on the device); nothing was sent after that\n" +
          "hint: make room where its output goes (df -h shows the disks), then start follow again\n",
      );
      expect(code).toBe(1);
    },
  );
});

// A write that fails where the output goes (a full disk: /dev/full) is no reader that ended: the
// output is incomplete. `status --json > status.json` on a full disk exited 0 with nothing said,
// and a follow said "the program reading it ended" and to write to a file instead.
describe.runIf(existsSync("/dev/full"))("output that cannot be written (a full disk)", () => {
  const intoFullDisk = (args: string[]) => {
    const fd = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        env: cleanEnv({ HLCOPY_CONFIG_DIR: tempDir() }),
        stdio: ["ignore", fd, "pipe"],
        encoding: "utf8",
        timeout: 20_000,
      });
      return { code: r.status, stderr: r.stderr };
    } finally {
      closeSync(fd);
    }
  };

  for (const args of [["--account", ACCOUNT, "status", "--json"], ["config", "list"], ["--help"]]) {
    it(`${args.join(" ")}: exit 1, the error said on stderr`, () => {
      const r = intoFullDisk(args);
      expect(r.stderr).toBe(
        "error: could not write the output (ENOSPC: no space left on the device): what was written is incomplete\n" +
          "hint: make room where the output goes (df -h shows the disks), then run it again\n",
      );
      expect(r.code).toBe(1);
    });
  }
});
