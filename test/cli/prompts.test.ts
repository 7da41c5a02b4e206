// Ctrl-C at a visible question (init, the plan review) keeps the contract of every other
// prompt: InterruptedError, "interrupted" / "nothing was changed", exit 130 — never readline's
// "Aborted with Ctrl+C … report it". The terminal is the one fake (FakeTty): readline runs
// for real over it in terminal mode, so Ctrl-C arrives as the byte a terminal sends.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { ask } from "../../src/cli/ask.js";
import { runInit } from "../../src/cli/init/run.js";
import { reportError } from "../../src/cli/output.js";
import { readStoredSettings } from "../../src/store/config.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { InterruptedError } from "../../src/store/secrets.js";
import { eventually } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { Capture, FakeTty, terminalScreen, ttyPrompt } from "../keys/io.js";

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("ask (one visible question)", () => {
  it("returns the typed line", async () => {
    const tty = new FakeTty();
    const out = new Capture();
    tty.typeLater("testnet\r");
    expect(await ask({ input: tty, output: out }, "Network: ")).toBe("testnet");
    expect(out.text).toContain("Network: ");
  });

  it("Ctrl-C rejects with InterruptedError (exit 130, nothing was changed)", async () => {
    const tty = new FakeTty();
    tty.typeLater("test", "\u0003");
    const error = (await rejection(ask({ input: tty, output: new Capture() }, "Q: "))) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
  });

  it("Ctrl-C or Ctrl-D at a question: what is said next starts a line of its own, not after the question", async () => {
    // Seen: "Delete the agent key …? [y/N] error: interrupted" (agent remove), "Network … [mainnet]:
    // error: interrupted" (init, Ctrl-D).
    for (const key of ["\u0003", "\u0004"]) {
      const tty = new FakeTty();
      const out = new Capture();
      tty.typeLater(key);
      expect(await rejection(ask({ input: tty, output: out }, "Network [mainnet]: "))).toBeInstanceOf(
        InterruptedError,
      );
      expect(terminalScreen(out.text).at(-1), JSON.stringify(key)).toBe("");
      const confirm = ttyPrompt();
      confirm.tty.typeLater(key);
      expect(await rejection(confirm.prompt.confirm("Delete it? [y/N] "))).toBeInstanceOf(InterruptedError);
      expect(terminalScreen(confirm.output.text).at(-1), JSON.stringify(key)).toBe("");
      confirm.prompt.close();
    }
  });

  it("the input ending before an answer is an interruption too", async () => {
    const tty = new FakeTty();
    setTimeout(() => tty.end(), 2);
    expect(await rejection(ask({ input: tty, output: new Capture() }, "Q: "))).toBeInstanceOf(
      InterruptedError,
    );
  });
});

describe("ask, stopped from outside (a SIGTERM while the question waits)", () => {
  it("the signal abandons the question: rejected, the terminal released; an aborted signal never asks", async () => {
    const tty = new FakeTty();
    const out = new Capture();
    const stop = new AbortController();
    const pending = rejection(ask({ input: tty, output: out }, "Send 2 order(s)? [y/N] ", stop.signal));
    stop.abort();
    expect(await pending).toBeInstanceOf(InterruptedError);
    // A later keystroke answers nothing: the question is gone.
    tty.typeLater("y\r");
    const again = new Capture();
    expect(await rejection(ask({ input: new FakeTty(), output: again }, "Q: ", stop.signal))).toBeInstanceOf(
      InterruptedError,
    );
    expect(again.text).toBe("");
  });
});

