// The floor under "CPU per copied order" on this machine: what any Node program pays to take
// the frames `hlcopy follow` takes and send one request per leader trade, with none of
// hlcopy's work (bench/lib/floor-client.mjs), against the same simulator and leader as
// bench/follow-cpu.mjs (1 leader at BENCH_RATE trades/s, default 10, 11 coins, prices frozen),
// with follow's own V8 flags, measured two ways, alternating run by run: (1) the leader's side
// only — the floor client's account never trades, so the frames of our own fills and account
// state are not in it; (2) a copy's whole transport — per leader fill the client sends a real
// IOC order of a funded account, signed before the warm-up (so no signing is measured), and takes
// the frames of its fill and state that follow: everything the exchange and the socket cost a
// copied order, before any work of hlcopy's (BENCH_FLOOR=leader or trading: only one). Beside it, what one wake-up costs a Node process that does nothing else
// (bench/lib/wake-reader.mjs: a 300-byte message read 10 and 300 times a second, one run each):
// here a process woken ten times a second pays several times what a busy one does per wake-up,
// before any code of ours runs. CPU from process.cpuUsage() of the client over BENCH_SECONDS
// (default 20) after BENCH_WARMUP_SECONDS (default 90, as the follow benches: the first minute
// and a half reads about twice the steady state, Node's own stream code included); median
// [range] over BENCH_RUNS (default 3).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFlagsFor } from "../bin/node-flags.js";
import { onCores, pinningNote } from "./lib/cores.mjs";
import { startSimChild } from "./lib/sim-process.mjs";
import { summary } from "./lib/stats.mjs";
import { fundedTrader } from "./lib/trader.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 90);
const rate = Number(process.env.BENCH_RATE ?? 10);
// The flags and environment `hlcopy follow` re-executes itself with (bin/hlcopy.js).
const follow = nodeFlagsFor("follow") ?? { flags: [], env: process.env };

/**
 * Runs a child under follow's flags (on hlcopy's cores when `pinned` and BENCH_PIN=1, as
 * follow-cpu.mjs runs the command: lib/cores.mjs); resolves with the one JSON line it prints.
 */
function child(script, args, pinned = false) {
  const command = [process.execPath, [...follow.flags, join(root, script), ...args.map(String)]];
  const [file, argv] = pinned ? onCores("hlcopy", ...command) : command;
  const p = spawn(file, argv, {
    stdio: ["ignore", "pipe", "inherit"],
    env: follow.env,
  });
  let out = "";
  p.stdout.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve, reject) =>
    p.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} exited with ${code}`)),
    ),
  );
}

async function floorRun(trading) {
  const { sim, ready: started } = startSimChild({ leaders: 1, rate, coins: 11, tickMs: 0 });
  try {
    const ready = await started;
    const { DEFAULT_MARKETS } = await import(join(root, "dist/sim/index.js"));
    const coins = DEFAULT_MARKETS.slice(0, 11).map((m) => m.name);
    const trader = trading ? await fundedTrader(ready.httpUrl, 1_000_000) : undefined;
    const r = await child(
      "bench/lib/floor-client.mjs",
      [
        ready.httpUrl,
        ready.wsUrl,
        ready.leaders[0],
        coins.join(","),
        warmup,
        seconds,
        ...(trader ? [trader.account, trader.agentKey, rate] : []),
      ],
      true,
    );
    return {
      perFill: r.cpuMs / Math.max(1, r.fills),
      perSecond: r.cpuMs / seconds,
      framesPerFill: r.frames / Math.max(1, r.fills),
      ourFillsPerFill: r.ourFills / Math.max(1, r.fills),
    };
  } finally {
    sim.kill("SIGTERM");
    if (sim.exitCode === null) await new Promise((r) => sim.once("exit", r));
  }
}

const which = process.env.BENCH_FLOOR ?? "both";
const floors = [];
const trading = [];
for (let i = 0; i < runs; i++) {
  if (which !== "trading") floors.push(await floorRun(false));
  if (which !== "leader") trading.push(await floorRun(true));
}
const wakes = { 10: [], 300: [] };
for (const r of [10, 300])
  wakes[r].push(
    (await child("bench/lib/wake-reader.mjs", [r, Math.min(warmup, 60), Math.min(seconds, 15)])).cpuUs,
  );

console.log(
  `transport floor (node ${process.versions.node}; follow's V8 flags; 1 leader at ${rate} trades/s, 11 coins; ${pinningNote}; ${runs} runs × ${seconds} s after ${warmup} s; median [range])`,
);
if (floors.length > 0)
  console.log(
    `  the streams follow takes + one request per leader trade, no hlcopy work: ${summary(
      floors.map((f) => f.perFill),
      2,
    )} ms of CPU per leader trade (${summary(
      floors.map((f) => f.perSecond),
      1,
    )} ms/s; ${summary(
      floors.map((f) => f.framesPerFill),
      1,
    )} frames per trade; our own fills' frames not included)`,
  );
if (trading.length > 0)
  console.log(
    `  a copy's whole transport — the same streams + a real order per leader trade, signed before the window, and its fill's and state's frames; no hlcopy work: ${summary(
      trading.map((f) => f.perFill),
      2,
    )} ms of CPU per leader trade (${summary(
      trading.map((f) => f.perSecond),
      1,
    )} ms/s; ${summary(
      trading.map((f) => f.framesPerFill),
      1,
    )} frames per trade; our fills per trade ${summary(
      trading.map((f) => f.ourFillsPerFill),
      2,
    )})`,
  );
console.log(
  `  one wake-up of a Node process that does nothing else (a 300-byte read, after ${Math.min(warmup, 60)} s): ${summary(wakes[10], 0)} µs of CPU at 10 a second, ${summary(wakes[300], 0)} µs at 300 a second`,
);
