// A stop signal to `hlcopy flatten` with no follow running (Ctrl-C at the big red button while
// the exchange is slow, a closed terminal), through the real binary. Before, Node's default ended
// the process at once and silently, exit 130 — with closes possibly on their way and the report
// never said. As reconcile: before the closes go it stops there, nothing sent, said as the
// contract's two lines (naming the halt it recorded); once a close is out it is awaited, the
// account read again and the report printed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { eventually } from "../exchange/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { runCli, startCli } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

let sim: SimHandle;
let proxy: FaultProxy;
beforeAll(async () => {
  sim = await startSim({ seed: 74, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

/** Our account holding ETH (a reconcile copied the leader's), on the file's simulator. */
async function setup() {
  const w = await reconcileWorld({ sim });
  await w.tradeUsd("ETH", "buy", 200_000);
  // Through the proxy, as the flatten: one network, one journal.
  const copied = await w.cli(["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"], {
    network: proxy.httpUrl,
  });
  expect(copied.code, copied.stderr).toBe(0);
  return {
    account: w.account,
    agentKey: w.agentKey,
    dir: w.env.HLCOPY_CONFIG_DIR,
    lockDir: w.env.HLCOPY_LOCK_DIR,
  };
}

/** `hlcopy flatten …` as a child we can signal, through the proxy. */
function startFlatten(s: Awaited<ReturnType<typeof setup>>, args: string[]) {
  return startCli(["--network", proxy.httpUrl, "--account", s.account, "flatten", ...args], {
    HLCOPY_CONFIG_DIR: s.dir,
    HLCOPY_LOCK_DIR: s.lockDir,
    HLCOPY_AGENT_KEY: s.agentKey,
  });
}

const ordersOf = (account: Address) => sim.control.orderHistory(account);

async function statusOf(s: Awaited<ReturnType<typeof setup>>) {
  const r = await runCli(["--network", proxy.httpUrl, "--account", s.account, "--json", "status"], {
    env: { HLCOPY_CONFIG_DIR: s.dir, HLCOPY_LOCK_DIR: s.lockDir },
  });
  return JSON.parse(r.stdout) as {
    halt: { kind: string } | null;
    positions: { coin: string; ourSize: number }[];
  };
}

describe("flatten and stop signals", () => {
  it("SIGINT while its close is out: the close is awaited, the account re-read, the report printed", async () => {
    const s = await setup();
    const before = ordersOf(s.account).length;
    const gate = proxy.holdNext((r) => r.endpoint === "exchange" && r.type === "order");
    const run = startFlatten(s, ["--yes"]);
    await gate.held;
    run.child.kill("SIGINT");
    await eventually(() => run.err().includes("SIGINT: nothing more is sent"), 20_000);
    gate.release();
    expect(await run.exit, run.err()).toBe(0);
    expect(
      ordersOf(s.account)
        .slice(before)
        .map((o) => o.coin),
    ).toEqual(["ETH"]);
    expect(run.out()).toMatch(
      /flattened here — 1 reduce-only order\(s\) \(ETH .* filled\); no position left; halted/,
    );
    expect((await statusOf(s)).halt?.kind).toBe("manual");
  }, 60_000);

  it("SIGINT before its closes went (the account read held): nothing sent, said with the halt it left, exit 130", async () => {
    const s = await setup();
    const before = ordersOf(s.account).length;
    const gate = proxy.holdNext((r) => r.type === "clearinghouseState" && r.body.user === s.account);
    const run = startFlatten(s, ["--yes"]);
    await gate.held;
    run.child.kill("SIGINT");
    await gate.abandoned;
    gate.release();
    expect(await run.exit, run.err()).toBe(130);
    expect(run.err()).toMatch(
      /^error: interrupted by SIGINT [a-z -]+: nothing was sent\nhint: trading stays halted \(manual\) until hlcopy resume, and the positions are open: run hlcopy flatten again to close them/,
    );
    expect(ordersOf(s.account).length).toBe(before);
    const status = await statusOf(s);
    expect(status.halt?.kind).toBe("manual");
    expect(status.positions.map((p) => p.coin)).toContain("ETH");
  }, 60_000);

  it("flatten --dry-run: SIGINT while the exchange is waited for is said (exit 130), with the dry run to run again", async () => {
    const s = await setup();
    const gate = proxy.holdNext((r) => r.type === "clearinghouseState" && r.body.user === s.account);
    const run = startFlatten(s, ["--dry-run"]);
    await gate.held;
    run.child.kill("SIGINT");
    await gate.abandoned;
    gate.release();
    expect(await run.exit, run.err()).toBe(130);
    expect(run.err()).toMatch(
      /^error: interrupted by SIGINT [a-z -]+: nothing was sent\nhint: the account is as it was: run hlcopy flatten --dry-run again\n$/,
    );
    expect((await statusOf(s)).halt).toBeNull();
  }, 60_000);
});
