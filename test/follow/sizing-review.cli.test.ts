// A sizing that grows the copy more than 2× since the last run of these leaders (a ratio of
// 0.001 after runs at 0.0001: every position traded up 10×) is reviewed before it trades,
// even when the plan moves less than exec.confirmAbovePct of equity: on a terminal the plan is
// shown with that reason and asked for; without one the run is refused (exit 2); --yes confirms
// without a question (scripts). A smaller sizing only warns: it reduces exposure. The real
// binary against a simulator; the terminal is util-linux `script`'s pseudo-terminal.

import { afterEach, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { hasScript, onTerminal } from "../helpers/terminal.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A leader holding $200k of ETH; a follower with $10k whose agent key is in the environment. */
async function world() {
  const sim = await startSim({ seed: 57, tickMs: 0 });
  sims.push(sim);
  const f = await masterWithAgent(sim, 10_000);
  const leader = fundedAccount(sim, 1_000_000);
  const c = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader.address,
    agentKey: leader.key,
  });
  const markets = await c.getMarkets();
  const eth = markets.ETH;
  if (!eth) throw new Error("ETH");
  const [r] = await c.placeOrders(
    [action(markets, "ETH", "buy", Number((200_000 / eth.mid).toFixed(eth.szDecimals)))],
    markets,
  );
  expect(r?.status).toBe("filled");
  const env = {
    HLCOPY_CONFIG_DIR: tempDir(),
    HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"),
    HLCOPY_AGENT_KEY: f.agentKey,
  };
  const globals = ["--network", sim.httpUrl, "--account", f.master.address];
  const ratio = (x: string) => ["--mode", "fixed-ratio", "--ratio", x];
  return {
    sim,
    leader: leader.address as Address,
    env,
    globals,
    ratio,
    reconcile: (args: string[]) =>
      runCli([...globals, "reconcile", leader.address, ...args], { env, timeoutMs: 30_000 }),
    ordersSent: () => sim.control.orderHistory(f.master.address).length,
  };
}

/**
 * The real binary on a pseudo-terminal: resolves with its screen once it asks `[y/N]` (after
 * typing `answer`) or once it has sent an order without asking, and its exit code.
 */
function reviewOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  answer: string,
  sent: () => boolean,
): Promise<{ asked: boolean; code: number | null; screen: string }> {
  const { child, screen: shown, exit } = onTerminal(args, env);
  let asked = false;
  child.stdout.on("data", () => {
    if (!asked && shown().includes("[y/N]")) {
      asked = true;
      child.stdin.write(answer);
    }
  });
  // Traded without asking (the old behaviour): stop it, the test fails on `asked`.
  const poll = setInterval(() => {
    if (!asked && sent()) child.kill("SIGTERM");
  }, 50);
  return exit.then((code) => {
    clearInterval(poll);
    return { asked, code, screen: shown() };
  });
}

describe("a sizing much larger than the last run's is reviewed", () => {
  it.skipIf(!hasScript)(
    "follow at 10× the last run's ratio asks, naming the change; no sends nothing; without a terminal it is refused; --yes confirms; a smaller one only warns",
    { timeout: 120_000 },
    async () => {
      const w = await world();
      // The first run (reviewed with --yes) copies 0.0001 of the leader: about $20.
      const first = await w.reconcile([...w.ratio("0.0001"), "--yes", "--json"]);
      expect(first.code).toBe(0);
      const afterFirst = w.ordersSent();
      expect(afterFirst).toBeGreaterThan(0);

      // 10× that: about $180 more, far under exec.confirmAbovePct (50 % of $10k), so only the
      // sizing change asks.
      const follow = await reviewOnTerminal(
        [...w.globals, "follow", w.leader, ...w.ratio("0.001"), "--no-ui"],
        w.env,
        "n\r",
        () => w.ordersSent() > afterFirst,
      );
      expect(follow.asked).toBe(true);
      expect(follow.screen).toContain("This run needs your review before it trades:");
      expect(follow.screen).toMatch(
        /its sizing changed since the last reconcile of these leaders \(started \d{4}-\d\d-\d\d \d\d:\d\d UTC\): fixed-ratio ratio 0\.0001 → fixed-ratio ratio 0\.001, 10× the size/,
      );
      expect(follow.screen).not.toMatch(/of equity \(more than exec\.confirmAbovePct/);
      // Said once: as the review's reason, not also as a warning printed before it.
      expect(follow.screen.match(/sized by fixed-ratio ratio 0\.0001|ratio 0\.0001 → /g)).toHaveLength(1);
      expect(follow.screen).not.toContain("warning: the last reconcile of these leaders");
      expect(follow.screen).toContain("not confirmed: nothing was sent");
      expect(follow.code).toBe(2); // it did not start, as without a terminal
      expect(w.ordersSent()).toBe(afterFirst);

      // Without a terminal and without --yes: refused, with the reason; nothing sent.
      const refused = await w.reconcile(w.ratio("0.001"));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^error: this run needs your review before it trades: its sizing changed/m,
      );
      expect(refused.stderr).toContain("10× the size");
      // The refusal names the change: no warning says it again before it.
      expect(refused.stderr).not.toContain("warning: the last reconcile of these leaders");
      expect(w.ordersSent()).toBe(afterFirst);

      // --yes confirms it without a question, as scripts do.
      const yes = await w.reconcile([...w.ratio("0.001"), "--yes"]);
      expect(yes.code).toBe(0);
      // No review shown (--yes): the warning says it, once.
      expect(yes.stderr.match(/warning: the last reconcile of these leaders/g)).toHaveLength(1);
      const afterYes = w.ordersSent();
      expect(afterYes).toBeGreaterThan(afterFirst);

      // Half of it: reduces exposure, not asked (warned about), even without a terminal.
      const smaller = await w.reconcile(w.ratio("0.0005"));
      expect(smaller.code).toBe(0);
      expect(smaller.stderr).toContain(
        "sized by fixed-ratio ratio 0.001; this run sizes by fixed-ratio ratio 0.0005",
      );
      expect(w.ordersSent()).toBeGreaterThan(afterYes);

      // 10× that, with --json, on a terminal: the review shows it (once, no warning line), and
      // the report still lists it among the run's warnings.
      const afterSmaller = w.ordersSent();
      const json = await reviewOnTerminal(
        [...w.globals, "--json", "reconcile", w.leader, ...w.ratio("0.005")],
        w.env,
        "y\r",
        () => w.ordersSent() > afterSmaller,
      );
      expect(json.asked).toBe(true);
      expect(json.code).toBe(0);
      expect(json.screen).toContain("ratio 0.0005 → fixed-ratio ratio 0.005, 10× the size");
      expect(json.screen).not.toContain("warning: the last reconcile");
      const doc = JSON.parse(json.screen.slice(json.screen.lastIndexOf('{"ts"')).trim()) as {
        warnings: string[];
      };
      expect(doc.warnings).toEqual([
        expect.stringMatching(
          /^the last reconcile of these leaders \(started .*\) sized by fixed-ratio ratio 0\.0005; this run sizes by fixed-ratio ratio 0\.005/,
        ),
      ]);
      expect(w.ordersSent()).toBeGreaterThan(afterSmaller);
    },
  );
});
