// A flatten closes every position, those hlcopy did not open too (README: flatten means flat) —
// but the copy P&L counts only hlcopy's part of what it closed, by the same rule as a trade by
// hand (core/pnl.ts copySizeOfFill): the dashboard's `f` (a follow's flatten) and `hlcopy
// flatten` with no follow running, against the simulator.

import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import type { CopyPnl } from "../../src/core/pnl.js";
import { CopyState } from "../../src/engine/copy-state.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { describeEvent } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import { runCli } from "../helpers/cli.js";
import { copySettings, orderTold, type SimFollow, startSimFollow, trade } from "../helpers/sim-engine.js";

const sink = () => ({ write: (_: string) => {} });

/** hlcopy copies 1 ETH; the trader then buys 0.5 ETH and 10 SOL by hand beside it. */
async function handBesideCopy(t: SimFollow) {
  t.sim.control.setMid("ETH", 3_000);
  t.sim.control.setMid("SOL", 150);
  const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
  const running = f.run();
  await eventually(() => f.events.some((e) => e.type === "sweep"));
  await trade(t.leaderClient, "ETH", "buy", 10);
  await orderTold(f.events, "ETH", "filled", 10_000);
  await trade(t.client, "ETH", "buy", 0.5);
  await trade(t.client, "SOL", "buy", 10);
  await f.engine.sweep("manual");
  // Said as what was made by hand — ETH's 0.5, not the whole 1.5 — in the warning and the skip.
  expect(f.events.filter((e) => e.type === "warning").map((e) => e.message)).toContain(
    "position(s) changed outside hlcopy: ETH +0.5 (of +1.5; hlcopy's +1), SOL +10: left alone (restart with --adopt to manage them)",
  );
  const skip = [...f.events].reverse().find((e) => e.type === "decision");
  expect(skip?.type === "decision" && skip.plan.skipped.find((x) => x.coin === "ETH")?.detail).toBe(
    "our ETH position changed outside hlcopy by +0.5 (of +1.5; hlcopy's +1): left alone (restart with --adopt to manage it)",
  );
  // Both up: the ETH close makes a profit, a third of it on the trader's 0.5.
  t.sim.control.setMid("ETH", 3_300);
  t.sim.control.setMid("SOL", 180);
  return { ...f, running };
}

