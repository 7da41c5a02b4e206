// The journal's file deleted or moved while follow writes it (a cleanup script, a mistaken
// `mv` of a live journal): SQLite goes on writing the file it opened, so the run went on in
// silence, and everything it journaled — its orders, the high-water mark, a halt — was gone
// for the next run ("no runs yet"). The real binary: one warning, once, and the run goes on.

import { rmSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed } from "../../src/sim/leader.js";
import { journalPath } from "../../src/store/journal.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { leaderTrades, spawnFollow } from "./helpers.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(4545);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 46, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  await leaderTrades(sim, leaderKey, { seed: 78, trades: 2 });
});
afterAll(async () => {
  await sim.close();
});

const goneWarnings = (lines: Record<string, unknown>[]) =>
  lines.filter(
    (l) =>
      l.type === "warning" &&
      /^journal .* was deleted or moved while this run writes it: /.test(String(l.message)),
  );

describe("follow whose journal file is deleted under it", () => {
  it("says so once at the next sweep; the run goes on", { timeout: 90_000 }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      extra: ["--sweep-seconds", "1"],
    });
    try {
      await run.until(() => run.sweeps() > 0);
      expect(goneWarnings(run.lines)).toEqual([]);
      rmSync(journalPath(configDir, master.address, sim.httpUrl));
      await run.until(() => goneWarnings(run.lines).length > 0, 20_000);
      const sweeps = run.sweeps();
      await run.until(() => run.sweeps() >= sweeps + 2, 20_000);
      expect(goneWarnings(run.lines)).toHaveLength(1);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
  });
});
