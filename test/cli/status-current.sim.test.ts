// `hlcopy status` in another terminal while a follow runs reads the journal: what the follow did
// since its last sweep must be there — a position it opened on a leader's fill, the equity its
// kill switch's closes left — and never "in sync" on a record that is not the copy now (M2).
// Sweeps here are an hour apart: only the follow's own records of each change can say it.

import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { roundFigure } from "../../src/core/format.js";
import type { EngineStreamEvent } from "../../src/engine/ports.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, type SimFollow, startSimFollow, trade } from "../helpers/sim-engine.js";

async function status(t: SimFollow): Promise<{ text: string; report: StatusReport }> {
  let text = "";
  const report = (await runStatus({
    configDir: t.dir,
    account: t.account,
    network: t.sim.httpUrl,
    json: false,
    out: { write: (s: string) => (text += s) },
  })) as StatusReport;
  return { text, report };
}

const ourSizes = async (t: SimFollow): Promise<Record<string, number>> =>
  Object.fromEntries(
    Object.values((await t.client.getAccountState(t.account)).positions).map((p) => [p.coin, p.size]),
  );

/** Long BTC, a follow whose kill switch trips at a 5 % drawdown and ends the run (exit 4). */
async function killSwitchFollow(seed: number) {
  const t = await startSimFollow({ sim: { seed }, journal: "file" });
  await trade(t.leaderClient, "BTC", "buy", 2);
  const f = t.follow({
    settings: copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.risk.maxDrawdownPct = 5;
    }),
    exitOnHalt: true,
  });
  return { t, f };
}

describe("status while a follow runs", () => {
  it("shows a position the follow opened on a leader's fill since its last sweep, in sync as of that change", async () => {
    const t = await startSimFollow({ sim: { seed: 61 }, journal: "file" });
    await trade(t.leaderClient, "ETH", "buy", 1);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    void f.run();
    await eventually(async () => /\nin sync \(as of .*, last sweep\)\n/.test((await status(t)).text));
    // The leader opens BTC: the follow copies it on the hot path (no sweep for an hour).
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(async () => ((await ourSizes(t)).BTC ?? 0) > 0);
    const ours = await ourSizes(t);
    const now = await eventually(async () => {
      const s = await status(t);
      const btc = s.report.positions.find((p) => p.coin === "BTC");
      return btc && btc.ourSize === ours.BTC ? s : null;
    });
    expect(now.report.positions.find((p) => p.coin === "BTC")).toMatchObject({
      leaderSize: 1,
      targetSize: ours.BTC,
      status: "in-sync",
    });
    expect(now.text).toMatch(/\nin sync \(as of \S+ ago, last change\)\n/);
    expect(now.report.drift?.inSync).toBe(true);
  });

  it("a busy leader's changes within a minute are one record: status shows the newest, report the highest drift", async () => {
    const t = await startSimFollow({ sim: { seed: 63 }, journal: "file" });
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    void f.run();
    await eventually(async () => /\nin sync \(as of .*, last sweep\)\n/.test((await status(t)).text));
    // Four copied trades in three coins (a first increase in a coin journals its leverage
    // between two changes), each journaled as a change once copied (JOURNAL_STATE_MS after it).
    const coins = ["BTC", "ETH", "SOL", "BTC"];
    for (const [i, coin] of coins.entries()) {
      const size = coins.slice(0, i + 1).filter((c) => c === coin).length;
      await trade(t.leaderClient, coin, "buy", 1);
      await eventually(async () => {
        const s = await status(t);
        const row = s.report.positions.find((x) => x.coin === coin);
        return row?.leaderSize === size && row.status === "in-sync" && /last change/.test(s.text) ? s : null;
      });
    }
    const changes = t.journal
      .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
      .flatMap((e) => (e.table === "events" ? [e] : []))
      .filter((e) => e.type === "state" && (e.data as { moment?: string }).moment === "change");
    // Four changes (and more: our fills, the equity after them) in a test bounded by its 60 s
    // timeout: at most two minutes of the clock, so at most two records — one per change was 4+.
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.length).toBeLessThanOrEqual(2);
    const last = changes.at(-1)?.data as {
      drift: { driftUsd: number; outsideUsd: number };
      driftMaxUsd: number;
      outsideMaxUsd: number;
    };
    expect(last.driftMaxUsd).toBeGreaterThanOrEqual(last.drift.driftUsd);
    // And the minute's peak of the header's figure, which the journal's line says.
    expect(last.outsideMaxUsd).toBeGreaterThanOrEqual(last.drift.outsideUsd);
    expect(last.outsideMaxUsd).toBeLessThanOrEqual(last.driftMaxUsd);
    expect(t.journal.copyMoments(0).at(-1)).toMatchObject({
      moment: "change",
      driftMaxUsd: last.driftMaxUsd,
    });
  });

  it("shows the equity the kill switch's closes left, not the one before them (a follow that exits on the halt)", async () => {
    const { t, f } = await killSwitchFollow(62);
    const ended = f.run();
    await eventually(async () => ((await ourSizes(t)).BTC ?? 0) > 0);
    // An earlier high-water mark twice today's equity: the next sweep's drawdown trips the switch,
    // it closes everything, and the run ends (exit 4) once flat.
    t.journal.recordEquity(Date.now(), 200_000);
    f.engine.sweepNow();
    expect(await ended).toBe(4);
    expect((await ourSizes(t)).BTC ?? 0).toBe(0);
    const after = roundFigure("usd", (await t.client.getAccountState(t.account)).accountValue);
    const s = await status(t);
    expect(s.report.halt?.kind).toBe("kill-switch");
    expect(s.report.equity).toBe(after);
    expect(s.report.positions.find((p) => p.coin === "BTC")?.ourSize ?? 0).toBe(0);
  });

  it("a reading of a moment before the closes, arriving after them, is not the equity they left: the end reads it", async () => {
    const { t, f } = await killSwitchFollow(63);
    // Our account's frames as the stream may hand them over under load: from the closes on,
    // each fill of ours is followed by the reading from before them (a frame the stream held,
    // or had on its way when the order's reply came), and no later one comes before the stop.
    let stale: EngineStreamEvent | null = null;
    let last: EngineStreamEvent | null = null;
    const opener = t.streams();
    const ended = f.run((onEvent) =>
      opener((e) => {
        if (e.type === "ourState") {
          last = e;
          if (stale) return;
        }
        onEvent(e);
        if (stale && e.type === "ourFill" && !e.isSnapshot) onEvent(stale);
      }),
    );
    await eventually(async () => ((await ourSizes(t)).BTC ?? 0) > 0);
    await eventually(() => last !== null);
    const before = (await t.client.getAccountState(t.account)).accountValue;
    stale = last;
    t.journal.recordEquity(Date.now(), 200_000);
    f.engine.sweepNow();
    expect(await ended).toBe(4);
    const after = roundFigure("usd", (await t.client.getAccountState(t.account)).accountValue);
    expect(after).not.toBe(roundFigure("usd", before)); // the closes paid fees
    expect((await status(t)).report.equity).toBe(after);
  });
});
