// One journal per (network, account), through the real binary: two simulators on two ports
// are two exchanges with one account address. What hlcopy did on one — its high-water mark,
// its halt — never reaches the other: a follow there starts clean, and status and journal on
// each show that network's runs only.
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath } from "../../src/store/journal.js";
import { action, eventually } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, tempDir, whole } from "../helpers/cli.js";

let simA: SimHandle;
let simB: SimHandle;
const leaderKey = generatePrivateKey();
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
const masterKey = generatePrivateKey();
const master = privateKeyToAccount(masterKey).address.toLowerCase() as Address;
const agentKey = generatePrivateKey();

/** The same leader and follower on a simulator: the leader long ETH, the follower funded with `usd`. */
async function setUp(sim: SimHandle, usd: number): Promise<void> {
  sim.control.fund(leader, 1_000_000);
  sim.control.fund(master, usd);
  const wallet = privateKeyToAccount(masterKey);
  const sdk = new ExchangeClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }), wallet });
  await sdk.approveAgent({ agentAddress: privateKeyToAccount(agentKey).address, agentName: "hlcopy" });
  const c = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader,
    agentKey: leaderKey,
  });
  const markets = await c.getMarkets();
  const eth = markets.ETH;
  if (!eth) throw new Error("no ETH");
  const [r] = await c.placeOrders(
    [action(markets, "ETH", "buy", Number((200_000 / eth.mid).toFixed(eth.szDecimals)))],
    markets,
  );
  expect(r?.status).toBe("filled");
}

beforeAll(async () => {
  simA = await startSim({ seed: 61, tickMs: 0 });
  simB = await startSim({ seed: 62, tickMs: 0 });
  // The walk's numbers: $10 000 on one exchange, $1 000 on the other — a 90 % "drawdown" if
  // the second borrowed the first's high-water mark.
  await setUp(simA, 10_000);
  await setUp(simB, 1_000);
});
afterAll(async () => {
  await Promise.all([simA?.close(), simB?.close()]);
});

describe("two simulators, one account, one config directory", () => {
  const dir = tempDir();
  const env = { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey };
  const cli = (sim: SimHandle, args: string[]) =>
    runCli(["--network", sim.httpUrl, "--account", master, ...args], { env, timeoutMs: 30_000 });
  const statusOf = async (sim: SimHandle) => {
    const r = await cli(sim, ["--json", "status"]);
    const { ts: _ts, ...doc } = JSON.parse(r.stdout) as Record<string, unknown>;
    return { code: r.code, doc };
  };
  const journalOf = async (sim: SimHandle) =>
    JSON.parse((await cli(sim, ["--json", "journal", "--limit", "0"])).stdout) as { table: string }[];

  it("a follow on B after runs on A starts with no halt and no borrowed high-water mark; A is unchanged", async () => {
    const onA = await cli(simA, [
      "--json",
      "reconcile",
      leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.01",
      "--yes",
    ]);
    expect(onA.stderr).toBe("");
    expect(onA.code).toBe(0);
    const statusA = await statusOf(simA);
    expect(statusA.doc).toMatchObject({ halt: null, journal: journalPath(dir, master, simA.httpUrl) });
    expect(statusA.doc.hwm).toBeGreaterThan(9_000);
    const journalA = await journalOf(simA);

    // B has no journal yet, and says where the account's other one is.
    const none = whole(await cli(simB, ["status"]));
    expect(none.stdout).toBe(
      `no runs yet for ${master} on ${simB.httpUrl}: hlcopy reconcile or hlcopy follow start the journal; it has journals for other networks: ${simA.httpUrl} (--network chooses the network)\n`,
    );

    const follow = spawnFollow({
      httpUrl: simB.httpUrl,
      account: master,
      leader,
      configDir: dir,
      agentKey,
      extra: ["--sweep-seconds", "3600"],
    });
    try {
      await eventually(() => follow.lines.some((l) => l.type === "sweep"), 30_000);
    } finally {
      follow.child.kill("SIGTERM");
    }
    expect(await follow.exit).toBe(0);
    expect(follow.lines.filter((l) => l.type === "halt")).toEqual([]);
    const statusB = await statusOf(simB);
    expect(statusB.code).toBe(0);
    expect(statusB.doc).toMatchObject({ halt: null, journal: journalPath(dir, master, simB.httpUrl) });
    // B's own high-water mark: its $1 000 account, never A's $10 000.
    expect(statusB.doc.hwm).toBeLessThan(1_100);
    expect((statusB.doc.lastRun as { command: string }).command).toBe("follow");

    // A: the same status and the same journal as before B ran.
    expect(await statusOf(simA)).toEqual(statusA);
    expect(await journalOf(simA)).toEqual(journalA);
  }, 120_000);

  it("a halt on B does not show on A", async () => {
    const flatten = await cli(simB, ["--json", "flatten", "--yes"]);
    expect(flatten.code).toBe(0);
    const statusB = await statusOf(simB);
    expect(statusB.code).toBe(4);
    expect(statusB.doc.halt).toMatchObject({ kind: "manual" });

    const statusA = await statusOf(simA);
    expect(statusA.code).toBe(0);
    expect(statusA.doc.halt).toBeNull();
    expect((await journalOf(simA)).filter((e) => e.table === "halts")).toEqual([]);
    // And A still trades: its run reads no halt.
    const onA = await cli(simA, [
      "--json",
      "reconcile",
      leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.01",
      "--yes",
    ]);
    expect(onA.code).toBe(0);
  }, 120_000);
});
