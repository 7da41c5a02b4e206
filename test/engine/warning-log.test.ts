// The run's warnings, journaled (engine/warning-log.ts): the same words said again are one row
// counted with its first and last time, past MAX_WARNING_ROWS distinct ones the rest are counted
// in one row, and a warning journaled as its own event gets no row of its own.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeJournalEvent, parseJournalKind } from "../../src/cli/journal/format.js";
import { MAX_WARNING_ROWS, OVERFLOW_WARNING, WarningLog } from "../../src/engine/warning-log.js";
import { type Journal, openJournal, type RecordWarningParameters } from "../../src/store/journal.js";
import { tempDir } from "../helpers/cli.js";

const ACCOUNT = "0x00000000000000000000000000000000000000a1";
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

function logged() {
  const rows: RecordWarningParameters[] = [];
  return { rows, log: new WarningLog({ record: (p) => rows.push(p) }) };
}

describe("WarningLog", () => {
  it("the same words again move the row's count and last time on; its first time stays", () => {
    const { rows, log } = logged();
    log.said(1, "stream error", T0);
    log.said(1, "another", T0 + 500);
    log.said(1, "stream error", T0 + 1000);
    log.said(1, "stream error", T0 + 2000);
    expect(rows).toEqual([
      { runId: 1, message: "stream error", first: T0, last: T0, count: 1 },
      { runId: 1, message: "another", first: T0 + 500, last: T0 + 500, count: 1 },
      { runId: 1, message: "stream error", first: T0, last: T0 + 1000, count: 2 },
      { runId: 1, message: "stream error", first: T0, last: T0 + 2000, count: 3 },
    ]);
  });

  it("another run's warnings start afresh", () => {
    const { rows, log } = logged();
    log.said(1, "w", T0);
    log.said(2, "w", T0 + 1);
    expect(rows.map((r) => [r.runId, r.count])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it(`past ${MAX_WARNING_ROWS} different warnings the rest are counted in one row; the known ones still count`, () => {
    const { rows, log } = logged();
    for (let i = 0; i < MAX_WARNING_ROWS; i++) log.said(1, `w${i}`, T0 + i);
    log.said(1, "one more", T0 + 1000);
    log.said(1, "and another", T0 + 1001);
    log.said(1, "w0", T0 + 1002);
    expect(new Set(rows.map((r) => r.message)).size).toBe(MAX_WARNING_ROWS + 1);
    expect(rows.slice(-3)).toEqual([
      { runId: 1, message: OVERFLOW_WARNING, first: T0 + 1000, last: T0 + 1000, count: 1 },
      { runId: 1, message: OVERFLOW_WARNING, first: T0 + 1000, last: T0 + 1001, count: 2 },
      { runId: 1, message: "w0", first: T0, last: T0 + 1002, count: 2 },
    ]);
  });

  it("a warning journaled as its own event (foreignOrders) gets no row; the same words later do", () => {
    const { rows, log } = logged();
    log.journaledElsewhere("order(s) placed outside hlcopy: ETH");
    log.said(1, "order(s) placed outside hlcopy: ETH", T0);
    expect(rows).toEqual([]);
    log.said(1, "order(s) placed outside hlcopy: ETH", T0 + 1);
    expect(rows).toHaveLength(1);
  });
});

describe("the journal's warning rows", () => {
  let dir: string;
  let j: Journal;
  beforeEach(() => {
    dir = tempDir("hlcopy-warnings-");
    j = openJournal(join(dir, "journal.sqlite"));
  });
  afterEach(() => {
    j.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (startedAt: number) =>
    j.startRun({
      command: "follow",
      leaders: [],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt,
    });

  it("a repeated warning is one row with its count; runWarnings counts them all, the newest first by their last time", () => {
    const earlier = run(T0 - 60_000);
    j.recordWarning({ runId: earlier, message: "an earlier run's", first: T0 - 1, last: T0 - 1, count: 1 });
    const runId = run(T0);
    const log = new WarningLog({ record: (p) => j.recordWarning(p) });
    log.said(runId, "a", T0 + 1000);
    log.said(runId, "b", T0 + 2000);
    log.said(runId, "a", T0 + 3000);
    log.said(runId, "a", T0 + 4000);
    j.recordEvent({
      ts: T0 + 2500,
      type: "foreignOrders",
      runId,
      data: { message: "order(s) placed outside" },
    });
    j.recordEvent({ ts: T0 + 2600, type: "reconnect", runId, data: {} });
    const w = j.runWarnings(runId, T0, 2);
    expect(w.count).toBe(5);
    expect(w.rows).toBe(3);
    expect(w.newest.map((r) => [r.type, r.ts, r.last, r.count])).toEqual([
      ["warning", T0 + 1000, T0 + 4000, 3],
      ["foreignOrders", T0 + 2500, T0 + 2500, 1],
    ]);
    const listed = j.listEntries({
      table: "events",
      eventTypes: parseJournalKind("warnings").eventTypes ?? [],
    });
    expect(listed.map((e) => (e.table === "events" ? e.data : null))).toEqual([
      { message: "an earlier run's", count: 1, last: T0 - 1 },
      { message: "a", count: 3, last: T0 + 4000 },
      { message: "b", count: 1, last: T0 + 2000 },
      { message: "order(s) placed outside" },
    ]);
  });

  it("a run's start-up waits, journaled at their own time before its start, are its warnings; the run before's are not", () => {
    const earlier = run(T0 - 600_000);
    j.recordWarning({
      runId: earlier,
      message: "its start-up's",
      first: T0 - 700_000,
      last: T0 - 700_000,
      count: 1,
    });
    j.recordWarning({ runId: earlier, message: "the run before's", first: T0 - 500_000, last: T0, count: 1 });
    const runId = run(T0);
    // Said while the approval check was retried, two minutes before the run began (saidAtSetUp).
    j.recordWarning({
      runId,
      message: "waiting for the agent approval check",
      first: T0 - 120_000,
      last: T0 - 120_000,
      count: 1,
    });
    j.recordWarning({ runId, message: "in the run", first: T0 + 1000, last: T0 + 1000, count: 1 });
    const w = j.runWarnings(runId, T0, 5);
    expect(w.count).toBe(2);
    expect(w.newest.map((r) => [r.ts, (r.data as { message: string }).message])).toEqual([
      [T0 + 1000, "in the run"],
      [T0 - 120_000, "waiting for the agent approval check"],
    ]);
    // The first run of a journal: its start-up's are found too.
    expect(j.runWarnings(earlier, T0 - 600_000, 5).count).toBe(2);
  });

  it("--since: a warning first said before it and said again since is of the window", () => {
    const runId = run(T0);
    j.recordWarning({ runId, message: "old, quiet since", first: T0 + 1000, last: T0 + 1000, count: 1 });
    j.recordWarning({ runId, message: "old, said again", first: T0 + 2000, last: T0 + 2000, count: 1 });
    j.recordWarning({ runId, message: "old, said again", first: T0 + 2000, last: T0 + 90_000, count: 2 });
    j.recordWarning({ runId, message: "new", first: T0 + 70_000, last: T0 + 70_000, count: 1 });
    j.recordEvent({ ts: T0 + 3000, type: "reconnect", runId, data: {} });
    const messages = (table?: "events") =>
      j
        .listEntries({ since: T0 + 60_000, ...(table ? { table } : {}) })
        .map((e) => (e.table === "events" ? (e.data as { message?: string }).message : e.table));
    expect(messages("events")).toEqual(["old, said again", "new"]);
    expect(messages()).toEqual(["old, said again", "new"]);
  });

  it("pruned past the retention by when last said: a warning still said is kept, its repeats still counted", () => {
    const runId = run(T0);
    j.recordWarning({ runId, message: "quiet", first: T0, last: T0, count: 1 });
    j.recordWarning({ runId, message: "still said", first: T0, last: T0, count: 1 });
    j.recordWarning({ runId, message: "still said", first: T0, last: T0 + 100_000, count: 2 });
    j.pruneBefore(T0 + 50_000);
    j.recordWarning({ runId, message: "still said", first: T0, last: T0 + 200_000, count: 3 });
    const w = j.runWarnings(runId, T0, 5);
    expect(w.newest.map((r) => [(r.data as { message: string }).message, r.count])).toEqual([
      ["still said", 3],
    ]);
  });

  it("journal says a warning row in words: its count and last time when said again", () => {
    expect(describeJournalEvent("warning", { message: "a", count: 1, last: T0 })).toBe("a");
    expect(describeJournalEvent("warning", { message: "a", count: 3, last: T0 })).toBe(
      "×3 (last 2026-12-07 12:00:00.000Z): a",
    );
    // Said the same day as first (the row's time): the time of day only.
    expect(describeJournalEvent("warning", { message: "a", count: 3, last: T0 + 61_000 }, T0 - 1000)).toBe(
      "×3 (last 12:01:01.000Z): a",
    );
    expect(describeJournalEvent("warning", { message: "a", count: 2, last: T0 + 86_400_000 }, T0)).toBe(
      "×2 (last 2026-12-08 12:00:00.000Z): a",
    );
    expect(parseJournalKind("warnings")).toEqual({
      table: "events",
      eventTypes: ["warning", "foreign", "foreignOrders"],
    });
    expect(parseJournalKind("orders")).toEqual({ table: "orders" });
  });
});
