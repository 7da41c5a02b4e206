// The exchange serves only an account's 10,000 most recent fills. Our own account's fills are
// read back where no stream brings them — a reconcile's (and a stop's) read since the journal's
// last fill, a dry run's first read, an unresolved order's fills at recovery — and a read that
// ran into that limit journaled what it got and said nothing: the copy P&L, fees and the fill
// count were short, silently. Each now says which of our fills could not be read and what that
// means. One simulator for the file: our account trades 10 fills long ago, then 10,100 lately.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import { FILL_HISTORY_LIMIT } from "../../src/core/history.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { OurFills } from "../../src/engine/our-fills.js";
import { OrderRecovery } from "../../src/engine/recovery.js";
import { RequestBudget } from "../../src/exchange/budget.js";
import type { SimHandle } from "../../src/sim/index.js";
import { type Journal, openJournal } from "../../src/store/journal.js";
import { busyHistoryWorld } from "../analytics/helpers.js";
import { action } from "../exchange/helpers.js";

const DAY = 86_400_000;
const NOW = Date.now();
/** When our account's first 10 fills were made (the journal's last fill is one of them). */
const OLD = NOW - 20 * DAY;
/** When its 10,100 recent fills began: the exchange keeps the newest 10,000 of them. */
const BUSY_FROM = NOW - 3 * DAY;
let sim: SimHandle;
/** Our account: 10 fills at OLD (the first an order with OLD_CLOID), then 10,100 from BUSY_FROM. */
let ours: Address;
/** An account with 4 fills: its reads are never cut. */
let quiet: Address;
const OLD_CLOID = "0x0000000000000000000000000000abcd" as const;

beforeAll(async () => {
  ({
    sim,
    busy: ours,
    quiet,
  } = await busyHistoryWorld({
    seed: 73,
    now: NOW,
    oldAt: OLD,
    busyFrom: BUSY_FROM,
    firstCloid: OLD_CLOID,
  }));
}, 120_000);
afterAll(async () => {
  await sim.close();
});

/** Our client on the simulator, its budget wide enough not to pace 10,000 fills' reads. */
const client = (account: Address) =>
  engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account,
    budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e8 }),
  });

/** OurFills over `account` with a journal whose last fill (and equity reading) is at `last`. */
function ourFillsOn(account: Address, last: number) {
  const journal = openJournal(":memory:");
  journal.recordFill({
    runId: null,
    tid: 1,
    ts: last,
    coin: "BTC",
    side: "buy",
    px: 1,
    sz: 0.001,
    fee: 0,
    cloid: null,
    oid: 1,
    closedPnl: 0,
    lagMs: null,
    forced: null,
  });
  const warnings: string[] = [];
  let recorded = 0;
  const j: Pick<Journal, "recordFill" | "getOrder" | "latestEquity" | "fillsSince" | "lastFillTime"> = {
    recordFill: (p) => journal.recordFill(p),
    getOrder: (c) => journal.getOrder(c),
    // A dry run reads from the journal's last reading of the account.
    latestEquity: () => ({ ts: last }) as ReturnType<Journal["latestEquity"]>,
    fillsSince: (ts) => journal.fillsSince(ts),
    lastFillTime: () => journal.lastFillTime(),
  };
  const fills = new OurFills({
    journal: j,
    reader: client(account),
    account,
    modelsAccount: false,
    copyState: { managedAt: () => ({}) },
    safety: { fill: () => undefined },
    pnl: { onFill: () => undefined, since: last - 1 } as unknown as ConstructorParameters<
      typeof OurFills
    >[0]["pnl"],
    slippageBudgetBps: null,
    streaming: () => false,
    ownAccount: () => false,
    recorded: () => {
      recorded++;
    },
    emit: (e: EngineEvent) => {
      if (e.type === "warning") warnings.push(e.message);
    },
    now: () => NOW,
    runId: () => null,
    countRequest: () => undefined,
  });
  return { fills, warnings, recorded: () => recorded };
}

describe("our fills read back since the journal's last one", () => {
  it("a read past the exchange's 10,000 most recent says which fills it could not read and what the P&L misses", async () => {
    const o = ourFillsOn(ours, OLD);
    await o.fills.readOwnFills();
    // 10,000 read and journaled; the other 110 since OLD are gone from the exchange.
    expect(o.recorded()).toBe(FILL_HISTORY_LIMIT);
    expect(o.warnings).toHaveLength(1);
    expect(o.warnings[0]).toMatch(
      /^your account's fills from \d{4}-\d\d-\d\d \d\d:\d\d UTC to \d{4}-\d\d-\d\d \d\d:\d\d UTC could not all be read \(the exchange keeps a user's 10,000 most recent fills\): the journal, fees and the copy P&L miss those fills for good$/,
    );
    expect(o.warnings[0]).toContain(new Date(OLD).toISOString().slice(0, 16).replace("T", " "));
  });

  it("a read that reaches the journal's last fill says nothing", async () => {
    const o = ourFillsOn(quiet, NOW - 2 * DAY);
    await o.fills.readOwnFills();
    expect(o.recorded()).toBe(4);
    expect(o.warnings).toEqual([]);
  });

  it("a dry run's first read past them says the cash change they made stays unexplained", async () => {
    const o = ourFillsOn(ours, OLD);
    const read = await o.fills.readDryRunFills();
    expect(read).toHaveLength(FILL_HISTORY_LIMIT);
    expect(o.warnings).toHaveLength(1);
    expect(o.warnings[0]).toMatch(
      /could not all be read \(the exchange keeps a user's 10,000 most recent fills\): a change of your account's cash they made stays unexplained$/,
    );
  });
});

describe("order recovery's read of an order's fills", () => {
  function recoveryOn(account: Address, journal: Journal) {
    const warnings: string[] = [];
    const recorded: string[] = [];
    const recovery = new OrderRecovery({
      journal,
      reader: client(account),
      account,
      settleMs: 17_000,
      now: () => NOW,
      emit: (e: EngineEvent) => {
        if (e.type === "warning") warnings.push(e.message);
      },
      startupRead: (_what, read) => read(),
      countRequest: () => undefined,
      inFlight: () => false,
      recordOurFill: (_f, cloid) => recorded.push(cloid),
    });
    return { recovery, warnings, recorded };
  }

  it("an order whose fills are older than the account's 10,000 most recent: its look-up says it filled, the missing fills are said", async () => {
    const journal = openJournal(":memory:");
    const markets = await client(ours).getMarkets();
    const a = action(markets, "BTC", "buy", 0.001, { cloid: OLD_CLOID });
    journal.recordOrderIntent({ runId: null, ts: OLD, action: a });
    journal.updateOrder(a.cloid, { ts: OLD, status: "sent" });
    const r = recoveryOn(ours, journal);
    await r.recovery.resolveUnresolved();
    expect(journal.getOrder(OLD_CLOID)).toMatchObject({ status: "filled", filledSize: 0.001 });
    expect(r.recorded).toEqual([]);
    expect(r.warnings).toEqual([
      `order ${OLD_CLOID} (BTC) filled 0.001, but only 0 of its fills could be read (the exchange keeps a user's 10,000 most recent fills): the journal, fees and the copy P&L miss the rest`,
    ]);
  });
});
