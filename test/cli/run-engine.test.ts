// runEngineWithView's set-up phase, without an exchange: a stop signal during set-up ends the
// run with exit 0 and one line saying so; a failing set-up is passed on; either way the signal
// handlers are gone afterwards. (Runs with an engine are covered through follow and demo.)
import { describe, expect, it, vi } from "vitest";
import { runEngineWithView } from "../../src/cli/run-engine.js";
import { STOP_SIGNALS } from "../../src/cli/signals.js";
import { UsageError } from "../../src/core/errors.js";

const listeners = () => STOP_SIGNALS.map((s) => process.listenerCount(s));

describe("runEngineWithView: set-up", () => {
  it("a stop signal during set-up aborts it: exit 0, no summary, handlers removed", async () => {
    const before = listeners();
    const result = runEngineWithView({
      json: true,
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

  it("a set-up that fails is passed on as it is", async () => {
    const before = listeners();
    const refusal = new UsageError("no agent key", { hint: "hlcopy agent generate" });
    await expect(
      runEngineWithView({ json: true, noUi: true, setUp: () => Promise.reject(refusal) }),
    ).rejects.toBe(refusal);
    expect(listeners()).toEqual(before);
  });
});
