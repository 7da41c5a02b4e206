// resume --json's `hwm` is the high-water mark it reset, to the cent: the figure its text line
// says and `status --json` shows next (docs/events.md: every USD figure to the cent, in the text
// and the JSON of every command). Until 2026-12-06 it printed the journal's raw 9997.820501.
import { describe, expect, it } from "vitest";
import { runResume } from "../../src/cli/resume/run.js";
import { runStatus } from "../../src/cli/status/run.js";
import type { Address } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { tempDir } from "../helpers/cli.js";

const ACCOUNT = "0x00000000000000000000000000000000000000b2" as Address;
const NET = "http://127.0.0.1:7070";
const T0 = Date.UTC(2026, 0, 2);

describe("resume --json", () => {
  it("says the high-water mark to the cent, as its text and status do", async () => {
    const dir = tempDir();
    const j = openJournal(journalPath(dir, ACCOUNT, NET));
    j.startRun({
      command: "follow",
      leaders: [],
      account: ACCOUNT,
      network: NET,
      settings: {},
      startedAt: T0,
    });
    j.recordEquity(T0 + 1_000, 10_000);
    j.recordEquity(T0 + 2_000, 9_997.820501);
    j.recordHalt({ ts: T0 + 3_000, kind: "kill-switch", reason: "drawdown" });
    j.close();
    const said = { json: "", text: "", status: "" };
    const writer = (k: keyof typeof said) => ({
      write: (s: string) => {
        said[k] += s;
      },
    });
    await runResume({
      configDir: dir,
      account: ACCOUNT,
      network: NET,
      json: true,
      yes: true,
      out: writer("json"),
      now: T0 + 4_000,
    });
    const doc = JSON.parse(said.json) as { hwm: number; cleared: number };
    expect(doc.cleared).toBe(1);
    expect(doc.hwm).toBe(9997.82);
    await runStatus({
      configDir: dir,
      account: ACCOUNT,
      network: NET,
      json: true,
      out: writer("status"),
      now: T0 + 5_000,
    });
    expect((JSON.parse(said.status) as { hwm: number }).hwm).toBe(doc.hwm);
  });
});
