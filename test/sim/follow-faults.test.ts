// hlcopy rides out the faults the real exchange produces (see exchange-faults.test.ts): the
// engine follows a scripted leader against the in-process simulator over real websockets and
// HTTP, the fault hits mid-burst, and at the end the account is in sync, no cloid was sent
// twice, and the problem was shown as an event.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { RateLimitError } from "../../src/core/errors.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { openJournal } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";

let sim: SimHandle;
let seed = 500;
beforeAll(async () => {
  sim = await startSim({ seed: 41, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});
// Accounts are per test; faults are per simulator: none outlives the test that set it.
afterEach(() => sim.control.reset());

async function follow(options: { orderLateMs?: number } = {}) {
  const { master, agentKey } = await masterWithAgent(sim, 100_000);
  const leaderKey = leaderKeyForSeed(seed++);
  const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
  sim.control.fund(leader, 1_000_000);
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 0.2; // the leader's $200–2000 trades become $40–400
  s.exec.sweepSeconds = 3600; // sweeps only when the test asks
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: master.address,
    agentKey,
    budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e6, initialBackoffMs: 50, maxBackoffMs: 200 }),
  });
  const journal = openJournal(":memory:");
  const engine = new CopyEngine({
    reader: client,
    executor: liveExecutor(client),
    journal,
    settings: s,
    leaders: [{ address: leader, weight: 1 }],
    account: master.address,
    network: sim.httpUrl,
    mode: "live",
    command: "follow",
    // The leader, funded a moment ago, trades in the bursts the tests start once the run is on.
    allowEmptyLeader: true,
    backoffMs: 50,
    ...options,
  });
  const events: EngineEvent[] = [];
  engine.events.on((e) => events.push(e));
  const done = engine.run(
    streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader], account: master.address }),
  );
  await eventually(() => events.some((e) => e.type === "sweep"));
  let leaderSeed = seed * 7;
  const burst = (n: number, rate = 30) =>
    startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: leaderSeed++,
      privateKey: leaderKey,
      ratePerSec: rate,
      coins: ["BTC", "ETH", "SOL", "HYPE"],
      maxTrades: n,
      fundUsd: 0,
    });
  return { master: master.address, leader, engine, events, done, burst };
}

type Run = Awaited<ReturnType<typeof follow>>;

/**
 * After the leader stops: sweeps until no coin is backing off and the exchange no longer
 * rate-limits us (the fault's aftermath), then one sweep repairs what was missed and the next
 * finds nothing to do.
 */
async function expectInSync(t: Run) {
  await eventually(async () => {
    try {
      const sweep = await t.engine.sweep("manual");
      return sweep.plan.skipped.every((x) => x.reason !== "backoff");
    } catch (e) {
      if (e instanceof RateLimitError) return false;
      throw e;
    }
  }, 15_000);
  await t.engine.sweep("manual");
  const check = await t.engine.sweep("manual");
  expect(check.results).toEqual([]);
  expect(check.plan.inSync).toBe(true);
  const cloids = sim.control.orderHistory(t.master).map((o) => o.cloid);
  expect(cloids.length).toBeGreaterThan(0);
  expect(new Set(cloids).size).toBe(cloids.length);
  expect(await t.engine.stop("test")).toBe(0);
  expect(await t.done).toBe(0);
  sim.control.reset();
}

const orderErrors = (t: Run) => t.events.flatMap((e) => (e.type === "order" && e.error ? [e.error] : []));

