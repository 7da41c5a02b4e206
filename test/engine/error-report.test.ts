// How the run tells a transient outage: one warning per reason, and once a sweep goes through,
// one notice saying how long the exchange was away — counted from when the failing work began,
// not from when its failure was reported (that comes only after its requests timed out and were
// retried: an exchange frozen for 30 s was said back "after 0s of failures").

import { describe, expect, it } from "vitest";
import { RetryableError } from "../../src/core/errors.js";
import { ErrorReport } from "../../src/engine/error-report.js";
import type { EngineEvent } from "../../src/engine/events.js";

function report() {
  let now = 0;
  const events: EngineEvent[] = [];
  const r = new ErrorReport({
    emit: (e) => events.push(e),
    now: () => now,
    journal: { busySince: () => null },
    agentHalted: () => false,
  });
  return {
    r,
    events,
    at: (ms: number) => {
      now = ms;
    },
  };
}

const down = () => new RetryableError("cannot reach the exchange for meta: request timed out after 10s");

describe("an outage of the exchange, as the run tells it", () => {
  it("is counted from when the first failing sweep began, not from its report", () => {
    const t = report();
    // A sweep begins at 1 s; its reads time out and are retried; the failure is reported at 25 s.
    t.at(25_000);
    t.r.report(down(), 1_000);
    // The next sweep fails the same way (said once), then one goes through at 31 s.
    t.at(28_000);
    t.r.report(down(), 26_000);
    t.at(31_000);
    t.r.sweepsOk();
    expect(t.events.filter((e) => e.type === "warning")).toHaveLength(1);
    const back = t.events.find((e) => e.type === "notice");
    expect(back).toMatchObject({
      kind: "sweeps",
      message:
        "the exchange answers again: a sweep went through after 30s of failures (2 failed request(s) or sweep(s))",
    });
  });

  it("without a start (an order's request), from the report; a start later than now is taken as now", () => {
    const t = report();
    t.at(10_000);
    t.r.report(down());
    t.at(12_000);
    t.r.sweepsOk();
    expect(t.events.at(-1)).toMatchObject({ message: expect.stringContaining("after 2s of failures") });
    const u = report();
    u.at(10_000);
    u.r.report(down(), 50_000);
    u.at(12_000);
    u.r.sweepsOk();
    expect(u.events.at(-1)).toMatchObject({ message: expect.stringContaining("after 2s of failures") });
  });

  it("a good sweep with no outage says nothing", () => {
    const t = report();
    t.r.sweepsOk();
    expect(t.events).toEqual([]);
  });
});
