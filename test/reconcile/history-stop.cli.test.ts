// A stop signal while a reconcile's start reads a long history — kelly's edge, risk.skipLeaderNewCoins — of a busy leader,
// ~30 s of pages under the request budget — ends it at once, said (nothing sent), as during its
// other start-up reads: it waited for the whole history before it said a word.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { busyHistoryWorld } from "../analytics/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { startCli, tempDir } from "../helpers/cli.js";

const DAY = 86_400_000;
const NOW = Date.now();
let sim: SimHandle;
let proxy: FaultProxy;
let busy: Address;
let ours: Address;

beforeAll(async () => {
  ({ sim, busy } = await busyHistoryWorld({
    seed: 83,
    now: NOW,
    oldAt: NOW - 20 * DAY,
    busyFrom: NOW - 3 * DAY,
  }));
  ours = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
  sim.control.fund(ours, 10_000);
  proxy = await startFaultProxy(sim.httpUrl);
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

const CASES = [
  { what: "kelly's edge", args: ["--mode", "kelly"], config: null },
  { what: "risk.skipLeaderNewCoins", args: [], config: ["risk.skipLeaderNewCoins", "true"] },
] as const;

describe("reconcile stopped while its start reads a leader's history", () => {
  for (const c of CASES)
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      it(`${c.what}: ${signal} while the leader's fills are read ends it at once, nothing sent, said`, async () => {
        const env = { HLCOPY_CONFIG_DIR: tempDir("hlcopy-history-stop-") };
        if (c.config) {
          const set = await startCli(["config", "set", ...c.config], env).exit;
          expect(set).toBe(0);
        }
        // The history's second page is held: the read is under way and would go on for pages.
        let pages = 0;
        const gate = proxy.holdNext(
          (r) => r.type === "userFillsByTime" && r.body.user === busy && ++pages === 2,
        );
        const run = startCli(
          ["--network", proxy.httpUrl, "--account", ours, "reconcile", busy, "--dry-run", ...c.args],
          env,
        );
        try {
          await gate.held;
          const pagesAtSignal = proxy.seen.userFillsByTime ?? 0;
          run.child.kill(signal);
          expect(await run.exit, run.err()).toBe(130);
          expect(run.err()).toMatch(new RegExp(`error: interrupted by ${signal}[^\\n]*: nothing was sent`));
          // The held page was given up and no later page asked for: the history was not read on
          // to its end (it was, then said what it found, then the interruption).
          expect(proxy.seen.userFillsByTime).toBe(pagesAtSignal);
          expect(run.err()).not.toMatch(/kelly: leader|history since/);
        } finally {
          gate.release();
        }
      }, 60_000);
    }
});
