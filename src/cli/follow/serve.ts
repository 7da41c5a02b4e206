// `follow --listen host:port`: a read-only HTTP endpoint for a running copy — GET /status (the
// `status --json` document) and GET /metrics (Prometheus text). Loopback unless --listen-public,
// which needs a bearer token read from a file. No write endpoint, ever.

import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OperationalError, UsageError } from "../../core/errors.js";
import type { RunModeName } from "../../core/settings.js";

export interface ListenOptions {
  host: string;
  port: number;
  /** Required on every request when set (always set off loopback). */
  token: string | null;
  /** A --paper run: /status is the paper journal's (`hlcopy status --paper --json`). */
  paper?: boolean;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/i;

/**
 * `--listen`, `--listen-public`, `--listen-token-file` → where to listen, or null.
 * @throws {UsageError} (exit 2) for a bad address, a public address without --listen-public or
 * a token file, or an unreadable / empty token file; and in a --dry-run run, which journals
 * nothing for /status to serve.
 */
export function parseListenOptions(
  opts: Record<string, unknown>,
  mode: RunModeName = "live",
): ListenOptions | null {
  const raw = opts.listen;
  const isPublic = opts.listenPublic === true;
  const tokenFile = typeof opts.listenTokenFile === "string" ? opts.listenTokenFile : null;
  if (typeof raw !== "string") {
    if (isPublic || tokenFile) {
      throw new UsageError("--listen-public and --listen-token-file go with --listen <host:port>", {
        hint: "e.g. --listen 127.0.0.1:9464",
      });
    }
    return null;
  }
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m && host && Number.isInteger(port) && port > 65_535) {
    // The form is right and only the port is not: said as such, not as a malformed address.
    throw new UsageError(`invalid --listen "${raw}": port ${port} is out of range (0–65535)`, {
      hint: `e.g. --listen ${m[1] ? `[${host}]` : host}:9464 (port 0 picks a free one)`,
    });
  }
  if (!m || !host || !Number.isInteger(port)) {
    throw new UsageError(`invalid --listen "${raw}": expected host:port`, {
      hint: "e.g. --listen 127.0.0.1:9464 (port 0 picks a free one)",
    });
  }
  const loopback = LOOPBACK.test(host);
  if (!loopback && !isPublic) {
    throw new UsageError(
      `--listen ${raw} is not a loopback address: it would expose the copy's status to the network`,
      {
        hint: "use --listen 127.0.0.1:9464, or add --listen-public --listen-token-file <file> (a bearer token)",
      },
    );
  }
  if (isPublic && !tokenFile) {
    throw new UsageError("--listen-public needs --listen-token-file <file>", {
      hint: "put a long random token in a file only you can read: openssl rand -hex 32 > ~/.hlcopy-token",
    });
  }
  let token: string | null = null;
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, "utf8").trim();
    } catch (error) {
      throw new UsageError(
        `cannot read --listen-token-file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        {
          hint: "give a readable file holding the bearer token",
        },
      );
    }
    if (token.length < 16) {
      throw new UsageError(`--listen-token-file ${tokenFile} holds no token of at least 16 characters`, {
        hint: "openssl rand -hex 32 > the file",
      });
    }
  }
  // /status is `hlcopy status --json` of the run's journal (a paper run's: `status --paper`);
  // a dry run writes none, so it would serve the live copy's last run as if it were this one.
  if (mode === "dry-run") {
    throw new UsageError(
      "--listen serves the run's journal as /status (hlcopy status --json), but this run is --dry-run: it journals nothing — /status would show another run",
      {
        hint: "drop --listen (a dry run's figures are on its dashboard, or its --json lines), or give --listen to a live or --paper follow",
      },
    );
  }
  return { host, port, token, paper: mode === "paper" };
}

export interface StatusServerSources {
  /** The `status --json` document. */
  status(): Promise<unknown>;
  /** Prometheus text. */
  metrics(): string;
}

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

/** @throws {OperationalError} (exit 1) when the address cannot be bound. */
export async function startStatusServer(
  listen: ListenOptions,
  sources: StatusServerSources,
): Promise<StatusServer> {
  const expected = listen.token ? Buffer.from(`Bearer ${listen.token}`) : null;
  const authorized = (req: IncomingMessage): boolean => {
    if (!expected) return true;
    const got = Buffer.from(req.headers.authorization ?? "");
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...extra });
    res.end(body);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        send(res, 405, "text/plain", "read-only: GET /status, GET /metrics\n", { allow: "GET, HEAD" });
        return;
      }
      if (!authorized(req)) {
        send(res, 401, "text/plain", "unauthorized\n", { "www-authenticate": "Bearer" });
        return;
      }
      if (path === "/metrics") {
        send(res, 200, "text/plain; version=0.0.4; charset=utf-8", sources.metrics());
      } else if (path === "/status") {
        send(res, 200, "application/json", `${JSON.stringify(await sources.status())}\n`);
      } else {
        send(res, 404, "text/plain", "not found: GET /status, GET /metrics\n");
      }
    })().catch(() => {
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        new OperationalError(
          `cannot listen on ${listen.host}:${listen.port}: ${error.code ?? error.message}`,
          {
            hint: "pick another port with --listen, or stop what uses it",
            cause: error,
          },
        ),
      ),
    );
    server.listen(listen.port, listen.host, () => done());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
