// Where inspect, scan and backtest read a leader's data from: the exchange adapter (the one
// HTTP client, its request budget and its error translation), with each read retried on what
// retrying can fix (429, 5xx, timeouts) for a bounded time — the same rule as start-up reads.

import type { LeaderDataSource } from "../../analytics/fetch.js";
import { shortAddress } from "../../core/format.js";
import type { Address } from "../../core/types.js";
import type { RequestBudget } from "../../exchange/budget.js";
import { createExchangeClient } from "../../exchange/index.js";
import { retryTransient, tellWaitsOnce } from "../../exchange/retry.js";
import type { NetworkTarget } from "../network.js";
import { exitOnStop, type ReadStop } from "../read-stop.js";

/** Reads need no account: the adapter is built with a placeholder it never uses. */
const NO_ACCOUNT = "0x0000000000000000000000000000000000000000" as Address;
/** Pages of 2000 fills one history read may take (the exchange serves 10,000; the rest is slack). */
const ANALYTICS_FILL_PAGES = 100;
/** How long one read may keep failing transiently before the command gives up. */
const READ_TIMEOUT_MS = 120_000;

export interface LeaderSourceOptions {
  /**
   * Told when reads start failing ("waiting for userFillsByTime: …; retry 2 in 1s …"), for
   * stderr: once per outage and reason, not at every retry (exchange/retry.ts tellWaitsOnce).
   */
  onWait?: (line: string) => void;
  timeoutMs?: number;
  /** The retries' clock and wait (tests: a clock that the wait moves on, not the wall's). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The adapter's request budget (default: a new one under the exchange's 1200 weight a minute). */
  budget?: RequestBudget;
  /**
   * A stop signal during a read ends the command at once, saying what it was reading (a busy
   * leader's history is ~30 s of reads): cli/read-stop.ts. Without it the signals are the
   * caller's (scan stops after the leader in flight).
   */
  stop?: ReadStop;
}

export function createLeaderSource(
  network: Pick<NetworkTarget, "httpUrl" | "wsUrl" | "isTestnet">,
  options: LeaderSourceOptions = {},
): LeaderDataSource {
  const client = createExchangeClient({
    httpUrl: network.httpUrl,
    wsUrl: network.wsUrl,
    isTestnet: network.isTestnet,
    account: NO_ACCOUNT,
    ...(options.budget ? { budget: options.budget } : {}),
  });
  const waits = tellWaitsOnce((line) => options.onWait?.(line));
  // What is being read, for the line a stop signal ends it with ("while reading the fills of …").
  const read = async <T>(what: string, fn: () => Promise<T>, reading: () => string): Promise<T> => {
    const off = options.stop ? exitOnStop(() => `while reading ${reading()}`, options.stop) : () => {};
    try {
      return await retried(what, fn);
    } finally {
      off();
    }
  };
  const retried = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const value = await retryTransient(fn, {
      what,
      timeoutMs: options.timeoutMs ?? READ_TIMEOUT_MS,
      onWait: waits.onWait,
      ...(options.now ? { now: options.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      // These commands have no start-up timeout setting: the bound is the read's own.
      hint: "check the network connection (and DNS), the exchange's status and the --network setting, then run it again",
    });
    waits.ok();
    return value;
  };
  return {
    getFillsByTime: (user, startTime, endTime) =>
      read(
        "userFillsByTime",
        () => client.getFillsByTime(user, startTime, endTime, { maxPages: ANALYTICS_FILL_PAGES }),
        () => `the fills of ${shortAddress(user)}`,
      ),
    getFillHistory: (user, startTime, endTime, onPage) => {
      let sofar = 0;
      return read(
        "userFillsByTime",
        () =>
          client.getFillHistory(user, startTime, endTime, {
            maxPages: ANALYTICS_FILL_PAGES,
            onPage: (n) => {
              sofar = n;
              onPage?.(n);
            },
          }),
        () =>
          `the fills of ${shortAddress(user)}${sofar > 0 ? ` (${sofar.toLocaleString("en-US")} so far)` : ""}`,
      );
    },
    getClearinghouseState: (user) =>
      read(
        "clearinghouseState",
        () => client.getClearinghouseState(user),
        () => `the account of ${shortAddress(user)}`,
      ),
    getMeta: () =>
      read(
        "meta",
        () => client.getMeta(),
        () => "the market list",
      ),
    getPortfolio: (user) =>
      read(
        "portfolio",
        () => client.getPortfolio(user),
        () => `the portfolio of ${shortAddress(user)}`,
      ),
    getUserFunding: (user, startTime, endTime) =>
      read(
        "userFunding",
        () => client.getUserFunding(user, startTime, endTime),
        () => `the funding payments of ${shortAddress(user)}`,
      ),
    getFundingHistory: (coin, startTime, endTime) =>
      read(
        "fundingHistory",
        () => client.getFundingHistory(coin, startTime, endTime),
        () => `the funding rates of ${coin}`,
      ),
    // In candleSnapshot's shape, which analytics/wire.ts parses.
    getHourlyCandles: (coin, startTime, endTime) =>
      read(
        "candleSnapshot",
        async () =>
          (await client.getHourlyCandles(coin, startTime, endTime)).map((k) => ({ s: coin, t: k.t, c: k.c })),
        () => `the hourly candles of ${coin}`,
      ),
  };
}
