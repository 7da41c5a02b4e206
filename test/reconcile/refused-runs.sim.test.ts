// A run refused before it could send — a wrong passphrase, a no at the review, positions hlcopy
// did not open — leaves the journal as it was: no file where there was none, and an existing
// one byte for byte. What such a run read (the leader's equity, our account, the positions) is
// no baseline of the copy: a leader's deposit after it is no cash flow of a copy that never
// began, so the next run sizes as a first run would. The real binary against a simulator.

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath } from "../../src/store/journal.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { hasScript, onTerminal } from "../helpers/terminal.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const PASS = "tide-lamp-orbit-93";
const COPY = ["--mode", "equity-ratio", "--max-leverage", "5"];

/** A simulator with two leaders (ETH, SOL), a follower whose agent key is in a keystore. */
async function world() {
  const sim = await startSim({ seed: 91, tickMs: 0 });
  sims.push(sim);
  const f = await masterWithAgent(sim, 10_000);
  const follower = f.master.address;
  const client = (account: Address, key: `0x${string}`) =>
    engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account, agentKey: key });
  async function trade(
    account: Address,
    key: `0x${string}`,
    coin: string,
    side: "buy" | "sell",
    usd: number,
  ) {
    const c = client(account, key);
    const markets = await c.getMarkets();
    const m = markets[coin];
    if (!m) throw new Error(coin);
    const size = Number((usd / m.mid).toFixed(m.szDecimals));
    const [r] = await c.placeOrders([action(markets, coin, side, size)], markets);
    expect(r?.status).toBe("filled");
  }
  const leaders = [fundedAccount(sim, 1_000_000), fundedAccount(sim, 1_000_000)];
  await trade(leaders[0]?.address as Address, leaders[0]?.key as `0x${string}`, "ETH", "buy", 200_000);
  await trade(leaders[1]?.address as Address, leaders[1]?.key as `0x${string}`, "SOL", "buy", 200_000);
  /** A config directory whose keystore holds the follower's agent key. */
  async function configDir(): Promise<string> {
    const dir = tempDir();
    await writeKeystore(agentKeystorePath(dir), await encryptKeystore(f.agentKey, PASS, { scryptN: 1024 }));
    return dir;
  }
  const base = (json = true) => [
    "--network",
    sim.httpUrl,
    "--account",
    follower,
    ...(json ? ["--json"] : []),
  ];
  async function reconcile(dir: string, args: string[], passphrase = PASS, leader = leaders[0]?.address) {
    const r = await runCli([...base(), "reconcile", leader ?? "", ...COPY, ...args], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: passphrase },
    });
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    const doc = last.startsWith("{") ? (JSON.parse(last) as { type?: string }) : null;
    const report = doc && doc.type !== "error" ? (doc as unknown as ReconcileReport) : null;
    return { ...r, report, error: doc?.type === "error" ? (doc as { message: string }) : null };
  }
  return {
    sim,
    leaders: leaders.map((l) => l.address),
    follower,
    agentKey: f.agentKey,
    base,
    configDir,
    reconcile,
    /** A trade the follower makes by hand (not through hlcopy). */
    tradeByHand: (coin: string, usd: number) => trade(follower, f.agentKey, coin, "buy", usd),
    ordersSent: () => sim.control.orderHistory(follower).length,
  };
}

/** The journal's files in `dir` (the database, its -wal/-shm, the intent log): each one's SHA-256. */
function journalFiles(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.startsWith("journal-"))
      .sort()
      .map((f) => [
        f,
        createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex"),
      ]),
  );
}

/** Every table's rows (read from a copy, so the journal itself is not opened). */
function journalRows(file: string): Record<string, unknown[]> {
  const copy = join(tempDir(), "copy.sqlite");
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new DatabaseSync(copy);
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => String(r.name));
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

/** What a refused run must leave as it was: every table's rows, then every byte of every file. */
function expectUnchanged(dir: string, file: string, before: { rows: unknown; files: unknown }): void {
  expect(journalRows(file)).toEqual(before.rows);
  expect(journalFiles(dir)).toEqual(before.files);
}

