// POST a JSON request over HTTP/1.1 on kept-alive connections (plain or TLS), written here on
// node:net / node:tls rather than node:http. Every order crosses this between the leader's fill
// and our request leaving: node:http's agent, outgoing-message streams and header objects cost
// ~0.15 ms of CPU a request warm and ~0.48 ms with the cold caches of one order every ~100 ms
// (fetch and undici's Client no less); this ~0.06 and ~0.28 ms. What a JSON API over
// HTTP/1.1 sends back is all it reads: a status line, headers, a body by Content-Length, by
// chunks or until close; 1xx interim replies skipped. One request at a time per connection
// (no pipelining); an idle connection the server closes leaves the pool at once.
//
// Failures are the SDK's own HttpRequestError, shaped as its transport shapes them, so error
// translation (errors.ts) cannot tell the two apart: a status → `response`; a network failure,
// a reply cut short, a timeout or an abort → no `response` (the outcome is unknown).

import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { HttpRequestError } from "@nktkas/hyperliquid";
import { attemptSignal } from "./retry.js";

export interface JsonPoster {
  /**
   * POST `payload` as JSON to `endpoint` under the base URL; resolves with the parsed reply.
   * @throws {HttpRequestError} on a non-2xx status, a reply that is not JSON, a network
   *   failure, a timeout or an abort (no `response` then: the outcome is unknown).
   */
  post<T>(endpoint: string, payload: unknown, signal?: AbortSignal, stale?: StaleRetry): Promise<T>;
  /** Drop the idle connections. */
  close(): void;
}

/**
 * For an idempotent request only (an /info read; NEVER an order: resent on a new connection it
 * could run twice): sent on a kept-alive connection that has not answered a byte after `afterMs`,
 * it is sent again, once, on a fresh connection and the old one dropped — a connection the
 * network forgot (a NAT, a VPN or Wi-Fi change, a frozen peer) answers nothing, not even a close,
 * and would hold the read for its whole timeout. A fresh connection has just answered its
 * handshake: a request on it is not resent. `onResend` is told of the second request (its weight).
 */
export interface StaleRetry {
  afterMs: number;
  onResend: () => void;
}

/** Idle connections are dropped after this, before a server's usual 5 s keep-alive ends. */
const IDLE_MS = 4_000;
/** A reply's status line and headers larger than this are refused (no JSON API sends them). */
const MAX_HEAD_BYTES = 64 * 1024;

