// CPU per copied order of the real `hlcopy follow` process, as a trader runs it: the command
// (bin/hlcopy.js, its own V8 flags, `--no-ui` event lines) follows one scripted leader at
// BENCH_RATE trades/s (default 10) over the simulator's 11 coins, prices frozen, no sweep in
// the window (BENCH_SWEEP_SECONDS, default 3600; 30 is follow's own default: sweeps and all).
// The exchange side runs in its own process (bench/lib/sim-child.mjs), as in bench/follow.mjs
// (BENCH_PIN=1: each on cores of its own, bench/lib/cores.mjs); no probe runs inside the
// follow process, so every CPU second counted is hlcopy's. The process's user + system time
// is read from /proc/<pid>/stat (and its main thread's from
// /proc/<pid>/task/<pid>/stat) at both ends of a BENCH_SECONDS window (default 20) that starts
// BENCH_WARMUP_SECONDS (default 90: a follow runs for days, and V8 compiles the copy path over
// its first minute and a half, which reads ~35 % more) after the start sweep; orders are the
// simulator's own count of ours that filled in the window; beside it, how long the follow's
// main thread waited for a core. Median [range] over BENCH_RUNS (default 3); BENCH_LATER="300,600"
// measures more windows of each run, that many seconds after the start. Linux only (/proc).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onCores, pinningNote, runnableWaitMs } from "./lib/cores.mjs";
import { startSimChild } from "./lib/sim-process.mjs";
import { summary } from "./lib/stats.mjs";
import { fundedTrader } from "./lib/trader.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 90);
const rate = Number(process.env.BENCH_RATE ?? 10);
const sweepSeconds = Number(process.env.BENCH_SWEEP_SECONDS ?? 3600);
const later = (process.env.BENCH_LATER ?? "").split(",").filter(Boolean).map(Number);
/** Clock ticks per second of /proc's utime/stime (USER_HZ: 100 on every Linux we run on). */
const HZ = 100;

/** User + system CPU (ms) of a process, or of one of its threads. */
const cpuMs = (pid, tid) => {
  const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / HZ;
};

async function run() {
  const started = startSimChild({ leaders: 1, rate, coins: 11, tickMs: 0 });
  const sim = started.sim;
  const ready = await started.ready;
  // Whatever happens, neither child outlives the run, nor the follow's config directory (its journal).
  const children = [sim];
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-bench-cpu-"));
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  };
  process.once("exit", killAll);
  try {
    return await measure(ready, children, dir);
  } finally {
    killAll();
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : null,
      ),
    );
    process.off("exit", killAll);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One measured window against a started simulator. */
async function measure(ready, children, dir) {
  const control = async (body) =>
    (await fetch(`${ready.httpUrl}/control`, { method: "POST", body: JSON.stringify(body) })).json();
  const { account, agentKey } = await fundedTrader(ready.httpUrl, 1_000_000);
  // On hlcopy's cores under BENCH_PIN=1 (lib/cores.mjs).
  const [file, args] = onCores("hlcopy", process.execPath, [
    // BENCH_NODE_ARGS: Node/V8 flags before the script, for experiments (the launcher keeps
    // them when it re-executes itself; one that sets --max-semi-space-size replaces its own).
    ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
    join(root, "bin/hlcopy.js"),
    "--network",
    ready.httpUrl,
    "--account",
    account,
    "follow",
    ready.leaders[0],
    "--no-ui",
    "--mode",
    "fixed-ratio",
    "--ratio",
    "0.2",
    "--max-leverage",
    "10",
    "--sweep-seconds",
    String(sweepSeconds),
    "--yes",
  ]);
  const follow = spawn(file, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      HLCOPY_CONFIG_DIR: dir,
      HLCOPY_LOCK_DIR: join(dir, "locks"),
      HLCOPY_AGENT_KEY: agentKey,
      // BENCH_CPU_PROF=<dir>: a CPU profile of the whole follow process (start-up included),
      // sampled every BENCH_CPU_PROF_US µs (default 250; 1000 inflates the process far less).
      ...(process.env.BENCH_CPU_PROF
        ? {
            NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF} --cpu-prof-interval=${process.env.BENCH_CPU_PROF_US ?? 250}`,
          }
        : {}),
    },
  });
  children.push(follow);
  follow.stdout.resume(); // the lines are written (their cost is measured), not read
  let stderr = "";
  follow.stderr.on("data", (d) => {
    stderr += d;
  });
  let exited = false;
  follow.on("exit", () => {
    exited = true;
  });
  const ours = async () =>
    (await control({ type: "orderHistory", user: account })).filter((o) => o.status === "filled").length;
  // Started once the start sweep's copy of the leader filled (no output is waited for: the
  // lines are part of what is measured).
  while ((await ours()) === 0) {
    if (exited) throw new Error(`follow exited: ${stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const startedAt = performance.now();
  /** One BENCH_SECONDS window opening `at` seconds after the start sweep's copy. */
  const windowAt = async (at) => {
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + at * 1000 - performance.now())));
    if (exited) throw new Error(`follow exited: ${stderr.trim()}`);
    const orders0 = await ours();
    const cpu0 = cpuMs(follow.pid);
    const main0 = cpuMs(follow.pid, follow.pid);
    const wait0 = runnableWaitMs(follow.pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu1 = cpuMs(follow.pid);
    const main1 = cpuMs(follow.pid, follow.pid);
    const wait1 = runnableWaitMs(follow.pid);
    const copied = (await ours()) - orders0;
    return {
      copied,
      cpuPerOrder: (cpu1 - cpu0) / Math.max(1, copied),
      mainPerOrder: (main1 - main0) / Math.max(1, copied),
      cpuPerSecond: (cpu1 - cpu0) / seconds,
      waitPerSecond: (wait1 - wait0) / seconds,
    };
  };
  const first = await windowAt(warmup);
  // BENCH_LATER="300,600": more windows of the same run, that many seconds after the start —
  // how the figure goes on settling as V8 optimises the copy path further.
  first.later = [];
  for (const at of later) first.later.push({ at, ...(await windowAt(at)) });
  return first;
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await run());
const per = (f) => results.map(f);
console.log(
  `follow CPU through the real command (node ${process.versions.node}; hlcopy follow --no-ui, 1 leader at ${rate} trades/s, 11 coins, frozen prices, ${sweepSeconds === 3600 ? "no sweep in the window" : `a sweep every ${sweepSeconds} s`}; ${pinningNote}; ${runs} runs × ${seconds} s after a ${warmup} s warm-up; median [range])`,
);
console.log(
  `  CPU of the follow process per copied order: ${summary(
    per((r) => r.cpuPerOrder),
    2,
  )} ms (${summary(
    per((r) => r.cpuPerSecond),
    1,
  )} ms/s; target < 1.5); main thread ${summary(
    per((r) => r.mainPerOrder),
    2,
  )} ms, waiting for a core ${summary(
    per((r) => r.waitPerSecond),
    1,
  )} ms/s (runnable, not running); copied orders per run ${summary(
    per((r) => r.copied),
    0,
  )}`,
);
for (const [i, at] of later.entries())
  console.log(
    `  the same runs ${at} s after the start: ${summary(
      per((r) => r.later[i].cpuPerOrder),
      2,
    )} ms per copied order (main thread ${summary(
      per((r) => r.later[i].mainPerOrder),
      2,
    )} ms; ${summary(
      per((r) => r.later[i].cpuPerSecond),
      1,
    )} ms/s)`,
  );
