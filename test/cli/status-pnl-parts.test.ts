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

/** The text's lines whole: these tests read their words (status.test.ts and backtest-funding.test.ts pin the breaking at 80 columns). */
const WHOLE = Number.POSITIVE_INFINITY;

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

/** Cents of a figure as the text shows it: "-$0.05" → −5, "+$1.25" → 125, "-0.46%" → −46. */
const cents = (s: string) => Math.round(Number(s.replace(/[+$,%]/g, "")) * 100);

/** `hlcopy status`'s text (or `--json` document) for a journal whose last sweep carried this P&L. */
async function statusWith(pnl: CopyPnl, json = false): Promise<string> {
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
    width: WHOLE,
    configDir: dir,
    account,
    json,
    out: { write: (t: string) => (text += t) },
    now: NOW,
  });
  return text;
}

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
    const text = await statusWith(pnl);
    const n = "([+-]?\\$\\d[\\d,]*\\.\\d\\d)";
    const line = new RegExp(
      `copy P&L: net ${n} = realized ${n} \\+ unrealized ${n} − fees ${n} \\+ funding ${n}`,
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
    expect(tableRows[1]?.[1]).toBe("-$0.05");
    expect(tableRows[0]?.[1]).toBe("+$0.13");
  });
});

describe("status: the rows add up to the copy's P&L as shown; ROI to 2 decimals, as every view", () => {
  it("nets and ROIs by coin and by leader, and the positions' P&L column", async () => {
    const coin = (c: string, net: number) => ({
      coin: c,
      ...figures(net, 0, 0, 0),
      roiPct: net / 100,
      fills: 1,
      volumeUsd: 100,
    });
    // Rounded one by one: −10.33 − 9.87 − 12.38 − 13.44 = −46.02 beside a net of −46.03; ROIs
    // −0.10 − 0.10 − 0.12 − 0.13 = −0.45 beside −0.46 (they were shown to 3 decimals, the line to 2).
    const byCoin = [coin("HYPE", -13.4384), coin("SOL", -12.384), coin("ETH", -10.334), coin("BTC", -9.874)];
    const net = Math.round(byCoin.reduce((sum, c) => sum + c.netUsd, 0) * 1e6) / 1e6;
    const total = { ...figures(net, 0, 0, 0), roiPct: net / 100 };
    // Two leaders, each half of every coin.
    const half = { ...figures(net / 2, 0, 0, 0), roiPct: net / 200 };
    const pnl: CopyPnl = {
      ...total,
      since: NOW - 3_600_000,
      startEquity: 10_000,
      fills: 4,
      volumeUsd: 400,
      byCoin,
      byLeader: [
        { leader, ...half },
        { leader: "0x00000000000000000000000000000000000000b3" as Address, ...half },
      ],
    };
    const text = await statusWith(pnl);
    expect(text).toMatch(/copy P&L since .*: net -\$46\.03 \(-0\.46%\) = /);
    const cells = (from: string, first: RegExp) =>
      text
        .slice(text.indexOf(from))
        .split("\n")
        .map((l) =>
          l
            .split("│")
            .map((c) => c.trim())
            .filter(Boolean),
        )
        .filter((c) => first.test(c[0] ?? ""));
    // The positions' table: the closed coins' P&L beside the line above.
    const closed = cells("┌", /^(BTC|ETH|SOL|HYPE)$/).slice(0, 4);
    expect(closed.map((c) => c[6])).toEqual(["closed", "closed", "closed", "closed"]);
    expect(closed.reduce((sum, c) => sum + cents(c[7] ?? ""), 0)).toBe(-4603);
    const coins = cells("copy P&L by coin", /^(BTC|ETH|SOL|HYPE)$/).slice(0, 4);
    expect(coins.reduce((sum, c) => sum + cents(c[1] ?? ""), 0)).toBe(-4603);
    expect(coins.map((c) => c[6])).toEqual(expect.arrayContaining([expect.stringMatching(/^-0\.\d\d%$/)]));
    expect(coins.reduce((sum, c) => sum + cents(c[6] ?? ""), 0)).toBe(-46);
    const leaders = cells("copy P&L by leader", /^0x/);
    expect(leaders).toHaveLength(2);
    expect(leaders.reduce((sum, c) => sum + cents(c[1] ?? ""), 0)).toBe(-4603);
    for (const c of leaders) expect(c[6]).toBe("-0.23%");
    // --json's rows are the table's: the same cents, adding up to the net as rounded (each coin
    // rounded alone, they added up to −46.02 beside −46.03); pnl.byCoin keeps them unrounded.
    const doc = JSON.parse(await statusWith(pnl, true)) as {
      closed: { coin: string; netUsd: number }[];
      pnl: CopyPnl;
    };
    expect(doc.closed.map((c) => [c.coin, Math.round(c.netUsd * 100)])).toEqual(
      closed.map((c) => [c[0], cents(c[7] ?? "")]),
    );
    expect(doc.closed.reduce((sum, c) => sum + Math.round(c.netUsd * 100), 0)).toBe(
      Math.round(doc.pnl.netUsd * 100),
    );
    expect(doc.pnl.byCoin.map((c) => c.netUsd)).toEqual(byCoin.map((c) => c.netUsd));
  });
});

