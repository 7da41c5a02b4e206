// A stop signal (Ctrl-C, `kill`, cron's `timeout`) to a read-only command while it reads, through
// the real binary. A busy leader's history is ~30 s of reads under the request budget: inspect
// and backtest end at once, saying what they were reading and that nothing was changed (the
// contract's two lines, or the error document with --json), exit 130. Scan stops after the
// leader in flight on any stop signal, as on Ctrl-C, and a second one ends it at once, said too.
// Before, Node's default ended them silently: exit 130 or 143 (a SIGTERM to scan too), no word.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { eventually } from "../exchange/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { startCli, tempDir } from "../helpers/cli.js";
import { busyHistoryWorld } from "./helpers.js";

const DAY = 86_400_000;
const NOW = Date.now();
let sim: SimHandle;
let proxy: FaultProxy;
/** 10,100 fills over the last 3 days: its read is pages under the request budget. */
let busy: Address;
/** 4 fills a day ago. */
let quiet: Address;

beforeAll(async () => {
  ({ sim, busy, quiet } = await busyHistoryWorld({
    seed: 79,
    now: NOW,
    oldAt: NOW - 20 * DAY,
    busyFrom: NOW - 3 * DAY,
  }));
  proxy = await startFaultProxy(sim.httpUrl);
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

const start = (args: string[]) => startCli(args, { HLCOPY_CONFIG_DIR: tempDir("hlcopy-read-signals-") });

describe("inspect and backtest stopped during a long read", () => {
  for (const command of ["inspect", "backtest"] as const) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      it(`${command}, ${signal} while it reads the fills: says what it was reading and that nothing was changed, exit 130`, async () => {
        const run = start(["--network", sim.httpUrl, command, busy, "--since", "30d"]);
        await eventually(() => run.err().includes("fills: 2,000…"), 30_000);
        run.child.kill(signal);
        const code = await run.exit;
        expect(code, run.err()).toBe(130);
        const lines = run.err().trimEnd().split("\n").slice(-2);
        expect(lines[0]).toMatch(
          new RegExp(
            `^error: interrupted by ${signal} while reading the fills of 0x[0-9a-f]{4}…[0-9a-f]{4} \\([0-9,]+ so far\\): nothing was changed$`,
          ),
        );
        expect(lines[1]).toBe(`hint: it only reads: run hlcopy ${command} again`);
        expect(run.out()).toBe("");
      }, 60_000);
    }
  }

  it("with --json: the error document on stdout, nothing else there", async () => {
    const run = start(["--network", sim.httpUrl, "--json", "inspect", busy, "--since", "30d"]);
    await eventually(() => run.err().includes("fills: 2,000…"), 30_000);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(130);
    const doc = JSON.parse(run.out().trim()) as { type: string; message: string; hint: string };
    expect(doc).toMatchObject({ type: "error", hint: "it only reads: run hlcopy inspect again" });
    expect(doc.message).toMatch(
      /^interrupted by SIGTERM while reading the fills of .*: nothing was changed$/,
    );
    expect(run.err()).not.toContain("error:");
  }, 60_000);
});

describe("scan and stop signals", () => {
  it("SIGTERM stops it after the leader in flight, as Ctrl-C does: what was scanned is printed, exit 130", async () => {
    const gate = proxy.holdNext((r) => r.type === "userFillsByTime" && r.body.user === quiet);
    const run = start(["--network", proxy.httpUrl, "scan", quiet, busy]);
    await gate.held;
    run.child.kill("SIGTERM");
    await eventually(() => run.err().includes("stopping after the leader in flight"), 20_000);
    gate.release();
    expect(await run.exit, run.err()).toBe(130);
    expect(run.err()).toContain("interrupted: 1 of 2 leaders scanned");
    expect(run.out()).toContain("Interrupted: the ranking shows the leaders scanned before it was stopped.");
  }, 60_000);

  it("a second stop signal ends it at once, said: nothing was changed, exit 130", async () => {
    const gate = proxy.holdNext((r) => r.type === "userFillsByTime" && r.body.user === quiet);
    const run = start(["--network", proxy.httpUrl, "scan", quiet, busy]);
    await gate.held;
    run.child.kill("SIGINT");
    await eventually(() => run.err().includes("stopping after the leader in flight"), 20_000);
    run.child.kill("SIGTERM");
    expect(await run.exit, run.err()).toBe(130);
    gate.release();
    const lines = run.err().trimEnd().split("\n").slice(-2);
    expect(lines).toEqual([
      "error: interrupted by SIGTERM while scanning the leader in flight: nothing was changed",
      "hint: it only reads: run hlcopy scan again (fills already fetched are cached)",
    ]);
    expect(run.out()).toBe("");
  }, 60_000);
});
