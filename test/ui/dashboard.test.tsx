import { describe, expect, it } from "vitest";
import { Dashboard, keyCommand } from "../../src/ui/Dashboard.js";
import { type DashboardState, initialDashboardState, reduceDashboard } from "../../src/ui/model.js";
import { leader as coreLeader, plan as corePlan, market, settingsWith } from "../core/planner-fixtures.js";
import {
  decisionEvent,
  LEADER,
  LEADER2,
  leaderFillEvent,
  liveState,
  plan,
  reduceAll,
  startEvent,
  stateEvent,
  T0,
} from "./fixtures.js";
import { render } from "./ink-render.js";
import { screenLines } from "./tty.js";

const noop = () => {};

/** The live frame only (the event log goes to <Static> above it), as screen lines. */
function frameLines(state: DashboardState, width: number, height: number): string[] {
  const r = render(
    <Dashboard
      state={{ ...state, log: [] }}
      width={width}
      height={height}
      dispatch={noop}
      onQuit={noop}
      onTogglePause={noop}
      onSweepNow={noop}
      onFlatten={noop}
      keys={false}
    />,
  );
  const lines = screenLines(r.lastFrame());
  r.unmount();
  return lines;
}

function expectFits(lines: string[], width: number, height: number): void {
  expect(lines.length).toBeLessThan(height);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
}

