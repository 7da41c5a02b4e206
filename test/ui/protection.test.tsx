// The dashboard with resting protection on: each position's stop and take-profit, and the
// run summary listing open positions with their protection. Without protection nothing changes.
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { describeEvent } from "../../src/ui/describe.js";
import { reduceDashboard, runSummary } from "../../src/ui/model.js";
import { Positions } from "../../src/ui/Positions.js";
import { LIVE_TARGETS, reduceAll, startEvent, stateEvent, T0 } from "./fixtures.js";

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
