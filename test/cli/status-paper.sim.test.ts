// A trader tries hlcopy on paper first (follow --paper): its runs keep their own journal, and
// `status --paper` / `report --paper` read it — the paper account's positions and P&L, said to be
// the paper account's. The plain `status`/`report` stay the real account's, and say where the paper
// runs are instead of "no runs yet" alone.

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, whole } from "../helpers/cli.js";
import { startSimFollow, trade } from "../helpers/sim-engine.js";

describe("status and report --paper", () => {
  it("show what the paper runs hold and made; the live ones name them", async () => {
    const t = await startSimFollow({ sim: { seed: 83 } });
    await trade(t.leaderClient, "ETH", "buy", 2);
    const run = spawnFollow({
      httpUrl: t.sim.httpUrl,
      account: t.account,
      leader: t.leader.address,
      configDir: t.dir,
      extra: ["--paper", "--no-ui"],
    });
    t.defer(() => run.child.kill("SIGKILL"));
    // The paper run copies the leader's ETH at 0.2 (the spawn's fixed ratio): a paper fill.
    await eventually(
      () => run.running() && run.lines.some((l) => l.type === "order" && l.coin === "ETH"),
      20_000,
    );
    await eventually(() => run.running() && run.lines.some((l) => l.type === "sweep"), 20_000);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);

    const cli = (...args: string[]) =>
      runCli(["--network", t.sim.httpUrl, "--account", t.account, ...args], {
        env: { HLCOPY_CONFIG_DIR: t.dir },
      });
    // The paper account: its run, its ETH (0.2 × 2), said to be the paper account's.
    const paper = await cli("--json", "status", "--paper");
    expect(paper.code).toBe(0);
    const doc = JSON.parse(paper.stdout) as {
      paper: boolean;
      journal: string;
      lastRun: { command: string } | null;
      positions: { coin: string; ourSize: number }[];
    };
    expect(doc.paper).toBe(true);
    expect(doc.journal).toMatch(/\.paper\.sqlite$/);
    expect(doc.lastRun?.command).toContain("paper");
    expect(doc.positions.find((p) => p.coin === "ETH")?.ourSize).toBeCloseTo(0.4, 6);
    const text = whole(await cli("status", "--paper"));
    expect(text.stdout.split("\n")[0]).toBe(`account ${t.account} — the paper account (follow --paper runs)`);

    // The real account has no run: said so, and where the paper runs are.
    const live = whole(await cli("status"));
    expect(live.code).toBe(0);
    expect(live.stdout).toContain(`no runs yet for ${t.account}`);
    expect(live.stdout).toContain("; its paper runs: hlcopy status --paper\n");
    const liveDoc = JSON.parse((await cli("--json", "status")).stdout) as {
      journal: string | null;
      paper: boolean;
    };
    expect(liveDoc).toMatchObject({ journal: null, paper: false });

    // report --paper: the paper account's days, its order filled among them.
    const report = await cli("--json", "report", "--paper");
    expect(report.code).toBe(0);
    const days = JSON.parse(report.stdout) as { paper: boolean; days: { ordersFilled: number }[] };
    expect(days.paper).toBe(true);
    expect(days.days.reduce((n, d) => n + d.ordersFilled, 0)).toBeGreaterThanOrEqual(1);
    expect((await cli("report", "--paper")).stdout).toMatch(/^paper copy report for /);
    // (wrapped to the terminal's width: read as one line)
    expect((await cli("report")).stdout.replace(/\s+/g, " ")).toContain(
      "; its paper runs: hlcopy report --paper",
    );
  });

  it("an account with no paper run: said so, nothing created", async () => {
    const t = await startSimFollow({ sim: { seed: 84 } });
    const r = whole(
      await runCli(["--network", t.sim.httpUrl, "--account", t.account, "status", "--paper"], {
        env: { HLCOPY_CONFIG_DIR: t.dir },
      }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^no paper runs yet for 0x[0-9a-f]{40} on http:\/\/127\.0\.0\.1:\d+: hlcopy follow --paper starts them/,
    );
  });
});
