// Orders hlcopy did not place (core/ownership.ts foreignOrders): which the start refuses, which it
// keeps and names, and how every message names one.

import { describe, expect, it } from "vitest";
import { foreignOrders, foreignOrderText, keptOrdersText } from "../../src/core/ownership.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { OpenOrder } from "../../src/core/types.js";

const order = (o: Partial<OpenOrder> & Pick<OpenOrder, "coin" | "oid">): OpenOrder => ({
  side: "buy",
  size: 1,
  limitPx: 100,
  reduceOnly: false,
  ...o,
});

describe("orders hlcopy did not place", () => {
  const ours = `0x${"ab".repeat(16)}`;
  const placed = (cloid: string) => cloid === ours;

  it("hlcopy's own (its journal's cloid, in either case) are never foreign; the rest by what they can do", () => {
    const settings = defaultSettings();
    settings.risk.denyCoins = ["DOGE"];
    const open = [
      order({ coin: "SOL", oid: 5, cloid: ours.toUpperCase().replace("0X", "0x") }), // hlcopy's
      order({ coin: "SOL", oid: 4 }), // a hand limit: may open
      order({ coin: "ETH", oid: 3, cloid: `0x${"cd".repeat(16)}` }), // another bot's
      order({ coin: "BTC", oid: 2, side: "sell", reduceOnly: true, trigger: { triggerPx: 90, tpsl: "sl" } }),
      order({ coin: "BTC", oid: 6, trigger: { triggerPx: 110, tpsl: "tp" } }), // a trigger that may open
      order({ coin: "DOGE", oid: 1 }), // a coin the run leaves alone
    ];
    const { refused, kept } = foreignOrders(open, placed, settings);
    expect(refused.map((o) => o.oid)).toEqual([6, 3, 4]);
    expect(kept.map((o) => o.oid)).toEqual([2, 1]);
    expect(keptOrdersText([], settings)).toBeNull();
    expect(keptOrdersText(kept, settings)).toBe(
      "order(s) hlcopy did not place, left resting: BTC sell 1 @ 100 reduce-only, stop-loss trigger at 90 (reduce-only: a fill only shrinks the position, and the copy brings it back to the leader's at its next sweep — hlcopy's own stops: --stop-loss-pct); DOGE buy 1 @ 100 (in coins this run leaves alone: the margin they hold is not the copy's to use)",
    );
  });

  it("names an order by coin, side, size, price, reduce-only and trigger", () => {
    expect(foreignOrderText(order({ coin: "ETH", oid: 1, size: 0.5, limitPx: 2800 }))).toBe(
      "ETH buy 0.5 @ 2800",
    );
    expect(
      foreignOrderText(
        order({
          coin: "ETH",
          oid: 1,
          side: "sell",
          reduceOnly: true,
          trigger: { triggerPx: 4000, tpsl: "tp" },
        }),
      ),
    ).toBe("ETH sell 1 @ 100 reduce-only, take-profit trigger at 4000");
  });
});