type FillEvent = Extract<EngineEvent, { type: "fill" }>;
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe("flatten: whose closes", () => {
  it("the dashboard's f closes everything, but journals as the copy's only hlcopy's part", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 41, fundingIntervalMs: 0 }, journal: "file" });
    const f = await handBesideCopy(t);
    f.engine.flatten();
    const closes = await eventually(() => {
      const fills = f.events.filter(
        (e): e is FillEvent => e.type === "fill" && e.side === "sell" && e.kind === "flatten",
      );
      const of = (coin: string) => sum(fills.filter((e) => e.coin === coin).map((e) => e.sz));
      return Math.abs(of("ETH") - 1.5) < 1e-9 && Math.abs(of("SOL") - 10) < 1e-9 ? fills : null;
    }, 10_000);
    await f.engine.sweep("manual");
    expect((await t.client.getAccountState(t.account)).positions).toEqual({});
    // flatten means flat, and says whose: of the ETH 1.5 the copy's 1, of the SOL none.
    const copy = (coin: string) => sum(closes.filter((e) => e.coin === coin).map((e) => e.copySz ?? 0));
    expect(copy("ETH")).toBeCloseTo(1, 9);
    expect(copy("SOL")).toBe(0);
    const line = describeEvent(closes.find((e) => e.coin === "SOL") as FillEvent)?.text;
    expect(line).toMatch(/^fill flatten SOL sell 10 @ \S+ .*, the copy's 0$/);

    // The copy P&L: hlcopy's ETH fills, its part of the flatten's — nothing of SOL.
    const fills = await t.client.getFillsByTime(t.account, 0);
    const ethClose = fills.filter((x) => x.coin === "ETH" && x.side === "sell");
    // hlcopy's buys: the ETH buys but the trader's 0.5 (the last one, after the copy filled).
    const buys = fills.filter((x) => x.coin === "ETH" && x.side === "buy").sort((a, b) => a.time - b.time);
    const copyFills = buys.slice(0, -1);
    expect(buys.at(-1)?.sz).toBe(0.5);
    expect(sum(copyFills.map((x) => x.sz))).toBeCloseTo(1, 9);
    const realised = sum(ethClose.map((x) => x.closedPnl)) / 1.5;
    const fees = sum(copyFills.map((x) => x.fee)) + sum(ethClose.map((x) => x.fee)) / 1.5;
    expect(realised).toBeGreaterThan(250);
    const last = [...f.events].reverse().find((e) => e.type === "state");
    const engine = (last?.type === "state" ? last.pnl : null) as CopyPnl;
    await f.engine.stop("test over");
    await f.running;
    const status = (await runStatus({
      configDir: t.dir,
      account: t.account,
      network: t.sim.httpUrl,
      json: true,
      out: sink(),
    })) as StatusReport;
    for (const pnl of [engine, status.pnl as CopyPnl]) {
      expect(pnl.realisedUsd).toBeCloseTo(realised, 6);
      expect(pnl.feesUsd).toBeCloseTo(fees, 6);
      expect(pnl.byCoin.map((c) => c.coin)).toEqual(["ETH"]);
    }
    // What hlcopy manages after: nothing — no claim left on what the trader opens there next.
    const j = openJournal(journalPath(t.dir, t.account, t.sim.httpUrl));
    try {
      const rows = j.fillsSince(0).filter((r) => r.kind === "flatten");
      expect(sum(rows.filter((r) => r.coin === "SOL").map((r) => r.copySz ?? -1))).toBe(0);
      expect(sum(rows.filter((r) => r.coin === "ETH").map((r) => r.copySz ?? -1))).toBeCloseTo(1, 9);
      const managed = new CopyState(j, false).managed() ?? {};
      expect(managed.ETH ?? 0).toBe(0);
      expect(managed.SOL ?? 0).toBe(0);
    } finally {
      j.close();
    }
  });

  it("hlcopy flatten with no follow running closes everything too, without adopting what hlcopy did not open", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 42, fundingIntervalMs: 0 }, journal: "file" });
    const f = await handBesideCopy(t);
    expect(await f.engine.stop("test over")).toBe(0);
    await f.running;
    t.journal.close();

    const r = await runCli(["--network", t.sim.httpUrl, "--account", t.account, "flatten", "--yes"], {
      env: { HLCOPY_CONFIG_DIR: t.dir, HLCOPY_AGENT_KEY: t.agentKey },
      timeoutMs: 30_000,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no position left; halted \(manual\) until hlcopy resume\n$/);
    expect((await t.client.getAccountState(t.account)).positions).toEqual({});

    // Counted as what they are: the trader's flatten, not a safety rule's close — in status's
    // text and --json alike (the kill switch's closes stay `safety`).
    const st = await runCli(["--network", t.sim.httpUrl, "--account", t.account, "status"], {
      env: { HLCOPY_CONFIG_DIR: t.dir },
    });
    const counted =
      /fills \(last 24h\): \d+ — copy \d+ · repair \d+ · join \d+ · safety 0 · flatten (\d+)\b/.exec(
        st.stdout,
      );
    // Its two closes (ETH, SOL): a fill each, more if one walked the book.
    const flattenFills = Number(counted?.[1]);
    expect(flattenFills).toBeGreaterThanOrEqual(2);
    const status = (await runStatus({
      configDir: t.dir,
      account: t.account,
      network: t.sim.httpUrl,
      json: true,
      out: sink(),
    })) as StatusReport;
    expect(status.fills.byKind).toMatchObject({ safety: 0, flatten: flattenFills });
    expect(status.execSlippageBps.byKind.flatten?.count).toBe(flattenFills);

    const j = openJournal(journalPath(t.dir, t.account, t.sim.httpUrl));
    try {
      const rows = j.fillsSince(0).filter((r) => r.kind === "flatten");
      const of = (coin: string, k: "sz" | "copySz") =>
        sum(rows.filter((r) => r.coin === coin).map((r) => r[k] ?? -1));
      expect(of("ETH", "sz")).toBeCloseTo(1.5, 9);
      expect(of("ETH", "copySz")).toBeCloseTo(1, 9);
      expect(of("SOL", "sz")).toBeCloseTo(10, 9);
      expect(of("SOL", "copySz")).toBe(0);
      // Nothing adopted: the trader's positions never became the copy's.
      expect(
        j
          .listEntries({ table: "events", limit: Infinity })
          .some((e) => e.table === "events" && e.type === "adopted"),
      ).toBe(false);
    } finally {
      j.close();
    }
  });

  it("risk.closeDenied's close of a denied coin the trader bought by hand is not the copy's either", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 43, fundingIntervalMs: 0 }, journal: "file" });
    t.sim.control.setMid("SOL", 150);
    const f = t.follow({
      settings: copySettings((s) => {
        s.exec.sweepSeconds = 3600;
        s.risk.denyCoins = ["SOL"];
        s.risk.closeDenied = true;
      }),
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.client, "SOL", "buy", 10);
    t.sim.control.setMid("SOL", 180);
    await f.engine.sweep("manual");
    const close = await eventually(
      () => f.events.find((e): e is FillEvent => e.type === "fill" && e.coin === "SOL" && e.side === "sell"),
      10_000,
    );
    expect(close).toMatchObject({ kind: "repair", sz: 10, copySz: 0 });
    await f.engine.stop("test over");
    await running;
    const status = (await runStatus({
      configDir: t.dir,
      account: t.account,
      network: t.sim.httpUrl,
      json: true,
      out: sink(),
    })) as StatusReport;
    // Its profit is the trader's: none of it in the copy P&L.
    expect((status.pnl as CopyPnl).realisedUsd).toBe(0);
    expect((status.pnl as CopyPnl).byCoin).toEqual([]);
  });
});
