// POST a JSON request over node:http(s) with a keep-alive connection pool: what the SDK's
// HttpTransport does with fetch, at a quarter of the CPU (fetch's streams, headers and abort
// machinery cost ~1 ms of CPU per request; an order's whole budget is 1.5 ms). Failures are
// the SDK's own HttpRequestError, shaped as its transport shapes them, so error translation
// (errors.ts) cannot tell the two apart.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { HttpRequestError } from "@nktkas/hyperliquid";

export interface JsonPoster {
  /**
   * POST `payload` as JSON to `endpoint` under the base URL; resolves with the parsed reply.
   * @throws {HttpRequestError} on a non-2xx status, a reply that is not JSON, a network
   *   failure, a timeout or an abort (no `response` then: the outcome is unknown).
   */
  post<T>(endpoint: string, payload: unknown, signal?: AbortSignal): Promise<T>;
  /** Drop the idle connections. */
  close(): void;
}

/** Idle connections are dropped after this, before a server's usual 5 s keep-alive ends. */
const IDLE_MS = 4_000;

export function jsonPoster(baseUrl: string, timeoutMs: number): JsonPoster {
  const base = new URL(baseUrl);
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  const tls = base.protocol === "https:";
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, timeout: IDLE_MS })
    : new HttpAgent({ keepAlive: true, timeout: IDLE_MS });
  const send = tls ? httpsRequest : httpRequest;
  // Each endpoint's request options, built once: handing node:http a URL converts it to these
  // on every request.
  const targets = new Map<
    string,
    { protocol: string; hostname: string; port: string; path: string; auth?: string }
  >();
  const targetOf = (endpoint: string) => {
    let target = targets.get(endpoint);
    if (!target) {
      const url = new URL(endpoint, base);
      url.search = base.search; // relative resolution drops the base query
      target = {
        protocol: url.protocol,
        // node:http wants an IPv6 literal without its brackets.
        hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        ...(url.username || url.password
          ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
          : {}),
      };
      targets.set(endpoint, target);
    }
    return target;
  };
  return {
    post<T>(endpoint: string, payload: unknown, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new HttpRequestError({ detail: "Request aborted", cause: signal.reason, request: payload }));
          return;
        }
        const body = JSON.stringify(payload);
        let settled = false;
        const done = (error: unknown, value?: T): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (error === undefined) resolve(value as T);
          else reject(error);
        };
        const req = send({
          ...targetOf(endpoint),
          method: "POST",
          agent,
          headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
        });
        const fail = (detail: string | undefined, cause: unknown): void => {
          done(new HttpRequestError({ ...(detail ? { detail } : {}), cause, request: payload }));
          req.destroy();
        };
        const timer = setTimeout(
          () => fail(`Request timed out after ${timeoutMs} ms`, new Error("timeout")),
          timeoutMs,
        );
        const onAbort = (): void => fail("Request aborted", signal?.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        req.on("error", (error) => fail(undefined, error));
        req.on("response", (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (error) => fail(undefined, error));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            const type = String(res.headers["content-type"] ?? "");
            if (status < 200 || status >= 300 || !type.includes("application/json")) {
              done(
                new HttpRequestError({
                  response: toResponse(res, text),
                  ...(text ? { detail: truncate(text) } : {}),
                  request: payload,
                }),
              );
              return;
            }
            try {
              done(undefined, JSON.parse(text) as T);
            } catch (error) {
              done(
                new HttpRequestError({
                  response: toResponse(res, text),
                  detail: "Invalid JSON response body",
                  cause: error,
                  request: payload,
                }),
              );
            }
          });
        });
        req.end(body);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}

/** The reply as a fetch Response (what the SDK's errors carry), made only for a failure. */
function toResponse(res: IncomingMessage, text: string): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  const status = res.statusCode ?? 500;
  return new Response(text && status !== 204 && status !== 304 ? text : null, {
    status: status < 200 || status > 599 ? 500 : status,
    statusText: res.statusMessage ?? "",
    headers,
  });
}

function truncate(text: string, limit = 1024): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} chars total)`;
}
