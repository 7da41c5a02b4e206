// Issue 17: the dashboard's "paused" and "HALTED" banners follow the engine — cleared when the
// run resumes (the p key, `hlcopy resume` through the control channel, or `hlcopy resume`
// after a flatten), and copying goes on.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runResume } from "../../src/cli/resume/run.js";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { defaultSettings } from "../../src/core/settings.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { Header } from "../../src/ui/Header.js";
import { modeLabel } from "../../src/ui/model.js";
import { startView } from "../../src/ui/view.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 37, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

it("pause → PAUSED, resume → gone and copying; flatten → HALTED, hlcopy resume → gone and copying", {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-resume-"));
  const leader = fundedAccount(sim, 1_000_000);
  const leaderClient = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader.address,
    agentKey: leader.key,
  });
  const { master, agentKey } = await masterWithAgent(sim, 100_000);
  const account = master.address;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account,
    agentKey,
  });
  const settings = defaultSettings();
  settings.sizing.mode = "fixed-ratio";
  settings.sizing.ratio = 0.1;
  settings.exec.sweepSeconds = 3600;
  const events = new EngineEvents();
  const seen: EngineEvent[] = [];
  events.on((e) => seen.push(e));
  const journal = openJournal(journalPath(dir, account, sim.httpUrl));
  const engine = new CopyEngine({
    reader: client,
    executor: liveExecutor(client),
    journal,
    settings,
    leaders: [{ address: leader.address, weight: 1 }],
    account,
    network: sim.httpUrl,
    mode: "live",
    command: "follow",
    events,
  });
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
  const running = engine.run(
    streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader.address], account }),
  );
  await eventually(() => seen.some((e) => e.type === "sweep"));
  const ours = async (coin: string) => (await client.getAccountState(account)).positions[coin]?.size ?? 0;
  const leaderBuys = async (coin: string, size: number) => {
    const markets = await leaderClient.getMarkets();
    const [r] = await leaderClient.placeOrders([action(markets, coin, "buy", size)], markets);
    expect(r?.status).toBe("filled");
  };

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
    network: sim.httpUrl,
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
