// Issue 12, items 7 and 4, as a trader meets them: the real binary against the simulator in
// this process. Settings that would silently do nothing are refused with exit 2 before any
// request to /exchange; a setting that is accepted acts (a lower-case deny list denies, the
// configured leverage and margin mode are what the exchange shows after the first copy).

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: Address;
let leaderClient: HlClient;

/** The leader trades `usd` worth of a coin at the current mid. */
async function leaderTrade(coin: string, side: "buy" | "sell", usd: number) {
  const markets = await leaderClient.getMarkets();
  const m = markets[coin];
  if (!m) throw new Error(coin);
  const size = Number((usd / m.mid).toFixed(m.szDecimals));
  const [r] = await leaderClient.placeOrders([action(markets, coin, side, size)], markets);
  expect(r?.status).toBe("filled");
}

/** A fresh follower (funded master + approved agent) with its own config directory. */
async function follower(usd = 20_000) {
  const f = await masterWithAgent(sim, usd);
  const account = f.master.address;
  const dir = tempDir();
  const reader = engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account });
  const reconcile = async (args: string[]) => {
    const r = await runCli(
      // Live runs confirm with --yes, as cron does (a dry run takes no --yes).
      [
        "--network",
        sim.httpUrl,
        "--account",
        account,
        "--json",
        "reconcile",
        leader,
        ...args,
        ...(args.includes("--dry-run") ? [] : ["--yes"]),
      ],
      {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: f.agentKey },
      },
    );
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    const doc = last ? (JSON.parse(last) as { type: string; message?: string; hint?: string }) : null;
    // --json: a refusal is one error document (and nothing else on stdout) instead of the report;
    // `said` is it in the contract's two lines, as a run without --json prints them on stderr.
    const error = doc?.type === "error" ? doc : null;
    const said = error ? `error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}` : "";
    const alone = error !== null && r.stdout.trim().split("\n").length === 1;
    return { ...r, report: doc && !error ? (doc as unknown as ReconcileReport) : null, said, alone };
  };
  return { account, agentKey: f.agentKey, dir, reader, reconcile };
}

const exchangeActions = () => ({ ...sim.control.stats().actionByType });

beforeAll(async () => {
  sim = await startSim({ seed: 77, tickMs: 0 });
  const l = fundedAccount(sim, 2_000_000);
  leader = l.address;
  leaderClient = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: l.address,
    agentKey: l.key,
  });
  await leaderTrade("BTC", "buy", 200_000);
  await leaderTrade("ETH", "sell", 100_000);
});
afterAll(async () => {
  await sim.close();
});

