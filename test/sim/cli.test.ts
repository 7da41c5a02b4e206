// `hlcopy sim`: option parsing (bad values are usage errors with a hint), the one JSON ready
// line on stdout, logs on stderr, a clean shutdown, and the command's registration and help.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { register } from "../../src/cli/sim/command.js";
import { parseRate, parseSimCommandOptions, runSimCommand } from "../../src/cli/sim/run.js";
import { UsageError } from "../../src/core/errors.js";
import { leaderKeyForSeed } from "../../src/sim/leader.js";
import { eventually } from "./helpers.js";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  let stop = () => {};
  const stopSignal = new Promise<unknown>((resolve) => {
    stop = () => resolve("SIGTERM");
  });
  return {
    out,
    err,
    stop: () => stop(),
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      stopSignal,
    },
  };
}

describe("hlcopy sim", () => {
  it("prints exactly one JSON ready line, serves until stopped, then closes", async () => {
    const t = io();
    const running = runSimCommand({ port: "0", seed: "7", tickMs: "0" }, t.io);
    await eventually(() => t.out.length > 0);
    expect(t.out).toHaveLength(1);
    const ready = JSON.parse(t.out[0] ?? "");
    expect(ready).toEqual({
      event: "ready",
      httpUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      wsUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/),
    });
    const res = await fetch(`${ready.httpUrl}/info`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"type":"allMids"}',
    });
    expect(await res.json()).toMatchObject({ BTC: "95000.0" });
    t.stop();
    await running;
    expect(t.err.join("")).toMatch(/listening on/);
    await expect(fetch(`${ready.httpUrl}/info`, { method: "POST", body: "{}" })).rejects.toThrow();
  });

  it("--leader random adds the scripted leader's address to the ready line", async () => {
    const t = io();
    const running = runSimCommand({ seed: "3", tickMs: "0", leader: "random", leaderRate: "20/s" }, t.io);
    await eventually(() => t.out.length > 0);
    const ready = JSON.parse(t.out[0] ?? "");
    expect(ready.leader).toBe(privateKeyToAccount(leaderKeyForSeed(3)).address.toLowerCase());
    t.stop();
    await running;
  });

  it("a markets file replaces the default markets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-sim-"));
    const file = join(dir, "markets.json");
    writeFileSync(file, JSON.stringify([{ name: "FOO", szDecimals: 1, maxLeverage: 3, price: 12.5 }]));
    expect(parseSimCommandOptions({ markets: file }).sim.markets).toEqual([
      { name: "FOO", szDecimals: 1, maxLeverage: 3, price: 12.5 },
    ]);
    writeFileSync(
      file,
      JSON.stringify([{ name: "FOO", szDecimals: 1, maxLeverage: 3, price: 1, depthUsd: 5000, refillMs: 0 }]),
    );
    expect(parseSimCommandOptions({ markets: file }).sim.markets?.[0]).toMatchObject({
      depthUsd: 5000,
      refillMs: 0,
    });
    writeFileSync(
      file,
      JSON.stringify([{ name: "FOO", szDecimals: 1, maxLeverage: 3, price: 1, refillMs: -1 }]),
    );
    expect(() => parseSimCommandOptions({ markets: file })).toThrow(/refillMs must be an integer from 0/);
    writeFileSync(file, JSON.stringify([{ name: "FOO", szDecimals: 9, maxLeverage: 3, price: 1 }]));
    expect(() => parseSimCommandOptions({ markets: file })).toThrow(
      /szDecimals must be an integer from 0 to 6/,
    );
  });

  it("--leader is a word, whatever its case (as a setting's choice is)", () => {
    expect(parseSimCommandOptions({ leader: "Random" }).leader).toEqual({ ratePerSec: 2 });
    expect(parseSimCommandOptions({ leader: " RANDOM " }).leader).toEqual({ ratePerSec: 2 });
  });

  it("bad option values are usage errors that say what to do", () => {
    const cases: [Parameters<typeof parseSimCommandOptions>[0], RegExp][] = [
      [{ port: "http" }, /--port must be an integer from 0 to 65535/],
      [{ tickMs: "-5" }, /--tick-ms must be an integer/],
      [{ seed: "1.5" }, /--seed must be an integer/],
      [{ leader: "bob" }, /--leader must be "random"/],
      [{ leader: "random", leaderRate: "fast" }, /--leader-rate must look like 2\/s/],
      [{ leaderRate: "2/s" }, /--leader-rate needs --leader random/],
      [{ markets: "/nonexistent/markets.json" }, /cannot read --markets file/],
      [{ depthUsd: "lots" }, /--depth-usd must be an integer from 1/],
      [{ refillMs: "-1" }, /--refill-ms must be an integer from 0/],
    ];
    for (const [opts, message] of cases) {
      let error: unknown;
      try {
        parseSimCommandOptions(opts);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(message);
      expect((error as UsageError).hint).toBeTruthy();
      expect((error as UsageError).exitCode).toBe(2);
    }
  });

  it("--depth-usd and --refill-ms set the book's depth and refill time", () => {
    expect(parseSimCommandOptions({ depthUsd: "250000", refillMs: "0" }).sim).toMatchObject({
      depthUsd: 250_000,
      refillMs: 0,
    });
  });

  it("leader rates read per second or per minute", () => {
    expect(parseRate("2/s")).toBe(2);
    expect(parseRate("2")).toBe(2);
    expect(parseRate("30/m")).toBe(0.5);
    expect(parseRate("0.5/s")).toBe(0.5);
  });

  it("registers a `sim` command whose help lists its options and examples", () => {
    const program = new Command("hlcopy");
    register(program);
    const sim = program.commands.find((c) => c.name() === "sim");
    expect(sim).toBeDefined();
    let help = "";
    sim?.configureOutput({ writeOut: (s) => (help += s) });
    sim?.outputHelp();
    for (const flag of [
      "--port",
      "--seed",
      "--tick-ms",
      "--markets",
      "--testnet-signing",
      "--leader",
      "--leader-rate",
      "--depth-usd",
      "--refill-ms",
    ]) {
      expect(help).toContain(flag);
    }
    // The examples hang together: the port the simulator is started on is the one hlcopy is pointed at.
    expect(help).toContain("$ hlcopy sim --port 8080 --leader random --leader-rate 2/s");
    expect(help).toContain("$ hlcopy --network http://127.0.0.1:8080 --account 0xYourMaster… init");
  });
});
