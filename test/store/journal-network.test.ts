// One journal per (network, account): where each network's file is, and what hlcopy says about
// a file an older hlcopy shared between networks (it is never used half-right).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import {
  foreignNetworkRuns,
  journalNetworks,
  journalPath,
  openJournal,
  otherJournals,
  type StartRunParameters,
  unmovedJournal,
} from "../../src/store/journal.js";
import { lockPath } from "../../src/store/lock.js";
import { networkKey } from "../../src/store/network-key.js";
import { tempDir } from "../helpers/cli.js";

const ACCOUNT = "0xAbCdEf0000000000000000000000000000000001";
const who = ACCOUNT.toLowerCase();
const SIM_A = "http://127.0.0.1:7411";
const SIM_B = "http://127.0.0.1:7412";
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

const run = (network: string, startedAt = 1_700_000_000_000): StartRunParameters => ({
  command: "follow",
  leaders: [],
  account: ACCOUNT as `0x${string}`,
  network,
  settings: {},
  startedAt,
});

/** A journal at `file` with one run on each network given. */
function seed(file: string, ...networks: string[]): void {
  const j = openJournal(file);
  for (const n of networks) j.startRun(run(n));
  j.close();
}

describe("journalPath: one file per (network, account)", () => {
  it("mainnet keeps the name it always had (a trader's history stays where it is)", () => {
    expect(journalPath("/c", ACCOUNT)).toBe(`/c/journal-${who}.sqlite`);
    expect(journalPath("/c", ACCOUNT, "mainnet")).toBe(`/c/journal-${who}.sqlite`);
    expect(journalPath("/c", ACCOUNT, "https://api.hyperliquid.xyz/")).toBe(`/c/journal-${who}.sqlite`);
  });

  it("every other network has its own, keyed like the run lock", () => {
    const testnet = journalPath("/c", ACCOUNT, "testnet");
    expect(testnet).toBe(`/c/journal-${networkKey("https://api.hyperliquid-testnet.xyz")}-${who}.sqlite`);
    expect(testnet).toMatch(
      /^\/c\/journal-api\.hyperliquid-testnet\.xyz-[0-9a-f]{8}-0x[0-9a-f]{40}\.sqlite$/,
    );
    // Two simulators on two ports are two exchanges; one simulator however it is spelled is one.
    expect(journalPath("/c", ACCOUNT, SIM_A)).not.toBe(journalPath("/c", ACCOUNT, SIM_B));
    expect(journalPath("/c", ACCOUNT, "http://localhost:7411/")).toBe(journalPath("/c", ACCOUNT, SIM_A));
    // The journal and the lock agree on what one network is.
    const key = (p: string) => /-(127\.0\.0\.1_7411-[0-9a-f]{8})-/.exec(p)?.[1];
    expect(key(journalPath("/c", ACCOUNT, SIM_A))).toBe(
      key(lockPath("/l", { name: "sim", httpUrl: "http://localhost:7411" }, ACCOUNT)),
    );
  });

  it("otherJournals names the account's journals on other networks, not its own or another account's", () => {
    const dir = tempDir();
    seed(journalPath(dir, ACCOUNT), "mainnet");
    seed(journalPath(dir, ACCOUNT, SIM_A), SIM_A);
    seed(journalPath(dir, "0x00000000000000000000000000000000000000b2", SIM_B), SIM_B);
    expect(otherJournals(dir, ACCOUNT, SIM_A)).toEqual([`journal-${who}.sqlite`]);
    expect(otherJournals(dir, ACCOUNT, "mainnet")).toEqual([`journal-${networkKey(SIM_A)}-${who}.sqlite`]);
    expect(otherJournals(dir, ACCOUNT, SIM_B)).toHaveLength(2);
  });
});