describe("hlcopy init at a terminal", () => {
  it("Ctrl-C at the account question: interrupted, exit 130, nothing written", async () => {
    const dir = tempDir();
    const tty = new FakeTty();
    const err = new Capture();
    const out = new Capture();
    const done = rejection(runInit({ configDir: dir }, { input: tty, out, err }));
    await eventually(() => err.text.includes("Network"));
    tty.write("testnet\r");
    await eventually(() => err.text.includes("master account"));
    tty.write("0x12\u0003");
    const error = await done;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(existsSync(join(dir, "config.json"))).toBe(false);
    expect(out.text).toBe("");
    // What the CLI prints for it: the same two lines as at every other prompt.
    const printed = new Capture();
    expect(reportError(error, { debug: false, err: printed })).toBe(130);
    expect(printed.text).toBe("error: interrupted\nhint: nothing was changed\n");
  });

  it("answers both questions and saves them", async () => {
    const dir = tempDir();
    const tty = new FakeTty();
    const err = new Capture();
    const out = new Capture();
    const done = runInit({ configDir: dir }, { input: tty, out, err });
    await eventually(() => err.text.includes("Network"));
    tty.write("testnet\r");
    await eventually(() => err.text.includes("master account"));
    tty.write("0x1111111111111111111111111111111111111111\r");
    await done;
    expect(out.text).toContain("network  testnet");
    expect(existsSync(join(dir, "config.json"))).toBe(true);
  });
});

describe("hlcopy init: the agent's address typed for the account", () => {
  it("is said and asked again, as every wrong answer is; the master typed next is saved", async () => {
    const dir = tempDir();
    const key = generatePrivateKey();
    await writeKeystore(
      agentKeystorePath(dir),
      await encryptKeystore(key, "fixture pass phrase", { scryptN: 1024 }),
    );
    const agent = privateKeyToAddress(key).toLowerCase();
    const tty = new FakeTty();
    const err = new Capture();
    const out = new Capture();
    // It ended init with exit 2, the network answered lost.
    let ended = false;
    const done = runInit({ configDir: dir }, { input: tty, out, err }, {}).finally(() => {
      ended = true;
    });
    done.catch(() => {});
    await eventually(() => err.text.includes("Network"));
    tty.write("testnet\r");
    await eventually(() => err.text.includes("master account"));
    tty.write(`${agent}\r`);
    await eventually(() => ended || err.text.split("master account").length > 2);
    expect(ended).toBe(false);
    expect(err.text).toContain(
      `  ${agent} is your agent's address (the key in the keystore), not your master account: give the master address that holds the funds\n`,
    );
    expect(existsSync(join(dir, "config.json"))).toBe(false);
    tty.write("0x1111111111111111111111111111111111111111\r");
    await done;
    expect(readStoredSettings(dir)).toEqual({
      network: "testnet",
      account: "0x1111111111111111111111111111111111111111",
    });
  });
});

describe("hlcopy init: the account typed without its 0x", () => {
  it("is asked again, naming the address meant; nothing is saved from the slip", async () => {
    const dir = tempDir();
    const tty = new FakeTty();
    const err = new Capture();
    const out = new Capture();
    const done = runInit({ configDir: dir, network: "testnet" }, { input: tty, out, err });
    await eventually(() => err.text.includes("master account"));
    tty.write("1111111111111111111111111111111111111111\r");
    await eventually(() => err.text.split("master account").length === 3);
    expect(err.text).toContain(
      "that is not an address: 0x followed by 40 hex digits — did you mean 0x1111111111111111111111111111111111111111?",
    );
    expect(existsSync(join(dir, "config.json"))).toBe(false);
    tty.write("0x1111111111111111111111111111111111111111\r");
    await done;
    expect(out.text).toContain("account  0x1111111111111111111111111111111111111111");
  });
});

