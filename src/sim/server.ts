// The simulator's HTTP face: POST /info, POST /exchange, POST /control and the /ws upgrade,
// with the fault injection, latency and request counters tests rely on. `startSim` wires the
// engine, the websocket hub and the clock (price ticks, funding, housekeeping) together.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Engine } from "./engine.js";
import { actionType, handleExchange, NonceBook } from "./exchange.js";
import { DESERIALIZE_ERROR, handleInfo, RequestError } from "./info.js";
import {
  DEFAULT_BOOK_LEVELS,
  DEFAULT_DEPTH_USD,
  DEFAULT_MARKETS,
  DEFAULT_REFILL_MS,
  parseMarkets,
} from "./markets.js";
import { isWireAddress } from "./numbers.js";
import type { Hex, SimControl, SimFault, SimHandle, SimOptions, SimOrderRecord, SimStats } from "./types.js";
import { type PostResponse, WsHub } from "./ws.js";

const MAX_BODY = 1 << 20;

interface FaultState {
  http429: { count: number; endpoint: "info" | "exchange" | undefined };
  http500: {
    count: number;
    stage: "before" | "after" | undefined;
    endpoint: "info" | "exchange" | undefined;
  };
  latencyMs: number;
  /** Per endpoint: the answer is made on arrival and sent this much later. */
  replyLatencyMs: { info: number; exchange: number };
}

function noFaults(): FaultState {
  return {
    http429: { count: 0, endpoint: undefined },
    http500: { count: 0, stage: undefined, endpoint: undefined },
    latencyMs: 0,
    replyLatencyMs: { info: 0, exchange: 0 },
  };
}