describe("hlcopy rides out the exchange's faults", () => {
  it("postOnly after a network upgrade: orders are refused and shown, the coin backs off, then it catches up", async () => {
    const t = await follow();
    t.engine.togglePause(); // the leader trades before the upgrade…
    const l = await t.burst(8);
    await l.done;
    // …and we copy right after it, when only post-only orders are accepted. The window stays
    // open until a refusal was shown (an 800 ms one closed before a busy machine's first copy).
    sim.control.fault({ kind: "postOnly", ms: 600_000 });
    t.engine.togglePause();
    await eventually(() =>
      orderErrors(t).some((e) =>
        e.startsWith("Only post-only orders allowed immediately after a network upgrade"),
      ),
    );
    expect(t.events.some((e) => e.type === "order" && e.status === "filled")).toBe(false);
    sim.control.fault({ kind: "postOnly", ms: 0 });
    // Once the window closes the backed-off coins are copied without any help.
    await eventually(() => t.events.some((e) => e.type === "order" && e.status === "filled"), 5_000);
    await expectInSync(t);
  });

  it("the per-address action budget runs out (429): shown as rate limiting, paced, then in sync", async () => {
    const t = await follow();
    // No action left: one request every 400 ms gets through, until the volume it trades lifts the cap.
    sim.control.fault({ kind: "userRateLimit", user: t.master, remaining: 0, intervalMs: 400 });
    const l = await t.burst(10);
    await l.done;
    // Shown as rate limiting (an order batch) or a warning (a leverage update refused with 429).
    await eventually(
      () =>
        t.events.some(
          (e) =>
            (e.type === "rateLimit" && e.detail.includes("HTTP 429")) ||
            (e.type === "warning" && e.message.includes("HTTP 429")),
        ),
      5_000,
    );
    await expectInSync(t);
  });

  it("nonce rejections: the refused batch is shown, nothing is double-sent, the next plan gets in sync", async () => {
    const t = await follow();
    // The fault hits mid-run: after a first burst was copied, before a second one is.
    const first = await t.burst(5);
    await first.done;
    await eventually(() => t.events.some((e) => e.type === "order"), 5_000);
    sim.control.fault({ kind: "nonce", count: 2, user: t.master });
    const l = await t.burst(5);
    await l.done;
    // Shown as an error (an order batch) or a warning (a leverage update) naming the nonce.
    await eventually(
      () =>
        t.events.some(
          (e) =>
            (e.type === "warning" || e.type === "error") &&
            e.message.includes("Invalid nonce: duplicate nonce"),
        ),
      5_000,
    );
    await expectInSync(t);
  });

  it("a websocket that stays open but stops sending the leader's fills: copied from the account stream, with a warning", async () => {
    const t = await follow();
    sim.control.fault({ kind: "muteChannel", channel: "userFills", ms: 60_000 });
    const leaderFillsBefore = t.events.filter((e) => e.type === "leaderFill").length;
    const ordersBefore = t.events.filter((e) => e.type === "order").length;
    const l = await t.burst(6, 10);
    await l.done;
    // No leader fill arrived (the socket is alive, that channel is not)…
    expect(t.events.filter((e) => e.type === "leaderFill").length).toBe(leaderFillsBefore);
    // …the leader's account stream showed the changes: said as a warning, copied without a sweep.
    const silent = () =>
      t.events.filter((e) => e.type === "warning" && e.message.includes("no fill on the fills stream"));
    await eventually(() => silent().length > 0, 5_000);
    await eventually(() => t.events.filter((e) => e.type === "order").length > ordersBefore, 5_000);
    expect(t.events.filter((e) => e.type === "sweep").length).toBe(1); // only the start sweep
    // The channel speaks again: said once, and the leader's fills are copied from it.
    sim.control.reset();
    const back = await t.burst(2, 10);
    await back.done;
    await eventually(() => t.events.some((e) => e.type === "notice" && e.kind === "fills-stream"), 5_000);
    expect(t.events.filter((e) => e.type === "leaderFill").length).toBeGreaterThan(leaderFillsBefore);
    await expectInSync(t);
    // Said once for the quiet spell, not once per position change (the 6 trades changed several),
    // nor again for a change seen before the fills came back.
    expect(silent()).toHaveLength(1);
  });

  it("an order request the exchange is slow to answer is said, and a stop awaiting it says what it waits for", async () => {
    const t = await follow({ orderLateMs: 100 });
    // The exchange runs our orders at once and answers 3 s later (the leader's too).
    sim.control.fault({ kind: "latency", ms: 3_000, endpoint: "exchange" });
    const from = t.events.length;
    const l = await t.burst(1, 10);
    await eventually(
      () => t.events.some((e) => e.type === "warning" && e.message.startsWith("no answer from the exchange")),
      10_000,
    );
    const stopped = t.engine.stop("test");
    await eventually(
      () =>
        t.events.some(
          (e) =>
            e.type === "notice" &&
            e.kind === "stopping" &&
            e.message.startsWith("stopping: awaiting the outcome of the order request in flight"),
        ),
      10_000,
    );
    expect(await stopped).toBe(0);
    expect(await t.done).toBe(0);
    await l.done;
    // The stop awaited the answer: the order's outcome was taken, not dropped.
    expect(t.events.slice(from).some((e) => e.type === "order" && e.status === "filled")).toBe(true);
  });
});
