// A follow stopped before it started — Ctrl-C typed at its review's [y/N], a signal there or
// during its set-up — never ran: it prints no `state` line and no summary (no figure of a run
// that never began), begins nothing after the signal, says once how it stopped and that nothing
// was sent, and exits as the contract says. The real binary (on a pseudo-terminal, util-linux
// `script`, where it asks), against the simulator.

import { afterEach, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { childOf, hasScript, onTerminal } from "../helpers/terminal.js";
import { spawnFollow } from "./helpers.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A follower with an agent, and a leader holding SOL: the start plan opens it, so the review asks. */
async function world() {
  const sim = await startSim({ seed: 73, tickMs: 0 });
  sims.push(sim);
  const f = await masterWithAgent(sim, 10_000);
  const leader = fundedAccount(sim, 1_000_000);
  const c = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader.address as Address,
    agentKey: leader.key as `0x${string}`,
  });
  const markets = await c.getMarkets();
  const sol = markets.SOL;
  if (!sol) throw new Error("SOL");
  const [r] = await c.placeOrders(
    [action(markets, "SOL", "buy", Number((200_000 / sol.mid).toFixed(sol.szDecimals)))],
    markets,
  );
  expect(r?.status).toBe("filled");
  const env = {
    HLCOPY_CONFIG_DIR: tempDir(),
    HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"),
    HLCOPY_AGENT_KEY: f.agentKey,
  };
  const args = [
    "--network",
    sim.httpUrl,
    "--account",
    f.master.address,
    "follow",
    leader.address,
    "--mode",
    "equity-ratio",
    "--max-leverage",
    "5",
    "--no-ui",
  ];
  return {
    sim,
    env,
    args,
    master: f.master.address,
    leader: leader.address as Address,
    ordersSent: () => sim.control.orderHistory(f.master.address).length,
  };
}

describe("follow --no-ui stopped at its review", () => {
  // Typed at the question (the review reads the terminal raw): the prompt's contract — "error:
  // interrupted", exit 130. A signal sent to the process: a clean stop before the run, exit 0.
  const cases = [
    {
      how: "Ctrl-C typed",
      code: 130,
      tail: ["stop: interrupted at the review", "error: interrupted", "hint: nothing was changed"],
    },
    {
      how: "SIGINT",
      code: 0,
      tail: ["stop: signal SIGINT", "stopped by SIGINT at the review: nothing was sent"],
    },
    {
      how: "SIGTERM",
      code: 0,
      tail: ["stop: signal SIGTERM", "stopped by SIGTERM at the review: nothing was sent"],
    },
  ] as const;
  for (const c of cases) {
    it.skipIf(!hasScript)(
      `${c.how} at the [y/N]: no state line, the stop and one line saying so, exit ${c.code}`,
      {
        timeout: 60_000,
      },
      async () => {
        const w = await world();
        const t = onTerminal(w.args, w.env);
        await eventually(() => t.screen().includes("[y/N]"), 30_000);
        if (c.how === "Ctrl-C typed") t.type("\x03");
        else {
          const pid = await eventually(() => (t.child.pid === undefined ? null : childOf(t.child.pid)));
          process.kill(pid, c.how);
        }
        expect(await t.exit).toBe(c.code);
        // After the question's line: each line, its time of day dropped.
        const after = t
          .screen()
          .slice(t.screen().lastIndexOf("[y/N]"))
          .split("\r\n")
          .slice(1)
          .map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ""));
        // A run that never started shows no figures: no `state` line (it printed one, of the
        // review's plan, between the question and the stop), and the stop says how it ended, not
        // "could not start".
        expect(after).toEqual([...c.tail, ""]);
        expect(w.ordersSent()).toBe(0);
      },
    );
  }
});

describe("follow stopped during its set-up", () => {
  // Text: one line on stderr. --json: one `stop` document on stdout instead (as an error is
  // there) — a script reading stdout got nothing at all from a run that never began.
  for (const json of [false, true]) {
    it(`SIGTERM while the approval check waits for its answer, which then comes: nothing more is begun, one ${json ? "stop document" : "line"}, exit 0`, {
      timeout: 60_000,
    }, async () => {
      const w = await world();
      // Every request answers 3 s late: the approval check is waiting when the signal comes.
      w.sim.control.fault({ kind: "latency", ms: 3_000 });
      const run = spawnFollow({
        httpUrl: w.sim.httpUrl,
        account: w.master,
        leader: w.leader,
        configDir: w.env.HLCOPY_CONFIG_DIR,
        agentKey: w.env.HLCOPY_AGENT_KEY,
        json,
        extra: ["--no-ui"],
        env: { HLCOPY_LOCK_DIR: w.env.HLCOPY_LOCK_DIR },
      });
      try {
        await run.until(() => (w.sim.control.stats().infoByType.extraAgents ?? 0) > 0);
        const reads = w.sim.control.stats().infoByType.clearinghouseState ?? 0;
        run.child.kill("SIGTERM");
        w.sim.control.fault({ kind: "latency", ms: 0 });
        expect(await run.exit).toBe(0);
        // It went on to its start checks (the accounts read) and printed the summary of a run that
        // never ran; at a terminal it asked its review after the Ctrl-C.
        expect(w.sim.control.stats().infoByType.clearinghouseState ?? 0).toBe(reads);
        const said = "stopped by SIGTERM during start-up: nothing was sent";
        if (json) {
          expect(run.lines).toEqual([
            {
              ts: expect.any(Number),
              type: "stop",
              reason: said,
              began: false,
              signal: "SIGTERM",
              ordersSent: 0,
            },
          ]);
          expect(run.stderr()).toBe("");
        } else {
          expect(run.lines).toEqual([]);
          expect(run.stderr()).toBe(`${said}\n`);
        }
        expect(w.ordersSent()).toBe(0);
      } finally {
        run.child.kill("SIGKILL");
      }
    });
  }
});
