// The run policy (engine/run-mode.ts): what each run mode lets a run do. A specification: the
// table below is the behaviour the engine and its parts branch on, so changing a capability
// for a mode fails here first.

import { describe, expect, it } from "vitest";
import type { RunMode } from "../../src/engine/events.js";
import { type RunPolicy, runPolicy } from "../../src/engine/run-mode.js";

const TABLE: Record<RunMode, RunPolicy> = {
  // Real orders, signed: the key, the review, leverage, resting triggers and passive entries,
  // the on-exit step, looking up uncertain orders; everything journaled; our account is the run's.
  live: {
    sendsOrders: true,
    journals: true,
    modelsAccount: false,
    restsOrders: true,
    recoversOrders: true,
    previewsLive: false,
    newAccountEachRun: false,
  },
  // Fills on a model of the book into an account of its own, journaled (status and report show it);
  // a new one each run: an earlier paper account's marks and halts are not this one's.
  paper: {
    sendsOrders: false,
    journals: true,
    modelsAccount: true,
    restsOrders: false,
    recoversOrders: false,
    previewsLive: false,
    newAccountEachRun: true,
  },
  // What a live run would do on our account, on a model of it: nothing sent, nothing written.
  "dry-run": {
    sendsOrders: false,
    journals: false,
    modelsAccount: true,
    restsOrders: false,
    recoversOrders: false,
    previewsLive: true,
    newAccountEachRun: false,
  },
};

describe("runPolicy", () => {
  it.each(Object.keys(TABLE) as RunMode[])("%s: the capabilities of its runs", (mode) => {
    expect(runPolicy(mode)).toStrictEqual(TABLE[mode]);
  });

  it("is one fixed answer per mode: the same object each time, not to be changed by a caller", () => {
    for (const mode of Object.keys(TABLE) as RunMode[]) {
      const can = runPolicy(mode);
      expect(runPolicy(mode)).toBe(can);
      expect(Object.isFrozen(can)).toBe(true);
      expect(() => {
        (can as { journals: boolean }).journals = !can.journals;
      }).toThrow(TypeError);
      expect(runPolicy(mode)).toStrictEqual(TABLE[mode]);
    }
  });

  it("what it sends is journaled, and only an account that is ours on the exchange is sent to", () => {
    for (const mode of Object.keys(TABLE) as RunMode[]) {
      const can = runPolicy(mode);
      if (can.sendsOrders) expect(can.journals).toBe(true);
      if (can.sendsOrders) expect(can.modelsAccount).toBe(false);
      // Resting orders and uncertain ones exist only where orders reach the exchange.
      if (can.restsOrders || can.recoversOrders) expect(can.sendsOrders).toBe(true);
      // A preview of a live run writes nothing and keeps a model account.
      if (can.previewsLive) expect([can.journals, can.modelsAccount]).toEqual([false, true]);
    }
  });
});
