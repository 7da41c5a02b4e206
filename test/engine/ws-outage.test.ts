// The websocket's outage as the run says it: from when the stream went silent, once, until a
// message comes on it again — not reset by a reopened socket that says nothing.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { OUTAGE_SAY_MS, WsOutage } from "../../src/engine/ws-outage.js";

function outage() {
  let now = 0;
  const said: string[] = [];
  const o = new WsOutage({
    now: () => now,
    emit: (e: EngineEvent) => {
      if (e.type === "warning") said.push(e.message);
    },
    sweepSeconds: 30,
  });
  return { o, said, at: (t: number) => (now = t) };
}

describe("WsOutage", () => {
  it("a socket dropped as stale is down from its last message: 'down for' counts from there", () => {
    const { o, said, at } = outage();
    // Silent since 10 s; the staleness watch drops it at 35 s.
    at(35_000);
    o.dropped("the exchange has not answered a ping", 10_000);
    at(36_000);
    o.atSweep();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^websocket down for 26s \(the exchange has not answered a ping\)/);
  });

  it("a silent stream reopened again and again is one outage, said once, dated from its first silence", () => {
    const { o, said, at } = outage();
    // Each reopened socket opens at once and says nothing; the watch drops it again 25 s later.
    for (let t = 25_000; t <= 150_000; t += 25_000) {
      at(t);
      o.dropped("stale", t - 25_000);
      at(t + 1_000);
      o.atSweep();
    }
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^websocket down for 26s /);
  });

  it("ends when a message comes: a later outage is said again", () => {
    const { o, said, at } = outage();
    at(0);
    o.dropped("socket closed (code 1006)");
    at(OUTAGE_SAY_MS);
    o.atSweep();
    o.heard();
    at(100_000);
    o.dropped("socket closed (code 1006)");
    at(100_000 + OUTAGE_SAY_MS - 1);
    o.atSweep();
    expect(said).toHaveLength(1);
    at(100_000 + OUTAGE_SAY_MS);
    o.atSweep();
    expect(said).toHaveLength(2);
  });
});
