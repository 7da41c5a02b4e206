// A run of several leaders: every view's leader figure is the leaders' net position in the coin
// (the sum of their own sizes), titled "leaders", with each one's size in --json — never the
// planner's weighted sum (0.6 × A's +1 − 0.4 × B's 1 = "0.2", which is no leader's position).
// Status through the journal of a real follow engine over the simulator; follow --json's state
// record of the same run.

import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { shortAddress } from "../../src/core/format.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { eventRecord } from "../../src/ui/describe.js";
import { fundedAccount } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("status and follow --json with several leaders", () => {
  it("show the leaders' net position as 'leaders' (0 when they hold a coin on both sides evenly) and each one's size", async () => {
    const t = await startSimFollow({ sim: { seed: 171 }, journal: "file" });
    const b = fundedAccount(t.sim, 1_000_000);
    const bClient = t.clientOf(b);
    await trade(t.leaderClient, "BTC", "buy", 1);
    await trade(bClient, "BTC", "sell", 1);
    await trade(t.leaderClient, "ETH", "buy", 2);
    await trade(bClient, "ETH", "buy", 3);
    const a = t.leader.address;
    const { engine, events } = t.follow({
      settings: copySettings(),
      leaders: [
        { address: a, weight: 0.6 },
        { address: b.address, weight: 0.4 },
      ],
    });
    engine.begin();
    await engine.sweep("start");
    await engine.stop("done");

    let text = "";
    const report = (await runStatus({
      configDir: t.dir,
      account: t.account,
      network: t.sim.httpUrl,
      json: false,
      out: { write: (s: string) => (text += s) },
    })) as StatusReport;
    const btc = report.positions.find((p) => p.coin === "BTC");
    // The copy is unchanged: 0.1 × (0.6 × 1 − 0.4 × 1) = 0.02 BTC; the leaders net to 0.
    expect(btc).toMatchObject({
      leaderSize: 0,
      leaderUsd: 0,
      targetSize: 0.02,
      byLeader: [
        { leader: a, size: 1 },
        { leader: b.address, size: -1 },
      ],
    });
    const eth = report.positions.find((p) => p.coin === "ETH");
    expect(eth).toMatchObject({ leaderSize: 5, targetSize: 0.24 });
    // The table's cells, trimmed: the header, then a row per coin.
    const cells = (first: string) =>
      text
        .split("\n")
        .map((l) =>
          l
            .split("│")
            .map((c) => c.trim())
            .slice(1, 5),
        )
        .find((c) => c[0] === first);
    expect(cells("coin")).toEqual(["coin", "leaders", "target", "ours"]);
    expect(cells("BTC")).toEqual(["BTC", "0", "0.02", "0.02"]);
    expect(cells("ETH")).toEqual(["ETH", "5", "0.24", "0.24"]);
    // BTC's 0 beside a target of 0.02: each leader's own size said under the table, with the
    // sum the column shows — not ETH's, whose leaders hold it on one side.
    const byCoin = text.indexOf("copy P&L by coin");
    const under = text.slice(text.lastIndexOf("┘", byCoin) + 1, byCoin).replace(/\n\s*/g, " ");
    expect(under.trim()).toBe(
      `leaders on both sides (leaders: the sum of their own sizes; the target weighs each by its ratio): BTC ${shortAddress(a)} 1 + ${shortAddress(b.address)} -1 = 0`,
    );

    // follow --json's state record of the same run: the same figures, and each leader's size.
    const state = events
      .filter((e): e is Extract<EngineEvent, { type: "state" }> => e.type === "state")
      .at(-1);
    const targets = state ? (eventRecord(state)?.targets as { coin: string }[]) : [];
    expect(targets.find((x) => x.coin === "BTC")).toMatchObject({
      leaderSize: 0,
      leaderUsd: 0,
      byLeader: [
        { leader: a, size: 1 },
        { leader: b.address, size: -1 },
      ],
    });
    expect(targets.find((x) => x.coin === "ETH")).toMatchObject({ leaderSize: 5 });
  }, 60_000);
});
