// Faults the real exchange produces that copy bots stumble on, as simulator faults: post-only
// mode after a network upgrade, the per-address action budget (userRateLimit, then 429),
// nonce rejections, and a websocket that stays open but stops sending one channel.

import { HttpRequestError, SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";
import { afterEach, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import {
  cloid,
  eventually,
  infoClient,
  newTrader,
  post,
  rejected,
  statusesOf,
  type Trader,
} from "./helpers.js";

const sims: SimHandle[] = [];
const transports: WebSocketTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  for (const s of sims.splice(0)) await s.close();
});

async function simAt(): Promise<{ sim: SimHandle; clock: { t: number } }> {
  const clock = { t: Date.now() };
  const sim = await startSim({ tickMs: 0, seed: 4, clock: () => clock.t });
  sims.push(sim);
  return { sim, clock };
}

const order = (t: Trader, c: number, tif: "Ioc" | "Gtc" | "Alo" = "Ioc") =>
  t.exchange.order({
    orders: [
      {
        a: 2,
        b: true,
        p: tif === "Ioc" ? "195" : "150",
        s: "1",
        r: false,
        t: { limit: { tif } },
        c: cloid(c),
      },
    ],
    grouping: "na",
  });

async function httpStatus(fn: () => Promise<unknown>): Promise<number> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof HttpRequestError) return e.response?.status ?? 0;
    throw e;
  }
  return 200;
}

describe("postOnly", () => {
  it("for N ms only Alo orders are accepted, with the exchange's text; cancels work; then trading resumes", async () => {
    const { sim, clock } = await simAt();
    const t = newTrader(sim, 100_000);
    const resting = await order(t, 1, "Gtc");
    const oid = (resting.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    sim.control.fault({ kind: "postOnly", ms: 5_000 });
    for (const tif of ["Ioc", "Gtc"] as const) {
      const r = await rejected(() => order(t, tif === "Ioc" ? 2 : 3, tif));
      expect(statusesOf(r.response)).toEqual([
        { error: "Only post-only orders allowed immediately after a network upgrade" },
      ]);
    }
    expect((await order(t, 4, "Alo")).response.data.statuses[0]).toHaveProperty("resting");
    expect((await t.exchange.cancel({ cancels: [{ a: 2, o: oid }] })).response.data.statuses).toEqual([
      "success",
    ]);
    expect(sim.control.orderHistory(t.address).find((o) => o.cloid === cloid(2))?.status).toBe("rejected");
    clock.t += 5_000;
    expect((await order(t, 5)).response.data.statuses[0]).toHaveProperty("filled");
  });
});

describe("userRateLimit", () => {
  it("the budget is 10 000 + 1 per USD traded; past it /exchange answers 429, one request per interval gets through", async () => {
    const { sim, clock } = await simAt();
    const t = newTrader(sim, 100_000);
    await order(t, 1); // ≈ $190 traded
    const before = await infoClient(sim).userRateLimit({ user: t.address });
    expect(before.nRequestsCap).toBe(10_000 + Math.floor(Number(before.cumVlm)));
    expect(before.nRequestsUsed).toBe(1);

    sim.control.fault({ kind: "userRateLimit", user: t.address, remaining: 1, intervalMs: 10_000 });
    expect((await order(t, 2, "Gtc")).response.data.statuses[0]).toHaveProperty("resting"); // the last one
    expect(await httpStatus(() => order(t, 3))).toBe(429);
    expect(sim.control.orderHistory(t.address).some((o) => o.cloid === cloid(3))).toBe(false);
    const limited = await infoClient(sim).userRateLimit({ user: t.address });
    expect(limited.nRequestsUsed).toBe(limited.nRequestsCap);
    // Info requests are not actions: still served.
    expect(await httpStatus(() => infoClient(sim).allMids())).toBe(200);
    // One request per interval while limited: this one gets through and trades ≈ $190…
    clock.t += 10_000;
    expect((await order(t, 4)).response.data.statuses[0]).toHaveProperty("filled");
    // …which raised the cap by that many requests: the address is under its budget again.
    const after = await infoClient(sim).userRateLimit({ user: t.address });
    expect(after.nRequestsCap - after.nRequestsUsed).toBeGreaterThan(100);
    expect((await order(t, 5)).response.data.statuses[0]).toHaveProperty("filled");
  });

  it("an agent's actions count against its master's budget", async () => {
    const { sim } = await simAt();
    const master = newTrader(sim, 100_000);
    const agent = newTrader(sim, 0);
    await master.exchange.approveAgent({ agentAddress: agent.wallet.address, agentName: "bot" });
    sim.control.fault({ kind: "userRateLimit", user: master.address, remaining: 0 });
    expect(
      await httpStatus(() =>
        agent.exchange.order({
          orders: [{ a: 2, b: true, p: "195", s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
          grouping: "na",
        }),
      ),
    ).toBe(429);
  });
});

describe("nonce", () => {
  it("the next N signed requests are refused as duplicate nonces and execute nothing", async () => {
    const { sim } = await simAt();
    const t = newTrader(sim, 100_000);
    sim.control.fault({ kind: "nonce", count: 2 });
    for (const c of [1, 2]) {
      const r = await rejected(() => order(t, c));
      expect(r.response).toMatchObject({
        status: "err",
        response: expect.stringMatching(/^Invalid nonce: duplicate nonce \d+$/),
      });
    }
    expect(sim.control.orderHistory(t.address)).toEqual([]);
    expect((await order(t, 3)).response.data.statuses[0]).toHaveProperty("filled");
  });

  it("is available over /control", async () => {
    const { sim } = await simAt();
    expect((await post(sim, "/control", { type: "fault", kind: "nonce", count: 1 })).status).toBe(200);
    expect(
      (await post(sim, "/control", { type: "fault", kind: "muteChannel", channel: "", ms: 1 })).status,
    ).toBe(400);
  });
});

describe("muteChannel", () => {
  it("one channel goes quiet for N ms while the socket and the other channels carry on", async () => {
    const { sim, clock } = await simAt();
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    transports.push(transport);
    const client = new SubscriptionClient({ transport });
    const t = newTrader(sim, 100_000);
    const fills: unknown[] = [];
    const updates: unknown[] = [];
    await client.userFills({ user: t.address }, (e) => fills.push(e));
    await client.orderUpdates({ user: t.address }, (e) => updates.push(e));
    await eventually(() => fills.length === 1); // the snapshot
    sim.control.fault({ kind: "muteChannel", channel: "userFills", ms: 5_000 });
    await order(t, 1);
    await eventually(() => updates.length >= 1);
    // A round trip on the same socket after the order: the exchange pushes an order's fills
    // while it executes it, before its reply, so a fill the mute let through would be here
    // before this answer (one socket delivers in order) — no wait that a busy machine outlasts.
    await transport.request("info", { type: "allMids" });
    expect(fills).toHaveLength(1);
    clock.t += 5_000;
    await order(t, 2);
    await eventually(() => fills.length === 2);
  });
});
