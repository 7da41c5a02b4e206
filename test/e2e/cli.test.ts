// The real binary, spawned as a user runs it (spawnCli: never in the test's process, where
// runCli runs most commands): help, config round trips, bad input, a hand-broken config file,
// and the Node version gate.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, spawnCli, tempDir } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/bundle/main.js")))
    throw new Error("run `npm run build` first (npm test does)");
});

/** Every registered command, as a user types it. */
const COMMAND_NAMES = [
  "init",
  "agent",
  "follow",
  "reconcile",
  "status",
  "report",
  "resume",
  "inspect",
  "backtest",
  "journal",
  "config",
  "sim",
];

describe("hlcopy --help", () => {
  it("lists the commands, the global options and examples, and exits 0", async () => {
    const r = await spawnCli(["--help"]);
    expect(r.code).toBe(0);
    for (const text of [
      "--network",
      "--config-dir",
      "--account",
      "--json",
      "--debug",
      ...COMMAND_NAMES,
      "Examples:",
    ]) {
      expect(r.stdout).toContain(text);
    }
    expect(r.stderr).toBe("");
  });

  it("prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await spawnCli(["--version"]);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  // Each command's own --help (exit 0, with examples): test/cli/help.test.ts, every command and
  // subcommand.

  it("an unknown command is a usage error (exit 2) with a hint", async () => {
    const r = await spawnCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'frobnicate'");
    expect(r.stderr).toContain("hint:");
  });
});

describe("hlcopy config", () => {
  it("set → get → list → unset round trip, file 0600", async () => {
    const dir = tempDir();
    const set = await spawnCli(["--config-dir", dir, "config", "set", "risk.maxLeverage", "4"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("risk.maxLeverage = 4\n");
    const get = await spawnCli(["--config-dir", dir, "config", "get", "risk.maxLeverage"]);
    expect(get.stdout).toBe("4\n");
    expect(statSync(join(dir, "config.json")).mode & 0o777).toBe(0o600);

    const list = await spawnCli(["--config-dir", dir, "--json", "config", "list"]);
    const rows = JSON.parse(list.stdout) as { key: string; value: unknown; source: string }[];
    expect(rows.find((r) => r.key === "risk.maxLeverage")).toMatchObject({ value: 4, source: "config" });
    expect(rows.find((r) => r.key === "exec.slippageBps")).toMatchObject({ value: 30, source: "default" });
    // Each entry is a `config` document, as config get --json prints one: ts and type first.
    const got = JSON.parse(
      (await spawnCli(["--config-dir", dir, "--json", "config", "get", "risk.maxLeverage"])).stdout,
    ) as Record<string, unknown>;
    const entry = rows.find((r) => r.key === "risk.maxLeverage") as unknown as Record<string, unknown>;
    expect(Object.keys(entry).slice(0, 2)).toEqual(["ts", "type"]);
    expect(entry).toMatchObject({ type: "config", key: got.key, value: got.value, source: got.source });
    expect(typeof entry.ts).toBe("number");

    const listing = await spawnCli(["--config-dir", dir, "config", "list"]);
    expect(listing.stdout).toContain("risk.maxLeverage = 4   (config file; default 3)\n");
    expect(listing.stdout).toContain("exec.slippageBps = 30   (default)\n");
    // Every line fits the terminal's width (100 when it is not a terminal).
    expect(Math.max(...listing.stdout.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);

    const unset = await spawnCli(["--config-dir", dir, "config", "unset", "risk.maxLeverage"]);
    expect(unset.code).toBe(0);
    const again = await spawnCli(["--config-dir", dir, "config", "get", "risk.maxLeverage"]);
    expect(again.stdout).toBe("3\n");
  });

  it("honours HLCOPY_CONFIG_DIR and prints the path", async () => {
    const dir = tempDir();
    const r = await spawnCli(["config", "path"], { env: { HLCOPY_CONFIG_DIR: dir } });
    expect(r.stdout.trim()).toBe(join(dir, "config.json"));
  });

  it("an invalid value exits 2 naming key, value and what is allowed; nothing is written", async () => {
    const dir = tempDir();
    await spawnCli(["--config-dir", dir, "config", "set", "exec.slippageBps", "20"]);
    const before = readFileSync(join(dir, "config.json"), "utf8");
    const r = await spawnCli(["--config-dir", dir, "config", "set", "risk.maxLeverage", "-2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: invalid value "-2" for risk.maxLeverage: expected a number > 0 and ≤ 50\nhint: e.g. hlcopy config set risk.maxLeverage 3\n',
    );
    expect(r.stdout).toBe("");
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(before);
  });

  it("a network URL with a path, query or credentials is refused (exit 2), naming what a network URL is; nothing is written", async () => {
    const dir = tempDir();
    await spawnCli(["--config-dir", dir, "config", "set", "network", "testnet"]);
    const before = readFileSync(join(dir, "config.json"), "utf8");
    const r = await spawnCli([
      "--config-dir",
      dir,
      "config",
      "set",
      "network",
      "http://localhost:1234/foo?x=1",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'error: invalid network "http://localhost:1234/foo?x=1": a network URL is the API\'s base, http(s)://host[:port], without a path (/foo) or a query string (?x=1)\nhint: e.g. hlcopy config set network http://localhost:1234 (or mainnet, testnet)\n',
    );
    // A password in the URL is refused without being echoed.
    const secret = await spawnCli([
      "--config-dir",
      dir,
      "config",
      "set",
      "network",
      "https://me:s3cret@example.org",
    ]);
    expect(secret.code).toBe(2);
    expect(secret.stderr).not.toContain("s3cret");
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(before);
    // The host alone (a trailing slash is fine) is taken, as `hlcopy sim` prints it.
    const ok = await spawnCli(["--config-dir", dir, "config", "set", "network", "http://localhost:1234/"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("network = http://localhost:1234\n");
  });

  it("numbers are shown as plain decimals, never in exponent notation", async () => {
    const dir = tempDir();
    const set = await spawnCli(["--config-dir", dir, "config", "set", "risk.maxLeverage", "0.0000001"]);
    expect(set.stdout).toBe("risk.maxLeverage = 0.0000001\n");
    const get = await spawnCli(["--config-dir", dir, "config", "get", "risk.maxLeverage"]);
    expect(get.stdout).toBe("0.0000001\n");
    const list = await spawnCli(["--config-dir", dir, "config", "list"]);
    expect(list.stdout).toContain("risk.maxLeverage = 0.0000001   (config file; default 3)\n");
    expect(list.stdout).not.toMatch(/\de[-+]?\d/);
  });

  it("a hand-broken config file exits 2 naming the file and stays byte-for-byte untouched", async () => {
    for (const broken of ['{"risk": {"maxLeverage": 3,}', '{"risk": {"maxLeverage": "lots"}}', "[1,2]"]) {
      const dir = tempDir();
      const file = join(dir, "config.json");
      writeFileSync(file, broken);
      for (const args of [
        ["config", "list"],
        ["config", "set", "exec.slippageBps", "10"],
        ["config", "unset", "exec.slippageBps"],
      ]) {
        const r = await spawnCli(["--config-dir", dir, ...args]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`error: config file ${file}`);
        expect(r.stderr).toContain("hint:");
        expect(r.stderr).not.toContain("    at ");
        expect(readFileSync(file, "utf8")).toBe(broken);
      }
    }
  });

  it("a bad stored value is fixed the way its hint says: config unset (or set) of that key", async () => {
    const byDefault = (
      await spawnCli(["--config-dir", tempDir(), "config", "get", "risk.maxLeverage"])
    ).stdout.trim();
    for (const fix of [
      ["unset", "risk.maxLeverage"],
      ["set", "risk.maxLeverage", "4"],
    ]) {
      const dir = tempDir();
      const file = join(dir, "config.json");
      writeFileSync(file, '{"risk": {"maxLeverage": "abc"}, "exec": {"slippageBps": 12}}');
      const refused = await spawnCli(["--config-dir", dir, "config", "list"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        "hint: fix the value by hand, or run: hlcopy config unset risk.maxLeverage",
      );
      expect((await spawnCli(["--config-dir", dir, "config", ...fix])).code).toBe(0);
      const listed = await spawnCli(["--config-dir", dir, "config", "get", "risk.maxLeverage"]);
      expect(listed.code).toBe(0);
      expect(listed.stdout.trim()).toBe(fix[0] === "set" ? "4" : byDefault);
      // The other settings are kept as they were.
      expect((await spawnCli(["--config-dir", dir, "config", "get", "exec.slippageBps"])).stdout.trim()).toBe(
        "12",
      );
    }
  });

  it("a misspelled key in the file is named with the setting it was probably meant to be", async () => {
    const dir = tempDir();
    const file = join(dir, "config.json");
    writeFileSync(file, '{"risk": {"maxLevrage": 4}}');
    const r = await spawnCli(["--config-dir", dir, "status"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: config file ${file} has an unknown setting "risk.maxLevrage"\nhint: did you mean risk.maxLeverage? rename it in the file, or remove it\n`,
    );
    // No near match: the hint does not send the trader to config list, which reads this file too.
    writeFileSync(file, '{"zzz": {"qqq": 4}}');
    const other = await spawnCli(["--config-dir", dir, "config", "list"]);
    expect(other.stderr).toContain(
      "hint: remove it from the file (the README's Settings table lists every setting)",
    );
  });

  it("a key written twice in the file is refused by every command that reads it, naming the key; the file stays as it was", {
    // 21 processes: each file's seven commands run side by side (on a busy machine 21 starts in
    // a row outlasted the default 60 s bound, though each refused as it should).
    timeout: 120_000,
  }, async () => {
    const leader = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
    const head = '"network":"testnet","account":"0x1111111111111111111111111111111111111111"';
    for (const [text, key] of [
      // The first "risk" (the cap the user wrote) would be dropped: leverage back to its default.
      [`{${head},"risk":{"maxLeverage":1},"risk":{"allowCoins":["BTC"]}}`, "risk"],
      [`{${head},"risk":{"maxLeverage":1,"maxLeverage":40}}`, "risk.maxLeverage"],
      // Hand-edited: spaces, new lines, a string holding quotes and braces before it.
      [
        `{\n  ${head},\n  "alerts": {"webhook": ["https://x.test/\\"}{"]},\n  "account": "0x22"\n}\n`,
        "account",
      ],
    ] as const) {
      const dir = tempDir();
      const file = join(dir, "config.json");
      writeFileSync(file, text);
      const commands = [
        ["config", "get", "risk.maxLeverage"],
        ["config", "list"],
        ["config", "set", "risk.maxLeverage", "2"],
        ["config", "unset", "risk.maxLeverage"],
        ["status"],
        ["agent", "show"],
        ["reconcile", leader, "--dry-run"],
      ];
      const results = await Promise.all(commands.map((args) => spawnCli(["--config-dir", dir, ...args])));
      for (const [i, args] of commands.entries()) {
        const r = results[i] as Awaited<ReturnType<typeof spawnCli>>;
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr, args.join(" ")).toBe(
          `error: config file ${file} has "${key}" twice\nhint: keep one of them\n`,
        );
        expect(r.stdout, args.join(" ")).toBe("");
        expect(readFileSync(file, "utf8")).toBe(text);
      }
    }
  });

  it("a dotted key in the file (the README's spelling) is refused, with the nested form: config unset could not remove it", async () => {
    // Read as the setting, `{"risk.maxLeverage": 7}` outlived `config unset risk.maxLeverage`
    // ("unset (default: 3)", still 7), and `config set` added a nested copy that silently won.
    for (const [text, key] of [
      ['{"risk.maxLeverage": 7}', "risk.maxLeverage"],
      ['{"risk.maxLeverage": 7, "risk": {"maxLeverage": 2}}', "risk.maxLeverage"],
      ['{"risk": {"maxLeverage": 2}, "exec.slippageBps": 12}', "exec.slippageBps"],
    ] as const) {
      const dir = tempDir();
      const file = join(dir, "config.json");
      writeFileSync(file, text);
      for (const args of [
        ["config", "get", "risk.maxLeverage"],
        ["config", "unset", "risk.maxLeverage"],
        ["config", "set", "risk.maxLeverage", "2"],
        ["status"],
      ]) {
        const r = await spawnCli(["--config-dir", dir, ...args]);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr, args.join(" ")).toContain(`error: config file ${file} has the key "${key}"`);
        expect(r.stderr, args.join(" ")).toContain("hint: ");
        expect(readFileSync(file, "utf8")).toBe(text);
      }
    }
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), '{"risk.maxLeverage": 7}');
    expect((await spawnCli(["--config-dir", dir, "config", "list"])).stderr).toContain(
      `hint: write it nested, as config set does: {"risk": {"maxLeverage": …}}`,
    );
  });

  it('an empty config directory (HLCOPY_CONFIG_DIR set to nothing, --config-dir "") is refused: it was the real ~/.config/hlcopy', async () => {
    // A script's `HLCOPY_CONFIG_DIR=$DIR` with DIR unset ran against the trader's own config.
    const home = tempDir();
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
    for (const [args, extra, said] of [
      [
        ["config", "set", "risk.maxLeverage", "2"],
        { HLCOPY_CONFIG_DIR: "" },
        "HLCOPY_CONFIG_DIR is set but empty",
      ],
      [
        ["init", "--network", "testnet", "--account", "0x1111111111111111111111111111111111111111"],
        { HLCOPY_CONFIG_DIR: "" },
        "HLCOPY_CONFIG_DIR is set but empty",
      ],
      [["status"], { HLCOPY_CONFIG_DIR: "" }, "HLCOPY_CONFIG_DIR is set but empty"],
      [["--config-dir", "", "config", "path"], {}, "--config-dir is empty"],
      [
        ["--config-dir", "", "config", "set", "risk.maxLeverage", "2"],
        { HLCOPY_CONFIG_DIR: tempDir() },
        "--config-dir is empty",
      ],
    ] as const) {
      const r = await spawnCli([...args], { env: { ...env, ...extra } });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(
        new RegExp(`^error: ${said.replace(/[-]/g, "\\$&")}\nhint: .+\n$`),
      );
      expect(existsSync(join(home, ".config", "hlcopy")), args.join(" ")).toBe(false);
    }
  });

  it("--debug adds the stack trace", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), "{");
    const r = await spawnCli(["--config-dir", dir, "--debug", "config", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("    at ");
  });
});

describe("hlcopy init", () => {
  it("runs non-interactively with flags and validates before writing", async () => {
    const dir = tempDir();
    const account = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
    const r = await spawnCli(["--config-dir", dir, "--network", "testnet", "--account", account, "init"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toEqual({
      network: "testnet",
      account,
    });
    // The Next block: every explanation starts in one column (cli/output.ts nextSteps).
    const next = r.stdout.slice(r.stdout.indexOf("Next:\n")).split("\n").slice(1, 4);
    expect(next).toHaveLength(3);
    const columns = next.map((line) => line.search(/ {3}\S/));
    expect(new Set(columns).size).toBe(1);

    const bad = tempDir();
    const r2 = await spawnCli(["--config-dir", bad, "--network", "testnet", "--account", "0xnope", "init"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("invalid account address");
    expect(existsSync(join(bad, "config.json"))).toBe(false);
  });

  it("without a terminal and without flags, says which flags to pass", async () => {
    const r = await spawnCli(["--config-dir", tempDir(), "init"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: init needs --network and --account when not run in a terminal");
  });
});

describe("Node version gate", () => {
  it("below 22.13 prints what was found, what is needed and how to get it, then exits 1", async () => {
    const fake = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.11.1'})";
    const r = await spawnCli(["--help"], { nodeArgs: ["--import", fake] });
    expect(r.code).toBe(1);
    // The contract's two lines, as every refusal (it was one line without error:/hint: until 2026-12-05).
    expect(r.stderr).toMatch(
      /^error: hlcopy needs Node\.js >= 22\.13 but found 20\.11\.1\nhint: install Node 24 [^\n]*\n$/,
    );
    expect(r.stdout).toBe("");
  });

  it("on a Node where node:sqlite still calls itself experimental (22.13), that one warning is not printed; others are", async () => {
    // Two warnings emitted as soon as the launcher has put its filter in place (this preload
    // sees it assigned): node:sqlite's, whose message on 22.13 is this one, and one that must
    // still show. (Not a timer: on Node 22 one can fire before the launcher has even run.)
    const later = `data:text/javascript,${encodeURIComponent(
      `let current = process.emitWarning;
      Object.defineProperty(process, "emitWarning", {
        configurable: true,
        get: () => current,
        set: (filtered) => {
          current = filtered;
          filtered("SQLite is an experimental feature and might change at any time", "ExperimentalWarning");
          filtered("another feature", "ExperimentalWarning");
        },
      });`,
    )}`;
    const r = await spawnCli(["--version"], { nodeArgs: ["--import", later] });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("SQLite");
    expect(r.stderr).toContain("ExperimentalWarning: another feature");
  });
});