function emptyCounters() {
  return {
    requests: { info: 0, exchange: 0, control: 0 },
    http: { info: 0, exchange: 0, control: 0 },
    infoByType: {} as Record<string, number>,
    actionByType: {} as Record<string, number>,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new RequestError("request body too large", 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** `application/json`, or any `application/…+json`, parameters allowed (what axum's Json takes). */
function isJsonContentType(header: string | undefined): boolean {
  const mime = header?.split(";")[0]?.trim().toLowerCase() ?? "";
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

/**
 * Axum's answer to a body that is not JSON at all (a syntax error, not a wrong shape): HTTP 400
 * `Failed to parse the request body as JSON: <serde_json's error>`. The detail follows serde's
 * wording for the common cases (end of input, trailing characters, anything else "expected
 * value") with its 1-based line and column; it is an approximation, clients match the prefix.
 */
export const JSON_SYNTAX_ERROR = "Failed to parse the request body as JSON";

export function jsonSyntaxError(text: string, parseMessage: string): string {
  const at = (pos: number): string => {
    const before = text.slice(0, pos);
    const line = before.split("\n").length;
    return `at line ${line} column ${pos - (before.lastIndexOf("\n") + 1)}`;
  };
  const position = /position (\d+)/.exec(parseMessage);
  if (text.trim() === "" || /end of JSON input/i.test(parseMessage)) {
    return `${JSON_SYNTAX_ERROR}: EOF while parsing a value ${at(text.trimEnd().length)}`;
  }
  const pos = position ? Number(position[1]) : text.length - 1;
  const what = /after JSON/i.test(parseMessage) ? "trailing characters" : "expected value";
  return `${JSON_SYNTAX_ERROR}: ${what} ${at(pos + 1)}`;
}

/**
 * The CORS headers on every mainnet reply (recorded in the official Python SDK's cassettes:
 * `access-control-allow-origin: *`, `access-control-expose-headers: *`, and `vary` naming the
 * origin and the preflight's two request headers — a permissive CORS layer), so a page in a
 * browser can call the simulator as it calls the exchange.
 */
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "*",
  Vary: "origin, access-control-request-method, access-control-request-headers",
} as const;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" && status !== 200 ? body : JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": status === 200 || typeof body !== "string" ? "application/json" : "text/plain",
    "Content-Length": Buffer.byteLength(text),
    ...CORS_HEADERS,
  });
  res.end(text);
}

/** A browser's preflight: allowed for any method and header, as a permissive CORS layer answers. */
function sendPreflight(res: ServerResponse): void {
  res.writeHead(200, {
    ...CORS_HEADERS,
    "Access-Control-Allow-Methods": "*",
    "Access-Control-Allow-Headers": "*",
    "Content-Length": 0,
  });
  res.end();
}

/** Check a fault object from /control or the in-process API. @throws {Error} naming the bad field. */
function parseFault(value: Record<string, unknown>): SimFault {
  const count = (): number => {
    const c = value.count;
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0)
      throw new Error("fault count must be an integer ≥ 0");
    return c;
  };
  const ms = (): number => {
    const m = value.ms;
    if (typeof m !== "number" || !Number.isFinite(m) || m < 0)
      throw new Error("fault ms must be a number ≥ 0");
    return m;
  };
  const endpoint = (): "info" | "exchange" | undefined => {
    const e = value.endpoint;
    if (e === undefined) return undefined;
    if (e !== "info" && e !== "exchange") throw new Error('fault endpoint must be "info" or "exchange"');
    return e;
  };
  switch (value.kind) {
    case "dropWs":
      return { kind: "dropWs" };
    case "silenceWs":
      return { kind: "silenceWs", ms: ms() };
    case "rejectOrders": {
      const message = value.message;
      if (message !== undefined && typeof message !== "string")
        throw new Error("fault message must be a string");
      return message === undefined
        ? { kind: "rejectOrders", count: count() }
        : { kind: "rejectOrders", count: count(), message };
    }
    case "partialFill": {
      const f = value.fraction;
      if (typeof f !== "number" || !(f >= 0 && f <= 1))
        throw new Error("fault fraction must be within [0, 1]");
      return { kind: "partialFill", count: count(), fraction: f };
    }
    case "http429": {
      const e = endpoint();
      return e ? { kind: "http429", count: count(), endpoint: e } : { kind: "http429", count: count() };
    }
    case "http500": {
      const stage = value.stage;
      if (stage !== undefined && stage !== "before" && stage !== "after") {
        throw new Error('fault stage must be "before" or "after"');
      }
      const e = endpoint();
      return {
        kind: "http500",
        count: count(),
        ...(stage ? { stage } : {}),
        ...(e ? { endpoint: e } : {}),
      };
    }
    case "latency": {
      const e = endpoint();
      return e ? { kind: "latency", ms: ms(), endpoint: e } : { kind: "latency", ms: ms() };
    }
    case "postOnly":
      return { kind: "postOnly", ms: ms() };
    case "userRateLimit": {
      const user = value.user;
      if (!isWireAddress(user)) throw new Error("fault user must be a 0x address (40 hex digits)");
      const remaining = value.remaining;
      if (typeof remaining !== "number" || !Number.isInteger(remaining) || remaining < 0)
        throw new Error("fault remaining must be an integer ≥ 0");
      const interval = value.intervalMs;
      if (
        interval !== undefined &&
        (typeof interval !== "number" || !Number.isFinite(interval) || interval < 0)
      )
        throw new Error("fault intervalMs must be a number ≥ 0");
      return {
        kind: "userRateLimit",
        user: user.toLowerCase() as Hex,
        remaining,
        ...(interval === undefined ? {} : { intervalMs: interval }),
      };
    }
    case "nonce": {
      const user = value.user;
      if (user === undefined) return { kind: "nonce", count: count() };
      if (!isWireAddress(user)) throw new Error("fault user must be a 0x address (40 hex digits)");
      return { kind: "nonce", count: count(), user: user.toLowerCase() as Hex };
    }
    case "muteChannel": {
      const channel = value.channel;
      if (typeof channel !== "string" || !/^[A-Za-z0-9]{1,40}$/.test(channel))
        throw new Error('fault channel must be a channel name like "userFills"');
      return { kind: "muteChannel", channel, ms: ms() };
    }
    default:
      throw new Error(`unknown fault kind ${JSON.stringify(value.kind)}`);
  }
}

