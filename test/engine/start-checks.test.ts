// The run-start checks on their own, through their port (no engine, no exchange): what is refused
// and how it is said, the starts that read nothing, the start ledger's reuse rule, and a leader
// emptied during the run told once. The simulator tests (no-equity, history-reset,
// start-ledger, guardrails) pin the same checks end to end.

import { describe, expect, it } from "vitest";
import { ExitCode, UsageError } from "../../src/core/errors.js";
import type { AccountRole, AccountState, Address } from "../../src/core/types.js";
import type { EngineEvent, RunMode } from "../../src/engine/events.js";
import {
  neverTradedRefusal,
  ourAccountRefusal,
  StartChecks,
  type StartChecksPort,
  startLedgerStands,
} from "../../src/engine/start-checks.js";
import { openJournal, type RecordEventParameters } from "../../src/store/journal.js";

const T0 = Date.UTC(2026, 0, 5, 12);
const ME = "0x00000000000000000000000000000000000000aa" as Address;
const L1 = "0x00000000000000000000000000000000000000b1" as Address;
const L2 = "0x00000000000000000000000000000000000000b2" as Address;
const MASTER = "0x00000000000000000000000000000000000000cc" as Address;

function account(address: Address, accountValue: number, coins: string[] = []): AccountState {
  const positions = Object.fromEntries(coins.map((coin) => [coin, { coin, size: 1, entryPx: 100 }]));
  return { address, accountValue, positions, openOrders: [], time: T0 };
}

/**
 * The checks over a journal in memory, with a reader that refuses every call: these tests pin
 * what the checks decide without the exchange, and that some starts read nothing at all. What a
 * start reads from the exchange is pinned on the simulator (start-ledger, no-equity,
 * history-reset, guardrails).
 */
function checks(
  options: {
    mode?: RunMode;
    leaders?: Address[];
    ownAccount?: boolean;
    hasTraded?: ((user: Address) => Promise<boolean>) | null;
    accountRole?: (user: Address) => Promise<AccountRole>;
    /** --allow-empty-leader, the trader's (said when it did nothing). */
    allowEmptyLeader?: boolean;
  } = {},
) {
  const events: EngineEvent[] = [];
  const recorded: RecordEventParameters[] = [];
  const journal = openJournal(":memory:");
  const notAsked = (what: string) => async (): Promise<never> => {
    throw new Error(`the exchange was asked for ${what}`);
  };
  const port: StartChecksPort = {
    journal: {
      path: journal.path,
      lastFillTime: () => journal.lastFillTime(),
      fillsSince: (ms) => journal.fillsSince(ms),
      getCopyState: (key) => journal.getCopyState(key),
      setCopyState: (key, value, ts) => journal.setCopyState(key, value, ts),
      recordEvent: (p) => recorded.push(p),
    },
    reader: {
      ...(options.hasTraded === null ? {} : { hasTraded: options.hasTraded ?? notAsked("hasTraded") }),
      accountRole: options.accountRole ?? notAsked("accountRole"),
      getFillsByTime: notAsked("getFillsByTime"),
      getLatestFills: notAsked("getLatestFills"),
      getLedgerUpdates: notAsked("getLedgerUpdates"),
    },
    account: ME,
    network: "testnet",
    mode: options.mode ?? "live",
    leaders: options.leaders ?? [L1],
    allowEmptyLeader: options.allowEmptyLeader ?? false,
    sayUnneeded: options.allowEmptyLeader ?? false,
    now: () => T0,
    emit: (e) => events.push(e),
    runId: () => 7,
    startupRead: (_what, read) => read(),
    countRequest: () => {},
    ownAccount: () => options.ownAccount ?? false,
    ledgerSince: () => T0 - 3_600_000,
  };
  return { c: new StartChecks(port), events, recorded };
}

