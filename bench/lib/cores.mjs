// Which cores the follow benchmarks' processes run on, and how long a thread waited for one.
//
// The exchange a trader copies against is remote: it never takes a core of the trader's
// machine. The simulator standing in for it here does, and on a 2-core machine it competes
// with hlcopy: beside it, hlcopy's main thread is runnable but not running ~18–27 ms a second
// (the benches print it). BENCH_PIN=1 gives the simulator the last core and hlcopy the
// others (all of its threads, V8's collector and compilers too). Measured on 2026-12-05
// (bench/HISTORY.md) it is not the better model on this VM: the wait drops to 3–10 ms/s, but
// every frame then crosses cores, and a cross-core wake-up is dear here — CPU per copied order
// rose by a half (kernel time 35–63 % of the main thread's instead of 7–9 %) and the added
// latency's p99 did not fall (nor with the simulator at a lower priority: the wait is not what
// makes the slow copies). So by default nothing is pinned; the heading says which it was.
// Pinning needs Linux with `taskset` (util-linux) and ≥ 2 cores, else nothing is pinned.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

const cpus = availableParallelism();

/** Whether `taskset` runs here (asked only when pinning is asked for). */
const hasTaskset = () => {
  if (process.platform !== "linux") return false;
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

/** The pinning the benches use: null when nothing is pinned. */
export const pinning =
  process.env.BENCH_PIN === "1" && cpus >= 2 && hasTaskset()
    ? { hlcopy: cpus === 2 ? "0" : `0-${cpus - 2}`, simulator: String(cpus - 1) }
    : null;

/** Said in each bench's heading. */
export const pinningNote = pinning
  ? `BENCH_PIN=1: simulator on core ${pinning.simulator}, hlcopy on ${pinning.hlcopy === "0" ? "core 0" : `cores ${pinning.hlcopy}`}`
  : "simulator and hlcopy on any core";

/**
 * The command and arguments that run `file args` on `who`'s cores (unchanged when nothing is
 * pinned), for child_process.spawn. taskset execs the command: the pid is the command's.
 * @param {"hlcopy" | "simulator"} who
 * @returns {[string, string[]]}
 */
export function onCores(who, file, args) {
  return pinning ? ["taskset", ["-c", pinning[who], file, ...args]] : [file, args];
}

/** Puts every thread of this process on hlcopy's cores (a bench that runs the engine in-process). */
export function pinSelfToHlcopy() {
  if (pinning)
    execFileSync("taskset", ["-a", "-p", "-c", pinning.hlcopy, String(process.pid)], { stdio: "ignore" });
}

/**
 * Time (ms) a thread has spent runnable but not running — waiting for a core — since it
 * started (/proc/<pid>/task/<tid>/schedstat, the kernel's schedstats; NaN where unreadable).
 */
export function runnableWaitMs(pid = process.pid, tid = pid) {
  try {
    const [, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ");
    return Number(waitNs) / 1e6;
  } catch {
    return Number.NaN;
  }
}
