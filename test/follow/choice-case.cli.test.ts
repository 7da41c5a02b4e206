// A command option that takes one of a few words reads it as a setting's choice is read (core/
// settings.ts enumValue): case and surrounding spaces aside, acted on in its canonical spelling —
// `follow --on-exit Flatten` flattens on a clean stop, as --on-exit flatten does (it was refused
// while `--sizing-mode Fixed-Ratio` was taken). The real binary against a simulator.

import { describe, expect, it } from "vitest";
import { reconcileWorld } from "../helpers/reconcile-world.js";
import { spawnFollowIn } from "./helpers.js";

describe("a command option's choice is a word, whatever its case", () => {
  it("follow --on-exit Flatten runs and its stop takes the flatten step, said as flatten", {
    timeout: 90_000,
  }, async ({ onTestFinished }) => {
    const w = await reconcileWorld({ seed: 37, onTestFinished });
    await w.trade("ETH", "buy", 10);
    const run = spawnFollowIn(w, {
      extra: ["--mode", "fixed-ratio", "--ratio", "0.1", "--on-exit", " Flatten"],
    });
    try {
      await run.until(() => run.sweeps() >= 1);
      expect((await w.positions()).ETH).toBe(1);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit, run.stderr()).toBe(0);
    const stopping = run.lines.find((l) => l.type === "notice" && l.kind === "stopping");
    expect(stopping?.message).toBe("stopping: signal SIGTERM — on-exit step: flatten");
    // The step acted: the copy's position was closed.
    expect((await w.positions()).ETH ?? 0).toBe(0);
  });

  it("a word that names no choice is refused as before, naming the choices", async () => {
    const w = await reconcileWorld({ seed: 38 });
    const r = await w.cli(["follow", w.leader, "--on-exit", "Flat"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid --on-exit "Flat": expected protect, hold or flatten\nhint: /);
  });
});