describe("status: each column of the P&L by coin adds up to the copy's line as shown", () => {
  it("realised and unrealised down the table make the line's (a minute's follow on the simulator)", async () => {
    // hlcopy status after `follow` on `hlcopy sim --leader random`: net −1.16 = realised −0.22 +
    // unrealised −0.20 − fees 0.74 + funding 0.00 above rows whose realised read −0.18 −0.03
    // −0.13 +0.11 = −0.23 and unrealised −0.30 −0.08 +0.07 +0.12 = −0.19 (each row added up).
    const byCoin = [
      { coin: "HYPE", ...figures(-0.1745, -0.303499, 0.212334, 0), fills: 10, volumeUsd: 471.85 },
      { coin: "SOL", ...figures(-0.027117, -0.078783, 0.221894, 0), fills: 10, volumeUsd: 493.1 },
      { coin: "ETH", ...figures(-0.13386, 0.06644, 0.136954, 0), fills: 4, volumeUsd: 304.34 },
      { coin: "BTC", ...figures(0.112665, 0.117085, 0.168245, 0), fills: 6, volumeUsd: 373.87 },
    ];
    const sum = (k: keyof PnlFigures) => Math.round(byCoin.reduce((s, c) => s + (c[k] ?? 0), 0) * 1e6) / 1e6;
    const total = figures(sum("realisedUsd"), sum("unrealisedUsd"), sum("feesUsd"), sum("fundingUsd"));
    const pnl: CopyPnl = {
      ...total,
      since: null,
      startEquity: null,
      fills: 30,
      volumeUsd: 1643.17,
      byCoin,
      byLeader: [{ leader, ...total }],
    };
    const text = await statusWith(pnl);
    const n = "([+-]?\\$\\d[\\d,]*\\.\\d\\d)";
    const line = new RegExp(
      `copy P&L: net ${n} = realized ${n} \\+ unrealized ${n} − fees ${n} \\+ funding ${n}`,
    ).exec(text);
    expect(line?.slice(1)).toEqual(["-$1.16", "-$0.22", "-$0.20", "$0.74", "$0.00"]);
    const rows = text
      .slice(text.indexOf("copy P&L by coin"), text.indexOf("copy P&L by leader"))
      .split("\n")
      .filter((l) => /^│ (BTC|ETH|SOL|HYPE) /.test(l))
      .map((l) =>
        l
          .split("│")
          .map((c) => c.trim())
          .filter(Boolean),
      );
    expect(rows).toHaveLength(4);
    for (const [, net = "", r = "", u = "", f = "", fu = ""] of rows)
      expect(cents(r) + cents(u) - cents(f) + cents(fu)).toBe(cents(net));
    // Down: net, realised, unrealised, fees, funding — each column the line's figure.
    (line?.slice(1) ?? []).forEach((figure, j) => {
      expect(rows.reduce((s, c) => s + cents(c[j + 1] ?? ""), 0)).toBe(cents(figure));
    });
  });
});