describe("a journal an older hlcopy shared between networks", () => {
  it("holding only its own network's runs is used as it is", () => {
    const file = journalPath(tempDir(), ACCOUNT, SIM_A);
    seed(file, SIM_A, "http://localhost:7411");
    const j = openJournal(file);
    expect(foreignNetworkRuns(j, SIM_A, ACCOUNT)).toBeNull();
    j.close();
  });

  it("mainnet's file holding a simulator's runs only: refused, the hint moves it to the simulator's name", () => {
    const dir = tempDir();
    const shared = journalPath(dir, ACCOUNT);
    seed(shared, SIM_A);
    const j = openJournal(shared);
    const e = foreignNetworkRuns(j, "mainnet", ACCOUNT);
    j.close();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e?.message).toBe(
      `journal ${shared} holds the runs of ${SIM_A}, not of mainnet (an older hlcopy kept one journal per account for every network)`,
    );
    // Asked while the file is open: its -wal goes with it — if it is still there when the trader
    // runs the command (the close above folded it into the file and removed it).
    const theirs = journalPath(dir, ACCOUNT, SIM_A);
    expect(e?.hint).toBe(
      `with no hlcopy running for this account, move it where hlcopy now looks for ${SIM_A}'s journal: mv ${shared} ${theirs} && for x in -wal -shm -intents; do [ ! -e ${shared}$x ] || mv ${shared}$x ${theirs}$x; done`,
    );
    expect(e?.exitCode).toBe(2);
    const hint = e?.hint ?? "";
    execFileSync("sh", ["-c", hint.slice(hint.indexOf("mv "))]);
    const moved = openJournal(theirs);
    expect(moved.networks()).toEqual([SIM_A]);
    moved.close();
  });

  it("holding mainnet's runs and another network's: refused, the hint moves it aside (it cannot be split)", () => {
    const dir = tempDir();
    const shared = journalPath(dir, ACCOUNT);
    seed(shared, "mainnet", "testnet");
    const j = openJournal(shared);
    const e = foreignNetworkRuns(j, "mainnet", ACCOUNT);
    j.close();
    expect(e?.message).toBe(
      `journal ${shared} also holds runs on testnet (an older hlcopy kept one journal per account for every network): its high-water mark, halts and positions may be another network's`,
    );
    expect(e?.hint).toContain(
      `move it aside (mv ${shared} ${shared}.shared && for x in -wal -shm -intents; do [ ! -e ${shared}$x ] || mv ${shared}$x ${shared}.shared$x; done) and mainnet starts a new journal`,
    );
  });

  it("a shared file whose last run was killed: the hint moves its -wal and -intents too, and nothing recorded is lost", () => {
    const dir = tempDir();
    const shared = journalPath(dir, ACCOUNT);
    const cloid = `0x${"7".repeat(32)}`;
    // A follow on SIM_A that recorded a halt (in the -wal: no checkpoint yet) and an order's
    // intent (in the intent log), then was killed: the older hlcopy's layout after a crash.
    const script = `
      import { openJournal } from ${JSON.stringify(join(root, "dist/store/journal.js"))};
      const j = openJournal(${JSON.stringify(shared)}, { intentLog: true });
      const run = j.startRun(${JSON.stringify(run(SIM_A))});
      j.recordHalt({ ts: 1_700_000_000_500, kind: "manual", reason: "flatten requested (hlcopy flatten)" });
      j.recordOrderIntent({ runId: run, ts: 1_700_000_000_600, action: { coin: "BTC", side: "sell", size: 0.01, limitPx: 60000, reduceOnly: true, cloid: "${cloid}", reason: "close", refPx: 60100 } });
      process.kill(process.pid, "SIGKILL");
    `;
    const killed = spawnSync(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    expect(killed.signal).toBe("SIGKILL");
    expect(existsSync(`${shared}-wal`)).toBe(true);
    expect(existsSync(`${shared}-intents`)).toBe(true);
    const own = journalPath(dir, ACCOUNT, SIM_A);
    const hint = unmovedJournal(dir, ACCOUNT, SIM_A)?.hint ?? "";
    const command = hint.slice(hint.indexOf("mv "));
    expect(command).toBe(
      `mv ${shared} ${own} && for x in -wal -shm -intents; do [ ! -e ${shared}$x ] || mv ${shared}$x ${own}$x; done`,
    );
    // Done as a trader does it, in a shell: the halt and the order are where SIM_A's runs look.
    execFileSync("sh", ["-c", command]);
    expect(readdirSync(dir).filter((f) => f.startsWith(`journal-${who}`))).toEqual([]);
    const moved = openJournal(own, { intentLog: true });
    try {
      expect(moved.activeHalt()).toMatchObject({
        kind: "manual",
        reason: "flatten requested (hlcopy flatten)",
      });
      expect(moved.getOrder(cloid)).toMatchObject({ status: "pending", reduceOnly: true });
    } finally {
      moved.close();
    }
  });

  it("a network whose runs are still in the shared file is told to move it there; nothing is written", () => {
    const dir = tempDir();
    const shared = journalPath(dir, ACCOUNT);
    seed(shared, SIM_A);
    const before = readdirSync(dir).sort();
    const e = unmovedJournal(dir, ACCOUNT, SIM_A);
    expect(e?.message).toBe(
      `the journal of ${SIM_A} for ${who} is still in ${shared}, where an older hlcopy kept one journal per account for every network`,
    );
    expect(e?.hint).toBe(
      `with no hlcopy running for this account, move it where hlcopy now looks for it: mv ${shared} ${journalPath(dir, ACCOUNT, SIM_A)}`,
    );
    expect(readdirSync(dir).sort()).toEqual(before);
    // Another network, mainnet itself, or a shared file that also holds mainnet's runs: nothing to move.
    expect(unmovedJournal(dir, ACCOUNT, SIM_B)).toBeNull();
    expect(unmovedJournal(dir, ACCOUNT, "mainnet")).toBeNull();
    const mixed = tempDir();
    seed(journalPath(mixed, ACCOUNT), "mainnet", SIM_A);
    expect(unmovedJournal(mixed, ACCOUNT, SIM_A)).toBeNull();
    // Once moved, it is that network's journal.
    seed(journalPath(dir, ACCOUNT, SIM_A), SIM_A);
    expect(unmovedJournal(dir, ACCOUNT, SIM_A)).toBeNull();
    expect(existsSync(journalPath(dir, ACCOUNT, SIM_A))).toBe(true);
  });

  it("journalNetworks reads a journal's networks, oldest first, writing nothing, a running follow's commits included", () => {
    const dir = tempDir();
    const file = journalPath(dir, ACCOUNT);
    expect(journalNetworks(file)).toEqual([]); // none yet
    seed(file, SIM_B, "mainnet", SIM_B);
    const bytes = readFileSync(file);
    const before = readdirSync(dir).sort();
    expect(journalNetworks(file)).toEqual([SIM_B, "mainnet"]);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    // Open by a writer, its last run only in the -wal: read all the same, and the -wal left to it.
    const writer = openJournal(file, { groupCommitMs: 0 });
    writer.startRun(run(SIM_A));
    expect(journalNetworks(file)).toEqual([SIM_B, "mainnet", SIM_A]);
    writer.close();
    // Not a journal: the one error naming the file.
    const junk = join(dir, "junk.sqlite");
    writeFileSync(junk, "not sqlite at all, just text that is long enough to have a header");
    expect(() => journalNetworks(junk)).toThrow(ConfigError);
  });
});
