// A private key typed or pasted at a question is never echoed: not at the questions that ask for
// one (`agent import`), and not at `init`'s address question, where one pasted by mistake used
// to show until the answer was entered and then be erased — a terminal recording or the
// scrollback kept it. The real binary on util-linux `script`'s pseudo-terminal (a real tty: its
// echo is what is at stake), each with its own config and lock dirs.

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { hasScript, onTerminal } from "../helpers/terminal.js";

// A made-up key (never a funded wallet's).
const HEX = "5b7d9f1a3c5e7b9d8f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2d41";
const KEY = `0x${HEX}`;
const ADDRESS = "0x2222222222222222222222222222222222222222";

/** Not the key, nor a long piece of it, in any case. */
function expectNoKey(text: string): void {
  const lower = text.toLowerCase();
  expect(lower).not.toContain(HEX.toLowerCase());
  expect(lower).not.toContain(HEX.toLowerCase().slice(8, 24));
}

describe("a private key at a terminal question is never echoed", () => {
  it.skipIf(!hasScript)(
    "init's address question: a pasted key never shows, is named as a key, and the question is asked again",
    { timeout: 60_000 },
    async () => {
      const dir = tempDir();
      const t = onTerminal(["--network", "testnet", "init"], { HLCOPY_CONFIG_DIR: dir });
      await eventually(() => /master account address.*: $/.test(t.screen()), 30_000);
      t.type(`${KEY}\r`);
      await eventually(() => t.screen().includes("never paste a key here"), 30_000);
      await eventually(() => /master account address.*: $/.test(t.screen()), 30_000);
      t.type(`${ADDRESS}\r`);
      expect(await t.exit).toBe(0);
      expect(t.screen()).toContain(`account  ${ADDRESS}`);
      expectNoKey(t.screen());
    },
  );

  it.skipIf(!hasScript)(
    "agent import's key question shows nothing of the key",
    { timeout: 60_000 },
    async () => {
      const dir = tempDir();
      const t = onTerminal(["agent", "import"], {
        HLCOPY_CONFIG_DIR: dir,
        HLCOPY_PASSPHRASE: "lantern-quarry-58-ember",
      });
      await eventually(() => t.screen().includes("Agent private key (hex, hidden): "), 30_000);
      t.type(`${KEY}\r`);
      expect(await t.exit).toBe(0);
      expect(t.screen()).toMatch(/0x[0-9a-fA-F]{40}/);
      expectNoKey(t.screen());
    },
  );
});
