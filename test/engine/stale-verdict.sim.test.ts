// "In sync" is a claim about the exchange: when the data behind it is older than the engine's
// staleness window (the exchange unreachable, a silent stream, failing sweeps), every view says
// "stale · last in sync … ago" instead — the dashboard's header, the state line, --json event
// records and the summary all ask core/drift.ts syncVerdict (issue LOW2).

import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { syncVerdict } from "../../src/core/drift.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { describeState, eventRecord } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

type State = Extract<EngineEvent, { type: "state" }>;
const verdictOf = (e: State) => (e.drift ? syncVerdict(e.drift, e.ts, e.freshness) : null);

describe("the verdict on stale data", () => {
  it("says stale (never 'in sync') once nothing came within the window, and in sync again after a good read", async () => {
    const t = await startSimFollow({ sim: { seed: 51 } });
    await trade(t.leaderClient, "ETH", "buy", 1);
    const f = t.follow({
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      staleMs: 1_000,
    });
    void f.run();
    const states = () => f.events.filter((e): e is State => e.type === "state");
    await eventually(() => states().some((e) => verdictOf(e)?.inSync === true));
    // The exchange goes quiet: no stream message, no sweep.
    t.sim.control.fault({ kind: "silenceWs", ms: 10_000 });
    const stale = await eventually(() => states().find((e) => verdictOf(e)?.text.startsWith("stale")));
    const v = verdictOf(stale);
    expect(v?.inSync).toBe(false);
    expect(v?.text).toMatch(/^stale \S+ · last in sync \S+ ago$/);
    expect(stale.drift?.inSync).toBe(true); // the plan on the last read had nothing to do…
    // …but no view says so: the state line and the JSON record say stale.
    expect(describeState(stale)).toContain(`positions 1 ${v?.text}`);
    expect(eventRecord(stale)).toMatchObject({ inSync: false });
    // A good read (a sweep over REST) and the verdict is the drift's again.
    const from = f.events.length;
    f.engine.sweepNow();
    await eventually(() =>
      f.events.slice(from).some((e) => e.type === "state" && verdictOf(e)?.text === "in sync"),
    );
  });

  it("status says it too: stale while the follow's data is (the turn is journaled), in sync again after a good read", async () => {
    const t = await startSimFollow({ sim: { seed: 52 }, journal: "file" });
    await trade(t.leaderClient, "ETH", "buy", 1);
    const f = t.follow({
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      staleMs: 1_000,
    });
    void f.run();
    const states = () => f.events.filter((e): e is State => e.type === "state");
    const status = async () => {
      let text = "";
      const report = (await runStatus({
        configDir: t.dir,
        account: t.account,
        network: t.sim.httpUrl,
        json: false,
        out: { write: (s: string) => (text += s) },
      })) as StatusReport;
      return { text, report };
    };
    await eventually(async () => /\nin sync \(as of .*, last sweep\)\n/.test((await status()).text));
    // The exchange goes quiet (long enough for the test): the dashboard says stale…
    t.sim.control.fault({ kind: "silenceWs", ms: 60_000 });
    await eventually(() => states().some((e) => verdictOf(e)?.text.startsWith("stale")));
    // …and so does status, in its words, where it said "in sync (as of …)" before.
    const stale = await eventually(async () => {
      const s = await status();
      return /\nstale \S+ · last in sync \S+ ago \(as of .*, last sweep\)\n/.test(s.text) ? s : null;
    });
    expect(stale.report.drift).toMatchObject({ inSync: false, verdict: expect.stringMatching(/^stale /) });
    // A good read: in sync again, in the journal as on the dashboard.
    f.engine.sweepNow();
    await eventually(async () => /\nin sync \(as of .*, last sweep\)\n/.test((await status()).text));
  });
});
