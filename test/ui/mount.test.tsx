import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineEvents } from "../../src/engine/events.js";
import { type DashboardHandle, mountDashboard } from "../../src/ui/mount.js";
import { fillEvent, LIVE_TARGETS, liveEvents, startEvent, stateEvent, T0 } from "./fixtures.js";
import { FakeStdin, FakeStdout, sleep } from "./tty.js";

const mounted: DashboardHandle[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

function mount(columns = 80, rows = 24, minFrameMs = 100) {
  const events = new EngineEvents();
  const controls = { quit: vi.fn(), togglePause: vi.fn(), sweepNow: vi.fn(), flatten: vi.fn() };
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const ui = mountDashboard({
    events,
    controls,
    initial: { mode: "live", network: "testnet" },
    minFrameMs,
    now: () => T0 + 4000,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new FakeStdout() as unknown as NodeJS.WriteStream,
    interactive: true,
    patchConsole: false,
  });
  mounted.push(ui);
  return { events, controls, stdout, stdin, ui };
}

/** Keys pressed before the dashboard listens are lost, as on a real terminal. */
async function untilListening(stdin: FakeStdin): Promise<void> {
  await vi.waitFor(() => expect(stdin.listenerCount("readable")).toBeGreaterThan(0), { timeout: 10_000 });
}

describe("mountDashboard", () => {
  it("draws the engine's events", async () => {
    const { events, stdout, ui } = mount();
    for (const e of liveEvents()) events.emit(e);
    await vi.waitFor(() => expect(stdout.text()).toContain("fill SOL buy"), { timeout: 10_000 });
    expect(ui.getState().positions).toHaveLength(3);
    const text = stdout.text();
    expect(text).toContain("LIVE");
    expect(text).toContain("$75.00!");
    expect(text).toContain("fill SOL buy 2.5 @ 150.1 exec 2.1 bps vs leader 4.0 bps lag 7ms");
  });

  it("keys call the controls: q, p, s, and f then y; f then n does not flatten", async () => {
    const { controls, stdin, ui } = mount();
    await untilListening(stdin);
    stdin.press("p");
    stdin.press("s");
    stdin.press("f");
    stdin.press("n");
    expect(controls.flatten).not.toHaveBeenCalled();
    expect(ui.getState().ui.confirmFlatten).toBe(false);
    stdin.press("f");
    expect(ui.getState().ui.confirmFlatten).toBe(true);
    stdin.press("y");
    stdin.press("q");
    expect(controls.togglePause).toHaveBeenCalledTimes(1);
    expect(controls.sweepNow).toHaveBeenCalledTimes(1);
    expect(controls.flatten).toHaveBeenCalledTimes(1);
    expect(controls.quit).toHaveBeenCalledTimes(1);
    expect(ui.getState().ui.quitting).toBe(true);
  });

  it("a failing control shows as a notice instead of crashing the UI", async () => {
    const { controls, stdin, ui } = mount();
    controls.sweepNow.mockRejectedValueOnce(new Error("not connected"));
    await untilListening(stdin);
    stdin.press("s");
    await vi.waitFor(() => expect(ui.getState().ui.notice?.text).toBe("sweep failed: Error: not connected"), {
      timeout: 10_000,
    });
  });

  it("1000 events emitted synchronously cost a handful of frames, not 1000", async () => {
    const { events, ui } = mount();
    const before = ui.stats();
    events.emit(startEvent());
    events.emit(stateEvent(T0, LIVE_TARGETS));
    for (let i = 0; i < 1000; i++)
      events.emit(fillEvent(T0 + i, i % 2 ? "BTC" : "ETH", { slippageBps: i % 5 }));
    // everything emitted is applied once the next frame is drawn, whatever the machine's load
    await vi.waitFor(() => expect(ui.getState().counters.fills).toBe(1000), { timeout: 10_000 });
    const after = ui.stats();
    expect(after.events - before.events).toBe(1002);
    expect(after.flushes - before.flushes).toBeLessThanOrEqual(3);
    expect(after.frames - before.frames).toBeLessThanOrEqual(5);
    expect(ui.getState().counters.fills).toBe(1000);
  });

  it("a steady stream is drawn at most every minFrameMs", async () => {
    const { events, ui } = mount(80, 24, 100);
    const before = ui.stats();
    const t0 = performance.now();
    let emitted = 0;
    let rounds = 0;
    // Five at a time: a frame is drawn only between rounds, so on a machine slow enough to fit
    // one round in the 500 ms there are still fewer frames than events.
    while (performance.now() - t0 < 500 || rounds < 3) {
      for (let i = 0; i < 5; i++, emitted++) events.emit(fillEvent(T0));
      rounds++;
      await sleep(2);
    }
    await vi.waitFor(() => expect(ui.getState().counters.fills).toBe(emitted), { timeout: 10_000 });
    const elapsedMs = performance.now() - t0;
    const flushes = ui.stats().flushes - before.flushes;
    // the bound scales with the time that really passed, so a slow machine cannot fail it:
    // at most one frame per minFrameMs, plus the first and the trailing frame
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThanOrEqual(Math.floor(elapsedMs / 100) + 2);
    expect(flushes).toBeLessThan(emitted);
  });

  it("unmounts by itself once the stop event is drawn", async () => {
    const { events, stdout, ui } = mount();
    events.emit(startEvent());
    events.emit({ type: "stop", ts: T0 + 10, reason: "SIGTERM" });
    await ui.waitUntilExit();
    expect(stdout.text()).toContain("stop: SIGTERM");
    expect(ui.getState().stopped?.reason).toBe("SIGTERM");
    // no longer listening
    events.emit(fillEvent(T0 + 20));
    expect(ui.getState().counters.fills).toBe(0);
  });

  it("60 columns: nothing wider than the terminal", async () => {
    const { events, stdout, ui } = mount(60, 24);
    for (const e of liveEvents()) events.emit(e);
    await vi.waitFor(() => expect(stdout.text()).toContain("$75.00!"), { timeout: 10_000 });
    ui.unmount();
    const lines = stdout.text().split("\n");
    expect(lines.join("\n")).toContain("$75.00!");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });
});
