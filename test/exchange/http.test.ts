// The JSON poster fails as the SDK's HttpTransport fails (the same HttpRequestError shapes), so
// error translation reads an order's outcome the same way: a status → refused or 429/5xx, no
// response → unknown. It speaks HTTP/1.1 itself (node:net / node:tls): the replies a server may
// frame in any of the ways HTTP allows are read whole, connections are kept and reused, and a
// reply cut short is never taken for an answer.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from "node:net";
import { join } from "node:path";
import * as tls from "node:tls";
import { pathToFileURL } from "node:url";
import { HttpRequestError } from "@nktkas/hyperliquid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { httpErrorLine, isOutcomeUnknown, isRateLimited } from "../../src/exchange/errors.js";
import { jsonPoster } from "../../src/exchange/http.js";
import { retryTransient, StartupTimeoutError } from "../../src/exchange/retry.js";
import { ROOT } from "../helpers/cli.js";

let server: Server;
let base: string;
const replies: Record<string, { status: number; type: string; body: string; hang?: boolean }> = {
  "/ok": { status: 200, type: "application/json", body: '{"status":"ok","n":1}' },
  "/busy": { status: 429, type: "text/plain", body: "Too Many Requests" },
  "/down": { status: 500, type: "text/plain", body: "Internal Server Error" },
  "/garbled": { status: 200, type: "application/json", body: "{not json" },
  "/html": { status: 200, type: "text/html", body: "<html>maintenance</html>" },
  "/slow": { status: 200, type: "application/json", body: "{}", hang: true },
};
const seen: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      seen.push(JSON.parse(body));
      const r = replies[req.url ?? ""];
      if (!r || r.hang) return;
      res.writeHead(r.status, { "content-type": r.type });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(p: Promise<unknown>): Promise<HttpRequestError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(HttpRequestError);
  return e as HttpRequestError;
}

describe("jsonPoster", () => {
  // A reply is waited for as long as a busy machine needs; only the timeout's own test is short.
  const poster = (timeoutMs = 30_000) => jsonPoster(base, timeoutMs);

  it("posts the payload as JSON and parses the reply", async () => {
    expect(await poster().post("ok", { type: "allMids" })).toEqual({ status: "ok", n: 1 });
    expect(seen.at(-1)).toEqual({ type: "allMids" });
  });

  it("a 429 carries its status (rate limited), a 5xx an unknown outcome, with the body as detail", async () => {
    const busy = await failure(poster().post("busy", {}));
    expect(isRateLimited(busy)).toBe(true);
    expect(busy.message).toBe("429 Too Many Requests - Too Many Requests");
    const down = await failure(poster().post("down", {}));
    expect(down.response?.status).toBe(500);
    expect(isOutcomeUnknown(down)).toBe(true);
  });

  it("a 2xx reply that is not JSON (garbled, or a page) is unreadable: outcome unknown", async () => {
    const garbled = await failure(poster().post("garbled", {}));
    expect(garbled.message).toMatch(/Invalid JSON response body/);
    expect(isOutcomeUnknown(garbled)).toBe(true);
    const html = await failure(poster().post("html", {}));
    expect(html.response?.status).toBe(200);
    expect(html.message).toMatch(/maintenance/);
    expect(isOutcomeUnknown(html)).toBe(true);
  });

  it("a timeout or an abort has no response: the outcome is unknown", async () => {
    const slow = await failure(poster(300).post("slow", {}));
    expect(slow.message).toBe("Request timed out after 300 ms");
    expect(isOutcomeUnknown(slow)).toBe(true);
    const stop = new AbortController();
    stop.abort(new Error("stopping"));
    const aborted = await failure(poster().post("ok", {}, stop.signal));
    expect(aborted.message).toBe("Request aborted");
  });

  // A start-up read that hangs outlived --startup-timeout-seconds by its own request timeout
  // (15 s → 21 s): the attempt's deadline ends its request too.
  it("a request made in a start-up attempt ends at the attempt's deadline, not at its own timeout", async () => {
    const p = poster(600_000);
    let request: Promise<unknown> | undefined;
    const gaveUp = retryTransient(
      () => {
        request = p.post("slow", {});
        return request;
      },
      { what: "the slow read", timeoutMs: 50 },
    );
    await expect(gaveUp).rejects.toBeInstanceOf(StartupTimeoutError);
    // Without the bound it would still be waiting (its own timeout is 10 minutes).
    const ended = await failure(request as Promise<unknown>);
    expect(ended.message).toBe("Request aborted");
    expect(isOutcomeUnknown(ended)).toBe(true);
    // Outside an attempt nothing is bounded: a request answered later is answered.
    expect(await p.post("ok", {})).toEqual({ status: "ok", n: 1 });
    p.close();
  });
});

