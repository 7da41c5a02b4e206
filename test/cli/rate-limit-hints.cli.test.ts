// A command that ends on the exchange's HTTP 429 says what to do about it for THAT command
// (the real binary against the simulator's http429 fault): follow's hint (follow fewer leaders,
// sweep less often) means nothing to agent show, agent approve or reconcile.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { hintFor } from "../../src/cli/rate-limit.js";
import { RATE_LIMIT_FOLLOW_HINT, RateLimitError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { StartupTimeoutError } from "../../src/exchange/retry.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(): Promise<SimHandle> {
  const s = await startSim({ seed: 23, tickMs: 0 });
  sims.push(s);
  return s;
}

const LEADER = "0x1880bbbea43fb92572279b9131130cc0f56e5fb4";

describe("the hint of a command that ended on HTTP 429", () => {
  it("agent show: run it again in a minute (it only reads)", { timeout: 60_000 }, async () => {
    const s = await sim();
    const master = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
    s.control.fault({ kind: "http429", count: 100, endpoint: "info" });
    const r = await runCli(["--network", s.httpUrl, "--account", master, "agent", "show"], {
      env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: generatePrivateKey() },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: rate-limited by the exchange (HTTP 429) on extraAgents\nhint: wait a minute, then run hlcopy agent show again (it only reads)\n",
    );
  });

  it("agent approve: after its retries, nothing was approved — run it again in a minute", {
    timeout: 60_000,
  }, async () => {
    const s = await sim();
    const key = generatePrivateKey();
    const master = privateKeyToAccount(key).address.toLowerCase() as Address;
    s.control.fund(master, 1_000);
    s.control.fault({ kind: "http429", count: 100, endpoint: "exchange" });
    const r = await runCli(["--network", s.httpUrl, "--account", master, "agent", "approve"], {
      env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: generatePrivateKey() },
      input: `${key}\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n").slice(-2)).toEqual([
      "error: rate-limited by the exchange (HTTP 429) on approveAgent (4 attempts)",
      "hint: nothing was approved: wait a minute, then run hlcopy agent approve again",
    ]);
  });

  it("reconcile: what was refused did not run; run it again in a minute", { timeout: 60_000 }, async () => {
    const s = await sim();
    const { master, agentKey } = await masterWithAgent(s, 10_000);
    s.control.fault({ kind: "http429", count: 10_000, endpoint: "info" });
    const r = await runCli(
      [
        "--network",
        s.httpUrl,
        "--account",
        master.address,
        "reconcile",
        LEADER,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.1",
        "--yes",
        "--startup-timeout-seconds",
        "2",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey } },
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.at(-2)).toMatch(
      /^error: gave up after 2s waiting for .*: rate-limited by the exchange \(HTTP 429\)/,
    );
    expect(lines.at(-1)).toBe(
      "hint: what the exchange refused with 429 did not run: wait a minute, then run hlcopy reconcile again (it plans from the exchange's state)",
    );
  });

  it("each command its own; follow keeps its own; another error keeps its hint", () => {
    const limited = new RateLimitError("rate-limited by the exchange (HTTP 429) on userFillsByTime", {
      hint: RATE_LIMIT_FOLLOW_HINT,
    });
    const gaveUp = new StartupTimeoutError("gave up after 2m waiting for userFillsByTime: …", {
      hint: "check the network connection",
      cause: limited,
    });
    expect(hintFor(limited, "follow")).toBe(RATE_LIMIT_FOLLOW_HINT);
    expect(hintFor(gaveUp, "follow")).toBe(RATE_LIMIT_FOLLOW_HINT);
    for (const command of ["inspect", "backtest"]) {
      expect(hintFor(gaveUp, command)).toBe(
        `the exchange limits how often one address (IP) may read: wait a minute, then run hlcopy ${command} again`,
      );
    }
    // Not a rate limit: the error's own hint, whatever the command.
    const other = new StartupTimeoutError("gave up …", { hint: "check the network connection" });
    expect(hintFor(other, "inspect")).toBe("check the network connection");
    // A command with no hint of its own: never follow's.
    expect(hintFor(limited, "resume")).toBe(
      "the exchange refused too many requests: wait a minute, then run it again",
    );
  });
});
