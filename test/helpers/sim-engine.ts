// One test's own simulator and a copy engine on it, wired as `hlcopy follow` wires it: our
// client and the leaders' are the CLI's engineClient, the executor liveExecutor, the streams
// the CLI's streamsOpener (src/cli/wiring.ts), the engine a live "follow" over our account.
// What differs between tests is an option; everything the set-up took (engines, their runs,
// journals, the simulator, the temp dir) is released when the test ends, failed or not.
//
//   const t = await startSimFollow({ sim: { seed: 23 } });
//   await trade(t.leaderClient, "BTC", "buy", 1);
//   const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
//   const running = f.run();

import { rmSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { expect, onTestFinished } from "vitest";
import { type ClientParameters, engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import type { EngineOptions, OpenEngineStreams } from "../../src/engine/ports.js";
import { type HlClient, RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, type SimOptions, startSim } from "../../src/sim/index.js";
import { type Journal, journalPath, openJournal } from "../../src/store/journal.js";
import { type FollowView, startView } from "../../src/ui/view.js";
import { type Account, action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "./cli.js";

export interface SimFollowOptions {
  /** The simulator's options; prices frozen (tickMs 0) unless given. */
  sim?: SimOptions;
  /** The leader's funding in USD. Default 1 000 000. */
  leaderUsd?: number;
  /** Our (the master's) funding in USD. Default 100 000. */
  ourUsd?: number;
  /**
   * Our client's parameters beyond the simulator's URLs, the master and its agent (a budget).
   * Default budget: the exchange's weight limit lifted — the simulator has none, and a test's
   * back-to-back sweeps (and its own reads) would otherwise wait ~1.2 s per request once the
   * burst is spent (budget.test tests that pacing); a 429's backoff stays the client's default.
   */
  client?: Partial<Pick<ClientParameters, "budget">>;
  /** The engines' journal: in memory (default), or the file `journalFile` in the test's own dir. */
  journal?: "memory" | "file";
  /**
   * The engines' journal commits each write at once (groupCommitMs 0) instead of holding a group's
   * transaction open up to GROUP_COMMIT_MS. For a test that writes the journal from this process
   * (runResume) as another hlcopy would from its own: node:sqlite's busy wait blocks the one
   * thread, so the engine's group could not commit while the writer waited for it — a deadlock
   * the real, separate processes never meet (the writer waits 5 s; the group commits within 1 s).
   */
  commitAtOnce?: boolean;
  /**
   * The test's own `onTestFinished` (its context's): a test that runs concurrently must pass it,
   * as vitest's global one may register the tear-down on another test. Default: the global one.
   */
  onTestFinished?: typeof onTestFinished;
}

/** One engine on the simulator, its events as they came, and its run. */
export interface SimEngine {
  engine: CopyEngine;
  /** Every event the engine emitted, in order. */
  events: EngineEvent[];
  /** engine.run on `open` (the run's streams by default); awaited by the tear-down. */
  run(open?: OpenEngineStreams): Promise<number>;
}

export interface SimFollow {
  sim: SimHandle;
  /** The test's own directory (config dir), removed at the end. */
  dir: string;
  leader: Account;
  /** The leader's own client (it signs with its own key). */
  leaderClient: HlClient;
  /** Our account: the master the agent trades for. */
  master: Account;
  agentKey: `0x${string}`;
  account: Address;
  /** Our client: the agent's key, trading the master's account. */
  client: HlClient;
  /** Another client of ours (the master's account, the agent's key, unthrottled) with other parameters (a proxy's URL). */
  ourClient(params?: Partial<ClientParameters>): HlClient;
  /** Where a "file" journal lives (the path status and report read for this account). */
  journalFile: string;
  /** The engines' journal, opened on first use (so a test may seed `journalFile` before). */
  readonly journal: Journal;
  /** An engine client of `account` signing with its own key (another trader on the simulator). */
  clientOf(account: Account): HlClient;
  /** The run's websocket streams: the leaders' and ours, as follow opens them. */
  streams(leaders?: Address[]): OpenEngineStreams;
  /**
   * A live follow engine over our account copying the leader at weight 1; `options` replace
   * any of its options (settings, journal, mode, leaders, protection, …). Its leaders are not
   * refused for never having traded (allowEmptyLeader): the scripted one has not, at its start.
   */
  follow(options?: Partial<EngineOptions>): SimEngine;
  /** Released at the end too, before the simulator (a proxy, a view). */
  defer(close: () => unknown): void;
  /** Tear everything down now (it runs when the test ends anyway; a second call does nothing). */
  close(): Promise<void>;
}

/** defaultSettings with the copy most tests make (fixed ratio 10 %), then `patch`. */
export function copySettings(patch: (s: Settings) => void = () => {}): Settings {
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 0.1;
  patch(s);
  return s;
}

/** A marketable IOC from `client` (`slipBps` 50 through the mid), which must fill. */
export async function trade(
  client: HlClient,
  coin: string,
  side: "buy" | "sell",
  size: number,
  reduceOnly = false,
): Promise<void> {
  const markets = await client.getMarkets();
  const [r] = await client.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
  expect(r?.status).toBe("filled");
}

/**
 * The account of `key` buys 0.01 ETH and sells it back: holding what it held, with fills on
 * record. A run refuses a leader that holds no position and never traded (unless told to wait for
 * it): this makes a scripted leader one that traded before the copy begins.
 */
export async function roundTrip(sim: SimHandle, key: `0x${string}`): Promise<void> {
  const account = privateKeyToAccount(key).address.toLowerCase() as Address;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account,
    agentKey: key,
  });
  await trade(client, "ETH", "buy", 0.01);
  await trade(client, "ETH", "sell", 0.01, true);
}

/**
 * A simulator of this test's own with a funded leader and a funded master with an approved
 * agent, and their clients. Torn down when the test ends (onTestFinished), failed or not.
 */
export async function startSimFollow(options: SimFollowOptions = {}): Promise<SimFollow> {
  const closers: (() => unknown)[] = [];
  const engines: { engine: CopyEngine; running: Promise<number> | null }[] = [];
  const journals: Journal[] = [];
  let journal: Journal | null = null;
  let sim: SimHandle | null = null;
  let closed: Promise<void> | null = null;
  const dir = tempDir("hlcopy-sim-follow-");
  const close = () => {
    closed ??= (async () => {
      const errors: unknown[] = [];
      const attempt = async (step: () => unknown) => {
        try {
          await step();
        } catch (error) {
          errors.push(error);
        }
      };
      for (const e of engines) {
        await attempt(() => e.engine.stop("test over"));
        await attempt(() => e.running);
      }
      for (const j of journals) await attempt(() => j.close());
      for (const c of closers.reverse()) await attempt(c);
      await attempt(() => sim?.close());
      rmSync(dir, { recursive: true, force: true });
      if (errors.length > 0) throw new AggregateError(errors, "the simulator follow's tear-down failed");
    })();
    return closed;
  };
  // Registered before anything is taken: a set-up that throws half-way is released too.
  (options.onTestFinished ?? onTestFinished)(close);
  const s = await startSim({ tickMs: 0, ...options.sim });
  sim = s;
  const clientOf = (a: Account) =>
    engineClient({
      httpUrl: s.httpUrl,
      wsUrl: s.wsUrl,
      isTestnet: false,
      account: a.address,
      agentKey: a.key,
    });
  const leader = fundedAccount(s, options.leaderUsd ?? 1_000_000);
  const { master, agentKey } = await masterWithAgent(s, options.ourUsd ?? 100_000);
  const account = master.address;
  // The simulator has no request budget to protect: every client of ours is unthrottled unless
  // the test gives a budget of its own (the budget's tests do). Another client (a fault proxy's
  // URL) had the exchange's default, 1 200 weight a minute: once a sweep's failing look-ups had
  // spent it, each read waited 0.5–1.5 s (uncertain.sim: 16 s of one test, 6 s of one sweep).
  const ourClient = (params: Partial<ClientParameters> = {}) =>
    engineClient({
      httpUrl: s.httpUrl,
      wsUrl: s.wsUrl,
      isTestnet: false,
      account,
      agentKey,
      budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e6 }),
      ...params,
    });
  const client = ourClient(options.client);
  const journalFile = journalPath(dir, account, s.httpUrl);
  const theJournal = () => {
    if (!journal) {
      journal = openJournal(
        options.journal === "file" ? journalFile : ":memory:",
        options.commitAtOnce ? { groupCommitMs: 0 } : {},
      );
      journals.push(journal);
    }
    return journal;
  };
  const streams = (leaders: Address[] = [leader.address]) =>
    streamsOpener({ wsUrl: s.wsUrl, isTestnet: false, leaders, account });
  return {
    sim: s,
    dir,
    leader,
    leaderClient: clientOf(leader),
    master,
    agentKey,
    account,
    client,
    ourClient,
    journalFile,
    get journal() {
      return theJournal();
    },
    clientOf,
    streams,
    follow: (overrides = {}) => {
      const events: EngineEvent[] = [];
      const bus = overrides.events ?? new EngineEvents();
      bus.on((e) => events.push(e));
      const engine = new CopyEngine({
        reader: client,
        executor: liveExecutor(client),
        journal: overrides.journal ?? theJournal(),
        settings: copySettings(),
        leaders: [{ address: leader.address, weight: 1 }],
        account,
        network: s.httpUrl,
        mode: "live",
        command: "follow",
        // The scripted leader was funded a moment ago and trades when the test says: it has not
        // traded yet, and is no typo (the start check's refusal is pinned by reconcile/guardrails).
        allowEmptyLeader: true,
        ...overrides,
        events: bus,
      });
      const entry: { engine: CopyEngine; running: Promise<number> | null } = { engine, running: null };
      engines.push(entry);
      return {
        engine,
        events,
        run: (open = streams()) => {
          entry.running = engine.run(open);
          return entry.running;
        },
      };
    },
    defer: (c) => {
      closers.push(c);
    },
    close,
  };
}