/** A raw TCP server that answers each request with `reply(n, request)` (n counts from 1). */
async function rawServer(reply: (n: number, socket: Socket) => void): Promise<{
  url: string;
  connections: () => number;
  /** Connections still open on the server's side. */
  open: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  let n = 0;
  const sockets = new Set<Socket>();
  const tcp: TcpServer = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    let buffered = "";
    socket.on("data", (d) => {
      buffered += d.toString("latin1");
      // One request is its head plus Content-Length bytes of body.
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        reply(++n, socket);
      }
    });
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/`,
    connections: () => connections,
    open: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}

type RawServer = Awaited<ReturnType<typeof rawServer>>;

/** A poster against a raw server answering with `reply`; both closed after `body`. */
async function against(
  reply: (n: number, socket: Socket) => void,
  body: (poster: ReturnType<typeof jsonPoster>, server: RawServer) => Promise<void>,
): Promise<void> {
  const server = await rawServer(reply);
  const poster = jsonPoster(server.url, 30_000);
  try {
    await body(poster, server);
  } finally {
    poster.close();
    await server.close();
  }
}

const json = (body: string, extra = ""): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("jsonPoster's kept-alive connections", () => {
  it("hold the process only while a request is in flight: an idle one never keeps a command from exiting", () => {
    // In a process of its own (the built module), with a server whose sockets do not count:
    // what keeps its event loop alive is the client's connection alone.
    const script = `
      import { createServer } from "node:http";
      import { jsonPoster } from ${JSON.stringify(pathToFileURL(join(ROOT, "dist/exchange/http.js")).href)};
      const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
      const server = createServer((_req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end("{}"); });
      server.on("connection", (s) => s.unref());
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      server.unref();
      const p = jsonPoster("http://127.0.0.1:" + server.address().port, 5000);
      const seen = [];
      const first = p.post("info", { type: "meta" });
      seen.push(sockets());
      await first;
      seen.push(sockets());
      const second = p.post("info", { type: "meta" });
      seen.push(sockets());
      await second;
      seen.push(sockets());
      console.log(JSON.stringify(seen));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    // In flight: held; idle in the pool (and reused for the second request): not held.
    expect(JSON.parse(r.stdout)).toEqual([1, 0, 1, 0]);
  });
});

