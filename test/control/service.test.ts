// The service set-up: the passphrase read from a credentials file (HLCOPY_PASSPHRASE_FILE),
// and the example systemd unit keeping the promises the README makes for it.

import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { secretFromEnv } from "../../src/store/secrets.js";
import { cleanEnv, ROOT, tempDir } from "../helpers/cli.js";

describe("HLCOPY_PASSPHRASE_FILE", () => {
  it("gives the passphrase from the file (one trailing newline dropped)", () => {
    const file = join(tempDir(), "pass");
    writeFileSync(file, "correct horse battery staple\n", { mode: 0o600 });
    expect(secretFromEnv({ HLCOPY_PASSPHRASE_FILE: file }, "HLCOPY_PASSPHRASE")).toBe(
      "correct horse battery staple",
    );
    // Only the passphrase: never the agent key.
    expect(secretFromEnv({ HLCOPY_PASSPHRASE_FILE: file }, "HLCOPY_AGENT_KEY")).toBeUndefined();
  });

  it("with HLCOPY_PASSPHRASE set too, neither wins: a usage error saying which to unset", () => {
    const file = join(tempDir(), "pass");
    writeFileSync(file, "correct horse battery staple\n", { mode: 0o600 });
    // Even a file that does not exist was once passed over for the variable without a word.
    for (const path of [file, "/nonexistent/pass", ""]) {
      expect(() =>
        secretFromEnv({ HLCOPY_PASSPHRASE_FILE: path, HLCOPY_PASSPHRASE: "other" }, "HLCOPY_PASSPHRASE"),
      ).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: "both HLCOPY_PASSPHRASE and HLCOPY_PASSPHRASE_FILE are set: hlcopy uses one",
          hint: "unset the one you do not mean: unset HLCOPY_PASSPHRASE to read the file, or unset HLCOPY_PASSPHRASE_FILE to use the variable",
        }),
      );
    }
  });

  it("an unreadable or empty file is a usage error (exit 2) naming the file and HLCOPY_PASSPHRASE_FILE, never a prompt", () => {
    expect(() => secretFromEnv({ HLCOPY_PASSPHRASE_FILE: "/nonexistent/pass" }, "HLCOPY_PASSPHRASE")).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(/HLCOPY_PASSPHRASE_FILE .*ENOENT/),
      }),
    );
    // Empty, or just the newline an editor adds: the file is named, not HLCOPY_PASSPHRASE (unset).
    for (const content of ["", "\n", "\r\n"]) {
      const empty = join(tempDir(), "empty");
      writeFileSync(empty, content);
      expect(() => secretFromEnv({ HLCOPY_PASSPHRASE_FILE: empty }, "HLCOPY_PASSPHRASE")).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: `the passphrase file ${empty} (HLCOPY_PASSPHRASE_FILE) is empty`,
          hint: `write the keystore passphrase into ${empty}, or unset HLCOPY_PASSPHRASE_FILE to be asked for it`,
        }),
      );
    }
    // The variable set to nothing names no file: as HLCOPY_PASSPHRASE='' is, an error.
    expect(() => secretFromEnv({ HLCOPY_PASSPHRASE_FILE: "" }, "HLCOPY_PASSPHRASE")).toThrow(
      expect.objectContaining({ exitCode: 2, message: "HLCOPY_PASSPHRASE_FILE is set but empty" }),
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

describe("examples/cron-sweep.sh", () => {
  it("leaves HLCOPY_PASSPHRASE_FILE to hlcopy: the passphrase is never copied into HLCOPY_PASSPHRASE (both set is refused)", async () => {
    const dir = tempDir();
    const pass = join(dir, "pass");
    writeFileSync(pass, "correct horse battery staple\n", { mode: 0o600 });
    // A stand-in for hlcopy that says which passphrase variables it was given.
    const fake = join(dir, "fake-hlcopy");
    writeFileSync(
      fake,
      [
        "#!/usr/bin/env bash",
        "if [[ -v HLCOPY_PASSPHRASE ]]; then p=set; else p=unset; fi",
        'echo "file=$HLCOPY_PASSPHRASE_FILE passphrase=$p"',
        "",
      ].join("\n"),
      { mode: 0o700 },
    );
    const r = await new Promise<{ code: number | null; stdout: string }>((done) => {
      execFile(
        "bash",
        [join(ROOT, "examples/cron-sweep.sh"), "0x5e9ee1089755c3435139848e47e6635505d5a13a"],
        { env: { ...cleanEnv({ HLCOPY_PASSPHRASE_FILE: pass }), HLCOPY_BIN: fake }, encoding: "utf8" },
        (error, stdout) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\S+Z file=\S+\/pass passphrase=unset\n$/);
  });
});
