// The JSON poster fails as the SDK's HttpTransport fails (the same HttpRequestError shapes), so
// error translation reads an order's outcome the same way: a status → refused or 429/5xx, no
// response → unknown.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequestError } from "@nktkas/hyperliquid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOutcomeUnknown, isRateLimited } from "../../src/exchange/errors.js";
import { jsonPoster } from "../../src/exchange/http.js";

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
  const poster = () => jsonPoster(base, 300);

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
    const slow = await failure(poster().post("slow", {}));
    expect(slow.message).toBe("Request timed out after 300 ms");
    expect(isOutcomeUnknown(slow)).toBe(true);
    const stop = new AbortController();
    stop.abort(new Error("stopping"));
    const aborted = await failure(poster().post("ok", {}, stop.signal));
    expect(aborted.message).toBe("Request aborted");
  });
});
