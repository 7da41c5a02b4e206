// The exchange side of the follow benchmarks as a child process (./sim-child.mjs): started (on
// the simulator's core under BENCH_PIN=1: ./cores.mjs), and its one ready line read.
// bench/follow-cpu.mjs, bench/transport-floor.mjs and ./follow-harness.mjs run their simulator
// through this.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onCores } from "./cores.mjs";

/**
 * Starts the simulator with `leaders` scripted leaders trading `rate` times a second each over
 * `coins` coins, prices moving every `tickMs` (0: frozen). The child is returned at once (to be
 * killed whatever happens); `ready` settles with its addresses, or fails if it exits first.
 * @param {{ leaders: number, rate: number, coins: number, tickMs: number }} o
 * @returns {{ sim: import("node:child_process").ChildProcess, ready: Promise<{ httpUrl: string, wsUrl: string, leaders: string[] }> }}
 */
export function startSimChild(o) {
  // On a core of its own under BENCH_PIN=1 (./cores.mjs): a remote exchange takes none of ours.
  const [file, args] = onCores("simulator", process.execPath, [
    fileURLToPath(new URL("./sim-child.mjs", import.meta.url)),
  ]);
  const sim = spawn(file, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      SIM_LEADERS: String(o.leaders),
      SIM_RATE: String(o.rate),
      SIM_COINS: String(o.coins),
      SIM_TICK_MS: String(o.tickMs),
    },
  });
  const ready = new Promise((resolve, reject) => {
    let buffer = "";
    sim.stdout.on("data", (d) => {
      buffer += d;
      const i = buffer.indexOf("\n");
      if (i >= 0) resolve(JSON.parse(buffer.slice(0, i)));
    });
    sim.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { sim, ready };
}
