// `hlcopy status` (and report) for an account with no runs on the network asked about: the
// network is named — mainnet too — and so are the networks the account has journals for, by
// the name --network takes, not by their journal's file name. Nothing is written.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runJournal } from "../../src/cli/journal/run.js";
import { runReport } from "../../src/cli/report/run.js";
import { noRunsLine, runStatus } from "../../src/cli/status/run.js";
import type { Address } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { tempDir } from "../helpers/cli.js";

/** The text's lines whole: these tests read their words (status.test.ts and backtest-funding.test.ts pin the breaking at 80 columns). */
const WHOLE = Number.POSITIVE_INFINITY;

type Writer = { write: (s: string) => boolean };

const ACCOUNT = "0x00000000000000000000000000000000000000a1" as Address;
const SIM = "http://127.0.0.1:7070";
const T0 = Date.UTC(2025, 0, 2);

/** A writer that keeps what is written, and what it has kept so far. */
function captured(): { out: { write: (s: string) => boolean }; text: () => string } {
  let text = "";
  return {
    out: {
      write: (s: string) => {
        text += s;
        return true;
      },
    },
    text: () => text,
  };
}

/** A journal of `network` with one run recorded on it. */
function journalWithRun(dir: string, network: string): void {
  const j = openJournal(journalPath(dir, ACCOUNT, network));
  j.startRun({ command: "reconcile", leaders: [], account: ACCOUNT, network, settings: {}, startedAt: T0 });
  j.close();
}

describe("status with no runs on the network asked about", () => {
  it("says which network (mainnet too) and names the others by network, not file name", async () => {
    const dir = tempDir();
    journalWithRun(dir, "testnet");
    journalWithRun(dir, SIM);
    const files = readdirSync(dir).sort();
    const start = `no runs yet for ${ACCOUNT}`;
    const rest = ": hlcopy reconcile or hlcopy follow start the journal; it has journals for other networks:";
    const { out, text } = captured();
    await runStatus({ width: WHOLE, configDir: dir, account: ACCOUNT, json: false, out });
    expect(text()).toBe(`${start} on mainnet${rest} ${SIM}, testnet (--network chooses the network)\n`);
    expect(noRunsLine(dir, ACCOUNT, "mainnet")).not.toContain(".sqlite");
    // Asked about another network: the one it has is named; the one asked about is not listed.
    expect(noRunsLine(dir, ACCOUNT, "http://localhost:9999")).toBe(
      `${start} on http://localhost:9999${rest} ${SIM}, testnet (--network chooses the network)`,
    );
    // Reading the other journals wrote nothing (no new file, no -wal beside them).
    expect(readdirSync(dir).sort()).toEqual(files);
  });

  it("an account with no journal anywhere: just the network", () => {
    expect(noRunsLine(tempDir(), ACCOUNT, "testnet")).toBe(
      `no runs yet for ${ACCOUNT} on testnet: hlcopy reconcile or hlcopy follow start the journal`,
    );
  });
});

describe("status --json with no journal yet", () => {
  it("has every field a status document has after a run, null or empty (docs/events.md: always present)", async () => {
    const read = async (dir: string): Promise<Record<string, unknown>> => {
      const { out, text } = captured();
      await runStatus({ width: WHOLE, configDir: dir, account: ACCOUNT, network: SIM, json: true, out });
      return JSON.parse(text()) as Record<string, unknown>;
    };
    const none = await read(tempDir());
    const withRun = tempDir();
    journalWithRun(withRun, SIM);
    const after = await read(withRun);
    // The same fields, in the same order, as a journal's (a script reads .drift or .fills.total alike).
    expect(Object.keys(none)).toEqual(Object.keys(after));
    expect(none).toMatchObject({
      journal: null,
      lastRun: null,
      equity: null,
      drift: null,
      positions: [],
      pnl: null,
      fills: { total: 0 },
      slippageBps: { count: 0, p95: null },
      execSlippageBps: after.execSlippageBps,
      slippageBudget: { n: 0, p95Bps: null, exceeded: false },
      copyLagMs: { count: 0 },
      alerts: null,
      windowHours: 24,
    });
  });
});

describe("report --json with no journal yet", () => {
  it("has every field a report has after a run (and journal: null)", async () => {
    const read = async (dir: string): Promise<Record<string, unknown>> => {
      const { out, text } = captured();
      await runReport({
        configDir: dir,
        account: ACCOUNT,
        network: SIM,
        json: true,
        since: T0 - 86_400_000,
        now: T0 + 60_000,
        out,
      });
      return JSON.parse(text()) as Record<string, unknown>;
    };
    const none = await read(tempDir());
    const withRun = tempDir();
    journalWithRun(withRun, SIM);
    const after = await read(withRun);
    expect(Object.keys(none).filter((k) => k !== "journal")).toEqual(Object.keys(after));
    expect(none).toMatchObject({
      journal: null,
      days: [],
      totals: { pnlUsd: 0, fills: 0, ordersFilled: 0 },
      equity: [],
      maxDrawdownPct: null,
      pnl: null,
      unrealisedAsOf: null,
      fillsAfter: 0,
      csv: null,
    });
  });
});

describe("an empty (0-byte) journal file", () => {
  it("reads as no runs in status, report and journal, and stays as it was (a read wrote 160 kB of schema into it, then report showed a week of $0.00 days)", async () => {
    const dir = tempDir();
    const file = journalPath(dir, ACCOUNT, SIM);
    const now = T0 + 60_000;
    const outputs: string[] = [];
    for (const read of [
      (out: Writer) =>
        runStatus({ width: WHOLE, configDir: dir, account: ACCOUNT, network: SIM, json: false, now, out }),
      (out: Writer) =>
        runReport({
          configDir: dir,
          account: ACCOUNT,
          network: SIM,
          json: false,
          since: T0 - 86_400_000,
          now,
          out,
        }),
      (out: Writer) =>
        runJournal({ width: WHOLE, configDir: dir, account: ACCOUNT, network: SIM, json: false, now, out }),
    ]) {
      writeFileSync(file, "");
      const { out, text } = captured();
      await read(out);
      outputs.push(text());
      expect(statSync(file).size).toBe(0);
      expect(readdirSync(dir)).toEqual([file.slice(dir.length + 1)]);
    }
    expect(outputs[0]).toMatch(/^no runs yet for /);
    expect(outputs[1]?.replace(/\n {2}/g, " ")).toMatch(/^no runs yet for /);
    expect(outputs[2]).toMatch(/^no journal for /);
  });
});
