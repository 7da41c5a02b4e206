// The dashboard with resting protection on: each position's stop and take-profit, and the
// run summary listing open positions with their protection. Without protection nothing changes.

import { describe, expect, it } from "vitest";
import { describeEvent } from "../../src/ui/describe.js";
import { Header } from "../../src/ui/Header.js";
import { reduceDashboard, runSummary } from "../../src/ui/model.js";
import { Positions } from "../../src/ui/Positions.js";
import { LEADER, LIVE_TARGETS, reduceAll, startEvent, stateEvent, T0 } from "./fixtures.js";
import { render } from "./ink-render.js";

function frame(node: React.ReactElement): string {
  const r = render(node);
  const out = r.lastFrame() ?? "";
  r.unmount();
  return out;
}

const guarded = () => ({
  ...stateEvent(T0 + 100, LIVE_TARGETS),
  protection: [
    { coin: "BTC", stopPx: 59_000, takeProfitPx: 70_400 },
    { coin: "ETH", stopPx: 3_360, takeProfitPx: null },
  ],
});

describe("resting protection on the dashboard", () => {
  it("shows each position's stop and take-profit, '-' where none rests", () => {
    const s = reduceAll([startEvent(), guarded()]);
    const out = frame(<Positions rows={s.positions} width={120} maxRows={10} loaded />);
    const header = out.split("\n")[0] ?? "";
    expect(header).toMatch(/stop\s+tp/);
    const line = (coin: string) => out.split("\n").find((l) => l.startsWith(coin)) ?? "";
    expect(line("BTC")).toMatch(/59,?000\s+70,?400/);
    expect(line("ETH")).toMatch(/3,?360\s+-/);
    expect(line("SOL")).toMatch(/-\s+-\s*$/);
  });

  it("without protection the columns are not there", () => {
    const s = reduceAll([startEvent(), stateEvent(T0 + 100, LIVE_TARGETS)]);
    const out = frame(<Positions rows={s.positions} width={120} maxRows={10} loaded />);
    expect(out.split("\n")[0]).not.toMatch(/stop/);
  });

  it("the run summary lists open positions with their protection", () => {
    const s = reduceAll([startEvent(), guarded()]);
    expect(runSummary(s).positions).toEqual([
      { coin: "BTC", size: 0.05, stopPx: 59_000, takeProfitPx: 70_400 },
      { coin: "ETH", size: -0.4, stopPx: 3_360, takeProfitPx: null },
      { coin: "SOL", size: 2.5, stopPx: null, takeProfitPx: null },
    ]);
  });

  it("a fired stop is a warning line in the event log", () => {
    const s = reduceDashboard(reduceAll([startEvent()]), {
      type: "protection",
      ts: T0 + 200,
      coin: "ETH",
      kind: "stop-loss",
      action: "fired",
      size: 0.4,
      triggerPx: 3_360,
      detail: "stop-loss fired: 0.4 ETH closed at 3360",
    });
    expect(s.log.at(-1)?.text).toBe("protection stop-loss fired: 0.4 ETH closed at 3360");
    expect(describeEvent({ type: "notice", ts: 0, kind: "on-exit", message: "on exit: hold" })?.text).toBe(
      "on exit: hold",
    );
  });
});

describe("entry-only, tiers, the time stop and per-leader rules on the dashboard", () => {
  const held = () => ({
    ...stateEvent(T0 + 100, [
      { ...LIVE_TARGETS[0], held: true } as (typeof LIVE_TARGETS)[number],
      ...LIVE_TARGETS.slice(1),
    ]),
    protection: [
      {
        coin: "BTC",
        stopPx: 59_000,
        takeProfitPx: 65_900,
        takeProfits: [
          { px: 65_900, size: 0.025 },
          { px: 67_800, size: 0.025 },
        ],
      },
    ],
    timeStops: { BTC: T0 + 100 + 5 * 3_600_000 },
  });

  it("marks a position kept under entry-only, shows the nearest take-profit with the tiers left and the time stop", () => {
    const s = reduceAll([startEvent(), held()]);
    expect(s.positions.find((r) => r.coin === "BTC")).toMatchObject({
      held: true,
      takeProfitPx: 65_900,
      moreTakeProfits: 1,
      timeStopInMs: 5 * 3_600_000,
    });
    const out = frame(<Positions rows={s.positions} width={140} maxRows={10} loaded />);
    const header = out.split("\n")[0] ?? "";
    expect(header).toMatch(/held/);
    expect(header).toMatch(/t-stop/);
    const line = (coin: string) => out.split("\n").find((l) => l.startsWith(coin)) ?? "";
    expect(line("BTC")).toMatch(/held/);
    expect(line("BTC")).toMatch(/65,?900\+1/);
    expect(line("BTC")).toMatch(/5h/);
    expect(line("ETH")).not.toMatch(/held/);
    expect(runSummary(s).positions[0]).toMatchObject({ coin: "BTC", held: true });
  });

  it("the header says which leader is no longer followed, and which one a breaker holds back", () => {
    const s = reduceAll([
      startEvent(),
      {
        ...held(),
        leaderCopy: [
          {
            address: LEADER,
            following: false,
            stop: { kind: "drawdown", since: T0, until: null, reason: "its copy lost 21%" },
            copyValueUsd: 7_900,
            copyPnlUsd: -2_100,
            drawdownPct: 21,
            gated: { leverage: false, coins: [] },
          },
          {
            address: "0x3333333333333333333333333333333333333333",
            following: true,
            stop: null,
            copyValueUsd: null,
            copyPnlUsd: null,
            drawdownPct: null,
            gated: { leverage: true, coins: [] },
          },
        ],
      },
    ]);
    const out = frame(<Header state={s} width={200} />);
    expect(out).toMatch(/unfollowed 0x\w+…\w+ \(drawdown 21\.00%\)/);
    expect(out).toMatch(/gated 0x3333…3333 \(leverage\)/);
    expect(
      describeEvent({
        type: "leader",
        ts: 0,
        leader: LEADER,
        action: "unfollowed",
        kind: "drawdown",
        detail: "stopped following leader x",
        until: null,
      }),
    ).toMatchObject({ level: "error", text: "leader stopped following leader x" });
  });
});
