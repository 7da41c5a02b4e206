// SIGINT while hlcopy waits at a passphrase question of a command with no run to stop (agent
// generate): said as Ctrl-C typed at the question is — "interrupted", "nothing was changed" —
// with exit 130, and nothing written. Node's default used to kill the process silently (LOW).
// The real binary on a pseudo-terminal; the signal is sent to it (as `kill -INT`, or Ctrl-C
// where the terminal raises it).

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { agentKeystorePath } from "../../src/store/keystore.js";
import { eventually } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { childOf, hasScript, onTerminal } from "../helpers/terminal.js";

describe("SIGINT at a passphrase question", () => {
  it.skipIf(!hasScript)(
    "says it was interrupted and nothing was changed, exit 130; no keystore written",
    { timeout: 60_000 },
    async () => {
      const configDir = tempDir();
      const t = onTerminal(["agent", "generate"], {
        HLCOPY_CONFIG_DIR: configDir,
        HLCOPY_LOCK_DIR: tempDir(),
      });
      await eventually(() => t.screen().includes("New keystore passphrase: "), 30_000);
      const pid = await eventually(() => (t.child.pid === undefined ? null : childOf(t.child.pid)));
      process.kill(pid, "SIGINT");
      expect(await t.exit).toBe(130);
      expect(t.screen()).toMatch(/error: interrupted\r?\nhint: nothing was changed/);
      expect(existsSync(agentKeystorePath(configDir))).toBe(false);
    },
  );
});
