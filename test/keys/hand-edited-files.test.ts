// Files a trader edits or carries by hand. A config.json or keystore saved with a UTF-8 byte-order
// mark (Windows Notepad) looks right in every editor, yet was "not valid JSON" — an error the
// hint "fix it by hand" could not fix. A config.json that is not JSON says where it breaks (a
// trailing comma, a comment), never by quoting the text.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { configPath, readStoredSettings, writeSetting } from "../../src/store/config.js";
import { decryptKeystore, encryptKeystore, readKeystore } from "../../src/store/keystore.js";
import { tempDir } from "../helpers/cli.js";

const BOM = "\uFEFF";

function configError(dir: string): string {
  try {
    readStoredSettings(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config.json as a hand edit leaves it", () => {
  it("with a byte-order mark: read, and config set keeps it working", async () => {
    const dir = tempDir();
    writeFileSync(configPath(dir), `${BOM}{"network": "testnet"}`);
    expect(readStoredSettings(dir)).toEqual({ network: "testnet" });
    await writeSetting(dir, "risk.maxLeverage", 3);
    expect(readStoredSettings(dir)).toEqual({ network: "testnet", "risk.maxLeverage": 3 });
  });

  it("not JSON: says the line and column, never the text", () => {
    const dir = tempDir();
    writeFileSync(configPath(dir), '{\n  "alerts": {"webhook": "https://hooks.example/SECRET"},\n}');
    const message = configError(dir);
    expect(message).toMatch(/is not valid JSON \(line 3, column 1\)$/);
    expect(message).not.toContain("SECRET");
    writeFileSync(configPath(dir), "");
    expect(configError(dir)).toMatch(/is not valid JSON \(the file is empty\)$/);
  });
});

describe("a keystore with a byte-order mark", () => {
  it("is read and opens", async () => {
    const dir = tempDir();
    const key = generatePrivateKey();
    const file = join(dir, "agent.json");
    writeFileSync(file, BOM + JSON.stringify(await encryptKeystore(key, "pass phrase", { scryptN: 1024 })));
    expect(await decryptKeystore(await readKeystore(file, "import"), "pass phrase")).toBe(key);
  });
});