describe("a leader that never traded", () => {
  it("is refused (exit 2) with the way forward; a leader that traded, or was not asked, is not", () => {
    const refusal = neverTradedRefusal(
      [L1, L2],
      new Map([
        [L1, true],
        [L2, false],
      ]),
      "testnet",
    );
    expect(refusal).toBeInstanceOf(UsageError);
    expect(refusal?.exitCode).toBe(ExitCode.usage);
    expect(refusal?.message).toBe(`${L2} has never traded on testnet: check the address`);
    expect(refusal?.hint).toContain("--allow-empty-leader");
    expect(neverTradedRefusal([L1, L2], new Map([[L1, true]]), "testnet")).toBeNull();
  });

  it("is asked of every leader holding no position, funded or not; one holding a position is not asked", async () => {
    const asked: Address[] = [];
    const L3 = "0x00000000000000000000000000000000000000b3" as Address;
    const roles: Address[] = [];
    const { c } = checks({
      leaders: [L1, L2, L3],
      hasTraded: async (user) => {
        asked.push(user);
        return user === L3;
      },
      accountRole: async (user) => {
        roles.push(user);
        return { role: "user" };
      },
    });
    const traded = await c.readTraded([account(L1, 25_000), account(L2, 25_000, ["ETH"]), account(L3, 0)]);
    expect(asked).toEqual([L1, L3]);
    // Its role is asked only of the one that never traded (an agent's address: see below).
    expect(roles).toEqual([L1]);
    expect(traded).toEqual(
      new Map([
        [L1, false],
        [L3, true],
      ]),
    );
  });

  it("funded, is refused alike, saying the money it holds: that is what makes the address look right", () => {
    const traded = new Map([
      [L1, true],
      [L2, false],
    ]);
    const refusal = neverTradedRefusal([L1, L2], traded, "testnet", [account(L1, 10), account(L2, 25_000)]);
    expect(refusal?.exitCode).toBe(ExitCode.usage);
    expect(refusal?.message).toBe(
      `${L2} has never traded on testnet: check the address (it holds $25,000.00, but no position and no fill)`,
    );
    expect(refusal?.hint).toContain("deposit address");
    expect(refusal?.hint).toContain("--allow-empty-leader");
  });
});

describe("a leader that is an API wallet (agent), or our own sub-account", () => {
  const agentOf = (master: Address) => async (): Promise<AccountRole> => ({ role: "agent", master });

  it("is refused naming its master, the address to follow — --allow-empty-leader or not: it never trades", async () => {
    for (const allowEmptyLeader of [false, true]) {
      const { c, events } = checks({
        leaders: [L1, L2],
        allowEmptyLeader,
        hasTraded: async (user) => user === L1,
        accountRole: agentOf(MASTER),
      });
      const states = [account(L1, 1_000), account(L2, 0)];
      const traded = await c.readTraded(states);
      let refused: unknown;
      try {
        c.checkAccounts(traded, null, account(ME, 1_000), states);
      } catch (error) {
        refused = error;
      }
      expect(refused, `allowEmptyLeader ${allowEmptyLeader}`).toBeInstanceOf(UsageError);
      const e = refused as UsageError;
      expect(e.exitCode).toBe(ExitCode.usage);
      expect(e.message).toBe(
        `the leader ${L2} is an API wallet (agent) of ${MASTER}: it signs that account's orders and never trades itself`,
      );
      expect(e.hint).toBe(`follow the account it trades for: give ${MASTER} as the leader instead`);
      expect(events).toEqual([]);
    }
  });

  it("of our own account is said as ours", async () => {
    const { c } = checks({ hasTraded: async () => false, accountRole: agentOf(ME) });
    const states = [account(L1, 0)];
    const traded = await c.readTraded(states);
    expect(() => c.checkAccounts(traded, null, account(ME, 1_000), states)).toThrow(
      `the leader ${L1} is an API wallet (agent) of your own account ${ME}`,
    );
  });

  it("our own sub-account that never traded is refused as the place to copy into, --allow-empty-leader or not", async () => {
    for (const allowEmptyLeader of [false, true]) {
      const { c } = checks({
        allowEmptyLeader,
        hasTraded: async () => false,
        accountRole: async () => ({ role: "subAccount", master: ME }),
      });
      const states = [account(L1, 0)];
      const traded = await c.readTraded(states);
      expect(() => c.checkAccounts(traded, null, account(ME, 1_000), states)).toThrow(
        `the leader ${L1} is a sub-account of your own account ${ME}, one that never traded: a place to copy into, not a leader`,
      );
    }
    // Someone else's sub-account is a trader like any other: refused as never traded only.
    const { c } = checks({
      hasTraded: async () => false,
      accountRole: async () => ({ role: "subAccount", master: MASTER }),
    });
    const states = [account(L1, 0)];
    expect(() => c.checkAccounts(new Map([[L1, false]]), null, account(ME, 1_000), states)).toThrow(
      `${L1} has never traded on testnet: check the address`,
    );
    const traded = await c.readTraded(states);
    expect(() => c.checkAccounts(traded, null, account(ME, 1_000), states)).toThrow(
      `${L1} has never traded on testnet: check the address`,
    );
  });

  it("a leader that never traded and is no agent is refused as before", async () => {
    const { c } = checks({ hasTraded: async () => false, accountRole: async () => ({ role: "missing" }) });
    const states = [account(L1, 0)];
    const traded = await c.readTraded(states);
    expect(() => c.checkAccounts(traded, null, account(ME, 1_000), states)).toThrow(
      `${L1} has never traded on testnet: check the address`,
    );
  });
});

