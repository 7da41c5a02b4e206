// --testnet-signing (hidden, global) makes a run sign for testnet on a network given by URL. A
// run that signs nothing took it and ignored it — as if `hlcopy --testnet-signing status` had
// anything to sign — and mainnet by name signed for mainnet with it. Both are refused (exit 2)
// before anything is read or written (the real binary; a closed port as the network).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/bundle/main.js")))
    throw new Error("run `npm run build` first (npm test does)");
});

const LEADER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const ACCOUNT = ["--account", "0x1111111111111111111111111111111111111111"];
const NOWHERE = ["--network", "http://127.0.0.1:9"];

describe("--testnet-signing", () => {
  it("is refused by every run that signs nothing, naming why and where it acts", async () => {
    const cases: Array<[string[], string]> = [
      [["status"], "status: it signs nothing"],
      [["report"], "report: it signs nothing"],
      [["journal"], "journal: it signs nothing"],
      [["resume"], "resume: it signs nothing"],
      [["pause"], "pause: it signs nothing"],
      [["stop"], "stop: it signs nothing"],
      [["inspect", LEADER], "inspect: it signs nothing"],
      [["scan", LEADER], "scan: it signs nothing"],
      [["backtest", LEADER], "backtest: it signs nothing"],
      [["config", "list"], "config list: it signs nothing"],
      [["config", "set", "risk.maxLeverage", "3"], "config set: it signs nothing"],
      [["alerts", "test"], "alerts test: it signs nothing"],
      [["agent", "remove", "--yes"], "agent remove: it signs nothing"],
      [["init"], "init: init stores the network, never --testnet-signing"],
      [["demo", "--no-ui"], "demo: the demo runs its own simulator"],
      [["follow", LEADER, "--dry-run"], "follow: a --dry-run signs nothing"],
      [["follow", LEADER, "--paper"], "follow: a --paper run fills locally and signs nothing"],
      [["reconcile", LEADER, "--dry-run"], "reconcile: a --dry-run signs nothing"],
    ];
    const results = await Promise.all(
      cases.map(async ([args, why]) => {
        const dir = tempDir();
        const global =
          args[0] === "demo"
            ? []
            : args[0] === "backtest" || args[0] === "scan"
              ? NOWHERE
              : [...NOWHERE, ...ACCOUNT];
        const r = await runCli(["--testnet-signing", ...global, "--config-dir", dir, ...args]);
        return { args, why, r, files: readdirSync(dir) };
      }),
    );
    for (const { args, why, r, files } of results) {
      const name = args.join(" ");
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      const [first, hint, rest] = r.stderr.split("\n");
      expect(first?.startsWith(`error: --testnet-signing is not used by hlcopy ${why}`), r.stderr).toBe(true);
      expect(hint, name).toBe(
        "hint: give it to the runs that sign for testnet on a --network URL (follow, reconcile, flatten and agent approve), or drop --testnet-signing",
      );
      expect(rest, name).toBe("");
      expect(r.stdout, name).toBe("");
      // Nothing written: no config, no journal.
      expect(files, name).toEqual([]);
    }
  });

  it("given after the command too", async () => {
    const r = await runCli(["--config-dir", tempDir(), "config", "list", "--testnet-signing"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --testnet-signing is not used by hlcopy config list: it signs nothing\n/,
    );
  });

  it("is refused on mainnet or testnet by name, which sign as themselves, from the flag or the config", async () => {
    const flag = await runCli([
      "--testnet-signing",
      "--network",
      "mainnet",
      ...ACCOUNT,
      "--config-dir",
      tempDir(),
      "reconcile",
      LEADER,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.1",
    ]);
    expect(flag.code, flag.stderr).toBe(2);
    expect(flag.stderr).toBe(
      "error: --testnet-signing is for a network given by URL, and --network mainnet signs for mainnet by itself\n" +
        "hint: for testnet: --network testnet; for a simulator started with --testnet-signing: --network http://127.0.0.1:PORT --testnet-signing; or drop --testnet-signing\n",
    );
    // Mainnet's own API URL is mainnet: it signed for testnet with the flag, and mainnet refused it.
    const url = await runCli([
      "--testnet-signing",
      "--network",
      "https://api.hyperliquid.xyz",
      ...ACCOUNT,
      "--config-dir",
      tempDir(),
      "reconcile",
      LEADER,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.1",
    ]);
    expect(url.code, url.stderr).toBe(2);
    expect(url.stderr.split("\n")[0]).toBe(
      "error: --testnet-signing is for a network given by URL, and --network https://api.hyperliquid.xyz (mainnet's own API) signs for mainnet by itself",
    );
    const dir = tempDir();
    const set = await runCli(["--config-dir", dir, "config", "set", "network", "testnet"]);
    expect(set.code, set.stderr).toBe(0);
    const stored = await runCli(["--testnet-signing", ...ACCOUNT, "--config-dir", dir, "agent", "show"]);
    expect(stored.code, stored.stderr).toBe(2);
    expect(stored.stderr).toBe(
      "error: --testnet-signing is for a network given by URL, and the config's network, testnet, signs for testnet by itself\n" +
        "hint: drop --testnet-signing\n",
    );
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });
});
