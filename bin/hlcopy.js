#!/usr/bin/env node
// Tiny launcher: check the Node version before loading anything that needs a newer one.
// SIGUSR1 would open the Node inspector on 127.0.0.1:9229 — a debugger attached to a process
// holding the decrypted agent key. A listener of our own keeps Node from starting it.
process.on("SIGUSR1", () => {});
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  // The contract's two lines (error, then what to do), as every other refusal.
  process.stderr.write(
    `error: hlcopy needs Node.js >= 22.13 but found ${process.versions.node}\nhint: install Node 24 (nvm install 24, or https://nodejs.org), or run it with the repo's bundled Node through npm (npx hlcopy …)\n`,
  );
  process.exit(1);
}
// node:sqlite (the journal) still calls itself experimental on some supported Node versions
// (22.13 does): that warning on every command would read as something wrong. Only it is dropped.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
  const text = typeof warning === "string" ? warning : warning?.message;
  if (type === "ExperimentalWarning" && /^SQLite is an experimental feature/.test(String(text))) return;
  return emitWarning.call(process, warning, ...rest);
};
// Long runs keep their memory small and flat (bench/soak.mjs measures it; README Figures): V8
// reads flags and glibc its environment only at start, so a long-running command re-executes
// itself once with them (./node-flags.js): same pid, signals and stdio (process.execve, Node
// >= 22.15; where it is missing the run goes on without them, and a follow that starts says so).
const GLOBALS_WITH_VALUE = new Set(["--network", "--config-dir", "--account"]);
const args = process.argv.slice(2);
let command;
for (let i = 0; i < args.length && command === undefined; i++) {
  if (GLOBALS_WITH_VALUE.has(args[i])) i++;
  else if (!args[i].startsWith("-")) command = args[i];
}
const { nodeFlagsFor } = await import("./node-flags.js");
const run = nodeFlagsFor(command);
if (run && typeof process.execve === "function") {
  process.execve(
    process.execPath,
    [process.execPath, ...run.flags, ...process.execArgv, ...process.argv.slice(1)],
    run.env,
  );
}
// dist/bundle/ is dist/cli/main.js and its imports linked into a few files (scripts/bundle.mjs):
// half the start-up CPU of a command that talks to the exchange.
await import("../dist/bundle/main.js");
