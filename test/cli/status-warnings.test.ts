// `hlcopy status` says what the last run warned about (journaled as it said it: engine/warning-log.ts):
// how many times, the newest two in its words with when, and the command that lists them all —
// within 80 columns; --json has them as lastRun.warnings. A run that warned of nothing says nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import type { Address } from "../../src/core/types.js";
import { journalPath, openJournal, paperJournalPath } from "../../src/store/journal.js";

const account = "0x00000000000000000000000000000000000000a1" as Address;
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const START = NOW - 2 * 3_600_000;
const LONG =
  "the account changed outside hlcopy just before the stop and could not be read (the positions shown are the run's last view): clearinghouseState failed: 502 Bad Gateway";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function seed(warn: (j: ReturnType<typeof openJournal>, runId: number) => void, paper = false): string {
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-warnings-"));
  dirs.push(dir);
  const j = openJournal(paper ? paperJournalPath(dir, account) : journalPath(dir, account));
  const runId = j.startRun({
    command: "follow",
    leaders: [],
    account,
    network: "mainnet",
    settings: {},
    startedAt: START,
  });
  j.recordEquity(START, 10_000);
  warn(j, runId);
  j.endRun(runId, { endedAt: NOW - 60_000, exitCode: 0 });
  j.close();
  return dir;
}

async function status(dir: string, json: boolean, paper = false) {
  let text = "";
  const report = (await runStatus({
    configDir: dir,
    account,
    json,
    paper,
    now: NOW,
    width: 80,
    out: {
      write: (t: string) => {
        text += t;
        return true;
      },
    },
  })) as StatusReport;
  return { text, report };
}

describe("hlcopy status: the last run's warnings", () => {
  it("how many, the newest two with when (a repeated one counted), and the command for all — within 80 columns", async () => {
    const dir = seed((j, runId) => {
      j.recordWarning({
        runId,
        message: "userFills: socket hang up",
        first: START + 1000,
        last: START + 1000,
        count: 1,
      });
      j.recordWarning({ runId, message: LONG, first: START + 60_000, last: START + 60_000, count: 1 });
      j.recordWarning({ runId, message: LONG, first: START + 60_000, last: NOW - 120_000, count: 3 });
      j.recordEvent({
        ts: START + 30_000,
        type: "foreign",
        runId,
        data: { positions: [{ coin: "ETH", size: 0.5, managed: 0 }] },
      });
    });
    const { text } = await status(dir, false);
    const lines = text.split("\n");
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const at = lines.findIndex((l) => l.startsWith("last run: follow started 2h ago, exit 0"));
    expect(lines.slice(at + 1, at + 3)).toEqual([
      "warnings: the run warned 5 times (3 different warnings) — the newest 2:",
      "  2m ago (×3 since 119m ago): the account changed outside hlcopy just before the",
    ]);
    const said = lines
      .slice(at + 2)
      .join(" ")
      .replace(/\s+/g, " ");
    expect(said).toContain(`2m ago (×3 since 119m ago): ${LONG} `);
    // A position changed outside hlcopy, journaled as its own event: said in the journal's words.
    expect(said).toContain(" 120m ago: position(s) changed outside hlcopy: ");
    expect(said).not.toContain("socket hang up");
    expect(said).toContain(" all of them: hlcopy journal --type warnings --since 2026-12-07T10:00");

    const { report } = await status(dir, true);
    expect(report.lastRun?.warnings).toEqual({
      count: 5,
      distinct: 3,
      newest: [
        { ts: NOW - 120_000, first: START + 60_000, count: 3, message: LONG },
        {
          ts: START + 30_000,
          first: START + 30_000,
          count: 1,
          message: expect.stringMatching(/^position\(s\) changed outside hlcopy: /),
        },
      ],
      see: "hlcopy journal --type warnings --since 2026-12-07T10:00",
    });
  });

  it("a start-up that waited minutes before the run began: the command for all reaches back to its first wait", async () => {
    const dir = seed((j, runId) => {
      // Said while the approval check was retried, 3 minutes before the start (engine saidAtSetUp).
      j.recordWarning({
        runId,
        message: "waiting for the agent approval check (HTTP 500): retry 3 in 60s",
        first: START - 180_000,
        last: START - 180_000,
        count: 1,
      });
    });
    const { text } = await status(dir, false);
    expect(text).toContain("  all of them: hlcopy journal --type warnings --since 2026-12-07T09:57\n");
    const { report } = await status(dir, true);
    expect(report.lastRun?.warnings.see).toBe("hlcopy journal --type warnings --since 2026-12-07T09:57");
  });

  it("a run that warned of nothing: no warnings line, count 0", async () => {
    const dir = seed(() => {});
    const { text } = await status(dir, false);
    expect(text).not.toContain("warnings:");
    const { report } = await status(dir, true);
    expect(report.lastRun?.warnings).toMatchObject({ count: 0, distinct: 0, newest: [] });
  });

  it("a paper run's: the command lists the paper journal", async () => {
    const dir = seed((j, runId) => {
      j.recordWarning({
        runId,
        message: "books: not streamed",
        first: START + 1000,
        last: START + 1000,
        count: 1,
      });
    }, true);
    const { text } = await status(dir, false, true);
    expect(text).toContain("warnings: the run warned once:\n  120m ago: books: not streamed\n");
    expect(text).toContain(
      "  all of them: hlcopy journal --type warnings --since 2026-12-07T10:00 --paper\n",
    );
  });
});