/**
 * The run's view model as `follow --json` keeps it (a line view whose lines are dropped), closed
 * when the test ends. `stateEveryMs`: the state pace it asks of the engine (250: the dashboard's;
 * default the event lines' minute).
 */
export async function lineView(
  t: Pick<SimFollow, "defer">,
  events: EngineEvents,
  stateEveryMs?: number,
): Promise<FollowView> {
  const view = await startView({
    events,
    dashboard: false,
    json: true,
    ...(stateEveryMs === undefined ? {} : { stateEveryMs }),
    out: { write: () => {} },
    controls: { quit: () => {}, togglePause: () => {}, sweepNow: () => {}, flatten: () => {} },
  });
  t.defer(() => view.close());
  return view;
}

/**
 * Waits until our order in `coin` is told with `status` ("filled"; "paper" in a paper run): the
 * copy of a leader's trade went through. `ms`: what it takes on an idle machine (eventually).
 */
export function orderTold(
  events: readonly EngineEvent[],
  coin: string,
  status: "filled" | "paper" = "filled",
  ms?: number,
): Promise<boolean> {
  return eventually(
    () => events.some((e) => e.type === "order" && e.coin === coin && e.status === status),
    ms,
  );
}

type StateEvent = Extract<EngineEvent, { type: "state" }>;

/** The newest state event for which `is` holds, if any. */
export function lastState(
  events: readonly EngineEvent[],
  is: (e: StateEvent) => boolean,
): StateEvent | undefined {
  return events.findLast((e): e is StateEvent => e.type === "state" && is(e));
}
