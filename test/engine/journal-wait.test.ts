// A journal another program holds at a run's start is waited for (engine/journal-wait.ts): told
// once, at the first wait; an attempt that fails only after the deadline ends the run without a
// wait, so nothing is told. The CLI tests of a held journal (test/store/disk-errors.cli.test.ts,
// test/reconcile/journal-held.cli.test.ts) give up after 1 s: whether the warning comes before
// the error depends on how long the machine takes for the first attempt — this is why.

import { describe, expect, it } from "vitest";
import { JournalBusyError } from "../../src/core/errors.js";
import { whenJournalFree } from "../../src/engine/journal-wait.js";
import { StartupTimeoutError } from "../../src/exchange/retry.js";

const busy = () => new JournalBusyError("journal /tmp/j.sqlite is locked by another program");

describe("whenJournalFree", () => {
  it("a journal held for a few attempts: told once, at the first wait, then the open's value", async () => {
    const told: string[] = [];
    let attempts = 0;
    const value = await whenJournalFree(
      () => {
        attempts++;
        if (attempts < 4) throw busy();
        return "open";
      },
      { timeoutMs: 600_000, initialDelayMs: 1, tell: (m) => told.push(m) },
    );
    expect(value).toBe("open");
    expect(attempts).toBe(4);
    expect(told).toEqual([
      "journal busy (held by another program): the run cannot begin; retrying for up to 600s — nothing is sent meanwhile",
    ]);
  });

  it("a first attempt that fails only after the deadline: the busy error at once, no wait told", async () => {
    const told: string[] = [];
    let attempts = 0;
    const run = whenJournalFree(
      () => {
        attempts++;
        // SQLite's own busy wait, outlasting the whole start-up timeout (a busy machine).
        const start = Date.now();
        while (Date.now() - start <= 20) {
          // waiting
        }
        throw busy();
      },
      { timeoutMs: 10, initialDelayMs: 1, tell: (m) => told.push(m) },
    );
    await expect(run).rejects.toThrow(StartupTimeoutError);
    await expect(run).rejects.toThrow(
      /waiting for the journal \(held by another program\): journal .* is locked/,
    );
    expect(attempts).toBe(1);
    expect(told).toEqual([]);
  });
});