/**
 * Start a simulator listening on `host:port` (port 0 picks a free one).
 * @throws {Error} when the markets are invalid or the port cannot be bound.
 */
export async function startSim(options: SimOptions = {}): Promise<SimHandle> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 1;
  const tickMs = options.tickMs ?? 500;
  const fundingIntervalMs = options.fundingIntervalMs ?? 3_600_000;
  const log = options.log ?? (() => {});
  const markets = parseMarkets(options.markets ?? DEFAULT_MARKETS);
  const now = options.clock ?? (() => Date.now());

  const bookLevels = options.bookLevels ?? DEFAULT_BOOK_LEVELS;
  if (options.depthUsd !== undefined && !(Number.isFinite(options.depthUsd) && options.depthUsd > 0))
    throw new Error("depthUsd must be a positive number");
  if (options.refillMs !== undefined && !(Number.isFinite(options.refillMs) && options.refillMs >= 0))
    throw new Error("refillMs must be a number ≥ 0");
  const engine = new Engine({
    seed,
    markets,
    bookLevels,
    depthUsd:
      options.depthUsd ??
      (options.levelSizeUsd !== undefined ? options.levelSizeUsd * bookLevels : DEFAULT_DEPTH_USD),
    refillMs: options.refillMs ?? DEFAULT_REFILL_MS,
    stepSeconds: (tickMs > 0 ? tickMs : 500) / 1000,
    fundingIntervalMs,
    ...(options.candleHistoryDays === undefined ? {} : { candleHistoryDays: options.candleHistoryDays }),
    now,
  });
  const exchangeCtx = { engine, nonces: new NonceBook(), isTestnet: options.testnetSigning ?? false };
  let faults = noFaults();
  let counters = emptyCounters();

  const countInfo = (type: unknown) => {
    counters.requests.info++;
    const key = typeof type === "string" ? type : "?";
    counters.infoByType[key] = (counters.infoByType[key] ?? 0) + 1;
  };
  const countAction = (type: string | undefined) => {
    counters.requests.exchange++;
    const key = type ?? "?";
    counters.actionByType[key] = (counters.actionByType[key] ?? 0) + 1;
  };

  const hub = new WsHub(engine, {
    idleMs: options.wsIdleMs ?? 60_000,
    now,
    log,
    post: async (request): Promise<PostResponse> => {
      const payload = request.payload as Record<string, unknown>;
      if (request.type === "info") countInfo(payload?.type);
      else countAction(actionType(payload));
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (typeof payload !== "object" || payload === null)
        return { type: "error", payload: DESERIALIZE_ERROR };
      try {
        if (request.type === "info") {
          return { type: "info", payload: { type: String(payload.type), data: handleInfo(engine, payload) } };
        }
        return { type: "action", payload: await handleExchange(exchangeCtx, payload) };
      } catch (e) {
        return { type: "error", payload: e instanceof Error ? e.message : String(e) };
      }
    },
  });
  engine.listener = hub;

  const stats = (): SimStats => {
    const subs = hub.subscriptionCounts();
    return {
      requests: { ...counters.requests },
      http: { ...counters.http },
      infoByType: { ...counters.infoByType },
      actionByType: { ...counters.actionByType },
      ws: {
        connections: hub.connectionCount,
        connectionsTotal: hub.stats.connectionsTotal,
        subscriptions: subs.total,
        subscriptionsByType: subs.byType,
        messages: hub.stats.messages,
        posts: hub.stats.posts,
        postsInfo: hub.stats.postsInfo,
        postsAction: hub.stats.postsAction,
      },
      ordersPlaced: engine.counters.ordersPlaced,
      ordersRejected: engine.counters.ordersRejected,
      fills: engine.counters.fills,
    };
  };

  const applyFault = (f: SimFault): void => {
    const checked = parseFault(f as unknown as Record<string, unknown>);
    switch (checked.kind) {
      case "dropWs":
        hub.dropAll();
        return;
      case "silenceWs":
        hub.silence(checked.ms);
        return;
      case "rejectOrders":
        engine.faults.rejectOrders = { count: checked.count, message: checked.message };
        return;
      case "partialFill":
        engine.faults.partialFill = { count: checked.count, fraction: checked.fraction };
        return;
      case "http429":
        faults.http429 = { count: checked.count, endpoint: checked.endpoint };
        return;
      case "http500":
        faults.http500 = { count: checked.count, stage: checked.stage, endpoint: checked.endpoint };
        return;
      case "latency":
        if (checked.endpoint) faults.replyLatencyMs[checked.endpoint] = checked.ms;
        else faults.latencyMs = checked.ms;
        return;
      case "postOnly":
        engine.faults.postOnlyUntil = now() + checked.ms;
        return;
      case "userRateLimit":
        engine.limitRequests(checked.user, checked.remaining, checked.intervalMs ?? 10_000);
        return;
      case "nonce":
        exchangeCtx.nonces.fault = { count: checked.count, user: checked.user };
        return;
      case "muteChannel":
        hub.mute(checked.channel, checked.ms);
        return;
    }
  };

  const checkUser = (user: unknown): Hex => {
    if (!isWireAddress(user)) throw new Error("user must be a 0x address (40 hex digits)");
    return user.toLowerCase() as Hex;
  };

  const control: SimControl = {
    fund: (user, usdAmount) => engine.fund(checkUser(user), usdAmount),
    setMid: (coin, px) => engine.setMid(coin, px),
    fault: applyFault,
    stats,
    reset: () => {
      faults = noFaults();
      counters = emptyCounters();
      engine.faults.rejectOrders = { count: 0, message: undefined };
      engine.faults.partialFill = { count: 0, fraction: 1 };
      engine.faults.postOnlyUntil = 0;
      exchangeCtx.nonces.fault = { count: 0, user: undefined };
      engine.counters.ordersPlaced = 0;
      engine.counters.ordersRejected = 0;
      engine.counters.fills = 0;
      hub.clearSilence();
      hub.resetStats();
    },
    orderHistory: (user): SimOrderRecord[] =>
      (engine.account(checkUser(user))?.orders ?? []).map((o) => engine.orderRecord(o)),
    now,
    tick: (n = 1) => {
      if (!Number.isInteger(n) || n < 1) throw new Error("n must be a positive integer");
      engine.tick(n);
    },
    runFunding: () => engine.runFunding(),
    mid: (coin) => engine.marketsByName.get(coin)?.mid,
  };

  const handleControl = (body: Record<string, unknown>): unknown => {
    switch (body.type) {
      case "fund":
        if (typeof body.usd !== "number") throw new Error("usd must be a number");
        control.fund(checkUser(body.user), body.usd);
        return { status: "ok" };
      case "setMid":
        if (typeof body.coin !== "string" || typeof body.px !== "number")
          throw new Error("coin and px are required");
        control.setMid(body.coin, body.px);
        return { status: "ok" };
      case "fault":
        control.fault(parseFault(body));
        return { status: "ok" };
      case "stats":
        return control.stats();
      case "reset":
        control.reset();
        return { status: "ok" };
      case "orderHistory":
        return control.orderHistory(checkUser(body.user));
      case "now":
        return { now: control.now() };
      case "tick":
        control.tick(body.n === undefined ? 1 : Number(body.n));
        return { status: "ok" };
      case "runFunding":
        control.runFunding();
        return { status: "ok" };
      case "mid": {
        const mid = typeof body.coin === "string" ? control.mid(body.coin) : undefined;
        if (mid === undefined) throw new Error(`unknown coin ${JSON.stringify(body.coin)}`);
        return { mid };
      }
      default:
        throw new Error(`unknown control type ${JSON.stringify(body.type)}`);
    }
  };

  /** Consume one HTTP fault for this endpoint, if any applies. */
  const takeFault = (
    endpoint: "info" | "exchange",
  ): { status: 429 } | { status: 500; after: boolean } | null => {
    const f429 = faults.http429;
    if (f429.count > 0 && (f429.endpoint === undefined || f429.endpoint === endpoint)) {
      f429.count--;
      return { status: 429 };
    }
    const f500 = faults.http500;
    if (f500.count > 0 && (f500.endpoint === undefined || f500.endpoint === endpoint)) {
      f500.count--;
      return { status: 500, after: endpoint === "exchange" && (f500.stage ?? "after") === "after" };
    }
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/" || path === "/health")) {
      send(res, 200, { status: "ok", markets: engine.markets.length });
      return;
    }
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      sendPreflight(res);
      return;
    }
    if (req.method !== "POST" || (path !== "/info" && path !== "/exchange" && path !== "/control")) {
      send(res, 404, "Not Found");
      return;
    }
    const text = await readBody(req);
    if (path !== "/control" && !isJsonContentType(req.headers["content-type"])) {
      // Mainnet's JSON extractor (axum) refuses the body before reading it.
      send(res, 415, "Expected request with `Content-Type: application/json`");
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      if (path !== "/control") {
        // Axum's Json extractor: a syntax error is a 400 before any handler runs; a well-formed
        // body of the wrong shape is its 422 (below).
        send(res, 400, jsonSyntaxError(text, e instanceof Error ? e.message : String(e)));
        return;
      }
      body = undefined;
    }
    const isObject = typeof body === "object" && body !== null && !Array.isArray(body);

    if (path === "/control") {
      counters.requests.control++;
      counters.http.control++;
      try {
        if (!isObject) throw new Error("body must be a JSON object");
        send(res, 200, handleControl(body as Record<string, unknown>));
      } catch (e) {
        send(res, 400, { status: "err", response: e instanceof Error ? e.message : String(e) });
      }
      return;
    }

    const endpoint = path === "/info" ? "info" : "exchange";
    if (endpoint === "info") {
      counters.http.info++;
      countInfo(isObject ? (body as Record<string, unknown>).type : undefined);
    } else {
      counters.http.exchange++;
      countAction(actionType(body));
    }
    const fault = takeFault(endpoint);
    if (fault?.status === 429) {
      send(res, 429, "Too Many Requests");
      return;
    }
    if (fault?.status === 500 && !fault.after) {
      send(res, 500, "Internal Server Error");
      return;
    }
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    try {
      if (!isObject) throw new RequestError(DESERIALIZE_ERROR);
      const result =
        endpoint === "info"
          ? handleInfo(engine, body as Record<string, unknown>)
          : await handleExchange(exchangeCtx, body);
      const slow = faults.replyLatencyMs[endpoint];
      if (slow > 0) await sleep(slow);
      if (fault?.status === 500) {
        // The action ran; the client only learns that the request failed.
        send(res, 500, "Internal Server Error");
        return;
      }
      send(res, 200, result);
    } catch (e) {
      if (e instanceof RequestError) send(res, e.status, e.message);
      else {
        log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        send(res, 500, "Internal Server Error");
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, e instanceof RequestError ? e.status : 500, "Internal Server Error");
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void) => {
    const t = setInterval(() => {
      try {
        fn();
      } catch (e) {
        log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }, ms);
    t.unref();
    timers.push(t);
  };
  if (tickMs > 0) every(tickMs, () => engine.tick(1));
  if (fundingIntervalMs > 0) every(fundingIntervalMs, () => engine.runFunding());
  every(200, () => engine.housekeeping());

  log(
    `sim: listening on http://${urlHost}:${port} (seed ${seed}, tick ${tickMs} ms, ${markets.length} markets)`,
  );

  let closed: Promise<void> | undefined;
  return {
    httpUrl: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}/ws`,
    control,
    close: () => {
      closed ??= (async () => {
        for (const t of timers) clearInterval(t);
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}
