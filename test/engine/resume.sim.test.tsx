// Issue 17: the dashboard's "paused" and "HALTED" banners follow the engine — cleared when the
// run resumes (the p key, `hlcopy resume` through the control channel, or `hlcopy resume`
// after a flatten), and copying goes on.

import { expect, it } from "vitest";
import { runResume } from "../../src/cli/resume/run.js";
import { Header } from "../../src/ui/Header.js";
import { modeLabel } from "../../src/ui/model.js";
import { startView } from "../../src/ui/view.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";
import { render } from "../ui/ink-render.js";

it("pause → PAUSED, resume → gone and copying; flatten → HALTED, hlcopy resume → gone and copying", {
  timeout: 60_000,
}, async () => {
  // runResume writes the journal from this process: the engine's journal commits each write at
  // once, as the writer in another process would find it within its wait (commitAtOnce).
  const t = await startSimFollow({ sim: { seed: 37 }, journal: "file", commitAtOnce: true });
  const { dir, leaderClient, account, client, journal } = t;
  const settings = copySettings((s) => (s.exec.sweepSeconds = 3600));
  const { engine, events: seen, run } = t.follow({ settings });
  const { events } = engine;
  const view = await startView({
    events,
    dashboard: false,
    json: true,
    out: { write: () => {} },
    controls: { quit: () => {}, togglePause: () => {}, sweepNow: () => {}, flatten: () => {} },
  });
  const header = () => {
    const r = render(<Header state={view.state()} width={120} />);
    const text = r.lastFrame() ?? "";
    r.unmount();
    return text;
  };
  const running = run();
  await eventually(() => seen.some((e) => e.type === "sweep"));
  const ours = async (coin: string) => (await client.getAccountState(account)).positions[coin]?.size ?? 0;
  const leaderBuys = (coin: string, size: number) => trade(leaderClient, coin, "buy", size);

  // Paused (as `hlcopy pause` or the p key does): the banner shows, nothing is sent.
  engine.togglePause();
  expect(header()).toContain("PAUSED");
  await leaderBuys("ETH", 10);
  await eventually(() => seen.some((e) => e.type === "leaderFill" && e.coin === "ETH"));
  expect(await ours("ETH")).toBe(0);
  // Resumed (as `hlcopy resume` reaches it): the banner goes, and the sweep copies what was missed.
  expect(engine.resume()).toEqual({ unpaused: true, haltCleared: false });
  expect(header()).not.toContain("PAUSED");
  await eventually(async () => (await ours("ETH")) === 1, 10_000);

  // Flatten: HALTED, everything closed.
  engine.flatten();
  await eventually(async () => (await ours("ETH")) === 0, 10_000);
  expect(modeLabel(view.state())).toBe("HALTED");
  expect(header()).toContain("HALTED manual");
  // `hlcopy resume --yes`: the journal's halt is cleared first, then the running follow drops its own.
  await runResume({
    configDir: dir,
    account,
    network: t.sim.httpUrl,
    json: true,
    yes: true,
    out: { write: () => {} },
    resumeFollow: async () => {
      const r = engine.resume();
      return { did: r.haltCleared ? "resumed" : "not-paused", line: "" };
    },
  });
  await eventually(() => view.state().halt === null);
  expect(modeLabel(view.state())).toBe("LIVE");
  expect(header()).not.toContain("HALTED");
  // …and copying goes on: the catch-up sweep restores ETH, a new trade is copied on the hot path.
  await eventually(async () => (await ours("ETH")) === 1, 10_000);
  await leaderBuys("SOL", 50);
  await eventually(async () => (await ours("SOL")) === 5, 10_000);
  await engine.stop("test over");
  expect(await running).toBe(0);
  await view.close();
  journal.close();
});
