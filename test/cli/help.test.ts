// --help through the real binary: every command and subcommand has examples, laid out in one
// column (or described above the command), with full pasteable addresses; analysis commands
// list only the setting flags they use; time spans are spelled `--since 1h` everywhere.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../helpers/cli.js";

const COMMANDS = [
  [],
  ["demo"],
  ["init"],
  ["agent"],
  ["agent", "generate"],
  ["agent", "import"],
  ["agent", "approve"],
  ["agent", "show"],
  ["agent", "remove"],
  ["follow"],
  ["reconcile"],
  ["status"],
  ["report"],
  ["resume"],
  ["inspect"],
  ["backtest"],
  ["journal"],
  ["config"],
  ["config", "set"],
  ["config", "get"],
  ["config", "unset"],
  ["config", "list"],
  ["config", "path"],
  ["sim"],
  ["pause"],
  ["flatten"],
  ["stop"],
  ["scan"],
  ["alerts"],
  ["alerts", "test"],
];

/** The `  $ …` and `  # …` lines after "Examples:". */
function exampleBlock(help: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf("Examples:");
  if (start < 0) return [];
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!/^ {2}[$#] /.test(line)) break;
    block.push(line);
  }
  return block;
}

describe("help", () => {
  const helps = new Map<string, string>();
  const help = async (args: string[]) => {
    const key = args.join(" ");
    if (!helps.has(key)) {
      const r = await runCli([...args, "--help"]);
      expect(r.code, `hlcopy ${key} --help`).toBe(0);
      helps.set(key, r.stdout);
    }
    return helps.get(key) ?? "";
  };
  // Every --help once, four processes at a time, before the checks read them: a busy machine
  // makes this slow, never wrong, so it has its own generous bound.
  beforeAll(async () => {
    const queue = [...COMMANDS];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let args = queue.shift(); args; args = queue.shift()) await help(args);
      }),
    );
  }, 180_000);

  // commander's `help <command>` takes one name: `hlcopy help agent approve` showed the agent
  // group's help, not approve's.
  it("help of a subcommand (help agent approve, help config set) is that subcommand's --help", async () => {
    for (const path of [
      ["agent", "approve"],
      ["config", "set"],
    ]) {
      const r = await runCli(["help", ...path]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(await help(path));
      expect(r.stdout).toMatch(new RegExp(`^Usage: hlcopy ${path.join(" ")} `));
    }
    const one = await runCli(["help", "agent"]);
    expect(one.stdout).toBe(await help(["agent"]));
  });

  it("the checks below cover every command the root help lists", async () => {
    const root = await help([]);
    const section = root.slice(root.indexOf("Commands:"));
    const listed = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((c) => c !== "help");
    expect(listed.length).toBeGreaterThan(10);
    const checked = new Set(COMMANDS.map((c) => c[0]));
    expect(listed.filter((c) => !checked.has(c))).toEqual([]);
  });

  it("the Environment list names every HLCOPY_ variable hlcopy reads", async () => {
    const src = join(ROOT, "src");
    const read = new Set<string>();
    for (const file of readdirSync(src, { recursive: true, encoding: "utf8" })) {
      // cli/env.ts names the variables hlcopy does NOT read, to refuse them.
      if (!/\.tsx?$/.test(file) || file === join("cli", "env.ts")) continue;
      for (const m of readFileSync(join(src, file), "utf8").matchAll(/HLCOPY_[A-Z_]+/g)) read.add(m[0]);
    }
    expect(read).toContain("HLCOPY_PASSPHRASE_FILE");
    const root = await help([]);
    const listed = new Set(
      [...root.slice(root.indexOf("Environment:")).matchAll(/^ {2}(HLCOPY_[A-Z_]+) /gm)].map((m) => m[1]),
    );
    expect([...read].filter((v) => !listed.has(v))).toEqual([]);
    // The variables taken (any other HLCOPY_* is refused) are the ones listed, and the cron
    // script's HLCOPY_BIN, which hlcopy leaves alone.
    const { HLCOPY_VARIABLES } = await import("../../src/cli/env.js");
    expect([...HLCOPY_VARIABLES].sort()).toEqual([...listed, "HLCOPY_BIN"].sort());
  });

  it("reconcile's help says what each exit code means for a live run and a dry run; pause's, that it holds reconcile too", async () => {
    const flat = (text: string) => text.replace(/\s+/g, " ");
    const reconcile = flat(await help(["reconcile"]));
    expect(reconcile).toContain(
      "4 halted (a safety rule, your flatten), or paused by hlcopy pause (nothing sent; --json: paused) ·",
    );
    expect(reconcile).toContain(
      "With --dry-run: 0 nothing to send · 3 it would send orders, or a gate holds drift · 4 a halt stands (only reductions would go); a pause is said and changes no code.",
    );
    const pause = flat(await help(["pause"]));
    expect(pause).toContain("(with none running: hold the next follow and reconcile)");
    expect(pause).toContain("reconcile (cron) plans, shows what it would do and sends nothing");
    // The README says the same of both.
    const readme = flat(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(readme).toContain("`reconcile --dry-run` exits as it finds the account");
    expect(readme).toContain("recorded pause holds `reconcile` too");
  });

  it("reconcile's cron line is the README's: the clone's cron-sweep.sh and a passphrase file, never bare hlcopy or HLCOPY_PASSPHRASE=", async () => {
    const text = await help(["reconcile"]);
    const cron = text.split("\n").filter((l) => /^\s*[*/0-9]+ [*/0-9]+ \* \* \* /.test(l));
    expect(cron).toHaveLength(1);
    expect(cron[0]).toContain(
      "HLCOPY_PASSPHRASE_FILE=$HOME/.hlcopy-pass /path/to/hlcopy/examples/cron-sweep.sh 0x",
    );
    expect(text).not.toMatch(/HLCOPY_PASSPHRASE=/);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(
      "HLCOPY_PASSPHRASE_FILE=$HOME/.hlcopy-pass /path/to/hlcopy/examples/cron-sweep.sh 0xLEADER",
    );
  });

  it("every command and subcommand has examples", async () => {
    for (const args of COMMANDS) {
      expect(exampleBlock(await help(args)).length, `hlcopy ${args.join(" ")}`).toBeGreaterThan(0);
    }
  });

  it("descriptions sit in one column (or on a # line above their command), never ragged", async () => {
    for (const args of COMMANDS) {
      const block = exampleBlock(await help(args)).filter((l) => l.startsWith("  $ "));
      const columns = new Set<number>();
      for (const line of block) {
        const gap = / {3,}(?=\S)/.exec(line.slice(4));
        if (gap) columns.add(4 + gap.index + gap[0].length);
      }
      const where = `hlcopy ${args.join(" ")}`;
      expect(columns.size, where).toBeLessThanOrEqual(1);
      const [column] = [...columns];
      // A line without a description must end before the column: otherwise its last words
      // read as a misplaced description.
      if (column !== undefined)
        for (const line of block)
          if (!/ {3,}\S/.test(line.slice(4))) expect(line.length, line).toBeLessThan(column);
    }
  });

  // commander leaves a description unwrapped when the term column leaves it under 40 columns:
  // follow's and reconcile's options were single lines of up to ~500 characters, broken
  // mid-word by an 80-column terminal. Every option line fits in the help's 80 columns.
  it("every option line fits in 80 columns (a long flag's description goes under it, wrapped)", async () => {
    const long: string[] = [];
    for (const args of COMMANDS) {
      const lines = (await help(args)).split("\n");
      for (const heading of ["Options:", "Global Options:"]) {
        const start = lines.indexOf(heading);
        if (start < 0) continue;
        for (const line of lines.slice(start + 1)) {
          if (line === "") break;
          // (one word longer than the column, such as a --compare example, cannot wrap)
          if ([...line].length > 80 && /\s/.test(line.trim()))
            long.push(`hlcopy ${args.join(" ")}: ${line.slice(0, 60)}…`);
        }
      }
    }
    expect(long).toEqual([]);
    // The root help, read first, fits whole (its Environment list ran to 129 columns).
    expect((await help([])).split("\n").filter((l) => [...l].length > 80)).toEqual([]);
    const follow = (await help(["follow"])).split("\n");
    const at = follow.findIndex((l) => l.startsWith("  --leader-liquidation-pause-days <value>"));
    expect(follow[at]).toBe("  --leader-liquidation-pause-days <value>");
    expect(follow[at + 1]).toMatch(/^ {6}stop following a leader that was liquidated/);
  });

  it("example addresses are full and pasteable, never 0x5e9e…a13a", async () => {
    for (const args of COMMANDS) {
      for (const line of exampleBlock(await help(args))) {
        if (!line.startsWith("  $ ")) continue;
        const command = line.slice(4).split(/ {3,}/)[0] ?? "";
        // 0xYourMaster… stands for your own address; a leader's is given in full.
        expect(command).not.toMatch(/0x[0-9a-f]*…/i);
      }
    }
  });

  it("inspect and backtest list only the setting flags they use", async () => {
    const followOnly = ["--sweep-seconds", "--confirm-above-pct", "--leverage ", "--margin-mode"];
    for (const cmd of ["inspect", "backtest"]) {
      const text = await help([cmd]);
      for (const flag of followOnly) expect(text, `${cmd} ${flag}`).not.toContain(flag);
      expect(text).toContain("--max-leverage");
      expect(text).toContain("--deny-coins");
    }
    expect(await help(["inspect"])).not.toContain("--max-drawdown-pct");
    expect(await help(["backtest"])).toContain("--max-drawdown-pct");
    // follow still has them all.
    for (const flag of followOnly) expect(await help(["follow"])).toContain(flag);
    const r = await runCli(["inspect", "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2", "--sweep-seconds", "5"]);
    expect(r.code).toBe(2);
    // Refused, naming the commands that take it (a follow's setting: inspect reads no sweeps).
    expect(r.stderr).toMatch(
      /^error: --sweep-seconds is not an option of hlcopy inspect: hlcopy follow .*take it\nhint: /,
    );
  });

  it("time spans are spelled --since 1h everywhere", async () => {
    for (const args of COMMANDS) {
      const text = await help(args);
      expect(text, args.join(" ")).not.toMatch(/--days|--since <hours>/);
    }
    for (const cmd of ["inspect", "backtest", "status", "journal"])
      expect(await help([cmd])).toContain("--since");
    const env = { HLCOPY_CONFIG_DIR: tempDir() };
    const account = "0x1111111111111111111111111111111111111111";
    const ok = await runCli(["--account", account, "--json", "status", "--since", "1h"], { env });
    expect(ok.code).toBe(0);
    const bad = await runCli(["--account", account, "status", "--since", "soon"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: invalid --since "soon".*\nhint: e\.g\. hlcopy status --since 1h, or --since 2026-12-01\n$/,
    );
    const both = await runCli([
      "inspect",
      "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2",
      "--since",
      "7d",
      "--days",
      "7",
    ]);
    expect(both.code).toBe(2);
  });
});
