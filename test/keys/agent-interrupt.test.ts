// Ctrl-C while an agent command derives the key from the passphrase (scrypt or pbkdf2, after the
// passphrase was given): the command ends at once as Ctrl-C at the question does — "error:
// interrupted" / "hint: nothing was changed", exit 130, no stack trace — and nothing on disk
// changes. Node's default killed the process silently there (no line, killed by the signal), or
// the derivation ran on and the import wrote the keystore after the Ctrl-C.
//
// The real binary, a keystore whose pbkdf2 derivation takes seconds (10 000 000 rounds, hlcopy's
// limit; its MAC is never reached), and the signal sent once a thread other than the main one has
// spent 100 ms of CPU: the derivation is under way (Linux /proc).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentKeystorePath } from "../../src/store/keystore.js";
import { eventually } from "../exchange/helpers.js";
import { BIN, cleanEnv, tempDir } from "../helpers/cli.js";

/** A v3 keystore with a 10 000 000-round pbkdf2: the derivation takes seconds. */
function slowKeystore(address?: string): string {
  return JSON.stringify({
    version: 3,
    id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    ...(address ? { address } : {}),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: randomBytes(16).toString("hex") },
      ciphertext: randomBytes(32).toString("hex"),
      kdf: "pbkdf2",
      kdfparams: { c: 10_000_000, dklen: 32, prf: "hmac-sha256", salt: randomBytes(32).toString("hex") },
      mac: randomBytes(32).toString("hex"),
    },
  });
}

/** CPU ticks spent by the process's threads other than the main one (the thread pool's work). */
function workerTicks(pid: number): number {
  let most = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      if (Number(tid) === pid) continue;
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      most = Math.max(most, Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    // the process ended meanwhile
  }
  return most;
}

/** Run `hlcopy …args`, Ctrl-C it once the key derivation is under way; its exit and output. */
async function interruptDerivation(args: string[], dir: string) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv({ HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: "a long enough passphrase for this" }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("close", (code, signal) => done({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const pid = child.pid as number;
  // Under way: a pool thread has spent 100 ms of CPU on it (the derivation takes seconds).
  await eventually(() => ended || workerTicks(pid) >= 10, 60_000);
  expect(ended).toBe(false);
  child.kill("SIGINT");
  // Bounded for a hang only: the derivation left alone would take seconds more.
  const result = await exited;
  return { ...result, stdout, stderr };
}

describe("Ctrl-C during the key derivation of an agent command", () => {
  it("agent import: interrupted, exit 130, the existing keystore untouched, no temp file", {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir();
    const file = agentKeystorePath(dir);
    const existing = slowKeystore();
    writeFileSync(file, existing, { mode: 0o600 });
    const source = join(tempDir(), "slow.json");
    writeFileSync(source, slowKeystore());
    const before = readdirSync(dir).sort();
    const r = await interruptDerivation(["agent", "import", "--keystore", source, "--force"], dir);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toBe("error: interrupted\nhint: nothing was changed\n");
    expect(r.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(existing);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("agent show (a keystore without its address: opened to learn it): interrupted, exit 130", {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir();
    const file = agentKeystorePath(dir);
    const existing = slowKeystore();
    writeFileSync(file, existing, { mode: 0o600 });
    const r = await interruptDerivation(["agent", "show"], dir);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toBe("error: interrupted\nhint: nothing was changed\n");
    expect(readFileSync(file, "utf8")).toBe(existing);
  });
});
