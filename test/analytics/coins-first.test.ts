// A coin list naming no market (`--deny-coins DOGEE`) is refused by inspect, backtest and scan
// before the leader's history is read: the markets first, one light read. Before, the refusal
// came after the fills (~30 s for a busy leader) and the optional reads' progress lines.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LeaderDataSource } from "../../src/analytics/fetch.js";
import { runBacktestCommand } from "../../src/cli/backtest/run.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { runScanCommand } from "../../src/cli/scan/run.js";
import { ValidationError } from "../../src/core/errors.js";
import { defaultSettings } from "../../src/core/settings.js";
import { cassetteSource, sink } from "./helpers.js";

const LEADER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
const NOW = 1683245884863 + 60_000;

/** The cassettes' source, counting the reads of fills and of the markets. */
function counted(): { source: LeaderDataSource; reads: { fills: number; meta: number } } {
  const base = cassetteSource();
  const reads = { fills: 0, meta: 0 };
  return {
    reads,
    source: {
      ...base,
      getFillsByTime: (...a) => {
        reads.fills++;
        return base.getFillsByTime(...a);
      },
      getMeta: () => {
        reads.meta++;
        return base.getMeta?.() ?? Promise.resolve(undefined);
      },
    },
  };
}

const denying = () => {
  const settings = defaultSettings();
  settings.risk.denyCoins = ["DOGEE"];
  return settings;
};

async function refusal(p: Promise<unknown>): Promise<ValidationError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("an unknown coin is refused before the history is read", () => {
  it("inspect", async () => {
    const { source, reads } = counted();
    const err = sink();
    const e = await refusal(
      runInspectCommand({
        address: LEADER,
        equity: "1000",
        settings: denying(),
        json: false,
        source,
        now: NOW,
        out: sink(),
        err,
      }),
    );
    expect(e.message).toBe('unknown coin "DOGEE" (risk.denyCoins): not a market on this exchange');
    expect(e.exitCode).toBe(2);
    expect(reads).toEqual({ fills: 0, meta: 1 });
    expect(err.text()).toBe("");
  });

  it("backtest, a compared column's coins too", async () => {
    for (const [settings, compare] of [
      [denying(), undefined],
      [defaultSettings(), "kelly+deny-coins=DOGEE"],
    ] as const) {
      const { source, reads } = counted();
      const e = await refusal(
        runBacktestCommand({
          addresses: [LEADER],
          settings,
          ...(compare ? { compare } : {}),
          source,
          now: NOW,
          json: false,
          out: sink(),
          err: sink(),
        }),
      );
      expect(e.message).toContain('unknown coin "DOGEE" (risk.denyCoins)');
      expect(reads.fills).toBe(0);
    }
  });

  it("scan", async () => {
    const { source, reads } = counted();
    const err = sink();
    await refusal(
      runScanCommand({
        addresses: [LEADER],
        settings: denying(),
        json: false,
        csv: false,
        excludeLiquidated: false,
        consensus: false,
        source,
        now: NOW,
        configDir: mkdtempSync(join(tmpdir(), "hlcopy-scan-")),
        out: sink(),
        err,
      }),
    );
    expect(reads.fills).toBe(0);
    expect(err.text()).toBe("");
  });

  it("a known coin: the markets are read once, not again with the history", async () => {
    const { source, reads } = counted();
    const settings = defaultSettings();
    settings.risk.denyCoins = ["eth"];
    await runInspectCommand({
      address: LEADER,
      equity: "1000",
      settings,
      json: true,
      source,
      now: NOW,
      out: sink(),
      err: sink(),
    });
    expect(reads.meta).toBe(1);
    expect(reads.fills).toBe(1);
  });
});
