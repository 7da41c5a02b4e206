// A new keystore passphrase, as `hlcopy agent generate` asks for it: a weak one (short,
// common, one character repeated) gets a warning; two entries that differ are asked for again
// instead of ending the command. The terminal is the one fake (FakeTty).

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAgentGenerate } from "../../src/cli/agent/generate.js";
import { resolveNetwork } from "../../src/cli/network.js";
import { agentKeystorePath, decryptKeystore, readKeystore } from "../../src/store/keystore.js";
import { assertNotMasterKey, newPassphrase, passphraseWeakness } from "../../src/store/secrets.js";
import { tempDir } from "../helpers/cli.js";
import { Capture, ttyPrompt } from "../keys/io.js";

describe("a key whose address is the account traded", () => {
  it("is refused (exit 2) naming both possible mistakes, not only the master key; another address passes", () => {
    const account = "0x7168d8a3b1e4f0c2a9b6e5d4c3b2a1f0e9d88f91" as const;
    let err: (Error & { exitCode?: number; hint?: string }) | undefined;
    try {
      assertNotMasterKey(account, account.toUpperCase().replace("0X", "0x") as typeof account);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain(
      `its address is the account you trade, 0x${account.slice(2).toUpperCase()}`,
    );
    expect(err?.message).toContain("or --account names your agent instead of your master account");
    expect(err?.hint).toMatch(/^--account takes your master \(trading\) account/);
    expect(() => assertNotMasterKey(account, `0x${"1".repeat(40)}`)).not.toThrow();
    expect(() => assertNotMasterKey(account, null)).not.toThrow();
  });
});

describe("passphraseWeakness", () => {
  it("short, common or repeated passphrases are weak; long unrelated words are not", () => {
    expect(passphraseWeakness("hunter2")).toMatch(/only 7 characters/);
    expect(passphraseWeakness("password123")).toMatch(/common/);
    expect(passphraseWeakness("Password")).toMatch(/common/);
    expect(passphraseWeakness("correct horse battery staple")).toMatch(/common/);
    expect(passphraseWeakness("aaaaaaaaaaaaaaaa")).toMatch(/repeated/);
    expect(passphraseWeakness("tide-lamp-orbit-93")).toBeNull();
  });
});

describe("a new passphrase from the environment", () => {
  it("a weak one is warned about too, naming where it came from, and never printed", async () => {
    const { prompt, output } = ttyPrompt();
    expect(await newPassphrase({ env: { HLCOPY_PASSPHRASE: "hunter2" }, prompt })).toBe("hunter2");
    expect(output.text).toMatch(
      /^warning: weak passphrase \(it has only 7 characters\).*\(set a stronger one in HLCOPY_PASSPHRASE\)\n$/,
    );
    expect(output.text).not.toContain("hunter2");

    const file = join(tempDir(), "passphrase");
    writeFileSync(file, "password123\n", { mode: 0o600 });
    const fromFile = ttyPrompt();
    expect(await newPassphrase({ env: { HLCOPY_PASSPHRASE_FILE: file }, prompt: fromFile.prompt })).toBe(
      "password123",
    );
    expect(fromFile.output.text).toMatch(/common passphrase.*HLCOPY_PASSPHRASE_FILE/);
  });

  it("a strong one passes silently", async () => {
    const { prompt, output } = ttyPrompt();
    await newPassphrase({ env: { HLCOPY_PASSPHRASE: "tide-lamp-orbit-93" }, prompt });
    expect(output.text).toBe("");
  });
});

describe("a new passphrase at a terminal", () => {
  it("warns on a weak one, without printing it, and still takes it when repeated", async () => {
    const { prompt, tty, output } = ttyPrompt();
    tty.typeLater("hunter2\r", "hunter2\r");
    expect(await newPassphrase({ env: {}, prompt })).toBe("hunter2");
    expect(output.text).toMatch(/warning: weak passphrase \(it has only 7 characters\)/);
    expect(output.text).not.toContain("hunter2");
  });

  it("no warning for a strong one", async () => {
    const { prompt, tty, output } = ttyPrompt();
    tty.typeLater("tide-lamp-orbit-93\r", "tide-lamp-orbit-93\r");
    await newPassphrase({ env: {}, prompt });
    expect(output.text).not.toContain("warning");
  });

  it("a mismatched repeat asks again, and agent generate then writes the keystore", async () => {
    const dir = tempDir();
    const { prompt, tty, output } = ttyPrompt();
    tty.typeLater(
      "tide-lamp-orbit-93\r",
      "tide-lamp-orbit-39\r",
      "tide-lamp-orbit-93\r",
      "tide-lamp-orbit-93\r",
    );
    const out = new Capture();
    await runAgentGenerate(
      {
        configDir: dir,
        network: resolveNetwork("testnet"),
        account: null,
        json: false,
        env: {},
        keystoreScryptN: 2,
      },
      {},
      { out, err: new Capture(), prompt },
    );
    expect(output.text).toContain("do not match: choose the passphrase again");
    expect(output.text.match(/New keystore passphrase: /g)).toHaveLength(2);
    expect(out.text).toContain("Agent address:");
    const keystore = await readKeystore(agentKeystorePath(dir));
    await expect(decryptKeystore(keystore, "tide-lamp-orbit-93")).resolves.toMatch(/^0x[0-9a-f]{64}$/);
    expect(existsSync(agentKeystorePath(dir))).toBe(true);
  });
});
