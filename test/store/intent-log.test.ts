// The order-intent log (store/intent-log.ts): the run that holds the lock writes an order's
// intent there — one write call — before the order leaves, and the journal commits it off the
// hot path. What must hold: the intent is the journal's at once (read back, never recorded
// twice), a run that dies with intents only in the log loses none of them, a line the dying
// process never finished is not an intent, and a damaged log is refused, untouched.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { intentLogPath } from "../../src/store/intent-log.js";
import { type Journal, journalPath, openJournal } from "../../src/store/journal.js";
import { tempDir } from "../helpers/cli.js";
import { action } from "./fixtures.js";

const ACCOUNT = "0xAbCdEf0000000000000000000000000000000001";
const T0 = Date.UTC(2025, 0, 2, 12, 0, 0);
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

let dir: string;
let file: string;
let log: string;
const opened: Journal[] = [];

beforeEach(() => {
  dir = join(tempDir("hlcopy-intents-"), "cfg");
  file = journalPath(dir, ACCOUNT);
  log = intentLogPath(file);
});
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
  rmSync(dirname(dir), { recursive: true, force: true });
});

function sender(): Journal {
  const j = openJournal(file, { intentLog: true });
  opened.push(j);
  return j;
}

/** Run `body` in a child process on the built journal, which then dies with SIGKILL: nothing runs after it. */
function dieAfter(body: string): void {
  const script = `
    import { openJournal } from ${JSON.stringify(join(root, "dist/store/journal.js"))};
    const j = openJournal(${JSON.stringify(file)}, { intentLog: true });
    const action = (cloid, size = 0.01) => ({ coin: "BTC", side: "buy", size, limitPx: 65200, reduceOnly: false, cloid, reason: "open", refPx: 65000 });
    ${body}
    process.kill(process.pid, "SIGKILL");
  `;
  const r = spawnSync(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  expect(r.stderr).toBe("");
  expect(r.signal).toBe("SIGKILL");
}

const cloid = (n: number) => `0x${n.toString(16).padStart(32, "0")}` as const;

describe("order intents logged by the run that sends", () => {
  it("are the journal's at once: read back, never recorded twice, in the log until committed", () => {
    const j = sender();
    const run = j.startRun({
      command: "follow",
      leaders: [],
      account: ACCOUNT,
      network: "https://api.hyperliquid.xyz",
      settings: {},
      startedAt: T0,
    });
    const a = action({ cloid: cloid(1) });
    expect(j.recordOrderIntent({ runId: run, ts: T0 + 1, action: a, kind: "copy", touchPx: 65_010 })).toBe(
      true,
    );
    // Before anything is committed, the log holds it (one line) and 0600.
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(j.recordOrderIntent({ runId: run, ts: T0 + 2, action: { ...a, size: 5 } })).toBe(false);
    expect(j.getOrder(a.cloid)).toMatchObject({
      runId: run,
      status: "pending",
      size: 0.01,
      limitPx: a.limitPx,
      kind: "copy",
      leaderPx: a.refPx,
      touchPx: 65_010,
    });
    // Committed with its group: the log is emptied; closing removes it.
    j.checkpoint();
    expect(readFileSync(log, "utf8")).toBe("");
    expect(j.recordOrderIntent({ runId: run, ts: T0 + 3, action: a })).toBe(false);
    j.close();
    expect(existsSync(log)).toBe(false);
    const again = openJournal(file);
    opened.push(again);
    expect(again.ordersInState(["pending"]).map((o) => o.cloid)).toEqual([a.cloid]);
  });

  it("a run killed with intents only in the log: the next sender takes every one in, as pending", () => {
    dieAfter(`
      const run = j.startRun({ command: "follow", leaders: [], account: "${ACCOUNT}", network: "n", settings: {}, startedAt: ${T0} });
      for (let i = 1; i <= 3; i++) j.recordOrderIntent({ runId: run, ts: ${T0} + i, action: action("${cloid(0)}".slice(0, -1) + i), kind: "copy" });
    `);
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
    // A reader (status, report, journal) leaves the log alone: it is the sender's.
    const reader = openJournal(file);
    expect(reader.ordersInState(["pending"])).toEqual([]);
    reader.close();
    expect(existsSync(log)).toBe(true);
    const j = sender();
    expect(j.ordersInState(["pending"]).map((o) => [o.cloid, o.kind])).toEqual([
      [cloid(1), "copy"],
      [cloid(2), "copy"],
      [cloid(3), "copy"],
    ]);
    expect(existsSync(log)).toBe(false);
    // Taken in once: the same cloid is not sent again.
    expect(j.recordOrderIntent({ runId: null, ts: T0 + 9, action: action({ cloid: cloid(2) }) })).toBe(false);
  });

  it("a last line the dying process never finished is not an intent; the finished ones are", () => {
    dieAfter(`j.recordOrderIntent({ runId: null, ts: ${T0}, action: action("${cloid(7)}") });`);
    appendFileSync(log, `[null,${T0},"${cloid(8)}","BTC","bu`);
    const j = sender();
    expect(j.ordersInState(["pending"]).map((o) => o.cloid)).toEqual([cloid(7)]);
    expect(j.getOrder(cloid(8))).toBeNull();
  });

  it("a damaged log is refused with the file named and a hint, and left as it was", () => {
    sender().close();
    opened.length = 0;
    writeFileSync(log, `not an intent\n[null,${T0},"${cloid(9)}"]\n`);
    const before = readFileSync(log);
    const journalBefore = readFileSync(file);
    let caught: unknown;
    try {
      sender();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(log);
    expect((caught as ConfigError).hint).toMatch(/move it aside/);
    expect(readFileSync(log)).toEqual(before);
    expect(readFileSync(file)).toEqual(journalBefore);
  });
});