describe("--allow-empty-leader with nothing to allow", () => {
  const unneeded = (events: EngineEvent[]) =>
    events.flatMap((e) => (e.type === "notice" && e.kind === "unneeded-flag" ? [e.message] : []));
  const start = async (c: StartChecks, states: AccountState[]) =>
    c.checkAccounts(await c.readTraded(states), null, account(ME, 1_000), states);

  it("is said beside a flat leader with fills on record (read as without the flag), and beside positions", async () => {
    const asked: Address[] = [];
    const flat = checks({
      allowEmptyLeader: true,
      leaders: [L1, L2],
      hasTraded: async (user) => {
        asked.push(user);
        return true;
      },
    });
    await start(flat.c, [account(L1, 0), account(L2, 5_000, ["ETH"])]);
    expect(asked).toEqual([L1]); // the flat one only: the read an unflagged start makes
    expect(unneeded(flat.events)).toEqual([
      "--allow-empty-leader: nothing to allow — every leader holds positions or has fills on record (0x0000…00b1: no position now, fills on record) (the flag permits copying a leader with no position and no fill on record; it changed nothing)",
    ]);
    const held = checks({ allowEmptyLeader: true });
    await start(held.c, [account(L1, 5_000, ["BTC"])]);
    expect(unneeded(held.events)).toEqual([
      "--allow-empty-leader: nothing to allow — the leader holds positions (the flag permits copying a leader with no position and no fill on record; it changed nothing)",
    ]);
  });

  it("is not said when the flag acted (a leader that never traded), nor when it is not known (no fills read)", async () => {
    const acted = checks({
      allowEmptyLeader: true,
      hasTraded: async () => false,
      accountRole: async () => ({ role: "missing" }),
    });
    await start(acted.c, [account(L1, 50_000)]);
    expect(unneeded(acted.events)).toEqual([]);
    const unknown = checks({ allowEmptyLeader: true, hasTraded: null });
    await start(unknown.c, [account(L1, 50_000)]);
    expect(unneeded(unknown.events)).toEqual([]);
  });
});

describe("our account", () => {
  it("as an agent's address is refused even when funded, naming the master to pass instead", () => {
    const refusal = ourAccountRefusal(ME, "testnet", { role: "agent", master: MASTER }, account(ME, 500));
    expect(refusal?.message).toBe(`${ME} is an API wallet (agent) of ${MASTER}, not a trading account`);
    expect(refusal?.hint).toContain(`--account ${MASTER}`);
  });

  it("unknown or empty is refused, told apart; funded or holding a position is not", () => {
    expect(ourAccountRefusal(ME, "testnet", { role: "missing" }, account(ME, 0))?.message).toBe(
      `${ME} is not an account on testnet (no funds, no history): nothing to copy with`,
    );
    const empty = ourAccountRefusal(ME, "testnet", { role: "user" }, account(ME, 0));
    expect(empty?.message).toBe(`${ME} has no equity on testnet ($0.00): nothing to copy with`);
    expect(empty?.hint).toBe("fund the account (deposit USDC) and run again, or check --account");
    expect(ourAccountRefusal(ME, "testnet", null, account(ME, 500))).toBeNull();
    expect(ourAccountRefusal(ME, "testnet", null, account(ME, 0, ["BTC"]))).toBeNull();
    // An account of its own (paper) is not read: nothing to refuse.
    expect(ourAccountRefusal(ME, "testnet", null, null)).toBeNull();
  });
});

describe("the exchange's history of the account", () => {
  it("a dry run takes no anchor and reads nothing; nor does an account of its own", async () => {
    for (const t of [checks({ mode: "dry-run" }), checks({ ownAccount: true })]) {
      await t.c.checkHistory(); // the reader refuses every call: nothing was read
      expect(t.c.historyChecked).toBe(true);
      expect(t.c.takeStartLedger()).toBeNull();
    }
  });

  it("the start's ledger read stands for the safety rules' first read only if it began no later and is recent", () => {
    const start = { flows: [], since: T0 - 1_000, startedAt: T0 };
    expect(startLedgerStands(start, T0 - 1_000, T0 + 30_000)).toBe(true);
    expect(startLedgerStands(start, T0 - 2_000, T0 + 1_000)).toBe(false);
    expect(startLedgerStands(start, T0 - 1_000, T0 + 30_001)).toBe(false);
  });
});

describe("a leader whose equity falls to zero during the run", () => {
  it("is told and journaled once, and again only after it had equity again", () => {
    const t = checks({ leaders: [L1] });
    const tell = (accountValue: number) => t.c.noticeEmptyLeaders([{ address: L1, accountValue }]);
    tell(1_000);
    tell(0);
    tell(0);
    expect(t.events.map((e) => e.type)).toEqual(["warning"]);
    expect(t.recorded).toMatchObject([
      { type: "leaderEmpty", runId: 7, data: { leader: L1, accountValue: 0 } },
    ]);
    tell(50);
    tell(0);
    expect(t.recorded).toHaveLength(2);
  });
});
