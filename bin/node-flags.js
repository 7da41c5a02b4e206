// How a long-running command's Node is started (bin/hlcopy.js re-executes itself with these;
// the follow benchmarks run under the same, so their figures are the command's):
// * V8's young generation stays small (--max-semi-space-size=2). Left alone it grows to 64 MiB
//   semi-spaces under follow's steady allocation: ~128 MiB of RSS, mostly garbage.
// * follow and demo, which run for days, also grow V8's old generation in small steps
//   (--optimize-for-size: the heap stays near 1.3× what is live instead of up to 2×; no hard
//   cap, so a burst can never kill the run) and keep glibc to two malloc arenas
//   (MALLOC_ARENA_MAX=2 unless set: otherwise each thread V8 starts gets its own; in a follow
//   they held 25 MiB, 15 MiB more than two do; musl and macOS ignore the variable).
const LONG_RUNNING = new Set(["follow", "demo", "sim"]);
const RUNS_FOR_DAYS = new Set(["follow", "demo"]);

/**
 * The V8 flags and environment `command` runs with, or undefined when it needs none or this
 * process already has them (they are read only at start: the caller re-executes with them).
 * @param {string | undefined} command
 * @returns {{ flags: string[], env: NodeJS.ProcessEnv } | undefined}
 */
export function nodeFlagsFor(command) {
  if (!LONG_RUNNING.has(command) || process.execArgv.some((a) => a.startsWith("--max-semi-space-size")))
    return undefined;
  const lean = RUNS_FOR_DAYS.has(command);
  return {
    flags: ["--max-semi-space-size=2", ...(lean ? ["--optimize-for-size"] : [])],
    env: lean ? { MALLOC_ARENA_MAX: "2", ...process.env } : process.env,
  };
}
