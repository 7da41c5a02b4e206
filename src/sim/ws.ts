// GET /ws: the exchange's websocket protocol. subscribe/unsubscribe with subscriptionResponse
// acks and a first snapshot, live data from the engine's batched events, `post` requests
// (info and action) answered on channel "post", ping → pong, and connections that send
// nothing for the idle period are closed, as the exchange does.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { deflateRawSync } from "node:zlib";
import { type WebSocket, WebSocketServer } from "ws";
import type { Engine, EngineListener, TwapRecord } from "./engine.js";
import { isWireAddress } from "./numbers.js";
import type {
  AllDexsAssetCtxsEvent,
  AllDexsClearinghouseStateEvent,
  AllMidsEvent,
  AssetCtxsEvent,
  Candle,
  CandleInterval,
  ClearinghouseStateEvent,
  LedgerUpdate,
  OpenOrdersEvent,
  OrderUpdatesEvent,
  RecentTrade,
  SpotAssetCtxsEvent,
  SpotStateEvent,
  TwapStatesEvent,
  UserEventsEvent,
  UserFill,
  UserFillsEvent,
  UserFundingsEvent,
  UserNonFundingLedgerUpdatesEvent,
  UserTwapHistoryEvent,
  UserTwapSliceFillsEvent,
} from "./sdk-types.js";
import type { Hex } from "./types.js";
import * as views from "./views.js";

/** The plain-text frame the exchange sends first on every connection. */
export const CONNECTED_GREETING = "Websocket connection established.";

/**
 * The exchange's websocket limits, per IP address across all its connections (facts sheet,
 * "Rate limits (per IP unless noted)": 1000 subscriptions, 10 unique users across user-specific
 * subscriptions; Docs "Rate limits and user limits" lists them under "apply per IP address").
 */
const MAX_SUBSCRIPTIONS = 1000;
const MAX_USERS = 10;

const USER_TYPES = new Set([
  "userFills",
  "orderUpdates",
  "userEvents",
  "clearinghouseState",
  "userNonFundingLedgerUpdates",
  "userFundings",
  "openOrders",
  "userTwapSliceFills",
  "twapStates",
  "userTwapHistory",
  "webData2",
  "webData3",
  "spotState",
  "allDexsClearinghouseState",
  // Documented (Docs "Subscriptions", SDK subscription types) but with nothing the simulator
  // produces: acked like any other, then silent — never an error frame for a documented type.
  "notification",
  "userHistoricalOrders",
]);
const COIN_TYPES = new Set(["l2Book", "trades", "bbo", "candle", "activeAssetCtx"]);
/**
 * Market-wide streams the SDK subscribes to (no user, no coin). `spotAssetCtxs` sends its empty
 * snapshot (no spot pairs here); `outcomeMetaUpdates` has nothing to send (no outcome markets).
 */
const MARKET_TYPES = new Set([
  "allMids",
  "assetCtxs",
  "allDexsAssetCtxs",
  "fastAssetCtxs",
  "spotAssetCtxs",
  "outcomeMetaUpdates",
]);
/** Market-wide streams that follow every price change. */
const PRICE_TYPES = ["assetCtxs", "allDexsAssetCtxs", "fastAssetCtxs"] as const;
/** Subscriptions naming both a user and a coin (indexed by the user). */
const USER_COIN_TYPES = new Set(["activeAssetData"]);

interface Subscription {
  key: string;
  type: string;
  /** The subscription object as the client sent it (echoed in acks). */
  payload: Record<string, unknown>;
  user?: Hex;
  coin?: string;
  nSigFigs?: number | null;
  mantissa?: number | null;
  interval?: CandleInterval;
  /** The last message sent on a subscription that repeats only on change (activeAsset*). */
  last?: string;
}

interface Conn {
  id: number;
  ws: WebSocket;
  /** The remote address: the limits count every connection of one IP together. */
  ip: string;
  subs: Map<string, Subscription>;
  lastSeen: number;
}

export type PostResponse =
  | { type: "info"; payload: { type: string; data: unknown } }
  | { type: "action"; payload: unknown }
  | { type: "error"; payload: string };

