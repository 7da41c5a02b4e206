// `hlcopy status` after a follow hit its daily loss limit: the run said "HALT daily-loss: daily
// loss X% … no increases until 00:00 UTC" and skipped increases as daily-loss, while status
// said "trading: not halted" (--json .halt null). The engine against the in-process simulator,
// its journal a file; status reads that file as the CLI does.

import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { utcDayEnd } from "../../src/core/safety.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("hlcopy status shows the daily loss limit's stop a follow hit", () => {
  it("the run's figure and until when, in the text and --json, while the run skips increases as daily-loss", async () => {
    const t = await startSimFollow({ sim: { seed: 31 }, journal: "file" });
    await trade(t.leaderClient, "BTC", "buy", 5);
    // 0.5 BTC (~$47 500) on $100 000; daily loss limit 10 %, kill switch far away.
    const settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.risk.maxDrawdownPct = 90;
    });
    const { engine, events, run } = t.follow({ settings });
    const running = run();
    await eventually(
      async () => (await t.client.getAccountState(t.master.address)).positions.BTC?.size === 0.5,
    );
    // A fall of 25 %: ~$11 900, some 12 % of the account.
    t.sim.control.setMid("BTC", (t.sim.control.mid("BTC") ?? 0) * 0.75);
    const halt = await eventually(() =>
      events.find(
        (e): e is Extract<typeof e, { type: "halt" }> => e.type === "halt" && e.kind === "daily-loss",
      ),
    );
    const figure = Number(/daily loss (\d+\.\d\d)%/.exec(halt.reason)?.[1]);
    expect(figure).toBeGreaterThan(10);
    // An increase the leader makes now is skipped as daily-loss.
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(() =>
      events.some(
        (e) =>
          e.type === "decision" && e.plan.skipped.some((s) => s.coin === "BTC" && s.reason === "daily-loss"),
      ),
    );
    t.journal.checkpoint();
    const status = async (json: boolean) => {
      let text = "";
      const report = (await runStatus({
        configDir: t.dir,
        account: t.account,
        network: t.sim.httpUrl,
        json,
        out: { write: (s: string) => (text += s) },
        now: halt.ts + 1_000, // the UTC day of the halt, whenever the test runs
        width: Number.POSITIVE_INFINITY, // its lines whole: the test reads their words
      })) as StatusReport;
      return { text, report };
    };
    const { text } = await status(false);
    expect(text).toMatch(
      new RegExp(
        `\\ntrading: no increases until 00:00 UTC \\(in [^)]+\\) — daily loss ${figure.toFixed(2)}% reached the 10% limit [^;]+; reductions still go`,
      ),
    );
    expect(text).not.toContain("not halted");
    const { report } = await status(true);
    expect(report.halt).toBeNull();
    expect(report.dailyLoss).toMatchObject({ lossPct: figure, limitPct: 10, reason: halt.reason });
    expect(report.dailyLoss?.until).toBe(utcDayEnd(halt.ts));
    expect(await engine.stop("test over")).toBe(0);
    await running;
  });
});
