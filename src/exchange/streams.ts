// The websocket streams `follow` runs on: ONE connection (the SDK's WebSocketTransport, with
// its reconnect, resubscribe and ping/pong keepalive) carrying leader userFills and
// clearinghouseState, our userFills, clearinghouseState, userFundings and
// userNonFundingLedgerUpdates (our deposits and withdrawals: the safety rules net them out),
// allMids and the best
// bid/ask (`bbo`) of chosen coins. Every frame costs a wake-up, so nothing is streamed that the
// engine does not read: no orderUpdates (our order results and fills tell the same), bbo
// rather than l2Book (a third of the messages, a tenth of the bytes; only the top is used).
// The SDK keeps the subscriptions (acks, replay after a reconnect, failures); the data is read
// by ONE listener on the socket and fanned out by stream key. Messages become plain events (a
// resubscription replays the snapshot, flagged isSnapshot: the engine's one de-duplication
// drops what it saw); a reconnect is announced so the engine sweeps. The per-IP limits are
// checked before anything connects.

import { WebSocketTransport } from "@nktkas/hyperliquid";
import type {
  AllMidsEvent,
  BboEvent,
  ClearinghouseStateEvent,
  UserFillsEvent,
  UserFundingsEvent,
  UserNonFundingLedgerUpdatesEvent,
} from "@nktkas/hyperliquid/api/subscription";
import { type HlcopyError, RetryableError, UsageError } from "../core/errors.js";
import type { AccountState, Address } from "../core/types.js";
import { translateError } from "./errors.js";
import { MAX_LEADERS, WS_LIMITS } from "./limits.js";
import {
  bboToTopOfBook,
  type CashFlow,
  type Fill,
  type FundingPayment,
  type TopOfBook,
  toAccountState,
  toCashFlows,
  toFill,
  toMids,
  toStreamFunding,
} from "./normalize.js";

/** Every event carries `at`: local receive time (ms). */
export type StreamEvent =
  /** New fills of a leader. `isSnapshot`: replayed on (re)subscribe — never a trade trigger. */
  | { type: "leaderFill"; at: number; leader: Address; fills: Fill[]; isSnapshot: boolean }
  /** A leader's full account state (openOrders is empty: this stream does not carry them). */
  | { type: "leaderState"; at: number; leader: Address; state: AccountState }
  | { type: "ourFill"; at: number; fills: Fill[]; isSnapshot: boolean }
  /** Our account state (openOrders is empty: the stream does not carry orders). */
  | { type: "ourState"; at: number; state: AccountState }
  /** Funding paid/received on our positions (userFundings). `isSnapshot`: the recent history, replayed on (re)subscribe. */
  | { type: "ourFunding"; at: number; fundings: FundingPayment[]; isSnapshot: boolean }
  /** Our cash flows (userNonFundingLedgerUpdates). `isSnapshot`: the history, replayed on (re)subscribe. */
  | { type: "ourLedger"; at: number; flows: CashFlow[]; isSnapshot: boolean }
  | { type: "mids"; at: number; mids: Record<string, number> }
  | { type: "book"; at: number; book: TopOfBook }
  /**
   * The connection came back and the subscriptions are being replayed — or, with `stream`,
   * that one failed subscription is back: data may have been missed, sweep now.
   */
  | { type: "reconnect"; at: number; reconnects: number; stream?: string }
  /**
   * The connection dropped; the transport is reconnecting. `stale`: nothing came back to a ping
   * within the pong timeout (a frozen exchange, a half-open connection): the socket is dropped
   * without waiting for its close (which such a peer never answers) and a new one dialled.
   */
  | {
      type: "disconnect";
      at: number;
      reason: string;
      stale?: true;
      /** A stale drop: how long nothing had come on the socket (the stream was down that long already). */
      silentMs?: number;
    }
  /** One subscription failed for good (refused after a reconnect, or the socket terminated). */
  | { type: "streamError"; at: number; stream: string; error: HlcopyError };

export interface OpenStreamsOptions {
  wsUrl: string;
  isTestnet: boolean;
  users: { leaders: Address[]; us: Address };
  /** Coins whose best bid/ask (`bbo`) to stream; change later with `watchBooks`. */
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
  /**
   * An account's clearinghouseState frames are read at most once per this window (the newest
   * one; the first after a quiet spell at once). Default 250 ms; 0 reads every frame.
   */
  stateCoalesceMs?: number;
  now?: () => number;
}

