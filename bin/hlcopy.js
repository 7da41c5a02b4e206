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
// Long runs keep their memory small and flat (bench/soak.mjs measures it; README Figures):
// * V8's young generation stays small (--max-semi-space-size=2). Left alone it grows to 64 MiB
//   semi-spaces under follow's steady allocation: ~128 MiB of RSS, mostly garbage.
// * follow and demo, which run for days, also grow V8's old generation in small steps
//   (--optimize-for-size: the heap stays near 1.3× what is live instead of up to 2×; no hard
//   cap, so a burst can never kill the run) and keep glibc to two malloc arenas
//   (MALLOC_ARENA_MAX=2 unless set: otherwise each thread V8 starts gets its own; in a follow
//   they held 25 MiB, 15 MiB more than two do; musl and macOS ignore the variable).
// V8 reads flags and glibc its environment only at start, so a long-running command
// re-executes itself once with them: same pid, signals and stdio (process.execve; where it is
// missing the run goes on without them).
const LONG_RUNNING = new Set(["follow", "demo", "sim"]);
const RUNS_FOR_DAYS = new Set(["follow", "demo"]);
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
  const lean = RUNS_FOR_DAYS.has(command);
  process.execve(
    process.execPath,
    [
      process.execPath,
      "--max-semi-space-size=2",
      ...(lean ? ["--optimize-for-size"] : []),
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    lean ? { MALLOC_ARENA_MAX: "2", ...process.env } : process.env,
  );
}
await import("../dist/cli/main.js");
