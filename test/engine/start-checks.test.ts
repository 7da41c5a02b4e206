// The run-start checks on their own, through their port (no engine, no exchange): which reads a
// start makes, what is refused and how it is said, the start's ledger read handed over once, and
// a leader emptied during the run told once. The simulator tests (no-equity, history-reset,
// start-ledger, guardrails) pin the same checks end to end.

import { describe, expect, it } from "vitest";
import { ConfigError, ExitCode, UsageError } from "../../src/core/errors.js";
import type { AccountRole, AccountState, Address } from "../../src/core/types.js";
import type { EngineEvent, RunMode } from "../../src/engine/events.js";
import {
  ACCOUNT_ANCHOR_KEY,
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

type Flow = { time: number; usd: number; kind: string; hash: string };

/** The checks over a journal in memory and a reader that counts what it is asked. */
function checks(
  options: {
    mode?: RunMode;
    leaders?: Address[];
    allowEmptyLeader?: boolean;
    ownAccount?: boolean;
    traded?: boolean;
    role?: AccountRole;
    ledger?: Flow[];
  } = {},
) {
  let now = T0;
  let requests = 0;
  const asked: string[] = [];
  const events: EngineEvent[] = [];
  const recorded: RecordEventParameters[] = [];
  const journal = openJournal(":memory:");
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
      hasTraded: async (user) => {
        asked.push(`hasTraded ${user}`);
        return options.traded ?? false;
      },
      accountRole: async (user) => {
        asked.push(`accountRole ${user}`);
        return options.role ?? { role: "user" };
      },
      getFillsByTime: async () => {
        asked.push("getFillsByTime");
        return [];
      },
      getLatestFills: async () => {
        asked.push("getLatestFills");
        return [];
      },
      getLedgerUpdates: async (_user, since) => {
        asked.push(`getLedgerUpdates ${since}`);
        return (options.ledger ?? []).filter((f) => f.time >= since);
      },
    },
    account: ME,
    network: "testnet",
    mode: options.mode ?? "live",
    leaders: options.leaders ?? [L1],
    allowEmptyLeader: options.allowEmptyLeader ?? false,
    now: () => now,
    emit: (e) => events.push(e),
    runId: () => 7,
    startupRead: (_what, read) => read(),
    countRequest: () => {
      requests++;
    },
    ownAccount: () => options.ownAccount ?? false,
    ledgerSince: () => T0 - 3_600_000,
  };
  return {
    c: new StartChecks(port),
    journal,
    asked,
    events,
    recorded,
    requests: () => requests,
    at: (ms: number) => {
      now = T0 + ms;
    },
  };
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

  it("is asked only for leaders that look empty, and not at all with --allow-empty-leader", async () => {
    const t = checks({ leaders: [L1, L2] });
    const traded = await t.c.readTraded([account(L1, 1_000), account(L2, 0)]);
    expect(t.asked).toEqual([`hasTraded ${L2}`]);
    expect(t.requests()).toBe(1);
    expect(() => t.c.checkAccounts(traded, null, account(ME, 500))).toThrow(`${L2} has never traded`);

    const allowed = checks({ leaders: [L1, L2], allowEmptyLeader: true });
    const none = await allowed.c.readTraded([account(L1, 0), account(L2, 0)]);
    expect(allowed.asked).toEqual([]);
    expect(() => allowed.c.checkAccounts(none, null, account(ME, 500))).not.toThrow();
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
    expect(empty?.message).toBe(`${ME} has no equity on testnet ($0): nothing to copy with`);
    expect(empty?.hint).toBe("fund the account (deposit USDC) and run again, or check --account");
    expect(ourAccountRefusal(ME, "testnet", null, account(ME, 500))).toBeNull();
    expect(ourAccountRefusal(ME, "testnet", null, account(ME, 0, ["BTC"]))).toBeNull();
    // An account of its own (paper) is not read: nothing to refuse.
    expect(ourAccountRefusal(ME, "testnet", null, null)).toBeNull();
  });

  it("has its role asked only when it looks empty", async () => {
    const t = checks({ role: { role: "missing" } });
    expect(await t.c.readOurRole(account(ME, 500))).toBeNull();
    expect(await t.c.readOurRole(null)).toBeNull();
    expect(t.asked).toEqual([]);
    expect(await t.c.readOurRole(account(ME, 0))).toEqual({ role: "missing" });
    expect(t.asked).toEqual([`accountRole ${ME}`]);
    expect(t.requests()).toBe(1);
  });
});

describe("the exchange's history of the account", () => {
  const deposit: Flow = { time: T0 - 86_400_000, usd: 1_000, kind: "deposit", hash: "0x01" };

  it("a journal's first live run takes the anchor from one ledger read, which the safety rules' first read takes over once", async () => {
    const t = checks({ ledger: [deposit] });
    await t.c.checkHistory();
    expect(t.c.historyChecked).toBe(true);
    expect(t.requests()).toBe(1);
    expect(t.journal.getCopyState(ACCOUNT_ANCHOR_KEY)).toMatchObject({ kind: "cash-flow", hash: "0x01" });
    const start = t.c.takeStartLedger();
    expect(start?.flows).toEqual([deposit]);
    expect(start?.startedAt).toBe(T0);
    expect(t.c.takeStartLedger()).toBeNull();
  });

  it("a dry run takes no anchor and reads nothing; nor does an account of its own", async () => {
    for (const t of [checks({ mode: "dry-run", ledger: [deposit] }), checks({ ownAccount: true })]) {
      await t.c.checkHistory();
      expect(t.asked).toEqual([]);
      expect(t.c.takeStartLedger()).toBeNull();
    }
  });

  it("an anchor the exchange no longer holds refuses the run (exit 2), naming the journal to move aside", async () => {
    const t = checks({ ledger: [] });
    t.journal.setCopyState(
      ACCOUNT_ANCHOR_KEY,
      { kind: "cash-flow", hash: deposit.hash, time: deposit.time, type: "deposit", usd: deposit.usd },
      T0,
    );
    const refused = await t.c.checkHistory().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).exitCode).toBe(ExitCode.usage);
    expect((refused as ConfigError).message).toBe(
      `testnet has no record of ${ME}'s deposit the journal's figures were taken beside ($1000 at 2026-01-04 12:00 UTC): the exchange's account is not the one the journal was kept against (a simulator restarted without its state, a reset testnet)`,
    );
    expect((refused as ConfigError).hint).toContain(`mv ${t.journal.path} ${t.journal.path}.bak`);
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