/** A reply read off the wire. */
interface Reply {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

/** Where requests go: connection options and the request line's fixed part. */
interface Origin {
  tls: boolean;
  host: string;
  port: number;
  /** The Host header (and SNI's name, for a name). */
  hostHeader: string;
  servername: string | undefined;
  authorization: string | undefined;
}

export function jsonPoster(baseUrl: string, timeoutMs: number): JsonPoster {
  const base = new URL(baseUrl);
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  const tls = base.protocol === "https:";
  // A URL's hostname keeps an IPv6 literal's brackets; a socket wants it bare.
  const host = base.hostname.startsWith("[") ? base.hostname.slice(1, -1) : base.hostname;
  const origin: Origin = {
    tls,
    host,
    port: base.port ? Number(base.port) : tls ? 443 : 80,
    hostHeader: base.host,
    servername: /^[\d.]+$/.test(host) || host.includes(":") ? undefined : host,
    authorization:
      base.username || base.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString("base64")}`
        : undefined,
  };
  // Each endpoint's request head up to Content-Length, built once.
  const heads = new Map<string, string>();
  const headOf = (endpoint: string): string => {
    let head = heads.get(endpoint);
    if (head === undefined) {
      const url = new URL(endpoint, base);
      url.search = base.search; // relative resolution drops the base query
      head =
        `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${origin.hostHeader}\r\n` +
        (origin.authorization ? `Authorization: ${origin.authorization}\r\n` : "") +
        "Content-Type: application/json\r\nAccept: application/json\r\nConnection: keep-alive\r\nContent-Length: ";
      heads.set(endpoint, head);
    }
    return head;
  };
  const idle: Connection[] = [];
  return {
    post<T>(endpoint: string, payload: unknown, given?: AbortSignal, stale?: StaleRetry): Promise<T> {
      // A start-up attempt's deadline ends its requests too (exchange/retry.ts attemptSignal).
      const attempt = attemptSignal();
      const signal = attempt && given ? AbortSignal.any([given, attempt]) : (given ?? attempt);
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new HttpRequestError({ detail: "Request aborted", cause: signal.reason, request: payload }));
          return;
        }
        const body = JSON.stringify(payload);
        let conn = idle.pop();
        while (conn && !conn.usable()) conn = idle.pop();
        const reused = conn !== undefined;
        let c = conn ?? new Connection(origin, idle);
        let settled = false;
        let staleTimer: NodeJS.Timeout | undefined;
        const done = (error: unknown, value?: T): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearTimeout(staleTimer);
          signal?.removeEventListener("abort", onAbort);
          if (error === undefined) resolve(value as T);
          else reject(error);
        };
        const fail = (detail: string | undefined, cause: unknown): void => {
          c.destroy();
          done(new HttpRequestError({ ...(detail ? { detail } : {}), cause, request: payload }));
        };
        const timer = setTimeout(
          () => fail(`Request timed out after ${timeoutMs} ms`, new Error("timeout")),
          timeoutMs,
        );
        const onAbort = (): void => fail("Request aborted", signal?.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        const request = `${headOf(endpoint)}${Buffer.byteLength(body)}\r\n\r\n${body}`;
        const onReply: OnReply = (error, reply) => {
          if (error !== undefined || reply === undefined) {
            fail(undefined, error);
            return;
          }
          const type = reply.headers.find(([k]) => k === "content-type")?.[1] ?? "";
          if (reply.status < 200 || reply.status >= 300 || !type.includes("application/json")) {
            done(
              new HttpRequestError({
                response: toResponse(reply),
                ...(reply.body ? { detail: truncate(reply.body) } : {}),
                request: payload,
              }),
            );
            return;
          }
          try {
            done(undefined, JSON.parse(reply.body) as T);
          } catch (error) {
            done(
              new HttpRequestError({
                response: toResponse(reply),
                detail: "Invalid JSON response body",
                cause: error,
                request: payload,
              }),
            );
          }
        };
        c.send(request, onReply);
        if (reused && stale) {
          staleTimer = setTimeout(() => {
            if (settled || c.heard()) return;
            // Not a byte back on a reused connection: dropped (its reply, should it come, is
            // never read) and the read sent again on a fresh one, within the same timeout.
            c.destroy();
            c = new Connection(origin, idle);
            stale.onResend();
            c.send(request, onReply);
          }, stale.afterMs);
          staleTimer.unref?.();
        }
      });
    },
    close(): void {
      for (const c of idle.splice(0)) c.destroy();
    },
  };
}

type OnReply = (error: unknown, reply?: Reply) => void;

/** One kept-alive connection: one request at a time, back to `idle` when its reply is read. */
class Connection {
  readonly #socket: Socket;
  readonly #idle: Connection[];
  #pending: OnReply | undefined;
  #parser = new ReplyParser();
  #closed = false;
  /** A byte of the pending request's reply has arrived. */
  #heard = false;

  constructor(origin: Origin, idle: Connection[]) {
    this.#idle = idle;
    this.#socket = origin.tls
      ? tlsConnect({
          host: origin.host,
          port: origin.port,
          ALPNProtocols: ["http/1.1"],
          ...(origin.servername ? { servername: origin.servername } : {}),
        })
      : netConnect({ host: origin.host, port: origin.port });
    this.#socket.setNoDelay(true);
    this.#socket.setKeepAlive(true, 1_000);
    this.#socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on("error", (error) => this.#end(error));
    this.#socket.on("end", () => this.#end(undefined));
    this.#socket.on("close", () => this.#end(undefined));
    this.#socket.on("timeout", () => this.destroy()); // only armed while idle
  }

  /** Still open (a connection the server closed while idle has left the pool already). */
  usable(): boolean {
    return !this.#closed && !this.#socket.destroyed && this.#socket.writable;
  }

  /** Whether any of the pending request's reply has arrived (the peer is there). */
  heard(): boolean {
    return this.#heard;
  }

  send(request: string, onReply: OnReply): void {
    this.#pending = onReply;
    this.#heard = false;
    this.#socket.setTimeout(0);
    this.#socket.ref();
    this.#socket.write(request);
  }

  destroy(): void {
    this.#closed = true;
    this.#pending = undefined;
    this.#socket.destroy();
    this.#leavePool();
  }

  #onData(chunk: Buffer): void {
    if (!this.#pending) {
      // Bytes nobody asked for (a server's parting 408 on an idle connection): not reusable.
      this.destroy();
      return;
    }
    this.#heard = true;
    let reply: Reply | undefined;
    try {
      reply = this.#parser.push(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (reply === undefined) return;
    const onReply = this.#pending;
    this.#pending = undefined;
    if (this.#parser.hasExtra() || !this.#parser.keepAlive()) this.destroy();
    else this.#release();
    onReply(undefined, reply);
  }

  /** The socket ended, failed or closed: a reply read until close is complete; anything else is cut short. */
  #end(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    const onReply = this.#pending;
    this.#pending = undefined;
    this.#leavePool();
    this.#socket.destroy();
    if (!onReply) return;
    const reply = error ? undefined : this.#parser.end();
    if (reply) onReply(undefined, reply);
    else onReply(error ?? new Error("the connection closed before the reply was complete"));
  }

  #fail(error: unknown): void {
    const onReply = this.#pending;
    this.destroy();
    onReply?.(error);
  }

  #release(): void {
    this.#parser = new ReplyParser();
    this.#socket.setTimeout(IDLE_MS);
    // An idle connection never keeps the process alive: a one-shot command (reconcile from
    // cron, a refused start) exits when its work is done, not IDLE_MS later.
    this.#socket.unref();
    this.#idle.push(this);
  }

  #leavePool(): void {
    const i = this.#idle.indexOf(this);
    if (i >= 0) this.#idle.splice(i, 1);
  }
}

/** An HTTP/1.x reply, fed as its bytes arrive. */
class ReplyParser {
  #buf: Buffer = Buffer.alloc(0);
  #head: Head | undefined;
  /** How the body ends: by length, by chunks, or when the connection closes. */
  #framing: { kind: "length"; length: number } | { kind: "chunked" } | { kind: "close" } = { kind: "close" };
  #chunks: Buffer[] = [];
  #extra = false;

  /** The complete reply once it is all here. @throws {Error} for bytes that are not an HTTP reply. */
  push(chunk: Buffer): Reply | undefined {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (this.#head === undefined) {
      const end = this.#buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.#buf.length > MAX_HEAD_BYTES) throw new Error("reply headers too large");
        return undefined;
      }
      const head = parseHead(this.#buf.toString("latin1", 0, end));
      this.#buf = this.#buf.subarray(end + 4);
      if (head.status >= 100 && head.status < 200) continue; // 100 Continue, 103 Early Hints
      this.#head = head;
      const te = header(head.headers, "transfer-encoding");
      const cl = header(head.headers, "content-length");
      if (head.status === 204 || head.status === 304) this.#framing = { kind: "length", length: 0 };
      else if (te !== undefined && /chunked/i.test(te)) this.#framing = { kind: "chunked" };
      else if (cl !== undefined) {
        const length = Number(cl);
        if (!/^\d+$/.test(cl.trim()) || !Number.isSafeInteger(length)) throw new Error("bad Content-Length");
        this.#framing = { kind: "length", length };
      } else this.#framing = { kind: "close" };
    }
    const f = this.#framing;
    if (f.kind === "length") {
      if (this.#buf.length < f.length) return undefined;
      this.#extra = this.#buf.length > f.length;
      return this.#reply(this.#buf.toString("utf8", 0, f.length));
    }
    if (f.kind === "chunked") return this.#readChunks();
    this.#chunks.push(this.#buf);
    this.#buf = Buffer.alloc(0);
    return undefined;
  }

  /** The connection closed: a reply framed by the close is complete now. */
  end(): Reply | undefined {
    if (this.#head === undefined || this.#framing.kind !== "close") return undefined;
    return this.#reply(Buffer.concat(this.#chunks).toString("utf8"));
  }

  hasExtra(): boolean {
    return this.#extra;
  }

  /** The connection may carry another request (HTTP/1.1 unless told otherwise; 1.0 only if asked). */
  keepAlive(): boolean {
    if (this.#head === undefined || this.#framing.kind === "close") return false;
    const connection = header(this.#head.headers, "connection")?.toLowerCase() ?? "";
    if (this.#head.version === "1.0") return connection.includes("keep-alive");
    return !connection.includes("close");
  }

  #readChunks(): Reply | undefined {
    for (;;) {
      const line = this.#buf.indexOf("\r\n");
      if (line < 0) return undefined;
      const sizeText = this.#buf.toString("latin1", 0, line).split(";")[0]?.trim() ?? "";
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error("bad chunk size");
      const size = Number.parseInt(sizeText, 16);
      if (size === 0) {
        // The last chunk, then trailers (none, usually) and an empty line.
        const rest = this.#buf.subarray(line + 2);
        const trailers = rest.indexOf("\r\n\r\n");
        const end = rest.subarray(0, 2).toString("latin1") === "\r\n" ? 2 : trailers < 0 ? -1 : trailers + 4;
        if (end < 0) return undefined;
        this.#extra = rest.length > end;
        return this.#reply(Buffer.concat(this.#chunks).toString("utf8"));
      }
      if (this.#buf.length < line + 2 + size + 2) return undefined;
      this.#chunks.push(this.#buf.subarray(line + 2, line + 2 + size));
      this.#buf = this.#buf.subarray(line + 2 + size + 2);
    }
  }

  #reply(body: string): Reply {
    const h = this.#head as Head;
    return { status: h.status, statusText: h.statusText, headers: h.headers, body };
  }
}

/** A reply's status line and headers (names lower-cased). */
interface Head {
  version: string;
  status: number;
  statusText: string;
  headers: [string, string][];
}

function parseHead(text: string): Head {
  const lines = text.split("\r\n");
  const m = /^HTTP\/(1\.[01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
  if (!m) throw new Error(`not an HTTP reply: ${JSON.stringify((lines[0] ?? "").slice(0, 40))}`);
  const headers: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i] as string;
    const colon = l.indexOf(":");
    if (colon <= 0) throw new Error("malformed reply header");
    headers.push([l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()]);
  }
  return { version: m[1] as string, status: Number(m[2]), statusText: m[3] ?? "", headers };
}

function header(headers: [string, string][], name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1];
}

/** The reply as a fetch Response (what the SDK's errors carry), made only for a failure. */
function toResponse(reply: Reply): Response {
  const headers = new Headers();
  for (const [k, v] of reply.headers) {
    try {
      headers.append(k, v);
    } catch {
      // a header value fetch's Headers refuses (not one a JSON API sends): left out
    }
  }
  const status = reply.status;
  return new Response(reply.body && status !== 204 && status !== 304 ? reply.body : null, {
    status: status < 200 || status > 599 ? 500 : status,
    statusText: reply.statusText,
    headers,
  });
}

function truncate(text: string, limit = 1024): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} chars total)`;
}
