// `hlcopy status`'s P&L line and its tables by coin and by leader: in every row the parts as
// shown (realised + unrealised − fees + funding) add up to the net as shown, and the net is its
// true figure rounded (core/format.ts shownPnl). A row read `HYPE net −0.05` beside parts that
// added to −0.04.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStatus } from "../../src/cli/status/run.js";
import type { CopyPnl, PnlFigures } from "../../src/core/pnl.js";
import type { Address } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";

const account = "0x00000000000000000000000000000000000000a1" as Address;
const leader = "0x00000000000000000000000000000000000000b2" as Address;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

const figures = (r: number, u: number, f: number, fu: number): PnlFigures => ({
  realisedUsd: r,
  unrealisedUsd: u,
  feesUsd: f,
  fundingUsd: fu,
  netUsd: Math.round((r + u - f + fu) * 1e6) / 1e6,
  roiPct: null,
});

/** Cents of a figure as the text shows it: "−0.05" → −5, "+1.25" → 125. */
const cents = (s: string) => Math.round(Number(s.replace("−", "-").replace("+", "")) * 100);

describe("status: the P&L's shown parts add up to its shown net", () => {
  it("in the P&L line and in each row by coin and by leader", async () => {
    // HYPE: −0.0044 − 0.0041 − 0.0435 + 0 = −0.052 → −0.05, its parts alone round to −0.04.
    const hype = figures(-0.0044, -0.0041, 0.0435, 0);
    // BTC: 0.126 + 0.004 − 0.003 + 0.004 = 0.131 → 0.13, its parts alone round to 0.14.
    const btc = figures(0.126, 0.004, 0.003, 0.004);
    const total = figures(0.1216, -0.0001, 0.0465, 0.004);
    const pnl: CopyPnl = {
      ...total,
      since: null,
      startEquity: null,
      fills: 3,
      volumeUsd: 100,
      byCoin: [
        { coin: "BTC", ...btc, fills: 2, volumeUsd: 80 },
        { coin: "HYPE", ...hype, fills: 1, volumeUsd: 20 },
      ],
      byLeader: [{ leader, ...total }],
    };
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-parts-"));
    const j = openJournal(journalPath(dir, account));
    const runId = j.startRun({
      command: "reconcile",
      leaders: [{ address: leader, weight: 1 }],
      account,
      network: "mainnet",
      settings: {},
      startedAt: NOW - 60_000,
    });
    j.recordEvent({
      ts: NOW - 12_000,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, targets: [], pnl },
    });
    j.close();

    let text = "";
    await runStatus({
      configDir: dir,
      account,
      json: false,
      out: { write: (t: string) => (text += t) },
      now: NOW,
    });
    const n = "([+−]?\\d+\\.\\d\\d)";
    const line = new RegExp(
      `copy P&L: net ${n} USD = realised ${n} \\+ unrealised ${n} − fees ${n} \\+ funding ${n}`,
    ).exec(text);
    expect(line).not.toBeNull();
    const [, net = "", r = "", u = "", f = "", fu = ""] = line ?? [];
    expect(cents(r) + cents(u) - cents(f) + cents(fu)).toBe(cents(net));
    expect(cents(net)).toBe(8); // 0.0789 → 0.08: the net is the true figure rounded

    // The tables by coin and by leader (the positions table above lists the coins' nets alone).
    const rows = text
      .slice(text.indexOf("copy P&L by coin"))
      .split("\n")
      .filter((l) => /^│ (BTC|HYPE|0x0000…00b2) /.test(l))
      .map((l) =>
        l
          .split("│")
          .map((c) => c.trim())
          .filter(Boolean),
      );
    const tableRows = rows.filter((c) => c.length >= 7);
    expect(tableRows.map((c) => c[0])).toEqual(["BTC", "HYPE", "0x0000…00b2"]);
    for (const [, net2 = "", r2 = "", u2 = "", f2 = "", fu2 = ""] of tableRows) {
      expect(cents(r2) + cents(u2) - cents(f2) + cents(fu2)).toBe(cents(net2));
    }
    expect(tableRows[1]?.[1]).toBe("−0.05");
    expect(tableRows[0]?.[1]).toBe("+0.13");
  });
});