describe("hlcopy init: a wrong network is said at once", () => {
  it("a misspelt network at the question is asked again at once, naming the one meant; the answers are kept", async () => {
    const dir = tempDir();
    const tty = new FakeTty();
    const err = new Capture();
    const out = new Capture();
    const done = runInit({ configDir: dir }, { input: tty, out, err });
    await eventually(() => err.text.includes("Network"));
    tty.write("testnt\r");
    // Asked again, before any other question.
    await eventually(() => err.text.split("Network (").length === 3);
    expect(err.text).toContain('"testnt" is not a network: did you mean testnet?');
    expect(err.text).not.toContain("master account");
    tty.write("http://127.0.0.1:8080/info\r");
    await eventually(() => err.text.split("Network (").length === 4);
    expect(err.text).toContain("without a path (/info)");
    // The simulator's address without its scheme: the URL it means.
    tty.write("localhost:7072\r");
    await eventually(() => err.text.split("Network (").length === 5);
    expect(err.text).toContain('"localhost:7072" is not a network: did you mean http://localhost:7072?');
    tty.write("testnet\r");
    await eventually(() => err.text.includes("master account"));
    tty.write("0x1111111111111111111111111111111111111111\r");
    await done;
    expect(out.text).toContain("network  testnet");
  });

  it("a bad --network or --account given as a flag is refused before any question", async () => {
    for (const g of [{ network: "testnt" }, { account: "0x12" }]) {
      const dir = tempDir();
      const err = new Capture();
      const error = (await rejection(
        runInit({ configDir: dir, ...g }, { input: new FakeTty(), out: new Capture(), err }),
      )) as Error;
      expect(error.message).toMatch(/invalid (network|account address)/);
      expect(err.text).toBe("");
      expect(existsSync(join(dir, "config.json"))).toBe(false);
    }
  });
});

describe("the plan review at a terminal", () => {
  it("a line printed while the question waits goes above it on its own line; the question is drawn again with what was typed", async () => {
    const { planReviewer, ReviewDeclined } = await import("../../src/cli/review.js");
    const { writeAboveQuestion } = await import("../../src/cli/ask.js");
    const tty = new FakeTty();
    const err = Object.assign(new Capture(), { isTTY: true });
    const review = planReviewer(false, { input: tty, err });
    const plan = { actions: [], targets: [], skipped: [] } as unknown as Parameters<typeof review>[0];
    const done = rejection(review(plan, ["first run for this leader"]));
    await eventually(() => err.text.includes("[y/N]"));
    tty.write("n");
    await eventually(() => terminalScreen(err.text).at(-1) === "Send 0 order(s)? [y/N] n");
    // An event line (another terminal ran hlcopy pause), on the same terminal as the question.
    writeAboveQuestion(err, "15:11:49.806 paused: the leader's trades are not copied until resumed\n");
    await eventually(() => terminalScreen(err.text).at(-1) === "Send 0 order(s)? [y/N] n");
    expect(terminalScreen(err.text).slice(-2)).toEqual([
      "15:11:49.806 paused: the leader's trades are not copied until resumed",
      "Send 0 order(s)? [y/N] n",
    ]);
    tty.write("\r");
    expect(await done).toBeInstanceOf(ReviewDeclined);
    // Answered: a plain write again.
    const before = err.text.length;
    writeAboveQuestion(err, "later\n");
    await eventually(() => err.text.length > before);
    expect(err.text.slice(before)).toBe("later\n");
  });

  it("says what else the yes does beside the orders (an earlier run's triggers it cancels), above the question", async () => {
    const { planReviewer } = await import("../../src/cli/review.js");
    const tty = new FakeTty();
    const err = Object.assign(new Capture(), { isTTY: true });
    const review = planReviewer(false, { input: tty, err });
    const plan = { actions: [], targets: [], skipped: [] } as unknown as Parameters<typeof review>[0];
    const also =
      "with no protection settings, this run will cancel the 2 resting stop/take-profit orders an earlier run placed (BTC); pass --stop-loss-pct 5 to keep them";
    const done = review(plan, ["first run for this leader"], undefined, [also]);
    await eventually(() => err.text.includes("[y/N]"));
    expect(terminalScreen(err.text).slice(-2)).toEqual([also, "Send 0 order(s)? [y/N]"]);
    tty.write("y\r");
    expect(await done).toBe(true);
  });

  it("Ctrl-C is an interruption (exit 130), not a silent 'no'", async () => {
    const { planReviewer } = await import("../../src/cli/review.js");
    const tty = new FakeTty();
    const err = Object.assign(new Capture(), { isTTY: true });
    const review = planReviewer(false, { input: tty, err });
    const plan = { actions: [], targets: [], skipped: [] } as unknown as Parameters<typeof review>[0];
    const done = rejection(review(plan, ["first run for this leader"]));
    await eventually(() => err.text.includes("[y/N]"));
    tty.write("\u0003");
    expect(await done).toBeInstanceOf(InterruptedError);
  });
});