describe("settings that would do nothing are refused, before anything is sent (issue 12.7)", () => {
  it("a typo in --allow-coins is exit 2 naming the close match from meta; no order, no leverage change", async () => {
    const f = await follower();
    const before = exchangeActions();
    const r = await f.reconcile(["--mode", "fixed-ratio", "--ratio", "0.05", "--allow-coins", "BTCC"]);
    expect(r.code).toBe(2);
    expect(r.alone).toBe(true);
    expect(r.said).toBe(
      'error: unknown coin "BTCC" (risk.allowCoins): not a market on this exchange\n' +
        "hint: BTCC: did you mean BTC? — fix it with --allow-coins or hlcopy config set risk.allowCoins …\n",
    );
    expect(exchangeActions()).toEqual(before);
    expect((await f.reader.getAccountState(f.account)).positions).toEqual({});
  });

  it("the same typo refuses --dry-run and follow too (exit 2, error and hint, nothing sent)", async () => {
    const f = await follower();
    const before = exchangeActions();
    const dry = await f.reconcile(["--deny-coins", "ETHH", "--dry-run"]);
    expect(dry.code).toBe(2);
    expect(dry.said).toMatch(
      /^error: unknown coin "ETHH" \(risk\.denyCoins\).*\nhint: ETHH: did you mean ETH\?/,
    );
    const follow = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        f.account,
        "follow",
        leader,
        "--no-ui",
        "--allow-coins",
        "BTC,sool",
      ],
      { env: { HLCOPY_CONFIG_DIR: f.dir, HLCOPY_AGENT_KEY: f.agentKey }, timeoutMs: 20_000 },
    );
    expect(follow.code).toBe(2);
    expect(follow.stderr).toMatch(
      /error: unknown coin "sool" \(risk\.allowCoins\).*\nhint: sool: did you mean SOL\?/,
    );
    expect(exchangeActions()).toEqual(before);
  });

  it("--deny-coins btc (lower case) denies BTC: coin names match the exchange's case-insensitively", async () => {
    const f = await follower();
    const r = await f.reconcile(["--mode", "fixed-ratio", "--ratio", "0.05", "--deny-coins", "btc"]);
    expect(r.code).toBe(0);
    expect(r.report?.actions.map((a) => [a.coin, a.status])).toEqual([["ETH", "filled"]]);
    expect(r.report?.skipped).toContainEqual(expect.objectContaining({ coin: "BTC", reason: "coin-denied" }));
    const positions = (await f.reader.getAccountState(f.account)).positions;
    expect(Object.keys(positions)).toEqual(["ETH"]);
  });

  it("--ratio with the equity-ratio mode is exit 2 naming fixed-ratio; nothing sent", async () => {
    const f = await follower();
    const before = exchangeActions();
    const r = await f.reconcile(["--ratio", "0.5"]);
    expect(r.code).toBe(2);
    expect(r.said).toBe(
      "error: --ratio is used only by sizing mode fixed-ratio, but this run's sizing mode is equity-ratio\n" +
        "hint: add --mode fixed-ratio to size this run by --ratio, or drop --ratio\n",
    );
    const notional = await f.reconcile(["--mode", "fixed-ratio", "--notional", "500"]);
    expect(notional.code).toBe(2);
    expect(notional.said).toContain("--notional is used only by sizing mode fixed-notional");
    expect(exchangeActions()).toEqual(before);
  });

  it("numbers are plain decimals: 0x10, 1e3, Infinity, ' 5', 5abc and '' are exit 2 with a hint", async () => {
    const f = await follower();
    const before = exchangeActions();
    for (const bad of ["0x10", "1e3", "Infinity", " 5", "5abc", ""]) {
      const r = await f.reconcile(["--max-leverage", bad]);
      expect(r.code, bad).toBe(2);
      expect(r.said, bad).toBe(
        // Said as the flag that was given, and fixed the same way: not a config set of the key.
        `error: invalid value "${bad}" for --max-leverage (risk.maxLeverage): numbers are plain decimals (digits and an optional fraction: no hex, exponent, spaces or units); expected a number > 0 and ≤ 50\n` +
          "hint: e.g. --max-leverage 3\n",
      );
    }
    expect(exchangeActions()).toEqual(before);
  });
});

