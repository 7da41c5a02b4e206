// A stop signal to `hlcopy reconcile` (Ctrl-C, cron's `timeout`, a closed terminal), through the
// real binary: before the run may send, it stops there — nothing sent, said as the contract's two
// lines, exit 130 (interrupted: the account was not brought in sync, so never 0); once its
// order is out, the order is awaited, the account read again and the report printed, and the run
// is journaled as ended (not "never ended: killed or crashed"). Before, Node's default ended the
// process at once: exit 143, no output, the order executed and the run left open.
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
  sim = await startSim({ seed: 73, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

/** A leader holding ETH, and a funded account of ours with an approved agent (on the file's simulator). */
async function setup() {
  const w = await reconcileWorld({ sim });
  await w.tradeUsd("ETH", "buy", 200_000);
  return { leader: w.leader, account: w.account, agentKey: w.agentKey, dir: w.env.HLCOPY_CONFIG_DIR };
}

/** `hlcopy reconcile` as a child we can signal. */
function startReconcile(s: Awaited<ReturnType<typeof setup>>) {
  return startCli(
    [
      "--network",
      proxy.httpUrl,
      "--account",
      s.account,
      "reconcile",
      s.leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.2",
      "--yes",
    ],
    { HLCOPY_CONFIG_DIR: s.dir, HLCOPY_AGENT_KEY: s.agentKey },
  );
}

/** Our orders the exchange received (each cloid once: nothing sent twice). */
const ordersOf = (account: Address) => sim.control.orderHistory(account);

async function lastRun(s: Awaited<ReturnType<typeof setup>>) {
  const status = await runCli(["--network", proxy.httpUrl, "--account", s.account, "--json", "status"], {
    env: { HLCOPY_CONFIG_DIR: s.dir },
  });
  return (JSON.parse(status.stdout) as { lastRun: { command: string; exitCode: number | null } | null })
    .lastRun;
}

describe("reconcile and stop signals", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} while its order is out: the order is awaited, the account re-read, the report (what was sent) printed, the run ended`, async () => {
      const s = await setup();
      const gate = proxy.holdNext((r) => r.endpoint === "exchange" && r.type === "order");
      const run = startReconcile(s);
      await gate.held;
      run.child.kill(signal);
      // Said at once (the order may be seconds away), before the order goes on.
      await eventually(() => run.err().includes(`${signal}: nothing more is sent`), 20_000);
      gate.release();
      expect(await run.exit).toBe(0);
      expect(ordersOf(s.account).map((o) => o.coin)).toEqual(["ETH"]);
      expect(run.out()).toMatch(/ETH/);
      expect(run.out()).toContain("in sync");
      const last = await lastRun(s);
      expect(last).toMatchObject({ command: "reconcile", exitCode: 0 });
    }, 60_000);
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} before it could send (its account read held): nothing sent, said so, exit 130 — not 0 ("in sync")`, async () => {
      const s = await setup();
      const gate = proxy.holdNext((r) => r.type === "clearinghouseState" && r.body.user === s.account);
      const run = startReconcile(s);
      await gate.held;
      run.child.kill(signal);
      // The stop is taken as the signal arrives: the read it waits on is given up. Waited for
      // before the read is let go — released at once, the reply raced the signal's delivery, and
      // on a busy machine the run could take the reply, plan and begin to send first (then it
      // stops as a run that sent does: CI once saw exit 3, not 130).
      await gate.abandoned;
      gate.release();
      const code = await run.exit;
      expect(code, run.err()).toBe(130);
      expect(run.err()).toMatch(
        new RegExp(
          `^error: interrupted by ${signal} [a-z -]+: nothing was sent\nhint: the account is as it was: run hlcopy reconcile again\n$`,
        ),
      );
      expect(run.out()).toBe("");
      expect(ordersOf(s.account)).toEqual([]);
      // Nothing journaled: a run stopped before it could send keeps no record.
      expect(await lastRun(s)).toBeNull();
    }, 60_000);
  }
});
