// `hlcopy report`'s day tables beside `status` after a real follow on the simulator: each figure
// is what its label says, and a row's figures add up as they are shown.
//  * P&L by day: P&L = realised + unrealised change − fees + funding, each column as shown. The
//    table had no unrealised column: a day of −1.16 beside realised −0.22, fees 0.74, funding 0.00.
//  * copy by day: `drift $` is the day's last journaled drift (a sweep, a running follow's change
//    record or the run's end), not "the day's last sweep"'s — and the header's and status's
//    figure (--json's `outsideUsd`), not the total with what the deadband tolerates in it.

import { describe, expect, it } from "vitest";
import { runReport } from "../../src/cli/report/run.js";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, type SimFollow, startSimFollow, trade } from "../helpers/sim-engine.js";

async function report(t: SimFollow): Promise<string> {
  let text = "";
  await runReport({
    configDir: t.dir,
    account: t.account,
    network: t.sim.httpUrl,
    json: false,
    since: 0,
    width: 80,
    out: { write: (s: string) => (text += s) },
  });
  return text;
}

/** A table's cells (box-drawing tables: `│ a │ b │`) after the line that starts with `title`: its head's first line, then its days. */
function tableRows(text: string, title: string): string[][] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(title));
  const rows: string[][] = [];
  for (const l of lines.slice(at + 1)) {
    if (!/^[│┌├└]/.test(l)) break;
    if (l.startsWith("│"))
      rows.push(
        l
          .split("│")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
  }
  return rows.filter((r, i) => i === 0 || /^\d{4}-\d\d-\d\d$/.test(r[0] ?? ""));
}

/** A shown figure in cents: "-$1.16" → -116, "+$0.06" → 6. */
const cents = (s: string | undefined): number => Math.round(Number((s ?? "").replace(/[+$,]/g, "")) * 100);

describe("report's day tables, after a follow on the simulator", () => {
  it("a day's P&L adds up to its columns as shown, and its drift $ is the day's last record's (status's), not the last sweep's", async () => {
    const t = await startSimFollow({ sim: { seed: 71, tickMs: 20 }, journal: "file" });
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    const ended = f.run();
    await eventually(async () => t.journal.lastSweep() !== null);
    // Copied: a position bought at the ask and marked at the mid, an unrealised P&L of its own.
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(async () => {
      const ours = await t.client.getAccountState(t.account);
      return Object.values(ours.positions).some((p) => p.coin === "BTC" && p.size > 0);
    });
    // Not copied: 10 % of 0.4 SOL is under the exchange's $10 minimum — drift the follow's records
    // keep, after the last sweep (in sync) was written.
    await trade(t.leaderClient, "SOL", "buy", 0.4);
    await eventually(async () => (t.journal.copyMoments(0).at(-1)?.driftUsd ?? 0) > 0);
    // Paused, the leader's ETH is not copied: drift the header says ("drift $X (ETH)"), beside
    // SOL's tolerated dollars that it does not.
    f.engine.togglePause();
    await trade(t.leaderClient, "ETH", "buy", 1);
    await eventually(async () => (t.journal.copyMoments(0).at(-1)?.outsideUsd ?? 0) > 0);
    // Prices moved off our BTC entry by a few cents of P&L: an unrealised change the row must show.
    await eventually(async () => {
      const [ours, markets] = await Promise.all([t.client.getAccountState(t.account), t.client.getMarkets()]);
      const btc = Object.values(ours.positions).find((p) => p.coin === "BTC");
      const mid = markets.BTC?.mid ?? null;
      return btc !== undefined && mid !== null && Math.abs((mid - btc.entryPx) * btc.size) >= 0.05;
    });
    await f.engine.stop("test", 0);
    expect(await ended).toBe(0);

    let statusText = "";
    const status = (await runStatus({
      configDir: t.dir,
      account: t.account,
      network: t.sim.httpUrl,
      json: false,
      out: { write: (s: string) => (statusText += s) },
    })) as StatusReport;
    expect(status.lastSweep?.driftUsd).toBe(0);
    const drift = status.drift?.outsideUsd ?? 0;
    expect(drift).toBeGreaterThan(0);
    // The tolerated SOL is in the total, not in the figure the header and status say.
    expect(status.drift?.driftUsd ?? 0).toBeGreaterThan(drift);
    expect(statusText).toContain(`drift $${drift.toFixed(2)} (ETH)`);

    const text = await report(t);
    const [pnlHead, ...pnlRows] = tableRows(text, "P&L by day");
    expect(pnlHead).toEqual(["day (UTC)", "P&L", "realized", "unrealized Δ", "fees", "funding"]);
    const [day] = pnlRows;
    const [, net, realised, unrealised, fees, funding] = day ?? [];
    expect(cents(unrealised)).not.toBe(0);
    expect(cents(realised) + cents(unrealised) - cents(fees) + cents(funding)).toBe(cents(net));
    // The day's P&L is the copy's P&L as status shows it (one day, one moment: the run's end).
    expect(statusText).toContain(`copy P&L since`);
    expect(cents(net)).toBe(Math.round((status.pnl?.netUsd ?? Number.NaN) * 100));

    // The drift column: named for what it holds, which is status's drift (the run end's), not the
    // last sweep's 0.00, nor the total with SOL's tolerated part in it.
    const copyTitle = text.split("\n").find((l) => l.startsWith("copy by day"));
    expect(copyTitle).not.toMatch(/sweep/);
    expect(copyTitle).toMatch(/drift at the day's last record/);
    const [, ...copyRows] = tableRows(text, "copy by day");
    expect(copyRows[0]?.at(-1)).toBe(`$${drift.toFixed(2)}`);
  });
});
