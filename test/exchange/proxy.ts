// A real HTTP server in front of the simulator that misbehaves for chosen request types
// (HTTP 500 / 429, or a 200 with garbage; for an action, optionally after it ran) and forwards
// everything else, websockets included.
// The simulator's own faults count requests per endpoint; this one picks the request type.

import { createServer, type IncomingMessage } from "node:http";
import { connect } from "node:net";

export interface ProxyAnswer {
  status: number;
  /** Sent as is (a string) or as JSON. */
  body: unknown;
  /** Forward the request first (it runs on the exchange), then answer this instead of its reply. */
  after?: boolean;
  /** Cut the connection instead of answering (status and body are not sent). */
  cut?: boolean;
  /** Answer at once, and forward the request this many ms later (it runs after its answer). */
  late?: number;
}

/**
 * Decide per request: an answer to send instead, or null to forward it. `type` is the /info
 * request type, or for /exchange the action's type (e.g. "order").
 */
export type ProxyRule = (request: {
  endpoint: "info" | "exchange";
  type: string;
  body: Record<string, unknown>;
}) => ProxyAnswer | null;

export interface FaultProxy {
  httpUrl: string;
  /** Replace the rule (null: forward everything). */
  setRule(rule: ProxyRule | null): void;
  /** While true, websocket upgrades are refused (the connection is dropped). */
  blockWebsockets(blocked: boolean): void;
  /**
   * Hold the next request that `match`es (before it reaches the simulator) until `release()`:
   * `held` resolves when it has arrived. What the simulator answers is then as of the release.
   */
  holdNext(
    match: (request: {
      endpoint: "info" | "exchange";
      type: string;
      body: Record<string, unknown>;
    }) => boolean,
  ): {
    held: Promise<void>;
    release(): void;
    /** Resolves when the client gave the held request up (closed its connection) before the release. */
    abandoned: Promise<void>;
  };
  /** /info requests seen, by type (forwarded or not). */
  seen: Record<string, number>;
  close(): Promise<void>;
}

/** Fail the next `count` requests of `type` with `answer`, then forward again. */
export function failNext(type: string, count: number, answer: ProxyAnswer): ProxyRule {
  let left = count;
  return (r) => {
    if (r.type !== type || left <= 0) return null;
    left--;
    return answer;
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/** `port`: listen there (e.g. one a client already tries to reach); default a free one. */
export async function startFaultProxy(targetHttpUrl: string, port = 0): Promise<FaultProxy> {
  const target = new URL(targetHttpUrl);
  let rule: ProxyRule | null = null;
  const seen: Record<string, number> = {};
  let hold: {
    match: Parameters<FaultProxy["holdNext"]>[0];
    arrived(): void;
    released: Promise<void>;
    abandoned(): void;
  } | null = null;
  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      let answer: ProxyAnswer | null = null;
      if (req.method === "POST" && (req.url === "/info" || req.url === "/exchange")) {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          // forwarded as is
        }
        const endpoint = req.url === "/info" ? "info" : "exchange";
        const action = body.action as { type?: unknown } | undefined;
        const t = endpoint === "info" ? body.type : action?.type;
        const type = typeof t === "string" ? t : "?";
        if (endpoint === "info") seen[type] = (seen[type] ?? 0) + 1;
        const h = hold;
        if (h?.match({ endpoint, type, body })) {
          hold = null;
          res.on("close", () => {
            if (!res.writableEnded) h.abandoned();
          });
          h.arrived();
          await h.released;
        }
        answer = rule?.({ endpoint, type, body }) ?? null;
      }
      const send = (a: ProxyAnswer) => {
        if (a.cut) {
          req.socket.destroy();
          return;
        }
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
      };
      if (answer?.late !== undefined) {
        send(answer);
        const forward = () =>
          fetch(new URL(req.url ?? "/", target), {
            method: "POST",
            headers: { "content-type": req.headers["content-type"] ?? "application/json" },
            body: raw,
          }).catch(() => {});
        setTimeout(forward, answer.late);
        return;
      }
      if (answer && !answer.after) return send(answer);
      const forwarded = await fetch(new URL(req.url ?? "/", target), {
        method: req.method ?? "GET",
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        ...(req.method === "POST" ? { body: raw } : {}),
      });
      const text = await forwarded.text();
      if (answer) return send(answer);
      res.writeHead(forwarded.status, {
        "content-type": forwarded.headers.get("content-type") ?? "application/json",
      });
      res.end(text);
    } catch (error) {
      res.writeHead(502);
      res.end(String(error));
    }
  });
  // Websockets: replay the upgrade request to the simulator and pipe the bytes both ways.
  const tunnels = new Set<{ destroy(): void }>();
  let wsBlocked = false;
  server.on("upgrade", (req, socket, head) => {
    if (wsBlocked) {
      socket.destroy();
      return;
    }
    tunnels.add(socket);
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`)
        .join("\r\n");
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    const end = () => {
      upstream.destroy();
      socket.destroy();
      tunnels.delete(upstream);
      tunnels.delete(socket);
    };
    upstream.on("error", end);
    socket.on("error", end);
    upstream.on("close", end);
    socket.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : 0;
  return {
    httpUrl: `http://127.0.0.1:${bound}`,
    setRule(next) {
      rule = next;
    },
    blockWebsockets(blocked) {
      wsBlocked = blocked;
    },
    holdNext(match) {
      let arrived = () => {};
      const held = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let gone = () => {};
      const abandoned = new Promise<void>((resolve) => {
        gone = resolve;
      });
      hold = { match, arrived, released, abandoned: gone };
      return { held, release, abandoned };
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of tunnels) t.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
