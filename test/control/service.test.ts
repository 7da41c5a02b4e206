// The service set-up: the passphrase read from a credentials file (HLCOPY_PASSPHRASE_FILE),
// and the example systemd unit keeping the promises the README makes for it.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { secretFromEnv } from "../../src/store/secrets.js";
import { ROOT, tempDir } from "../helpers/cli.js";

describe("HLCOPY_PASSPHRASE_FILE", () => {
  it("gives the passphrase from the file (one trailing newline dropped); the variable still wins", () => {
    const file = join(tempDir(), "pass");
    writeFileSync(file, "correct horse battery staple\n", { mode: 0o600 });
    expect(secretFromEnv({ HLCOPY_PASSPHRASE_FILE: file }, "HLCOPY_PASSPHRASE")).toBe(
      "correct horse battery staple",
    );
    expect(
      secretFromEnv({ HLCOPY_PASSPHRASE_FILE: file, HLCOPY_PASSPHRASE: "other" }, "HLCOPY_PASSPHRASE"),
    ).toBe("other");
    // Only the passphrase: never the agent key.
    expect(secretFromEnv({ HLCOPY_PASSPHRASE_FILE: file }, "HLCOPY_AGENT_KEY")).toBeUndefined();
  });

  it("an unreadable or empty file is a usage error (exit 2), never a prompt", () => {
    expect(() => secretFromEnv({ HLCOPY_PASSPHRASE_FILE: "/nonexistent/pass" }, "HLCOPY_PASSPHRASE")).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(/HLCOPY_PASSPHRASE_FILE .*ENOENT/),
      }),
    );
    const empty = join(tempDir(), "empty");
    writeFileSync(empty, "\n");
    expect(() => secretFromEnv({ HLCOPY_PASSPHRASE_FILE: empty }, "HLCOPY_PASSPHRASE")).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });
});

describe("examples/hlcopy.service", () => {
  const unit = readFileSync(join(ROOT, "examples/hlcopy.service"), "utf8");
  const directives = unit
    .split("\n")
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => l.split("=")[0]);
  it("restarts on failure, stops with SIGTERM, and takes the passphrase as a credential", () => {
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^LoadCredential=hlcopy-passphrase:/m);
    expect(unit).toMatch(/^Environment=HLCOPY_PASSPHRASE_FILE=%d\/hlcopy-passphrase$/m);
    // No secret in the unit or its environment.
    expect(unit).not.toMatch(/HLCOPY_PASSPHRASE=|HLCOPY_AGENT_KEY=/);
    expect(directives).toContain("ExecStart");
    expect(unit).toMatch(/^ExecStart=.*hlcopy follow .*--no-ui/m);
  });
});