function state(dir: string, file: string) {
  return { rows: journalRows(file), files: journalFiles(dir) };
}

/**
 * hlcopy on a pseudo-terminal (util-linux script), so the review asks; `answer` is typed once
 * the question shows. Resolves with the exit code and what the terminal showed.
 */
function reviewOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  answer: string,
  /** Done while the question waits, before the answer is typed. */
  meanwhile?: () => Promise<void>,
): Promise<{ code: number | null; screen: string }> {
  const { child, screen: shown, exit } = onTerminal(args, env);
  let answered = false;
  child.stdout.on("data", () => {
    if (!answered && shown().includes("[y/N]")) {
      answered = true;
      void (meanwhile ?? (async () => {}))().finally(() => child.stdin.write(answer));
    }
  });
  return exit.then((code) => ({ code, screen: shown() }));
}

describe("a run refused before it could send", () => {
  it("a wrong passphrase (reconcile and follow): no journal where there was none, an existing one unchanged", {
    timeout: 150_000, // several CLI runs (and scrypt): a bound for a hang on a busy 2-core host
  }, async () => {
    const w = await world();
    const fresh = await w.configDir();
    const wrong = async (dir: string, leader: Address) => {
      for (const command of [
        ["reconcile", leader, ...COPY, "--yes"],
        ["follow", leader, ...COPY, "--yes", "--no-ui"],
      ]) {
        const r = await runCli([...w.base(false), ...command], {
          env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: "not-the-passphrase" },
        });
        expect(r.code, command[0]).toBe(2);
        expect(r.stderr, command[0]).toMatch(/wrong passphrase/i);
      }
    };
    await wrong(fresh, w.leaders[0] as Address);
    expect(journalFiles(fresh)).toEqual({});
    expect(w.ordersSent()).toBe(0);

    // A journal of a real run for the first leader; then the second one, refused.
    const dir = await w.configDir();
    expect((await w.reconcile(dir, ["--yes"])).code).toBe(0);
    const file = journalPath(dir, w.follower, w.sim.httpUrl);
    const before = state(dir, file);
    const sent = w.ordersSent();
    await wrong(dir, w.leaders[1] as Address);
    await wrong(dir, w.leaders[0] as Address);
    expect(w.ordersSent()).toBe(sent);
    expectUnchanged(dir, file, before);
  });

  it.skipIf(!hasScript)(
    "hlcopy flatten while the follow waits at its review says the closes wait for its yes; a no sends nothing",
    { timeout: 60_000 },
    async () => {
      const w = await world();
      const dir = await w.configDir();
      let told: { did?: string; message?: string } = {};
      const r = await reviewOnTerminal(
        [...w.base(false), "follow", w.leaders[0] as string, ...COPY],
        { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: PASS },
        "n\r",
        async () => {
          const flat = await runCli([...w.base(), "flatten", "--yes"], { env: { HLCOPY_CONFIG_DIR: dir } });
          told = JSON.parse(flat.stdout);
        },
      );
      expect(told).toMatchObject({ did: "flattening" });
      expect(told.message).toMatch(
        /still at its start, waiting at its review or passphrase prompt: it closes .* once confirmed there \(a no sends nothing/,
      );
      expect(r.screen).toContain("not confirmed: nothing was sent");
      expect(w.ordersSent()).toBe(0);
    },
  );

  it.skipIf(!hasScript)(
    "a no at the review (reconcile and follow): no journal where there was none, an existing one unchanged",
    {
      timeout: 60_000,
    },
    async () => {
      const w = await world();
      const no = async (dir: string, leader: Address) => {
        for (const command of [
          ["reconcile", leader, ...COPY],
          ["follow", leader, ...COPY],
        ]) {
          const r = await reviewOnTerminal(
            [...w.base(false), ...command],
            { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: PASS },
            "n\r",
          );
          expect(r.screen, command[0]).toContain("not confirmed: nothing was sent");
          // Never 0, which says success / in sync (design §8): `hlcopy reconcile … && echo synced`
          // must not print. A reconcile declined leaves the drift it would have repaired (3); a
          // follow declined did not start, as without a terminal (2).
          expect(r.code, command[0]).toBe(command[0] === "reconcile" ? 3 : 2);
          expect(r.screen, command[0]).not.toContain("hint:");
        }
      };
      const fresh = await w.configDir();
      await no(fresh, w.leaders[0] as Address);
      expect(journalFiles(fresh)).toEqual({});
      expect(w.ordersSent()).toBe(0);

      const dir = await w.configDir();
      expect((await w.reconcile(dir, ["--yes"])).code).toBe(0);
      const file = journalPath(dir, w.follower, w.sim.httpUrl);
      const before = state(dir, file);
      const sent = w.ordersSent();
      // A first run for the second leader needs the review.
      await no(dir, w.leaders[1] as Address);
      expect(w.ordersSent()).toBe(sent);
      expectUnchanged(dir, file, before);
    },
  );

  // `hlcopy reconcile 0x… --max-leverage 3 --json` (its --help example) on a terminal, first run:
  // the review asks; a no printed nothing on stdout, where --json promises one document.
  it.skipIf(!hasScript)(
    "a no at the review of reconcile --json: one error document, exit 3, nothing sent",
    {
      timeout: 60_000,
    },
    async () => {
      const w = await world();
      const dir = await w.configDir();
      const r = await reviewOnTerminal(
        [...w.base(true), "reconcile", w.leaders[0] as string, ...COPY],
        { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: PASS },
        "n\r",
      );
      expect(r.code).toBe(3);
      const docs = r.screen
        .split(/\r?\n/)
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(docs).toEqual([
        expect.objectContaining({ type: "error", message: "not confirmed: nothing was sent", fatal: true }),
      ]);
      expect(w.ordersSent()).toBe(0);
    },
  );

  it("positions hlcopy did not open: no journal where there was none, an existing one unchanged", {
    timeout: 60_000,
  }, async () => {
    const w = await world();
    const dir = await w.configDir();
    expect((await w.reconcile(dir, ["--yes"])).code).toBe(0);
    const file = journalPath(dir, w.follower, w.sim.httpUrl);
    const before = state(dir, file);
    await w.tradeByHand("BTC", 1_000);
    const sent = w.ordersSent();

    for (const leader of w.leaders) {
      const r = await w.reconcile(dir, ["--yes"], PASS, leader);
      expect(r.code).toBe(2);
      expect(r.error?.message).toMatch(/holds position\(s\) hlcopy did not open: BTC/);
    }
    expect(w.ordersSent()).toBe(sent);
    expectUnchanged(dir, file, before);
    // A config directory without a journal meets the account's positions as not its own.
    const fresh = await w.configDir();
    const r = await w.reconcile(fresh, ["--yes"]);
    expect(r.error?.message).toMatch(/hlcopy did not open/);
    expect(journalFiles(fresh)).toEqual({});
  });

  it("the leader's deposit after a refused run is no cash flow: the next run sizes as a first run would", {
    timeout: 60_000,
  }, async () => {
    const w = await world();
    const refused = await w.configDir();
    expect((await w.reconcile(refused, ["--yes"], "not-the-passphrase")).code).toBe(2);
    w.sim.control.fund(w.leaders[0] as Address, 100_000);

    const after = await w.reconcile(refused, ["--dry-run"]);
    const first = await w.reconcile(await w.configDir(), ["--dry-run"]);
    expect(after.code).toBe(3);
    expect(after.report?.cashFlows).toEqual([]);
    expect(after.report?.sizing).toEqual(first.report?.sizing);
    expect(after.report?.actions.map((a) => [a.coin, a.side, a.size])).toEqual(
      first.report?.actions.map((a) => [a.coin, a.side, a.size]),
    );
    // And a real run after it sends what the trader asked for, not twice that.
    const live = await w.reconcile(refused, ["--yes"]);
    expect(live.code).toBe(0);
    expect(live.report?.actions.map((a) => [a.coin, a.side, a.size])).toEqual(
      first.report?.actions.map((a) => [a.coin, a.side, a.size]),
    );
    expect(w.ordersSent()).toBe(1);
  });
});
