// A config directory other users may write: they could replace config.json (the leader, the
// caps) between two runs. A live copy is refused before anything is sent (exit 2, the chmod to
// run), as a keystore open to others is; a dry run plans and says a live run would be refused;
// a directory hlcopy creates is 0700. The real binary against a simulator.

import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: string;
let follower: string;
let agentKey: string;

beforeAll(async () => {
  sim = await startSim({ seed: 23, tickMs: 0 });
  const l = fundedAccount(sim, 100_000);
  leader = l.address;
  await l.sdk.order({
    orders: [{ a: 1, b: true, p: "3500", s: "10", r: false, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  });
  const f = await masterWithAgent(sim, 10_000);
  follower = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await sim.close();
});

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];
const orders = () => sim.control.stats().actionByType.order ?? 0;

function reconcile(dir: string, args: string[]) {
  return runCli(
    ["--network", sim.httpUrl, "--account", follower, "--json", "reconcile", leader, ...COPY, ...args],
    {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey },
    },
  );
}

describe.skipIf(process.platform === "win32")("a config directory other users may write", () => {
  it("refuses a live reconcile before any order, with the chmod that fixes it; a dry run says a live run would be refused", async () => {
    const dirs: string[] = [];
    for (const mode of [0o777, 0o770]) {
      const dir = tempDir();
      chmodSync(dir, mode);
      const before = orders();
      const live = await reconcile(dir, ["--yes"]);
      expect(live.code).toBe(2);
      const who = mode === 0o777 ? "anyone" : "its group";
      expect(jsonError(live.stdout)).toBe(
        `error: config directory ${dir} can be written by ${who} (mode 0${mode.toString(8)}): another user could replace config.json (the leader, the caps) or the journal\n` +
          `hint: make it yours alone, then run again: chmod 700 ${dir}\n`,
      );
      expect(orders()).toBe(before);

      const dry = await reconcile(dir, ["--dry-run"]);
      expect(dry.code).toBe(3); // it plans the copy
      const doc = JSON.parse(dry.stdout.trim().split("\n").at(-1) ?? "{}") as { warnings: string[] };
      expect(doc.warnings).toContainEqual(
        expect.stringMatching(
          /^a live run would be refused now: config directory .* can be written by .*chmod 700 /,
        ),
      );

      dirs.push(dir);
    }
    // agent show says it, as it says a keystore open to others.
    const show = await runCli(["--network", sim.httpUrl, "--account", follower, "agent", "show"], {
      env: { HLCOPY_CONFIG_DIR: dirs[0] ?? "", HLCOPY_AGENT_KEY: agentKey },
    });
    expect(show.stderr).toMatch(
      /^warning: config directory .* can be written by anyone \(mode 0777\): .*: live follow and reconcile refuse it; make it yours alone, then run again: chmod 700 /m,
    );
    // Made the trader's alone: the same run trades.
    const dir = dirs[0] ?? "";
    chmodSync(dir, 0o700);
    const before = orders();
    expect((await reconcile(dir, ["--yes"])).code).toBe(0);
    expect(orders()).toBeGreaterThan(before);
  });

  it("a config directory hlcopy creates is its owner's alone (0700)", async () => {
    const dir = join(tempDir(), "nested", "hlcopy");
    expect(
      (await runCli(["config", "set", "sizing.mode", "fixed-ratio"], { env: { HLCOPY_CONFIG_DIR: dir } }))
        .code,
    ).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
