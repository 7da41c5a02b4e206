#!/usr/bin/env node
// Tiny launcher: check the Node version before loading anything that needs a newer one.
// SIGUSR1 would open the Node inspector on 127.0.0.1:9229 — a debugger attached to a process
// holding the decrypted agent key. A listener of our own keeps Node from starting it.
process.on("SIGUSR1", () => {});
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `hlcopy needs Node.js >= 22.13 but found ${process.versions.node}: install Node 24 (nvm install 24, or https://nodejs.org), or run it with the repo's bundled Node through npm (npx hlcopy …)\n`,
  );
  process.exit(1);
}
// Long runs keep V8's young generation small. Left alone it grows to 64 MiB semi-spaces under
// follow's steady allocation (new space alone then holds ~128 MiB of RSS, mostly garbage); at
// 2 MiB a follow stays under 150 MiB (bench/soak.mjs). V8 reads the flag only at start, so a
// long-running command re-executes itself once with it: same pid, signals and stdio
// (process.execve; where it is missing the run goes on without the flag).
const LONG_RUNNING = new Set(["follow", "demo", "sim"]);
const GLOBALS_WITH_VALUE = new Set(["--network", "--config-dir", "--account"]);
const args = process.argv.slice(2);
let command;
for (let i = 0; i < args.length && command === undefined; i++) {
  if (GLOBALS_WITH_VALUE.has(args[i])) i++;
  else if (!args[i].startsWith("-")) command = args[i];
}
if (
  LONG_RUNNING.has(command) &&
  typeof process.execve === "function" &&
  !process.execArgv.some((a) => a.startsWith("--max-semi-space-size"))
) {
  process.execve(
    process.execPath,
    [process.execPath, "--max-semi-space-size=2", ...process.execArgv, ...process.argv.slice(1)],
    process.env,
  );
}
await import("../dist/cli/main.js");
