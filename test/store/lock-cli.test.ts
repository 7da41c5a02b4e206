// The lock with the real binary: two config directories, one account. A `follow` in one
// directory holds the (network, account) lock; a live `reconcile` from another directory is
// refused with exit 1, naming the holder's pid, command and config directory, and sends nothing.

import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: Address;
let account: Address;
let agentKey: `0x${string}`;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sim = await startSim({ seed: 23, tickMs: 0 });
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: l.address,
    agentKey: l.key,
  });
  const markets = await client.getMarkets();
  const [r] = await client.placeOrders([action(markets, "BTC", "buy", 1)], markets);
  expect(r?.status).toBe("filled");
  const f = await masterWithAgent(sim, 50_000);
  account = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await sim.close();
});

const copyArgs = () => ["--network", sim.httpUrl, "--account", account, "--json"];
const sizing = ["--mode", "fixed-ratio", "--ratio", "0.01"];

describe("one account, two config directories", () => {
  it("a second trader from another --config-dir is refused (exit 1) naming pid and config dir", {
    timeout: 90_000,
  }, async () => {
    const locks = tempDir("hlcopy-locks-");
    const dirA = tempDir("hlcopy-cfg-a-");
    const dirB = tempDir("hlcopy-cfg-b-");
    const env = { HLCOPY_AGENT_KEY: agentKey, HLCOPY_LOCK_DIR: locks };
    const follow = spawn(
      process.execPath,
      [
        BIN,
        ...copyArgs(),
        "--config-dir",
        dirA,
        "follow",
        leader,
        ...sizing,
        "--sweep-seconds",
        "3600",
        "--yes",
      ],
      { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(follow);
    let out = "";
    follow.stdout?.on("data", (d) => {
      out += d;
    });
    const exit = new Promise<number | null>((resolve) => follow.on("close", (code) => resolve(code)));
    await eventually(() => out.includes('"type":"sweep"'), 15_000);
    // The lock lives in the lock directory, not in either config directory.
    expect(readdirSync(locks).filter((f) => f.startsWith("lock-"))).toHaveLength(1);
    expect(readdirSync(dirA).filter((f) => f.startsWith("lock"))).toEqual([]);

    const orders = sim.control.orderHistory(account).length;
    const second = await runCli([...copyArgs(), "--config-dir", dirB, "reconcile", leader, ...sizing], {
      env,
    });
    expect(second.code).toBe(1);
    // --json: the error is one document on stdout, nothing on stderr.
    expect(second.stderr).toBe("");
    const [error, hint, ...rest] = jsonError(second.stdout).trim().split("\n");
    expect(rest).toEqual([]);
    expect(error).toContain(`error: another hlcopy (pid ${follow.pid})`);
    expect(error).toContain(`(follow, config dir ${dirA})`);
    // When, as status says it; a follow is stopped cleanly with hlcopy stop, offered before kill.
    expect(error).toMatch(/ since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(follow/);
    expect(hint).toMatch(new RegExp(`^hint: stop it first \\(hlcopy stop, or kill ${follow.pid}`));
    expect(sim.control.orderHistory(account).length).toBe(orders);

    follow.kill("SIGTERM");
    expect(await exit).toBe(0);
    // Released on exit: the other directory may trade now (adopting what the first opened:
    // its journal is another one).
    expect(readdirSync(locks).filter((f) => f.startsWith("lock-"))).toEqual([]);
    const third = await runCli(
      [...copyArgs(), "--config-dir", dirB, "reconcile", leader, ...sizing, "--adopt", "--yes"],
      { env },
    );
    expect([0, 3]).toContain(third.code);
  });
});