export interface WsHubOptions {
  idleMs: number;
  now: () => number;
  /** Answer a `post` request; counting, faults and latency are the server's business. */
  post: (request: { type: string; payload: unknown }) => Promise<PostResponse>;
  log: (line: string) => void;
}

const HEX = /^0x[0-9a-fA-F]+$/;

/** Stable id of a subscription: sorted keys, lowercased hex, null and absent alike. */
function subscriptionKey(value: unknown): string {
  const normalize = (x: unknown): unknown => {
    if (typeof x === "string") return HEX.test(x) ? x.toLowerCase() : x;
    if (Array.isArray(x)) return x.map(normalize);
    if (typeof x === "object" && x !== null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const v = (x as Record<string, unknown>)[k];
        if (v !== null && v !== undefined && v !== false && v !== "") out[k] = normalize(v);
      }
      return out;
    }
    return x;
  };
  return JSON.stringify(normalize(value));
}

export class WsHub implements EngineListener {
  readonly wss: WebSocketServer;
  private readonly engine: Engine;
  private readonly opts: WsHubOptions;
  private readonly conns = new Set<Conn>();
  /** `${type}` or `${type}:${user|coin}` → subscribed connections. */
  private readonly index = new Map<string, Map<Conn, Subscription>>();
  private nextId = 1;
  private silencedUntil = 0;
  /** Channel → until when (ms) nothing is sent on it (the muteChannel fault). */
  private readonly mutedUntil = new Map<string, number>();
  private readonly idleTimer: NodeJS.Timeout;
  private pending = { mids: false, books: new Set<string>(), accounts: new Set<Hex>(), scheduled: false };
  /** Funding payments per user since the last flush: one userFundings message each per funding run. */
  private pendingFundings = new Map<Hex, UserFundingsEvent["fundings"]>();
  private readonly lastBbo = new Map<string, string>();
  /** The last candle sent per `coin/interval`: a candle goes out again only when it changed. */
  private readonly lastCandle = new Map<string, string>();
  readonly stats = {
    connectionsTotal: 0,
    messages: 0,
    posts: 0,
    postsInfo: 0,
    postsAction: 0,
  };

  constructor(engine: Engine, opts: WsHubOptions) {
    this.engine = engine;
    this.opts = opts;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    this.wss.on("connection", (ws: WebSocket, req: IncomingMessage) =>
      this.onConnection(ws, req.socket.remoteAddress ?? ""),
    );
    const every = Math.max(50, Math.min(5000, Math.floor(opts.idleMs / 4)));
    this.idleTimer = setInterval(() => this.closeIdle(), every);
    this.idleTimer.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/ws" && path !== "/ws/") {
      socket.write("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  subscriptionCounts(): { total: number; byType: Record<string, number> } {
    const byType: Record<string, number> = {};
    let total = 0;
    for (const c of this.conns) {
      for (const s of c.subs.values()) {
        byType[s.type] = (byType[s.type] ?? 0) + 1;
        total++;
      }
    }
    return { total, byType };
  }

  resetStats(): void {
    this.stats.connectionsTotal = 0;
    this.stats.messages = 0;
    this.stats.posts = 0;
    this.stats.postsInfo = 0;
    this.stats.postsAction = 0;
  }

  /** Close every connection now (the dropWs fault). */
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** Send nothing for `ms` (the silenceWs fault). */
  silence(ms: number): void {
    this.silencedUntil = this.opts.now() + ms;
  }

  /** Send nothing on `channel` for `ms`; the connection and every other channel carry on. */
  mute(channel: string, ms: number): void {
    this.mutedUntil.set(channel, this.opts.now() + ms);
  }

  clearSilence(): void {
    this.mutedUntil.clear();
    this.silencedUntil = 0;
  }

  close(): Promise<void> {
    clearInterval(this.idleTimer);
    for (const c of this.conns) c.ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------
  // Connections and client messages
  // -------------------------------------------------------------------------------------------

  private onConnection(ws: WebSocket, ip: string): void {
    const conn: Conn = { id: this.nextId++, ws, ip, subs: new Map(), lastSeen: this.opts.now() };
    this.conns.add(conn);
    this.stats.connectionsTotal++;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      conn.lastSeen = this.opts.now();
      this.stats.messages++;
      if (isBinary) return;
      this.onMessage(conn, data.toString("utf8"));
    });
    ws.on("close", () => this.dropConn(conn));
    ws.on("error", () => this.dropConn(conn));
    // The exchange greets every connection with this plain-text frame (the official Python SDK
    // skips it by its text; the TypeScript SDK ignores frames that are not JSON).
    this.sendRaw(conn, CONNECTED_GREETING);
  }

