// The websocket streams `follow` runs on: ONE connection (the SDK's WebSocketTransport, with
// its reconnect, resubscribe and ping/pong keepalive) carrying leader userFills and
// clearinghouseState, our userFills, orderUpdates, clearinghouseState and userFundings, allMids and l2Book
// for chosen coins. Messages become plain events; fills are deduplicated by tid/hash across
// reconnects (a resubscription replays the snapshot); a reconnect is announced so the engine
// sweeps. The per-IP limits are checked before anything connects.

import { SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";
import type {
  AllMidsEvent,
  ClearinghouseStateEvent,
  L2BookEvent,
  OrderUpdatesEvent,
  UserFillsEvent,
  UserFundingsEvent,
} from "@nktkas/hyperliquid/api/subscription";
import { type HlcopyError, RetryableError, UsageError } from "../core/errors.js";
import { RecentKeys } from "../core/recent.js";
import type { AccountState, Address, Side } from "../core/types.js";
import { translateError } from "./errors.js";
import { MAX_LEADERS, WS_LIMITS } from "./limits.js";
import {
  type Fill,
  type FundingPayment,
  type TopOfBook,
  toAccountState,
  toFill,
  toMids,
  toSide,
  toStreamFunding,
  toTopOfBook,
} from "./normalize.js";
import { parseDecimal } from "./wire.js";

/** One change of one of our orders, from orderUpdates. */
export interface OrderUpdate {
  coin: string;
  oid: number;
  cloid: string | null;
  side: Side;
  /** Remaining size. */
  size: number;
  origSize: number;
  limitPx: number;
  reduceOnly: boolean;
  /** The exchange's order status ("open", "filled", "canceled", "iocCancelRejected", …). */
  status: string;
  statusTimestamp: number;
}

/** Every event carries `at`: local receive time (ms). */
export type StreamEvent =
  /** New fills of a leader. `isSnapshot`: replayed on (re)subscribe — never a trade trigger. */
  | { type: "leaderFill"; at: number; leader: Address; fills: Fill[]; isSnapshot: boolean }
  /** A leader's full account state (openOrders is empty: this stream does not carry them). */
  | { type: "leaderState"; at: number; leader: Address; state: AccountState }
  | { type: "ourFill"; at: number; fills: Fill[]; isSnapshot: boolean }
  /** Our account state (openOrders is empty: orderUpdates carries orders). */
  | { type: "ourState"; at: number; state: AccountState }
  | { type: "orderUpdate"; at: number; updates: OrderUpdate[] }
  /** Funding paid/received on our positions (userFundings). `isSnapshot`: the recent history, replayed on (re)subscribe. */
  | { type: "ourFunding"; at: number; fundings: FundingPayment[]; isSnapshot: boolean }
  | { type: "mids"; at: number; mids: Record<string, number> }
  | { type: "book"; at: number; book: TopOfBook }
  /**
   * The connection came back and the subscriptions are being replayed — or, with `stream`,
   * that one failed subscription is back: data may have been missed, sweep now.
   */
  | { type: "reconnect"; at: number; reconnects: number; stream?: string }
  /** The connection dropped; the transport is reconnecting. */
  | { type: "disconnect"; at: number; reason: string }
  /** One subscription failed for good (refused after a reconnect, or the socket terminated). */
  | { type: "streamError"; at: number; stream: string; error: HlcopyError };

export interface OpenStreamsOptions {
  wsUrl: string;
  isTestnet: boolean;
  users: { leaders: Address[]; us: Address };
  /** Coins whose l2Book to stream (top of book); change later with `watchBooks`. */
  coins?: string[];
  /** Called synchronously for every event; must not throw (errors are swallowed). */
  onEvent: (event: StreamEvent) => void;
  /** Ping interval; the exchange closes a connection silent for 60 s. Default 20 000 ms. */
  pingIntervalMs?: number;
  /** A ping unanswered this long forces a reconnect. Default 10 000 ms. */
  pongTimeoutMs?: number;
  /** How long to wait for the first connection and the subscriptions. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** First delay before re-subscribing a failed stream (doubles, capped at 30 s). Default 1 000 ms. */
  resubscribeDelayMs?: number;
  /** Fill keys remembered per user for deduplication. Default 20 000. */
  dedupeLimit?: number;
  now?: () => number;
}

export interface StreamHealth {
  connected: boolean;
  /** Local time of the last frame of any kind (data, ack, pong): is the socket alive? */
  lastSocketMessageAt: number;
  /** Local time of the last data message per stream key ("userFills:0x…", "allMids", …). */
  lastMessageAt: Record<string, number>;
  reconnects: number;
}

export interface Streams {
  /** Distinct users tracked (leaders and us). */
  readonly users: readonly Address[];
  subscriptionCount(): number;
  /** Liveness per stream: a quiet leader (socket alive, stream silent) is not a dead stream. */
  health(): StreamHealth;
  /**
   * Stream the l2Book of exactly these coins (subscribes new ones, drops the others).
   * @throws {UsageError} when the subscription limit would be exceeded.
   * @throws {RetryableError} when a subscription cannot be made.
   */
  watchBooks(coins: string[]): Promise<void>;
  /** Close the connection; no event follows. */
  close(): Promise<void>;
}

/** What a configuration needs from the per-IP budget. */
export interface SubscriptionPlan {
  users: Address[];
  /** Stream keys, e.g. "userFills:0x…", "allMids", "l2Book:BTC". */
  streams: string[];
}

/**
 * The subscriptions a configuration needs, checked against the exchange's per-IP limits:
 * at most 10 distinct users (so 9 leaders plus us) and 1000 subscriptions.
 * @throws {UsageError} naming the limit and the count when the configuration cannot fit.
 */
export function planSubscriptions(
  users: { leaders: Address[]; us: Address },
  coins: string[] = [],
): SubscriptionPlan {
  const us = users.us.toLowerCase() as Address;
  const leaders = [...new Set(users.leaders.map((l) => l.toLowerCase() as Address))].filter((l) => l !== us);
  const all = [...leaders, us];
  if (all.length > WS_LIMITS.users) {
    throw new UsageError(
      `too many leaders: ${leaders.length} (the exchange streams at most ${WS_LIMITS.users} users per IP, your account included, so at most ${MAX_LEADERS} leaders)`,
      {
        hint: `follow at most ${MAX_LEADERS} leaders per machine`,
        details: { leaders: leaders.length },
      },
    );
  }
  const streams: string[] = [];
  for (const l of leaders) streams.push(`userFills:${l}`, `clearinghouseState:${l}`);
  streams.push(
    `userFills:${us}`,
    `orderUpdates:${us}`,
    `clearinghouseState:${us}`,
    `userFundings:${us}`,
    "allMids",
  );
  for (const c of new Set(coins)) streams.push(`l2Book:${c}`);
  if (streams.length > WS_LIMITS.subscriptions) {
    throw new UsageError(
      `too many subscriptions: ${streams.length} (the exchange allows ${WS_LIMITS.subscriptions} per IP)`,
      { hint: "stream the book of fewer coins", details: { subscriptions: streams.length } },
    );
  }
  return { users: all, streams };
}

/**
 * A userFills snapshot (sent on every (re)subscribe) holds the account's latest fills: at most
 * 2000 from the simulator, as the exchange's userFills request returns. Remembering 5000 keys
 * per user covers a snapshot and the fills of the gap before it with room to spare. (20 000
 * kept ~4 MiB of key strings alive per user in a long follow.) An older replay is harmless
 * anyway: snapshots never trigger orders, the journal ignores a fill it has, and the leader
 * model skips a tid or a time it has seen.
 */
export const FILL_DEDUPE_LIMIT = 5_000;

/** Remembers fill keys per user (the newest `limit` each), so replays after a reconnect are dropped. */
export class FillDeduper {
  readonly #seen = new Map<string, RecentKeys<string>>();
  readonly #limit: number;

  constructor(limit = FILL_DEDUPE_LIMIT) {
    this.#limit = limit;
  }

  /** The fills not seen before for this user (marking them seen). */
  fresh(user: string, fills: Fill[]): Fill[] {
    let seen = this.#seen.get(user);
    if (!seen) {
      seen = new RecentKeys(this.#limit);
      this.#seen.set(user, seen);
    }
    const out: Fill[] = [];
    for (const f of fills) if (seen.add(`${f.tid}:${f.hash}`)) out.push(f);
    return out;
  }

  /** Keys remembered for `user` (for tests: stays ≤ the limit however long the run). */
  size(user: string): number {
    return this.#seen.get(user)?.size ?? 0;
  }
}

interface Handle {
  unsubscribe(): Promise<void>;
}

/** Subscribe one stream, reporting a later permanent failure to `onError`. */
type Subscribe = (onError: (error: unknown) => void) => Promise<Handle>;

interface Entry {
  subscribe: Subscribe;
  handle: Handle | undefined;
  retry: NodeJS.Timeout | undefined;
}

/**
 * Connect and subscribe everything; resolves once every subscription is confirmed.
 * A subscription that later fails for good (the server refused it after a reconnect, or its
 * confirmation was lost) is reported as "streamError" and re-subscribed with backoff; when it
 * is back, a "reconnect" event naming it tells the engine to sweep.
 * @throws {UsageError} when the configuration exceeds the per-IP limits (nothing connects).
 * @throws {RetryableError} when the connection or a subscription fails (the socket is closed).
 */
export async function openStreams(options: OpenStreamsOptions): Promise<Streams> {
  const plan = planSubscriptions(options.users, options.coins);
  const now = options.now ?? Date.now;
  const us = options.users.us.toLowerCase() as Address;
  const leaders = plan.users.filter((u) => u !== us);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const resubscribeDelayMs = options.resubscribeDelayMs ?? 1_000;

  const transport = new WebSocketTransport({
    url: options.wsUrl,
    isTestnet: options.isTestnet,
    // Also how long a (re)subscription waits for the server's confirmation.
    timeout: connectTimeoutMs,
    keepAlive: { interval: options.pingIntervalMs ?? 20_000, timeout: options.pongTimeoutMs ?? 10_000 },
  });
  const client = new SubscriptionClient({ transport });
  const dedupe = new FillDeduper(options.dedupeLimit);
  const lastMessageAt: Record<string, number> = {};
  const entries = new Map<string, Entry>();
  let lastSocketMessageAt = 0;
  let connected = false;
  let opened = false;
  let reconnects = 0;
  let closing = false;

  const emit = (event: StreamEvent): void => {
    if (closing) return;
    try {
      options.onEvent(event);
    } catch {
      // A broken listener must never kill the stream.
    }
  };
  const touch = (key: string): number => {
    const at = now();
    lastMessageAt[key] = at;
    return at;
  };

  // --- the subscription registry -----------------------------------------------------------
  let freshSocketAt = Number.NEGATIVE_INFINITY;
  const failed = (key: string, entry: Entry) => (error: unknown) => {
    if (closing || entries.get(key) !== entry) return;
    entry.handle = undefined;
    emit({
      type: "streamError",
      at: now(),
      stream: key,
      error: translateError(error, { operation: `stream ${key}` }),
    });
    // The server may still hold the subscription (only its confirmation was lost), and then
    // refuses it again as "Already subscribed": start from a fresh connection (once for a
    // burst of failures), where every live subscription is replayed, then re-add this one.
    if (now() - freshSocketAt > resubscribeDelayMs) {
      freshSocketAt = now();
      transport.socket.reconnect();
    }
    retry(key, entry, 0);
  };
  const retry = (key: string, entry: Entry, attempt: number): void => {
    const delay = Math.min(resubscribeDelayMs * 2 ** attempt, 30_000);
    entry.retry = setTimeout(async () => {
      entry.retry = undefined;
      if (closing || entries.get(key) !== entry) return;
      try {
        const handle = await entry.subscribe(failed(key, entry));
        if (closing || entries.get(key) !== entry) {
          await handle.unsubscribe().catch(() => {});
          return;
        }
        entry.handle = handle;
        emit({ type: "reconnect", at: now(), reconnects, stream: key });
      } catch {
        retry(key, entry, attempt + 1);
      }
    }, delay);
    entry.retry.unref();
  };
  const add = async (key: string, subscribe: Subscribe): Promise<void> => {
    const entry: Entry = { subscribe, handle: undefined, retry: undefined };
    entries.set(key, entry);
    try {
      entry.handle = await subscribe(failed(key, entry));
    } catch (error) {
      entries.delete(key);
      throw error;
    }
  };
  const remove = async (key: string): Promise<void> => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    delete lastMessageAt[key];
    clearTimeout(entry.retry);
    await entry.handle?.unsubscribe().catch(() => {});
  };

  // --- connection events -------------------------------------------------------------------
  const socket = transport.socket;
  socket.addEventListener("message", () => {
    lastSocketMessageAt = now();
  });
  socket.addEventListener("open", () => {
    connected = true;
    if (!opened) {
      opened = true;
      return;
    }
    reconnects++;
    emit({ type: "reconnect", at: now(), reconnects });
  });
  socket.addEventListener("close", (event: CloseEvent) => {
    if (!connected) return;
    connected = false;
    emit({ type: "disconnect", at: now(), reason: `socket closed (code ${event.code})` });
  });

  // --- the streams -------------------------------------------------------------------------
  const addBook = (coin: string): Promise<void> => {
    const key = `l2Book:${coin}`;
    return add(key, (onError) =>
      client.l2Book(
        { coin },
        (data: L2BookEvent) => emit({ type: "book", at: touch(key), book: toTopOfBook(coin, data) }),
        { onError },
      ),
    );
  };

  const addAll = (): Promise<void>[] => {
    const subs: Promise<void>[] = [];
    for (const leader of leaders) {
      const fillsKey = `userFills:${leader}`;
      const stateKey = `clearinghouseState:${leader}`;
      subs.push(
        add(fillsKey, (onError) =>
          client.userFills(
            { user: leader },
            (data: UserFillsEvent) => {
              const at = touch(fillsKey);
              const fills = dedupe.fresh(
                leader,
                data.fills.map((f) => toFill(f, leader)),
              );
              if (fills.length > 0)
                emit({ type: "leaderFill", at, leader, fills, isSnapshot: data.isSnapshot === true });
            },
            { onError },
          ),
        ),
        add(stateKey, (onError) =>
          client.clearinghouseState(
            { user: leader },
            (data: ClearinghouseStateEvent) => {
              const at = touch(stateKey);
              emit({
                type: "leaderState",
                at,
                leader,
                state: toAccountState(leader, data.clearinghouseState, [], at),
              });
            },
            { onError },
          ),
        ),
      );
    }
    const ourFills = `userFills:${us}`;
    const ourOrders = `orderUpdates:${us}`;
    const ourState = `clearinghouseState:${us}`;
    const ourFunding = `userFundings:${us}`;
    subs.push(
      add(ourFills, (onError) =>
        client.userFills(
          { user: us },
          (data: UserFillsEvent) => {
            const at = touch(ourFills);
            const fills = dedupe.fresh(
              us,
              data.fills.map((f) => toFill(f, us)),
            );
            if (fills.length > 0) emit({ type: "ourFill", at, fills, isSnapshot: data.isSnapshot === true });
          },
          { onError },
        ),
      ),
      add(ourOrders, (onError) =>
        client.orderUpdates(
          { user: us },
          (data: OrderUpdatesEvent) => {
            emit({ type: "orderUpdate", at: touch(ourOrders), updates: data.map(toOrderUpdate) });
          },
          { onError },
        ),
      ),
      add(ourState, (onError) =>
        client.clearinghouseState(
          { user: us },
          (data: ClearinghouseStateEvent) => {
            const at = touch(ourState);
            emit({ type: "ourState", at, state: toAccountState(us, data.clearinghouseState, [], at) });
          },
          { onError },
        ),
      ),
      add(ourFunding, (onError) =>
        client.userFundings(
          { user: us },
          (data: UserFundingsEvent) => {
            const at = touch(ourFunding);
            const fundings = data.fundings.map(toStreamFunding);
            if (fundings.length > 0)
              emit({ type: "ourFunding", at, fundings, isSnapshot: data.isSnapshot === true });
          },
          { onError },
        ),
      ),
      add("allMids", (onError) =>
        client.allMids(
          (data: AllMidsEvent) => emit({ type: "mids", at: touch("allMids"), mids: toMids(data.mids) }),
          {
            onError,
          },
        ),
      ),
    );
    for (const coin of new Set(options.coins ?? [])) subs.push(addBook(coin));
    return subs;
  };

  const shutdown = (): void => {
    closing = true;
    for (const entry of entries.values()) clearTimeout(entry.retry);
    transport.close();
  };

  try {
    await transport.ready(AbortSignal.timeout(connectTimeoutMs));
    await Promise.all(addAll());
  } catch (error) {
    shutdown();
    throw new RetryableError(`cannot open the exchange's websocket at ${options.wsUrl}`, {
      cause: error,
      hint: "check the network and the --network setting (the websocket is ws(s)://<host>/ws)",
      details: { wsUrl: options.wsUrl },
    });
  }

  return {
    users: plan.users,
    subscriptionCount: () => entries.size,
    health: () => ({ connected, lastSocketMessageAt, lastMessageAt: { ...lastMessageAt }, reconnects }),
    async watchBooks(coins: string[]): Promise<void> {
      const wanted = new Set(coins);
      planSubscriptions(options.users, [...wanted]);
      for (const key of [...entries.keys()]) {
        if (key.startsWith("l2Book:") && !wanted.has(key.slice("l2Book:".length))) await remove(key);
      }
      for (const coin of wanted) {
        if (entries.has(`l2Book:${coin}`)) continue;
        try {
          await addBook(coin);
        } catch (error) {
          throw new RetryableError(`cannot stream the ${coin} book`, { cause: error, details: { coin } });
        }
      }
    },
    async close(): Promise<void> {
      shutdown();
    },
  };
}

function toOrderUpdate(u: OrderUpdatesEvent[number]): OrderUpdate {
  const o = u.order;
  return {
    coin: o.coin,
    oid: o.oid,
    cloid: o.cloid ?? null,
    side: toSide(o.side),
    size: parseDecimal(o.sz),
    origSize: parseDecimal(o.origSz),
    limitPx: parseDecimal(o.limitPx),
    reduceOnly: o.reduceOnly === true,
    status: u.status,
    statusTimestamp: u.statusTimestamp,
  };
}
