// A stop signal while a reconcile's start reads a long history — kelly's edge of a busy leader,
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

describe("reconcile stopped while its start reads kelly's history", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} while the leader's fills are read: ends at once, nothing sent, said`, async () => {
      // The history's second page is held: the read is under way and would go on for pages.
      let pages = 0;
      const gate = proxy.holdNext(
        (r) => r.type === "userFillsByTime" && r.body.user === busy && ++pages === 2,
      );
      const run = startCli(
        ["--network", proxy.httpUrl, "--account", ours, "reconcile", busy, "--dry-run", "--mode", "kelly"],
        { HLCOPY_CONFIG_DIR: tempDir("hlcopy-kelly-stop-") },
      );
      try {
        await gate.held;
        const pagesAtSignal = proxy.seen.userFillsByTime ?? 0;
        run.child.kill(signal);
        expect(await run.exit, run.err()).toBe(130);
        expect(run.err()).toMatch(new RegExp(`error: interrupted by ${signal}[^\\n]*: nothing was sent`));
        // The held page was given up and no later page asked for: the history was not read on
        // to its end (it was, then said the leader's edge, then the interruption).
        expect(proxy.seen.userFillsByTime).toBe(pagesAtSignal);
        expect(run.err()).not.toContain("kelly: leader");
      } finally {
        gate.release();
      }
    }, 60_000);
  }
});