  private dropConn(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    for (const sub of conn.subs.values()) this.unindex(conn, sub);
    conn.subs.clear();
  }

  private closeIdle(): void {
    const now = this.opts.now();
    for (const c of this.conns) {
      if (now - c.lastSeen > this.opts.idleMs) {
        this.opts.log(`ws ${c.id}: closed after ${this.opts.idleMs} ms without a message`);
        c.ws.close(1000, "idle");
        this.dropConn(c);
      }
    }
  }

  private silenced(): boolean {
    return this.silencedUntil > 0 && this.opts.now() < this.silencedUntil;
  }

  private sendRaw(conn: Conn, text: string): void {
    if (this.silenced() || conn.ws.readyState !== conn.ws.OPEN) return;
    if (this.mutedUntil.size > 0) {
      const channel = /^\{"channel":"([^"]+)"/.exec(text)?.[1];
      const until = channel === undefined ? undefined : this.mutedUntil.get(channel);
      if (until !== undefined) {
        if (this.opts.now() < until) return;
        this.mutedUntil.delete(channel as string);
      }
    }
    conn.ws.send(text);
  }

  private send(conn: Conn, channel: string, data?: unknown): void {
    this.sendRaw(conn, JSON.stringify(data === undefined ? { channel } : { channel, data }));
  }

  private error(conn: Conn, message: string): void {
    this.send(conn, "error", message);
  }

  private onMessage(conn: Conn, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.error(conn, `Error parsing JSON into valid websocket request: ${text.slice(0, 200)}`);
      return;
    }
    const unparsed = () =>
      this.error(conn, `Error parsing JSON into valid websocket request: ${text.slice(0, 200)}`);
    // JSON that is no request object (`null`, `5`, `"ping"`) is as unparseable as `[]`.
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
      unparsed();
      return;
    }
    const m = msg as { method?: unknown; subscription?: unknown; id?: unknown; request?: unknown };
    // A (un)subscribe without a subscription object cannot be read at all (the exchange's parse
    // error, not "Invalid subscription undefined").
    const hasSubscription = typeof m.subscription === "object" && m.subscription !== null;
    switch (m.method) {
      case "ping":
        this.send(conn, "pong");
        return;
      case "subscribe":
        if (hasSubscription) this.subscribe(conn, m.subscription);
        else unparsed();
        return;
      case "unsubscribe":
        if (hasSubscription) this.unsubscribe(conn, m.subscription);
        else unparsed();
        return;
      case "post":
        this.post(conn, m.id, m.request);
        return;
      default:
        unparsed();
    }
  }

  private parseSubscription(raw: unknown): Subscription | null {
    if (typeof raw !== "object" || raw === null) return null;
    const payload = raw as Record<string, unknown>;
    const type = payload.type;
    if (typeof type !== "string") return null;
    const sub: Subscription = { key: subscriptionKey(payload), type, payload };
    if (USER_COIN_TYPES.has(type)) {
      const { user, coin } = payload;
      if (!isWireAddress(user) || typeof coin !== "string" || !this.engine.marketsByName.has(coin))
        return null;
      sub.user = user.toLowerCase() as Hex;
      sub.coin = coin;
      return sub;
    }
    if (USER_TYPES.has(type)) {
      const user = payload.user;
      if (!isWireAddress(user)) return null;
      sub.user = user.toLowerCase() as Hex;
      return sub;
    }
    if (COIN_TYPES.has(type)) {
      const coin = payload.coin;
      if (typeof coin !== "string" || !this.engine.marketsByName.has(coin)) return null;
      sub.coin = coin;
      if (type === "candle") {
        if (!views.isCandleInterval(payload.interval)) return null;
        sub.interval = payload.interval;
      }
      if (type === "l2Book") {
        const n = payload.nSigFigs;
        if (n !== undefined && n !== null && (typeof n !== "number" || ![2, 3, 4, 5].includes(n)))
          return null;
        sub.nSigFigs = typeof n === "number" ? n : null;
        const mantissa = payload.mantissa;
        if (mantissa !== undefined && mantissa !== null) {
          if (typeof mantissa !== "number" || ![1, 2, 5].includes(mantissa) || n !== 5) return null;
          sub.mantissa = mantissa;
        }
      }
      return sub;
    }
    if (!MARKET_TYPES.has(type)) return null;
    // `dex` names a perp dex (a string; "" the default one), read as the one dex, as info reads it.
    if (type === "assetCtxs" && payload.dex !== undefined && typeof payload.dex !== "string") return null;
    return sub;
  }

  private indexKey(sub: Subscription): string {
    return sub.user ? `${sub.type}:${sub.user}` : sub.coin ? `${sub.type}:${sub.coin}` : sub.type;
  }

  private unindex(conn: Conn, sub: Subscription): void {
    const k = this.indexKey(sub);
    const set = this.index.get(k);
    set?.delete(conn);
    if (set && set.size === 0) this.index.delete(k);
  }

  private subscribe(conn: Conn, raw: unknown): void {
    const sub = this.parseSubscription(raw);
    if (!sub) {
      this.error(conn, `Invalid subscription ${JSON.stringify(raw)}`);
      return;
    }
    if (conn.subs.has(sub.key)) {
      this.error(conn, `Already subscribed: ${JSON.stringify(raw)}`);
      return;
    }
    // Counted over every connection of the caller's IP, as the exchange counts them: a client
    // that reconnects while its old socket still holds subscriptions can run into them.
    const sameIp = [...this.conns].filter((c) => c.ip === conn.ip);
    if (sameIp.reduce((n, c) => n + c.subs.size, 0) >= MAX_SUBSCRIPTIONS) {
      this.error(conn, `Cannot subscribe to more than ${MAX_SUBSCRIPTIONS} channels.`);
      return;
    }
    if (sub.user) {
      const users = new Set<Hex>();
      for (const c of sameIp) for (const s of c.subs.values()) if (s.user) users.add(s.user);
      if (!users.has(sub.user) && users.size >= MAX_USERS) {
        this.error(conn, `Cannot track more than ${MAX_USERS} total users.`);
        return;
      }
    }
    conn.subs.set(sub.key, sub);
    const k = this.indexKey(sub);
    let set = this.index.get(k);
    if (!set) {
      set = new Map();
      this.index.set(k, set);
    }
    set.set(conn, sub);
    this.send(conn, "subscriptionResponse", { method: "subscribe", subscription: raw });
    this.snapshot(conn, sub);
  }

  private unsubscribe(conn: Conn, raw: unknown): void {
    const key = subscriptionKey(raw);
    const sub = conn.subs.get(key);
    if (!sub) {
      this.error(conn, `Already unsubscribed: ${JSON.stringify(raw)}`);
      return;
    }
    conn.subs.delete(key);
    this.unindex(conn, sub);
    this.send(conn, "subscriptionResponse", { method: "unsubscribe", subscription: raw });
  }

  private snapshot(conn: Conn, sub: Subscription): void {
    const e = this.engine;
    switch (sub.type) {
      case "allMids": {
        const data: AllMidsEvent = { mids: views.allMids(e) };
        this.send(conn, "allMids", data);
        return;
      }
      case "l2Book":
        if (sub.coin) this.send(conn, "l2Book", views.l2Book(e, sub.coin, sub.nSigFigs, sub.mantissa));
        return;
      case "bbo": {
        const m = sub.coin ? e.marketsByName.get(sub.coin) : undefined;
        if (m) this.send(conn, "bbo", views.bbo(e, m));
        return;
      }
      case "trades": {
        const m = sub.coin ? e.marketsByName.get(sub.coin) : undefined;
        if (m && m.trades.length > 0) this.send(conn, "trades", m.trades.slice(-20));
        return;
      }
      case "candle": {
        const candle = sub.coin && sub.interval ? this.currentCandle(sub.coin, sub.interval) : undefined;
        if (candle) this.send(conn, "candle", candle);
        return;
      }
      case "activeAssetCtx":
      case "activeAssetData":
        this.sendActive(conn, sub);
        return;
      case "openOrders":
        if (sub.user) this.send(conn, "openOrders", this.openOrdersEvent(sub.user));
        return;
      case "userTwapSliceFills":
        if (sub.user) {
          // The snapshot is what info userTwapSliceFills answers; each slice's fills follow live.
          const data: UserTwapSliceFillsEvent = {
            isSnapshot: true,
            user: sub.user,
            twapSliceFills: views.userTwapSliceFills(e, sub.user),
          };
          this.send(conn, "userTwapSliceFills", data);
        }
        return;
      case "userTwapHistory":
        if (sub.user) {
          const data: UserTwapHistoryEvent = {
            isSnapshot: true,
            user: sub.user,
            history: views.twapHistory(e, sub.user),
          };
          this.send(conn, "userTwapHistory", data);
        }
        return;
      case "twapStates":
        if (sub.user) this.send(conn, "twapStates", this.twapStatesEvent(sub));
        return;
      case "webData2":
        if (sub.user) this.send(conn, "webData2", views.webData2(e, sub.user));
        return;
      case "webData3":
        if (sub.user) this.send(conn, "webData3", views.webData3(e, sub.user));
        return;
      case "spotState":
      case "allDexsClearinghouseState":
        if (sub.user) this.send(conn, sub.type, this.userState(sub.type, sub.user));
        return;
      case "assetCtxs":
      case "allDexsAssetCtxs":
      case "fastAssetCtxs":
        this.sendRaw(conn, JSON.stringify({ channel: sub.type, data: this.priceData(sub) }));
        return;
      case "spotAssetCtxs": {
        const data: SpotAssetCtxsEvent = [];
        this.send(conn, "spotAssetCtxs", data);
        return;
      }
      case "userFills":
        if (sub.user) {
          const data: UserFillsEvent = {
            isSnapshot: true,
            user: sub.user,
            fills: views.userFills(e, sub.user),
          };
          this.send(conn, "userFills", data);
        }
        return;
      case "clearinghouseState":
        if (sub.user) this.send(conn, "clearinghouseState", this.clearinghouse(sub.user));
        return;
      case "userFundings":
        if (sub.user) {
          const data: UserFundingsEvent = {
            isSnapshot: true,
            user: sub.user,
            fundings: views.userFundingsSnapshot(e, sub.user).map((f) => ({
              time: f.time,
              coin: f.delta.coin,
              usdc: f.delta.usdc,
              szi: f.delta.szi,
              fundingRate: f.delta.fundingRate,
              nSamples: f.delta.nSamples,
            })),
          };
          this.send(conn, "userFundings", data);
        }
        return;
      case "userNonFundingLedgerUpdates":
        if (sub.user) {
          const data: UserNonFundingLedgerUpdatesEvent = {
            isSnapshot: true,
            user: sub.user,
            nonFundingLedgerUpdates: views.ledgerSnapshot(e, sub.user),
          };
          this.send(conn, "userNonFundingLedgerUpdates", data);
        }
        return;
      default:
        return;
    }
  }

  private flushCandles(coin: string): void {
    const subs = this.subscribers(`candle:${coin}`);
    if (!subs) return;
    const texts = new Map<CandleInterval, string | null>();
    for (const [conn, sub] of subs) {
      const interval = sub.interval;
      if (!interval) continue;
      let text = texts.get(interval);
      if (text === undefined) {
        const candle = this.currentCandle(coin, interval);
        const next = candle ? JSON.stringify({ channel: "candle", data: candle }) : null;
        const key = `${coin}/${interval}`;
        text = next !== null && this.lastCandle.get(key) !== next ? next : null;
        if (next !== null) this.lastCandle.set(key, next);
        texts.set(interval, text);
      }
      if (text !== null) this.sendRaw(conn, text);
    }
  }

  /** The candle of `interval` the clock is in now (built from the simulator's own prices). */
  private currentCandle(coin: string, interval: CandleInterval): Candle | undefined {
    const now = this.opts.now();
    return views.candleSnapshot(this.engine, coin, interval, now, null).at(-1);
  }

  private openOrdersEvent(user: Hex): OpenOrdersEvent {
    return { dex: "", user, orders: views.frontendOpenOrders(this.engine, user) };
  }

  /** An activeAssetCtx / activeAssetData message, unless it is the one this subscription last got. */
  private sendActive(conn: Conn, sub: Subscription): void {
    const m = sub.coin ? this.engine.marketsByName.get(sub.coin) : undefined;
    if (!m) return;
    const data =
      sub.type === "activeAssetCtx"
        ? views.activeAssetCtx(this.engine, m)
        : sub.user
          ? views.activeAssetData(this.engine, sub.user, m)
          : undefined;
    if (data === undefined) return;
    const text = JSON.stringify({ channel: sub.type, data });
    if (text === sub.last) return;
    sub.last = text;
    this.sendRaw(conn, text);
  }

  /** A `spotState` / `allDexsClearinghouseState` message (the one dex is `""`). */
  private userState(type: "spotState" | "allDexsClearinghouseState", user: Hex): unknown {
    if (type === "spotState") {
      const data: SpotStateEvent = { user, spotState: views.spotClearinghouseState(this.engine, user) };
      return data;
    }
    const data: AllDexsClearinghouseStateEvent = {
      user,
      clearinghouseStates: [["", views.clearinghouseState(this.engine, user)]],
    };
    return data;
  }

  /**
   * The data of a price-following stream: `assetCtxs` (the dex the client named echoed, as the
   * SDK matches on it), `allDexsAssetCtxs` (the one dex, `""`), `fastAssetCtxs` (each coin's
   * mark and mid, sent as the exchange sends it: base64 of the raw-DEFLATE JSON, which the SDK
   * inflates).
   */
  private priceData(sub: Subscription): unknown {
    const [, ctxs] = views.metaAndAssetCtxs(this.engine);
    if (sub.type === "assetCtxs") {
      const data: AssetCtxsEvent = { dex: typeof sub.payload.dex === "string" ? sub.payload.dex : "", ctxs };
      return data;
    }
    if (sub.type === "allDexsAssetCtxs") {
      const data: AllDexsAssetCtxsEvent = { ctxs: [["", ctxs]] };
      return data;
    }
    const fast: Record<string, { markPx: string; midPx: string | null }> = {};
    this.engine.markets.forEach((m, i) => {
      const ctx = ctxs[i];
      if (ctx) fast[m.name] = { markPx: ctx.markPx, midPx: ctx.midPx };
    });
    return deflateRawSync(Buffer.from(JSON.stringify(fast))).toString("base64");
  }

  private clearinghouse(user: Hex): ClearinghouseStateEvent {
    return { dex: "", user, clearinghouseState: views.clearinghouseState(this.engine, user) };
  }

  private post(conn: Conn, id: unknown, request: unknown): void {
    if (typeof id !== "number" || typeof request !== "object" || request === null) {
      this.error(conn, `Error parsing JSON into valid websocket request: ${JSON.stringify({ id, request })}`);
      return;
    }
    const r = request as { type?: unknown; payload?: unknown };
    const type = r.type;
    if (type !== "info" && type !== "action") {
      this.error(conn, `Error parsing JSON into valid websocket request: ${JSON.stringify({ id, request })}`);
      return;
    }
    this.stats.posts++;
    if (type === "info") this.stats.postsInfo++;
    else this.stats.postsAction++;
    this.opts
      .post({ type, payload: r.payload })
      .catch(
        (e: unknown): PostResponse => ({
          type: "error",
          payload: e instanceof Error ? e.message : String(e),
        }),
      )
      .then((response) => this.send(conn, "post", { id, response }));
  }

  // -------------------------------------------------------------------------------------------
  // Fan-out of engine events
  // -------------------------------------------------------------------------------------------

  private subscribers(key: string): Map<Conn, Subscription> | undefined {
    const set = this.index.get(key);
    return set && set.size > 0 ? set : undefined;
  }

  private broadcast(key: string, channel: string, data: unknown): void {
    const set = this.subscribers(key);
    if (!set) return;
    const text = JSON.stringify({ channel, data });
    for (const conn of set.keys()) this.sendRaw(conn, text);
  }

  fills(user: Hex, fills: UserFill[]): void {
    if (this.subscribers(`userTwapSliceFills:${user}`)) {
      const twapSliceFills = views.sliceFills(fills);
      if (twapSliceFills.length > 0) {
        const data: UserTwapSliceFillsEvent = { user, twapSliceFills };
        this.broadcast(`userTwapSliceFills:${user}`, "userTwapSliceFills", data);
      }
    }
    if (this.subscribers(`userFills:${user}`)) {
      const data: UserFillsEvent = { user, fills };
      this.broadcast(`userFills:${user}`, "userFills", data);
    }
    if (this.subscribers(`userEvents:${user}`)) {
      const data: UserEventsEvent = { fills };
      this.broadcast(`userEvents:${user}`, "user", data);
    }
  }

  orderUpdates(user: Hex, updates: OrderUpdatesEvent): void {
    this.broadcast(`orderUpdates:${user}`, "orderUpdates", updates);
    // The open orders as they stand after the change (every status change of the batch is
    // already applied when the engine reports it).
    if (this.subscribers(`openOrders:${user}`))
      this.broadcast(`openOrders:${user}`, "openOrders", this.openOrdersEvent(user));
    // webData2 lists the open orders too.
    if (this.subscribers(`webData2:${user}`)) this.account(user);
  }

  userEvent(user: Hex, event: UserEventsEvent): void {
    this.broadcast(`userEvents:${user}`, "user", event);
    // A funding payment also goes to userFundings subscribers, the payments of one funding
    // run grouped in one message per user (as the exchange sends them).
    if ("funding" in event && this.subscribers(`userFundings:${user}`)) {
      const list = this.pendingFundings.get(user) ?? [];
      list.push(event.funding);
      this.pendingFundings.set(user, list);
      this.schedule();
    }
  }

  ledger(user: Hex, updates: LedgerUpdate[]): void {
    if (!this.subscribers(`userNonFundingLedgerUpdates:${user}`)) return;
    const data: UserNonFundingLedgerUpdatesEvent = { user, nonFundingLedgerUpdates: updates };
    this.broadcast(`userNonFundingLedgerUpdates:${user}`, "userNonFundingLedgerUpdates", data);
  }

  trades(coin: string, trades: RecentTrade[]): void {
    this.broadcast(`trades:${coin}`, "trades", trades);
  }

  book(coin: string): void {
    this.pending.books.add(coin);
    this.schedule();
  }

  mids(): void {
    this.pending.mids = true;
    this.schedule();
  }

  account(user: Hex): void {
    this.pending.accounts.add(user);
    this.schedule();
  }

  /** A TWAP changed: its new history records (none for a slice's progress), and the running states. */
  twaps(user: Hex, records: TwapRecord[]): void {
    if (records.length > 0 && this.subscribers(`userTwapHistory:${user}`)) {
      const data: UserTwapHistoryEvent = { user, history: records.map(views.twapHistoryRecord) };
      this.broadcast(`userTwapHistory:${user}`, "userTwapHistory", data);
    }
    const subs = this.subscribers(`twapStates:${user}`);
    if (subs) for (const [conn, sub] of subs) this.send(conn, "twapStates", this.twapStatesEvent(sub));
  }

  /** `twapStates` for one subscription: the dex it named echoed, as the SDK matches on it. */
  private twapStatesEvent(sub: Subscription): TwapStatesEvent {
    const user = sub.user as Hex;
    const dex = typeof sub.payload.dex === "string" ? sub.payload.dex : "";
    return { dex, user, states: views.twapStates(this.engine, user) };
  }

  /** Book, mids and account snapshots are coalesced: at most one message each per turn. */
  private schedule(): void {
    if (this.pending.scheduled) return;
    this.pending.scheduled = true;
    setImmediate(() => this.flushPending());
  }

  private flushPending(): void {
    const p = this.pending;
    this.pending = { mids: false, books: new Set(), accounts: new Set(), scheduled: false };
    const fundings = this.pendingFundings;
    this.pendingFundings = new Map();
    for (const [user, list] of fundings) {
      const data: UserFundingsEvent = { user, fundings: list };
      this.broadcast(`userFundings:${user}`, "userFundings", data);
    }
    const e = this.engine;
    if (p.mids && this.subscribers("allMids")) {
      const data: AllMidsEvent = { mids: views.allMids(e) };
      this.broadcast("allMids", "allMids", data);
    }
    // Candles move with the mid (every price tick) and with trades (volume): both flush here.
    for (const coin of p.mids ? e.marketsByName.keys() : p.books) this.flushCandles(coin);
    for (const coin of p.books) {
      const m = e.marketsByName.get(coin);
      if (!m) continue;
      const books = this.subscribers(`l2Book:${coin}`);
      if (books) {
        const bySigFigs = new Map<string, string>();
        for (const [conn, sub] of books) {
          const n = sub.nSigFigs ?? null;
          const mantissa = sub.mantissa ?? null;
          const key = `${n}/${mantissa}`;
          let text = bySigFigs.get(key);
          if (text === undefined) {
            text = JSON.stringify({ channel: "l2Book", data: views.l2Book(e, coin, n, mantissa) });
            bySigFigs.set(key, text);
          }
          this.sendRaw(conn, text);
        }
      }
      if (this.subscribers(`bbo:${coin}`)) {
        const data = views.bbo(e, m);
        const sig = JSON.stringify(data.bbo);
        if (this.lastBbo.get(coin) !== sig) {
          this.lastBbo.set(coin, sig);
          this.broadcast(`bbo:${coin}`, "bbo", data);
        }
      }
    }
    for (const user of p.accounts) {
      if (this.subscribers(`clearinghouseState:${user}`)) {
        this.broadcast(`clearinghouseState:${user}`, "clearinghouseState", this.clearinghouse(user));
      }
    }
    for (const user of p.accounts) {
      for (const type of ["spotState", "allDexsClearinghouseState"] as const) {
        if (this.subscribers(`${type}:${user}`))
          this.broadcast(`${type}:${user}`, type, this.userState(type, user));
      }
      if (this.subscribers(`webData3:${user}`))
        this.broadcast(`webData3:${user}`, "webData3", views.webData3(e, user));
    }
    if (p.mids) {
      for (const type of PRICE_TYPES) {
        const subs = this.subscribers(type);
        if (!subs) continue;
        const texts = new Map<string, string>();
        for (const [conn, sub] of subs) {
          const key = JSON.stringify(sub.payload.dex ?? "");
          let text = texts.get(key);
          if (text === undefined) {
            text = JSON.stringify({ channel: type, data: this.priceData(sub) });
            texts.set(key, text);
          }
          this.sendRaw(conn, text);
        }
      }
    }
    // webData2 carries the account and every market's context: again after a change of either.
    if (p.mids || p.accounts.size > 0) {
      for (const key of this.index.keys()) {
        if (!key.startsWith("webData2:")) continue;
        const user = key.slice("webData2:".length) as Hex;
        if (p.mids || p.accounts.has(user)) this.broadcast(key, "webData2", views.webData2(e, user));
      }
    }
    // activeAssetCtx follows its market (price, book, trades); activeAssetData its user's
    // account and the mark. Each goes out again only when its content changed.
    for (const coin of p.mids ? e.marketsByName.keys() : p.books) {
      const subs = this.subscribers(`activeAssetCtx:${coin}`);
      if (subs) for (const [conn, sub] of subs) this.sendActive(conn, sub);
    }
    if (p.mids || p.accounts.size > 0 || p.books.size > 0) {
      for (const [key, subs] of this.index) {
        if (!key.startsWith("activeAssetData:")) continue;
        for (const [conn, sub] of subs) {
          if (p.mids || (sub.user && p.accounts.has(sub.user)) || (sub.coin && p.books.has(sub.coin)))
            this.sendActive(conn, sub);
        }
      }
    }
  }
}