describe("Dashboard", () => {
  it("live at 80×24: header, every coin, drift flag, slippage, keys; fits", () => {
    const lines = frameLines(liveState(), 80, 24);
    expectFits(lines, 80, 24);
    const text = lines.join("\n");
    expect(text).toContain("LIVE");
    expect(text).toMatch(/^BTC /m);
    expect(text).toMatch(/^ETH /m);
    expect(text).toMatch(/^SOL .*\$75\.00!/m);
    expect(text).toContain("slip exec bps mean 0.8");
    expect(lines.at(-1)).toBe("q quit  p pause  s sweep  f flatten  ? help");
  });

  it("halted: HALTED in the header and the banner", () => {
    const s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 5000,
      kind: "kill-switch",
      reason: "drawdown 12%",
    });
    const lines = frameLines(s, 80, 24);
    expectFits(lines, 80, 24);
    expect(lines[0]).toContain("HALTED");
    expect(lines.join("\n")).toContain("HALTED kill-switch: drawdown 12%");
  });

  it("the last frame after a quit says STOPPED and how it ended, not LIVE and 'stopping'", () => {
    let s = reduceDashboard(liveState(), { type: "ui/quitRequested" });
    expect(frameLines(s, 80, 24).join("\n")).toContain("stopping: waiting for in-flight orders");
    s = reduceDashboard(s, { type: "stop", ts: T0 + 6000, reason: "quit" });
    const lines = frameLines(s, 80, 24);
    expectFits(lines, 80, 24);
    expect(lines[0]).toContain(" STOPPED ");
    expect(lines[0]).not.toContain("LIVE");
    expect(lines.join("\n")).toContain("stopped: quit");
    expect(lines.join("\n")).not.toContain("stopping: waiting");
    // No key acts once the run has stopped: the key bar is gone with it.
    expect(lines.join("\n")).not.toMatch(/q quit|p pause|f flatten|\? help/);
  });

  it("a paper run's last frame says PAPER STOPPED, not a bare STOPPED a live run's frame also shows", () => {
    const s = reduceDashboard(liveState("paper"), { type: "stop", ts: T0 + 6000, reason: "quit" });
    const lines = frameLines(s, 80, 24);
    expectFits(lines, 80, 24);
    expect(lines[0]).toContain(" PAPER STOPPED ");
  });

  it("disconnected: the stream state and the reconnect warning", () => {
    let s = reduceDashboard(liveState(), {
      type: "connection",
      ts: T0 + 5000,
      state: "reconnecting",
      detail: "socket closed",
    });
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 8000 });
    const text = frameLines(s, 80, 24).join("\n");
    expect(text).toContain("ws reconnecting for 3.0s");
    expect(text).toContain("ws reconnecting: socket closed");
  });

  it("empty: just started, nothing known yet", () => {
    const lines = frameLines(reduceAll([startEvent()]), 80, 24);
    expectFits(lines, 80, 24);
    const text = lines.join("\n");
    expect(text).toContain("equity -");
    expect(text).toContain("ws -");
    expect(text).toContain("waiting for the first account snapshot");
    expect(text).toContain("no fills yet");
  });

  it("narrow (60 columns): fewer columns and segments, nothing wider than the terminal", () => {
    const lines = frameLines(liveState(), 60, 24);
    expectFits(lines, 60, 24);
    const text = lines.join("\n");
    expect(text).toMatch(/^SOL .*\$75\.00!/m);
    expect(text).not.toContain("leader $");
  });

  it("small terminals: spacing goes first, then the slippage panel, then positions fold", () => {
    let lines = frameLines(liveState(), 40, 12);
    expectFits(lines, 40, 12);
    expect(lines.join("\n")).toMatch(/^SOL /m);
    expect(lines.join("\n")).toContain("slip exec bps");
    expect(lines).not.toContain("");
    lines = frameLines(liveState(), 40, 8);
    expectFits(lines, 40, 8);
    expect(lines.join("\n")).not.toContain("slip exec bps");
    expect(lines.join("\n")).toContain("+2 more (smaller)");
  });

  it("many coins at 80×24 fold into '+N more' instead of overflowing", () => {
    const coins = Array.from({ length: 30 }, (_, i) => `C${i}`);
    const s = reduceDashboard(liveState(), {
      type: "state",
      ts: T0 + 5000,
      account: {
        address: "0x2",
        accountValue: 1,
        positions: coins.map((coin) => ({ coin, size: 1, entryPx: 1 })),
      },
      hwm: 1,
      drawdownPct: 0,
      leaders: [],
      targets: coins.map((coin) => ({
        coin,
        leaderSize: 10,
        targetSize: 1,
        ourSize: 1,
        driftUsd: 0,
        mid: 1,
        deadbandUsd: 10,
      })),
      deadbandUsd: {},
    });
    const lines = frameLines(s, 80, 24);
    expectFits(lines, 80, 24);
    expect(lines.join("\n")).toMatch(/\+\d+ more \(smaller\)/);
  });

  it("help replaces the tables, fits 80×24 page by page, and ? turns the pages, then closes", () => {
    // A run with skips: their meanings are on the help's last page.
    const live = [
      leaderFillEvent(T0 + 5999, "ETH", 9),
      decisionEvent(T0 + 6000, plan({ skipped: [{ coin: "ETH", reason: "entry-drift", detail: "moved" }] }), [
        "ETH",
      ]),
    ].reduce(reduceDashboard, liveState());
    const pages = 5;
    let s = reduceDashboard(live, { type: "ui/helpToggled", pages });
    const seen: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const lines = frameLines(s, 80, 24);
      expectFits(lines, 80, 24);
      // Nothing cut: every help line is whole on screen.
      for (const line of lines) expect(line.endsWith("…"), line).toBe(false);
      expect(lines.join("\n")).not.toMatch(/^BTC /m);
      expect(lines.at(-1)).toContain(page < pages ? `? more help ${page}/${pages}` : "? close help");
      seen.push(lines.join("\n"));
      s = reduceDashboard(s, { type: "ui/helpToggled", pages });
    }
    expect(s.ui.help).toBe(false);
    // Each section on a page of its own where it fits one, in the help's order.
    const pageOf = (text: string) => seen.findIndex((p) => p.includes(text));
    const order = [
      "hwm = high-water mark: our highest equity, carried over from run to run",
      "stale 1m = nothing came from the exchange for that long",
      "leader = the leader's size (signed), - none · leader $ = its value at the mid",
      "f flatten all reduce-only (y confirms)",
      "entry-drift ×1: price moved too far from the leader's price",
    ].map(pageOf);
    expect(order.every((p) => p >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("the flatten prompt replaces the key line", () => {
    const s = reduceDashboard(liveState(), { type: "ui/flattenAsked" });
    const lines = frameLines(s, 80, 24);
    expect(lines.at(-1)).toBe("Flatten ALL positions reduce-only? y = yes, any other key = no");
  });

  it("the event log is printed above the frame", () => {
    const r = render(
      <Dashboard
        state={liveState()}
        width={80}
        height={24}
        dispatch={noop}
        onQuit={noop}
        onTogglePause={noop}
        onSweepNow={noop}
        onFlatten={noop}
        keys={false}
      />,
    );
    const lines = screenLines(r.lastFrame());
    r.unmount();
    expect(lines[0]).toBe("12:00:00.000 start LIVE testnet leader 0x1111…1111 account 0x2222…2222");
    expect(
      lines.find((l) => l.startsWith("12:00:01.004 fill BTC buy 0.05 @ 64007.7 exec 0.5 bps")),
    ).toBeDefined();
  });
});

describe("keyCommand", () => {
  const ui = initialDashboardState().ui;
  const plain = { ctrl: false, escape: false };
  it("maps the keys", () => {
    expect(keyCommand("q", plain, ui)).toBe("quit");
    expect(keyCommand("c", { ctrl: true, escape: false }, ui)).toBe("quit");
    expect(keyCommand("p", plain, ui)).toBe("pause");
    expect(keyCommand("s", plain, ui)).toBe("sweep");
    expect(keyCommand("f", plain, ui)).toBe("flatten-ask");
    expect(keyCommand("?", plain, ui)).toBe("help");
    expect(keyCommand("x", plain, ui)).toBeNull();
    expect(keyCommand("", { ctrl: false, escape: true }, { ...ui, help: true })).toBe("help-close");
  });
  it("while the flatten prompt is up: only y confirms; anything else cancels", () => {
    const asking = { ...ui, confirmFlatten: true };
    expect(keyCommand("y", plain, asking)).toBe("flatten-yes");
    expect(keyCommand("n", plain, asking)).toBe("flatten-no");
    expect(keyCommand("q", plain, asking)).toBe("flatten-no");
    expect(keyCommand("f", plain, asking)).toBe("flatten-no");
  });
});

describe("Dashboard of several leaders", () => {
  it("heads the leader columns 'leaders': their net position, the sum of their own sizes (A +1, B −1 BTC: 0)", () => {
    const p = corePlan({
      markets: { BTC: market("BTC", 60_000, 5), ETH: market("ETH", 3_000, 4) },
      leaders: [
        coreLeader({ BTC: 1, ETH: 2 }, 100_000, { weight: 0.6, address: LEADER }),
        coreLeader({ BTC: -1, ETH: 3 }, 100_000, { weight: 0.4, address: LEADER2 }),
      ],
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    const start = {
      ...startEvent(),
      leaders: [
        { address: LEADER, weight: 0.6 },
        { address: LEADER2, weight: 0.4 },
      ],
    };
    const lines = frameLines(reduceAll([start, stateEvent(T0 + 1000, p.targets)]), 120, 24);
    expect(lines.find((l) => l.startsWith("coin "))).toMatch(/^coin\s+leaders\s+leaders \$\s+target/);
    expect(lines.find((l) => l.startsWith("BTC "))).toMatch(/^BTC\s+0\s+\$0\s+0\.02\s/);
    expect(lines.find((l) => l.startsWith("ETH "))).toMatch(/^ETH\s+5\s+\$15,000\s+0\.24\s/);
  });
});
