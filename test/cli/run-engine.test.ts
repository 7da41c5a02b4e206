// runEngineWithView's set-up phase, without an exchange: a stop signal during set-up ends the
// run with exit 0 and one line saying so — one that finishes all the same begins nothing more;
// a failing set-up is passed on; either way the signal
// handlers are gone afterwards. (Runs with an engine are covered through follow and demo.)
import { describe, expect, it, vi } from "vitest";
import { runEngineWithView } from "../../src/cli/run-engine.js";
import { STOP_SIGNALS } from "../../src/cli/signals.js";
import { UsageError } from "../../src/core/errors.js";
import type { CopyEngine } from "../../src/engine/engine.js";
import { EngineEvents } from "../../src/engine/events.js";

const listeners = () => STOP_SIGNALS.map((s) => process.listenerCount(s));

describe("runEngineWithView: set-up", () => {
  it("a stop signal during set-up aborts it: exit 0, no summary, handlers removed", async () => {
    const before = listeners();
    const result = runEngineWithView({
      json: false,
      noUi: true,
      setUp: (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(new Error("aborted")));
          // The handler is installed by now: deliver the signal to it (not to the process).
          process.emit("SIGTERM", "SIGTERM");
        }),
    });
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await expect(result).resolves.toEqual({ code: 0, summary: null, dashboard: false });
      // Not silent: what stopped it, and that nothing was sent.
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe(
        "stopped by SIGTERM during start-up: nothing was sent\n",
      );
    } finally {
      stderr.mockRestore();
    }
    expect(listeners()).toEqual(before);
  });

  it("a stop signal during a set-up that finishes all the same: nothing more is begun — no checks, no prompt, no summary", async () => {
    const before = listeners();
    const closed: string[] = [];
    // Any use of the engine (its start checks, the review, its run) fails the test.
    const untouchable = new Proxy(
      {},
      {
        get: (_, key) => {
          throw new Error(`the engine was used after the stop signal: ${String(key)}`);
        },
      },
    );
    const result = runEngineWithView({
      json: false,
      noUi: true,
      setUp: async () => {
        // The signal comes while the set-up waits on a request that then answers.
        process.emit("SIGINT", "SIGINT");
        return {
          engine: untouchable as CopyEngine,
          events: new EngineEvents(),
          initial: { mode: "live", leaders: [], network: "test" },
          streams: () => Promise.reject(new Error("no streams")),
          preflight: true,
          close: async () => {
            closed.push("session");
          },
        };
      },
    });
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await expect(result).resolves.toEqual({ code: 0, summary: null, dashboard: false });
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe(
        "stopped by SIGINT during start-up: nothing was sent\n",
      );
    } finally {
      stderr.mockRestore();
    }
    // What the set-up took is released.
    expect(closed).toEqual(["session"]);
    expect(listeners()).toEqual(before);
  });

  it("a set-up that fails is passed on as it is", async () => {
    const before = listeners();
    const refusal = new UsageError("no agent key", { hint: "hlcopy agent generate" });
    await expect(
      runEngineWithView({ json: true, noUi: true, setUp: () => Promise.reject(refusal) }),
    ).rejects.toBe(refusal);
    expect(listeners()).toEqual(before);
  });
});