describe("jsonPoster reads every way a reply may be framed", () => {
  it("by chunks (split anywhere across packets), after a 100 Continue, on one kept-alive connection", async () => {
    await against(
      (n, socket) => {
        const body = JSON.stringify({ n, coin: "BTC", px: "97000.5" });
        const chunked = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)};ext=1\r\n${body}\r\n0\r\n\r\n`;
        // Byte by byte for the first, whole for the second, by Content-Length for the third.
        if (n === 1) for (const ch of chunked) socket.write(ch);
        else if (n === 2) socket.write(chunked);
        else socket.write(json(body));
      },
      async (poster, server) => {
        expect(await poster.post("exchange", {})).toEqual({ n: 1, coin: "BTC", px: "97000.5" });
        expect(await poster.post("exchange", {})).toEqual({ n: 2, coin: "BTC", px: "97000.5" });
        expect(await poster.post("info", {})).toEqual({ n: 3, coin: "BTC", px: "97000.5" });
        expect(server.connections()).toBe(1);
      },
    );
  });

  it("until the connection closes (no length given), and such a connection is not reused", async () => {
    await against(
      (n, socket) => {
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"n":${n},"name":"Ünïcode ✓"}`);
      },
      async (poster, server) => {
        expect(await poster.post("exchange", {})).toEqual({ n: 1, name: "Ünïcode ✓" });
        expect(await poster.post("exchange", {})).toEqual({ n: 2, name: "Ünïcode ✓" });
        expect(server.connections()).toBe(2);
      },
    );
  });

  it("a server that says Connection: close, or closes an idle connection, costs a new connection, never a failed request", async () => {
    await against(
      (n, socket) => {
        if (n === 1) socket.write(json('{"n":1}', "Connection: close\r\n"));
        else if (n === 2) {
          socket.write(json('{"n":2}'));
          socket.end(); // the server's keep-alive ran out right after answering
        } else socket.write(json(`{"n":${n}}`));
      },
      async (poster, server) => {
        expect(await poster.post("exchange", {})).toEqual({ n: 1 });
        expect(await poster.post("exchange", {})).toEqual({ n: 2 });
        // The poster closes its side as soon as the server ended the connection, and drops it.
        await vi.waitFor(() => expect(server.open()).toBe(0), { timeout: 10_000 });
        expect(await poster.post("exchange", {})).toEqual({ n: 3 });
        expect(server.connections()).toBe(3);
      },
    );
  });

  it("a reply cut short, or bytes that are not HTTP, is no answer: the outcome is unknown", async () => {
    await against(
      (n, socket) => {
        if (n === 1) socket.end(json('{"status":"ok","response":{"type":"order"}}').slice(0, -10));
        else if (n === 2) socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n");
        else socket.destroy();
      },
      async (poster) => {
        for (const expected of [/closed before the reply was complete/, /not an HTTP reply/, /./]) {
          const e = await failure(poster.post("exchange", { type: "order" }));
          expect(e.response).toBeUndefined();
          expect(isOutcomeUnknown(e)).toBe(true);
          expect(String((e as Error & { cause?: unknown }).cause)).toMatch(expected);
        }
      },
    );
  });

  it("nothing listening: a network failure with no response", async () => {
    const server = await rawServer(() => {});
    const url = server.url;
    await server.close();
    const e = await failure(jsonPoster(url, 30_000).post("info", {}));
    expect(e.response).toBeUndefined();
    expect(String((e as Error & { cause?: unknown }).cause)).toMatch(/ECONNREFUSED/);
    expect(httpErrorLine(e)).toMatch(
      /^connection refused: nothing is listening at that address .* \(ECONNREFUSED\)$/,
    );
  });
});

// tls.getCACertificates / setDefaultCACertificates (how this block trusts its own certificate
// without restarting Node) arrived in Node 22.15: on the oldest supported Node (22.13) it is
// skipped; the TLS itself is Node's.
describe.skipIf(typeof tls.setDefaultCACertificates !== "function")("jsonPoster over TLS", () => {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), "utf8");
  let tlsServer: ReturnType<typeof createHttpsServer>;
  let tlsBase: string;
  const defaults = typeof tls.getCACertificates === "function" ? tls.getCACertificates("default") : [];
  beforeAll(async () => {
    tlsServer = createHttpsServer(
      { key: fixture("localhost.key"), cert: fixture("localhost.crt") },
      (req, res) => {
        let body = "";
        req.on("data", (d) => {
          body += d;
        });
        req.on("end", () => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ echo: JSON.parse(body), host: req.headers.host }));
        });
      },
    );
    await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
    tlsBase = `https://localhost:${(tlsServer.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    tls.setDefaultCACertificates(defaults);
    tlsServer.closeAllConnections();
    await new Promise((resolve) => tlsServer.close(resolve));
  });

  it("refuses a server whose certificate no trusted authority signed: no request is sent", async () => {
    const e = await failure(jsonPoster(tlsBase, 30_000).post("exchange", { type: "order" }));
    expect(e.response).toBeUndefined();
    expect(String((e as Error & { cause?: unknown }).cause)).toMatch(/self-signed|certificate/i);
  });

  it("posts over a verified TLS connection (SNI by name) and keeps it for the next request", async () => {
    tls.setDefaultCACertificates([...defaults, fixture("localhost.crt")]);
    const poster = jsonPoster(tlsBase, 30_000);
    let connections = 0;
    tlsServer.on("secureConnection", () => connections++);
    try {
      const reply = await poster.post<{ echo: unknown; host: string }>("exchange", { type: "order", n: 1 });
      expect(reply.echo).toEqual({ type: "order", n: 1 });
      expect(reply.host).toBe(new URL(tlsBase).host);
      await poster.post("exchange", { n: 2 });
      expect(connections).toBe(1);
    } finally {
      poster.close();
      tls.setDefaultCACertificates(defaults);
    }
  });
});