describe("a setting flag the command or run mode never reads is refused before anything is sent", () => {
  it("reconcile: follow's sweep interval and alerts, and --confirm-above-pct beside --yes, are exit 2 with a hint", async () => {
    const f = await follower();
    const before = exchangeActions();
    const sweep = await f.reconcile(["--mode", "fixed-ratio", "--ratio", "0.05", "--sweep-seconds", "5"]);
    expect(sweep.code).toBe(2);
    expect(sweep.alone).toBe(true);
    expect(sweep.said).toBe(
      "error: --sweep-seconds sets how often hlcopy follow re-reads both accounts, but reconcile is a single sweep\n" +
        "hint: repeat reconcile from cron (*/5 * * * *), or drop --sweep-seconds\n",
    );
    const alert = await f.reconcile(["--alert-webhook", "http://127.0.0.1:9/hook"]);
    expect(alert.code).toBe(2);
    expect(alert.said).toBe(
      "error: --alert-webhook sets the alerts hlcopy follow sends, but reconcile sends no alerts\n" +
        "hint: from cron, act on reconcile's exit code (3 drift remains, 4 halted), or drop --alert-webhook\n",
    );
    // f.reconcile adds --yes to a live run, as cron does: the plan would never be held back.
    const confirm = await f.reconcile([
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.05",
      "--confirm-above-pct",
      "1",
    ]);
    expect(confirm.code).toBe(2);
    expect(confirm.said).toMatch(
      /^error: --confirm-above-pct sets when a live plan needs your yes, but --yes confirms every plan\nhint: drop --yes/,
    );
    const leverage = await f.reconcile(["--dry-run", "--leverage", "5"]);
    expect(leverage.code).toBe(2);
    expect(leverage.said).toBe(
      "error: --leverage is set on the exchange before a live increase, but this run is --dry-run: it sets nothing on the exchange\n" +
        "hint: give it to the live run (without --dry-run), or drop --leverage\n",
    );
    expect(exchangeActions()).toEqual(before);
    expect((await f.reader.getAccountState(f.account)).positions).toEqual({});
  });

  it("follow --paper / --dry-run: live-only flags (stops, leverage, passive entries) are exit 2, nothing sent", async () => {
    const f = await follower();
    const before = exchangeActions();
    const follow = (...args: string[]) =>
      runCli(["--network", sim.httpUrl, "--account", f.account, "follow", leader, "--no-ui", ...args], {
        env: { HLCOPY_CONFIG_DIR: f.dir },
        timeoutMs: 20_000,
      });
    const stop = await follow("--paper", "--stop-loss-pct", "5");
    expect(stop.code).toBe(2);
    expect(stop.stderr).toBe(
      "error: --stop-loss-pct rests a reduce-only stop on the exchange (a live run's), but this run is --paper: it rests no stops and does not simulate them\n" +
        "hint: give it to the live run (without --paper); in this run it would only size --mode risk-per-trade, or drop --stop-loss-pct\n",
    );
    const passive = await follow("--paper", "--entry", "passive");
    expect(passive.code).toBe(2);
    expect(passive.stderr).toContain(
      "error: --entry passive rests each increase on the book first, but this run is --paper",
    );
    const margin = await follow("--dry-run", "--margin-mode", "isolated");
    expect(margin.code).toBe(2);
    expect(margin.stderr).toContain(
      "error: --margin-mode is set on the exchange before a live increase, but this run is --dry-run",
    );
    expect(exchangeActions()).toEqual(before);
  });

  it("the same values from the config file are not refused: the file is shared by every command", async () => {
    const f = await follower();
    for (const [key, value] of [
      ["exec.sweepSeconds", "5"],
      ["exec.confirmAbovePct", "90"],
      ["alerts.webhook", "http://127.0.0.1:9/hook"],
      ["exec.leverage", "5"],
    ]) {
      expect(
        (await runCli(["--config-dir", f.dir, "config", "set", key as string, value as string])).code,
      ).toBe(0);
    }
    const r = await f.reconcile(["--mode", "fixed-ratio", "--ratio", "0.05"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report?.actions.map((a) => a.status)).toEqual(["filled", "filled"]);
    // A dry run after it: in sync, the stored leverage and confirm threshold not refused either.
    const dry = await f.reconcile(["--dry-run", "--mode", "fixed-ratio", "--ratio", "0.05"]);
    expect(dry.code, dry.stderr).toBe(0);
  });
});

describe("help (issue 12)", () => {
  it("shows the new settings with their defaults, and the refusals with an example", async () => {
    for (const cmd of ["reconcile", "follow"]) {
      const r = await runCli([cmd, "--help"], { env: { COLUMNS: "200" } });
      expect(r.code).toBe(0);
      const text = r.stdout.replace(/\s+/g, " ");
      expect(text).toContain("--leverage <value>");
      expect(text).toContain('[exec.leverage; an integer ≥ 1 and ≤ 100, or "auto"; default auto]');
      expect(text).toContain("[exec.marginMode; one of cross, isolated; default cross]");
      expect(text).toContain("[sizing.ratio; a number > 0 and ≤ 1000; default 0.01]");
      expect(text).toContain("Setting flags that would do nothing are refused (exit 2, nothing sent):");
      expect(text).toContain("--allow-coins BTCC");
      expect(text).toContain("--ratio 0.5 with sizing mode equity-ratio: --ratio needs --mode fixed-ratio");
      // A flag only some runs read says which; one no run of the command reads is not listed.
      expect(text).toContain("--leverage <value> live runs only: exchange leverage");
      expect(text).toContain("--confirm-above-pct <value> only live runs without --yes:");
      expect(text).toContain("--max-leverage <value> cap on our gross notional");
    }
    const reconcile = (await runCli(["reconcile", "--help"], { env: { COLUMNS: "200" } })).stdout;
    for (const flag of ["--sweep-seconds", "--alert-webhook", "--alert-format", "--alert-drift-minutes"]) {
      expect(reconcile, flag).not.toContain(`${flag} <value>`);
    }
    const follow = (await runCli(["follow", "--help"], { env: { COLUMNS: "200" } })).stdout;
    for (const flag of ["--sweep-seconds", "--alert-webhook", "--alert-ws-down-seconds"]) {
      expect(follow, flag).toContain(`${flag} <value>`);
    }
    expect(follow.replace(/\s+/g, " ")).toContain(
      "--sweep-seconds <value> follow: seconds between REST sweeps",
    );
  });
});

describe("hlcopy config set (issue 12.7)", () => {
  it("stores a sizing amount the configured mode ignores, and warns naming the mode that uses it", async () => {
    const dir = tempDir();
    const set = await runCli(["--config-dir", dir, "config", "set", "sizing.ratio", "0.5"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("sizing.ratio = 0.5\n");
    expect(set.stderr).toBe(
      "warning: sizing.ratio is used only by sizing mode fixed-ratio; the configured mode is equity-ratio, so it does nothing until: hlcopy config set sizing.mode fixed-ratio\n",
    );
    await runCli(["--config-dir", dir, "config", "set", "sizing.mode", "fixed-ratio"]);
    const quiet = await runCli(["--config-dir", dir, "config", "set", "sizing.ratio", "0.2"]);
    expect(quiet.stderr).toBe("");
  });

  it("stores an alert setting with no webhook to post to, and warns that it does nothing until one is set", async () => {
    const dir = tempDir();
    const set = await runCli(["--config-dir", dir, "config", "set", "alerts.driftMinutes", "5"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("alerts.driftMinutes = 5\n");
    expect(set.stderr).toBe(
      "warning: alerts.driftMinutes acts on the alerts hlcopy follow posts, and no alert webhook is set (alerts.webhook): it does nothing until: hlcopy config set alerts.webhook https://…\n",
    );
    await runCli(["--config-dir", dir, "config", "set", "alerts.webhook", "https://hooks.example/x"]);
    const quiet = await runCli(["--config-dir", dir, "config", "set", "alerts.driftMinutes", "10"]);
    expect(quiet.stderr).toBe("");
  });

  it("stores a setting that acts only beside another the config lacks, and warns what makes it act (a run's flag for it is refused)", async () => {
    const dir = tempDir();
    const set = (key: string, value: string) => runCli(["--config-dir", dir, "config", "set", key, value]);
    const step = await set("risk.trailingStepPct", "1");
    expect(step.code).toBe(0);
    expect(step.stdout).toBe("risk.trailingStepPct = 1\n");
    expect(step.stderr).toBe(
      "warning: risk.trailingStepPct acts only on a trailing stop (risk.trailingStopPct), and the config has none: it does nothing until: hlcopy config set risk.trailingStopPct 3\n",
    );
    expect((await set("exec.passiveTimeoutSeconds", "60")).stderr).toBe(
      "warning: exec.passiveTimeoutSeconds acts only on passive entries (exec.entry passive), and the config has exec.entry ioc: it does nothing until: hlcopy config set exec.entry passive\n",
    );
    expect((await set("risk.closeDenied", "true")).stderr).toMatch(
      /^warning: risk\.closeDenied acts only on coins risk\.denyCoins names or risk\.allowCoins leaves out, and the config has neither list: it does nothing until: /,
    );
    // Once what it needs is stored, it acts: nothing said.
    await set("exec.entry", "passive");
    expect((await set("exec.passiveTimeoutSeconds", "90")).stderr).toBe("");
    await set("risk.denyCoins", "DOGE");
    expect((await set("risk.closeDenied", "true")).stderr).toBe("");
    // Turning closeDenied off needs no list.
    expect((await set("risk.closeDenied", "false")).stderr).toBe("");
  });

  it("says which stored setting a change leaves doing nothing — set or unset — with the way back", async () => {
    const dir = tempDir();
    const cli = (...args: string[]) => runCli(["--config-dir", dir, "config", ...args]);
    await cli("set", "exec.entry", "passive");
    await cli("set", "exec.passiveTimeoutSeconds", "90");
    const ioc = await cli("set", "exec.entry", "ioc");
    expect(ioc.code).toBe(0);
    expect(ioc.stderr).toBe(
      "warning: exec.passiveTimeoutSeconds (stored: 90) now does nothing: it acts only on passive entries (exec.entry passive), and the config has exec.entry ioc — hlcopy config set exec.entry passive makes it act again, hlcopy config unset exec.passiveTimeoutSeconds drops it\n",
    );
    await cli("set", "risk.trailingStopPct", "3");
    await cli("set", "risk.trailingStepPct", "1");
    const unset = await cli("unset", "risk.trailingStopPct");
    expect(unset.code).toBe(0);
    expect(unset.stderr).toMatch(
      /^warning: risk\.trailingStepPct \(stored: 1\) now does nothing: it acts only on a trailing stop/,
    );
    // --json carries them too.
    await cli("set", "risk.trailingStopPct", "3");
    const json = await runCli(["--config-dir", dir, "--json", "config", "unset", "risk.trailingStopPct"]);
    expect((JSON.parse(json.stdout) as { idled?: string[] }).idled).toEqual([
      expect.stringMatching(/^risk\.trailingStepPct \(stored: 1\) now does nothing/),
    ]);
    // A change that leaves each setting acting says nothing.
    expect((await cli("set", "exec.entry", "passive")).stderr).toBe("");
  });

  it("says which stored sizing amounts a switch of sizing mode leaves unread — set or unset — with the way back", async () => {
    const dir = tempDir();
    const cli = (...args: string[]) => runCli(["--config-dir", dir, "config", ...args]);
    await cli("set", "sizing.mode", "fixed-ratio");
    await cli("set", "sizing.ratio", "0.1");
    await cli("set", "sizing.notional", "500"); // fixed-notional's: idle already, said when set
    const toEquity = await cli("set", "sizing.mode", "equity-ratio");
    expect(toEquity.code).toBe(0);
    expect(toEquity.stdout).toBe("sizing.mode = equity-ratio\n");
    // Only what acted before the switch: the notional was idle under fixed-ratio too.
    expect(toEquity.stderr).toBe(
      "warning: sizing.ratio (stored: 0.1) now does nothing: it is used only by sizing mode fixed-ratio, and the config's mode is equity-ratio — hlcopy config set sizing.mode fixed-ratio makes it act again, hlcopy config unset sizing.ratio drops it\n",
    );
    // Setting the mode it already has idles nothing.
    expect((await cli("set", "sizing.mode", "equity-ratio")).stderr).toBe("");
    // Back to fixed-ratio: the ratio acts again, nothing stored of equity-ratio is idled.
    expect((await cli("set", "sizing.mode", "fixed-ratio")).stderr).toBe("");
    // Unsetting the mode (back to the default, equity-ratio) idles the ratio too; --json has it.
    const unset = await runCli(["--config-dir", dir, "--json", "config", "unset", "sizing.mode"]);
    expect(unset.code).toBe(0);
    expect((JSON.parse(unset.stdout) as { idled?: string[] }).idled).toEqual([
      expect.stringMatching(
        /^sizing\.ratio \(stored: 0\.1\) now does nothing: it is used only by sizing mode fixed-ratio, and the config's mode is equity-ratio/,
      ),
    ]);
  });

  it("refuses 0x10 with exit 2 and leaves the file as it was", async () => {
    const dir = tempDir();
    await runCli(["--config-dir", dir, "config", "set", "sizing.notional", "500"]);
    const before = readFileSync(join(dir, "config.json"), "utf8");
    const r = await runCli(["--config-dir", dir, "config", "set", "sizing.notional", "0x10"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: invalid value "0x10" for sizing.notional: numbers are plain decimals.*\nhint: /,
    );
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(before);
  });
});

describe("exchange leverage and margin mode (issue 12.4)", () => {
  it("reconcile: clearinghouseState shows the configured leverage and mode after the first copy; a second copy sends no updateLeverage", async () => {
    const f = await follower();
    const settings = [
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.02",
      "--leverage",
      "4",
      "--margin-mode",
      "isolated",
    ];
    const before = exchangeActions().updateLeverage ?? 0;
    const r = await f.reconcile(settings);
    expect(r.code).toBe(0);
    expect(r.report?.actions.map((a) => [a.coin, a.status])).toEqual([
      ["BTC", "filled"],
      ["ETH", "filled"],
    ]);
    expect((exchangeActions().updateLeverage ?? 0) - before).toBe(2); // one per coin opened
    const state = await f.reader.getAccountState(f.account);
    expect(Object.values(state.positions).map((p) => [p.coin, p.leverage, p.marginMode])).toEqual([
      ["BTC", 4, "isolated"],
      ["ETH", 4, "isolated"],
    ]);
    // The leader adds to BTC: our BTC grows without another updateLeverage.
    await leaderTrade("BTC", "buy", 100_000);
    const again = await f.reconcile(settings);
    expect(again.code).toBe(0);
    expect(again.report?.actions.map((a) => [a.coin, a.reason])).toEqual([["BTC", "increase"]]);
    expect((exchangeActions().updateLeverage ?? 0) - before).toBe(2);
    await leaderTrade("BTC", "sell", 100_000);
  });

  it("a mode the exchange refuses (isolated over an open cross position) skips the coin's increases with leverage-not-set: exit 3", async () => {
    const f = await follower();
    const base = ["--mode", "fixed-ratio", "--ratio", "0.02"];
    expect((await f.reconcile([...base, "--deny-coins", "ETH"])).code).toBe(0); // BTC, cross
    await leaderTrade("BTC", "buy", 100_000);
    const orders = exchangeActions().order ?? 0;
    const r = await f.reconcile([...base, "--margin-mode", "isolated"]);
    expect(r.code).toBe(3);
    // ETH (no position) is set and opened; BTC cannot switch to isolated while open.
    expect(r.report?.actions.map((a) => [a.coin, a.status])).toEqual([["ETH", "filled"]]);
    const skip = r.report?.skipped.find((s) => s.coin === "BTC");
    expect(skip?.reason).toBe("leverage-not-set");
    expect(skip?.detail).toContain("Cannot switch leverage type with open position.");
    expect((exchangeActions().order ?? 0) - orders).toBe(1);
    await leaderTrade("BTC", "sell", 100_000);
  });

  it("follow: the first copy in a coin sets it, the next copies in that coin send no updateLeverage", async () => {
    const f = await follower();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        BIN,
        "--network",
        sim.httpUrl,
        "--account",
        f.account,
        "--json",
        "follow",
        leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.05",
        "--deny-coins",
        "BTC,ETH",
        "--leverage",
        "5",
        "--sweep-seconds",
        "3600",
        "--yes",
      ],
      {
        env: cleanEnv({ HLCOPY_CONFIG_DIR: f.dir, HLCOPY_AGENT_KEY: f.agentKey }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const lines = () =>
      out
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { type: string; coin?: string; status?: string });
    const filled = () =>
      lines().filter((l) => l.type === "order" && l.coin === "SOL" && l.status === "filled");
    try {
      await eventually(() => lines().some((l) => l.type === "sweep"), 10_000);
      const before = exchangeActions().updateLeverage ?? 0;
      await leaderTrade("SOL", "buy", 20_000);
      await eventually(() => filled().length >= 1, 10_000);
      await leaderTrade("SOL", "buy", 20_000);
      await eventually(() => filled().length >= 2, 10_000);
      expect((exchangeActions().updateLeverage ?? 0) - before).toBe(1);
      const sol = (await f.reader.getAccountState(f.account)).positions.SOL;
      expect([sol?.leverage, sol?.marginMode]).toEqual([5, "cross"]);
    } finally {
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
      await leaderTrade("SOL", "sell", 40_000);
    }
  });
});