export interface StreamHealth {
  connected: boolean;
  /** Local time of the last frame of any kind (data, ack, pong): is the socket alive? */
  lastSocketMessageAt: number;
  /** Local time of the last data message per stream key ("userFills:0x…", "allMids", "bbo:BTC", …). */
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
   * Stream the best bid/ask of exactly these coins (subscribes new ones, drops the others).
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
  /** Stream keys, e.g. "userFills:0x…", "allMids", "bbo:BTC". */
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
    `clearinghouseState:${us}`,
    `userFundings:${us}`,
    `userNonFundingLedgerUpdates:${us}`,
    "allMids",
  );
  for (const c of new Set(coins)) streams.push(`bbo:${c}`);
  if (streams.length > WS_LIMITS.subscriptions) {
    throw new UsageError(
      `too many subscriptions: ${streams.length} (the exchange allows ${WS_LIMITS.subscriptions} per IP)`,
      { hint: "stream the book of fewer coins", details: { subscriptions: streams.length } },
    );
  }
  return { users: all, streams };
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
 * The one function every subscription gives the SDK. The SDK adds a subscription's function to
 * its event target (one listener per subscription: 11 books were 11 listeners on one channel, each
 * filtering every message, and Node's MaxListenersExceededWarning) and removes it when that
 * subscription ends. With this one shared no-op its target holds at most one listener per
 * channel, and a subscription that ends deafens no other: the data is read from the socket.
 */
const IGNORE = (): void => {};
/** The SDK's keepalive ping, as it sends it. */
const PING = '{"method":"ping"}';
/** WebSocket readyState OPEN. */
const OPEN = 1;
/**
 * The close event of a connection lost without a close handshake (1006, as a reset gives), for
 * a socket dropped as stale. CloseEvent is global from Node 23.
 */
const lostConnection = (): Event => {
  const init = { code: 1006, reason: "no answer to a ping", wasClean: false };
  return typeof CloseEvent === "function"
    ? new CloseEvent("close", init)
    : Object.assign(new Event("close"), init);
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 9_950 ? 1 : 0)} s`;

/**
 * The stream key a data frame belongs to ("userFills:0x…", "bbo:BTC", …), or undefined for
 * frames that are not stream data (acks, pongs, post replies) or another dex's state.
 */
function streamKey(channel: unknown, data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const d = data as { user?: unknown; coin?: unknown; dex?: unknown };
  switch (channel) {
    case "userFills":
      return typeof d.user === "string" ? `userFills:${d.user.toLowerCase()}` : undefined;
    case "userFundings":
      return typeof d.user === "string" ? `userFundings:${d.user.toLowerCase()}` : undefined;
    case "userNonFundingLedgerUpdates":
      return typeof d.user === "string" ? `userNonFundingLedgerUpdates:${d.user.toLowerCase()}` : undefined;
    case "clearinghouseState":
      if (d.dex !== undefined && d.dex !== "") return undefined;
      return typeof d.user === "string" ? `clearinghouseState:${d.user.toLowerCase()}` : undefined;
    case "allMids":
      return "allMids";
    case "bbo":
      return typeof d.coin === "string" ? `bbo:${d.coin}` : undefined;
    default:
      return undefined;
  }
}

const STATE_FRAME = '{"channel":"clearinghouseState",';

/**
 * Which account (and dex) a clearinghouseState frame is about, read without parsing it: the
 * `user` and `dex` fields of its data, or undefined when either is not found as expected (the
 * frame is then read at once, the slow way).
 */
export function stateAccount(text: string): string | undefined {
  const u = text.indexOf('"user":"');
  const d = text.indexOf('"dex":"');
  if (u < 0 || d < 0) return undefined;
  const user = text.slice(u + 8, u + 50);
  const dexEnd = text.indexOf('"', d + 7);
  if (!/^0x[0-9a-fA-F]{40}$/.test(user) || dexEnd < 0) return undefined;
  // Another "user" or "dex" deeper in the account would make the first match ambiguous.
  if (text.indexOf('"user":"', u + 8) >= 0 || text.indexOf('"dex":"', d + 7) >= 0) return undefined;
  return `${user.toLowerCase()}|${text.slice(d + 7, dexEnd)}`;
}

/** How the exchange (and the simulator) open a data frame of a stream we subscribe. */
const DATA_FRAME =
  /^\{"channel":"(?:userFills|clearinghouseState|userFundings|userNonFundingLedgerUpdates|allMids|bbo)","data":/;

/**
 * Call `take` with every WebSocket the SDK's reconnecting wrapper (`@nktkas/rews`) connects
 * through, as it keeps it in its `_socket` field (the one it has now, if any, at once). Without
 * that field (another version), `take` is never called.
 */
function takeInnerSockets(wrapper: object, take: (inner: WebSocket) => void): void {
  const field = Object.getOwnPropertyDescriptor(wrapper, "_socket");
  if (!field?.configurable || !("value" in field)) return;
  let inner = field.value as WebSocket | undefined;
  Object.defineProperty(wrapper, "_socket", {
    configurable: true,
    enumerable: field.enumerable,
    get: () => inner,
    set: (next: WebSocket | undefined) => {
      inner = next;
      if (next) take(next);
    },
  });
  if (inner) take(inner);
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

  const pingIntervalMs = options.pingIntervalMs ?? 20_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 10_000;

  const transport = new WebSocketTransport({
    url: options.wsUrl,
    isTestnet: options.isTestnet,
    // Also how long a (re)subscription waits for the server's confirmation.
    timeout: connectTimeoutMs,
    keepAlive: { interval: pingIntervalMs, timeout: pongTimeoutMs },
  });
  const lastMessageAt: Record<string, number> = {};
  const entries = new Map<string, Entry>();
  /** Stream key → what its data becomes (registered before the subscription: no snapshot is missed). */
  const routes = new Map<string, (data: never) => void>();
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
  /** Subscribe `payload` (the SDK's shape for its type) as stream `key`, its data going to `on`. */
  const add = async <T>(
    key: string,
    payload: { type: string; [field: string]: unknown },
    on: (data: T) => void,
  ): Promise<void> => {
    const subscribe: Subscribe = (onError) => transport.subscribe(payload.type, payload, IGNORE, { onError });
    const entry: Entry = { subscribe, handle: undefined, retry: undefined };
    entries.set(key, entry);
    routes.set(key, on as (data: never) => void);
    try {
      entry.handle = await subscribe(failed(key, entry));
    } catch (error) {
      entries.delete(key);
      routes.delete(key);
      throw error;
    }
  };
  const remove = async (key: string): Promise<void> => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    routes.delete(key);
    delete lastMessageAt[key];
    clearTimeout(entry.retry);
    await entry.handle?.unsubscribe().catch(() => {});
  };

  // --- connection events -------------------------------------------------------------------
  const socket = transport.socket;
  /** The WebSocket the wrapper connects through now (undefined once dropped, or unknown). */
  let live: WebSocket | undefined;
  /** A data frame's text, parsed once, to its stream's handler. */
  const route = (text: string): void => {
    let msg: { channel?: unknown; data?: unknown };
    try {
      msg = JSON.parse(text) as { channel?: unknown; data?: unknown };
    } catch {
      return;
    }
    const key = streamKey(msg.channel, msg.data);
    const on = key === undefined ? undefined : routes.get(key);
    if (on) on(msg.data as never);
  };
  // An account's clearinghouseState is the whole account (~3.4 KB of JSON) and each frame
  // supersedes the one before: at 10 trades/s the leader's and ours came twice per copied trade,
  // ~7 % of follow's CPU, most of it parsing. So per account at most one frame is read per
  // window: the first after a quiet spell at once, later ones when the window ends, only the
  // newest. (The fills stream, not this one, drives copying; the state corrects the models and
  // gives the safety rules the account value, ≤ one window later.)
  const coalesceMs = options.stateCoalesceMs ?? 250;
  const states = new Map<
    string,
    { readAt: number; waiting: string | undefined; timer: NodeJS.Timeout | undefined }
  >();
  const readState = (account: string): void => {
    const st = states.get(account);
    if (!st || st.waiting === undefined) return;
    const text = st.waiting;
    st.waiting = undefined;
    st.timer = undefined;
    st.readAt = now();
    route(text);
  };
  /** True when the frame was taken (read now or held for its window's end). */
  const coalesceState = (text: string): boolean => {
    const account = stateAccount(text);
    if (account === undefined) return false;
    let st = states.get(account);
    if (!st) {
      st = { readAt: Number.NEGATIVE_INFINITY, waiting: undefined, timer: undefined };
      states.set(account, st);
    }
    st.waiting = text;
    if (st.timer) return true;
    const wait = st.readAt + coalesceMs - now();
    if (wait <= 0) readState(account);
    else {
      st.timer = setTimeout(() => {
        if (!closing) readState(account);
      }, wait);
      st.timer.unref();
    }
    return true;
  };
  // Our streams' data frames are read here and never reach the SDK: its listener would parse
  // each one again (a clearinghouseState is ~3.5 KB) only to hand it, as one more event, to
  // the no-op listener above. Acks, pongs, post replies and errors go on to the SDK as before.
  /** A frame arrived: the socket is alive. True when it was one of our data frames (read here). */
  const takeFrame = (text: unknown): boolean => {
    lastSocketMessageAt = now();
    pingSentAt = undefined;
    if (stale) revive();
    if (typeof text !== "string" || !DATA_FRAME.test(text)) return false;
    if (!(coalesceMs > 0 && text.startsWith(STATE_FRAME) && coalesceState(text))) route(text);
    return true;
  };
  const sdkDispatch = socket.dispatchEvent.bind(socket);
  socket.dispatchEvent = (event: Event): boolean => {
    if (event.type === "message" && takeFrame((event as MessageEvent).data)) return true;
    return sdkDispatch(event);
  };
  // Every frame was an event twice: the connection's WebSocket dispatches it to the SDK's
  // reconnecting wrapper, which copies it into a new MessageEvent and dispatches that (~5 % of
  // follow's CPU at 10 trades/s, on the path from a leader's fill to our order). So our data
  // frames are taken at the first dispatch: each new connection's WebSocket (the wrapper's
  // `_socket`, set on every reconnect) is caught as it is set. Should the SDK keep it under
  // another name, nothing is caught and every frame takes the path above, as before.
  // Only the connection the wrapper has now is read: one dropped as stale (below) may get its
  // held frames and its close much later, when the network comes back (Node's WebSocket
  // dispatches no message once closing; this holds whatever the implementation).
  takeInnerSockets(socket, (inner) => {
    live = inner;
    const innerDispatch = inner.dispatchEvent.bind(inner);
    inner.dispatchEvent = (event: Event): boolean => {
      if (inner !== live) return innerDispatch(event); // the wrapper no longer listens to it
      if (event.type === "message" && takeFrame((event as MessageEvent).data)) return true;
      return innerDispatch(event);
    };
  });
  // Any other data frame (say, fields in another order) is read the slow way: after the SDK.
  socket.addEventListener("message", (event: MessageEvent) => {
    const text: unknown = event.data;
    // Data frames are JSON objects; the greeting and anything else are not ours.
    if (typeof text === "string" && text.charCodeAt(0) === 123) route(text);
  });
  socket.addEventListener("open", () => {
    connected = true;
    stale = false;
    pingSentAt = undefined;
    openedAt = now();
    if (!opened) {
      opened = true;
      return;
    }
    reconnects++;
    emit({ type: "reconnect", at: now(), reconnects });
  });
  socket.addEventListener("close", (event: CloseEvent) => {
    stale = false; // the socket is gone: the next "open" is the way back
    if (!connected) return;
    connected = false;
    emit({ type: "disconnect", at: now(), reason: `socket closed (code ${event.code})` });
  });

  // --- staleness: pings the exchange does not answer ---------------------------------------
  // The SDK pings every pingIntervalMs and, a pong late by pongTimeoutMs, drops the socket to
  // reconnect. But a frozen exchange or a half-open connection answers the close no more than
  // the ping: no close event — so no "disconnect" — came until TCP gave up, while the run
  // looked connected. So it is said here, when it happens: a ping with no frame of any kind
  // since it went out for pongTimeoutMs (or, should the ping go unseen, no frame for a ping
  // interval and a pong timeout) makes the stream stale, and the socket is dropped at once (see
  // dropStale). A frame on the same socket revives it (only where the socket cannot be dropped:
  // the wrapper's WebSocket not found).
  let pingSentAt: number | undefined;
  let openedAt = now();
  let stale = false;
  const sdkSend = socket.send.bind(socket);
  socket.send = (data: Parameters<typeof socket.send>[0]): void => {
    if (data === PING && connected) pingSentAt ??= now();
    sdkSend(data);
  };
  const revive = (): void => {
    if (closing || socket.readyState !== OPEN) return; // being replaced: its "open" says it
    stale = false;
    connected = true;
    reconnects++;
    emit({ type: "reconnect", at: now(), reconnects });
  };
  // Saying it is not enough: the SDK's reconnect closes the socket and dials again only once it
  // has closed, which a half-open connection never answers (until TCP gives up: minutes, the
  // stream dead all along while REST works). So a stale connection is dropped here without
  // waiting: the wrapper is asked to reconnect (it starts the close handshake, a requested
  // reconnect: no backoff delay, no failure counted) and handed the close event it waits for.
  // It dials a new connection at once (failures there back off as any reconnect does), whose
  // "open" resubscribes and says "reconnect"; it no longer listens to the old one, and nor do we
  // (`live`), so that one's late frames and close — whenever they come — reach nobody.
  const dropStale = (): void => {
    const dead = live;
    live = undefined;
    socket.reconnect();
    dead?.dispatchEvent(lostConnection());
  };
  const watchStale = setInterval(
    () => {
      if (closing || !connected) return;
      const at = now();
      const unanswered = pingSentAt !== undefined && at - pingSentAt >= pongTimeoutMs;
      const silentMs = at - Math.max(lastSocketMessageAt, openedAt);
      if (!unanswered && silentMs < pingIntervalMs + pongTimeoutMs) return;
      connected = false;
      stale = true;
      emit({
        type: "disconnect",
        at,
        reason: `the exchange has not answered a ping for ${seconds(pongTimeoutMs)} (nothing received for ${seconds(silentMs)})`,
        stale: true,
        silentMs,
      });
      dropStale();
    },
    Math.max(50, Math.min(1_000, pongTimeoutMs / 4)),
  );
  watchStale.unref();

  // --- the streams -------------------------------------------------------------------------
  // Payloads exactly as the SDK's SubscriptionClient builds them (the subscription's identity).
  const addBook = (coin: string): Promise<void> => {
    const key = `bbo:${coin}`;
    return add<BboEvent>(key, { type: "bbo", coin }, (data) =>
      emit({ type: "book", at: touch(key), book: bboToTopOfBook(data) }),
    );
  };

  const addAll = (): Promise<void>[] => {
    const subs: Promise<void>[] = [];
    for (const leader of leaders) {
      const fillsKey = `userFills:${leader}`;
      const stateKey = `clearinghouseState:${leader}`;
      subs.push(
        add<UserFillsEvent>(fillsKey, { type: "userFills", user: leader, aggregateByTime: false }, (data) => {
          const at = touch(fillsKey);
          const fills = data.fills.map((f) => toFill(f, leader));
          if (fills.length > 0)
            emit({ type: "leaderFill", at, leader, fills, isSnapshot: data.isSnapshot === true });
        }),
        add<ClearinghouseStateEvent>(
          stateKey,
          { type: "clearinghouseState", user: leader, dex: "" },
          (data) => {
            const at = touch(stateKey);
            emit({
              type: "leaderState",
              at,
              leader,
              state: toAccountState(leader, data.clearinghouseState, [], at),
            });
          },
        ),
      );
    }
    const ourFills = `userFills:${us}`;
    const ourState = `clearinghouseState:${us}`;
    const ourFunding = `userFundings:${us}`;
    const ourLedger = `userNonFundingLedgerUpdates:${us}`;
    subs.push(
      add<UserFillsEvent>(ourFills, { type: "userFills", user: us, aggregateByTime: false }, (data) => {
        const at = touch(ourFills);
        const fills = data.fills.map((f) => toFill(f, us));
        if (fills.length > 0) emit({ type: "ourFill", at, fills, isSnapshot: data.isSnapshot === true });
      }),
      add<ClearinghouseStateEvent>(ourState, { type: "clearinghouseState", user: us, dex: "" }, (data) => {
        const at = touch(ourState);
        emit({ type: "ourState", at, state: toAccountState(us, data.clearinghouseState, [], at) });
      }),
      add<UserFundingsEvent>(ourFunding, { type: "userFundings", user: us }, (data) => {
        const at = touch(ourFunding);
        const fundings = data.fundings.map(toStreamFunding);
        if (fundings.length > 0)
          emit({ type: "ourFunding", at, fundings, isSnapshot: data.isSnapshot === true });
      }),
      add<UserNonFundingLedgerUpdatesEvent>(
        ourLedger,
        { type: "userNonFundingLedgerUpdates", user: us },
        (data) => {
          const at = touch(ourLedger);
          const flows = toCashFlows(us, data.nonFundingLedgerUpdates);
          if (flows.length > 0) emit({ type: "ourLedger", at, flows, isSnapshot: data.isSnapshot === true });
        },
      ),
      add<AllMidsEvent>("allMids", { type: "allMids" }, (data) =>
        emit({ type: "mids", at: touch("allMids"), mids: toMids(data.mids) }),
      ),
    );
    for (const coin of new Set(options.coins ?? [])) subs.push(addBook(coin));
    return subs;
  };

  const shutdown = (): void => {
    closing = true;
    clearInterval(watchStale);
    for (const entry of entries.values()) clearTimeout(entry.retry);
    for (const st of states.values()) clearTimeout(st.timer);
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
        if (key.startsWith("bbo:") && !wanted.has(key.slice("bbo:".length))) await remove(key);
      }
      for (const coin of wanted) {
        if (entries.has(`bbo:${coin}`)) continue;
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
