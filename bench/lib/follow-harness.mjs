// Shared by the follow benchmarks: the simulator + scripted leaders in a child process, the
// engine in this one (as `hlcopy follow` runs it: live executor, journal on disk), and the
// probes that measure it:
// * added latency inside the process: from the websocket frame that carries a leader's fill
//   (its "message" event, before anything parses it) to our signed order request's bytes handed
//   to the socket (the write call, POST /exchange); also to that write call's return;
// * copy lag on the simulator's clock (leader fill → our fill, from the engine's fill events);
// * CPU of this process per copied order (process.cpuUsage over the measured window), and of
//   its main thread (process.threadCpuUsage);
// * requests per copied trade and /info requests between sweeps (the simulator's counters).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PerformanceObserver, constants as perfConstants } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pinSelfToHlcopy, runnableWaitMs } from "./cores.mjs";
import { startSimChild } from "./sim-process.mjs";
import { fundedTrader } from "./trader.mjs";

export { quantile, summary } from "./stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

// The engine runs here under the V8 flags `hlcopy follow` runs with (bin/node-flags.js: a small
// young generation, optimize-for-size): the same collector and compiler as the command's.
{
  const { nodeFlagsFor } = await import(pathToFileURL(join(root, "bin/node-flags.js")).href);
  const run = nodeFlagsFor("follow");
  if (run && typeof process.execve === "function")
    process.execve(
      process.execPath,
      [process.execPath, ...run.flags, ...process.execArgv, ...process.argv.slice(1)],
      run.env,
    );
}
// BENCH_PIN=1: every thread of this process (the engine's, and those V8 starts later) on
// hlcopy's cores, the simulator on its own (./cores.mjs).
pinSelfToHlcopy();
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);

// --- probes (installed before anything connects) ---------------------------------------------
const probe = {
  on: false,
  leaders: [],
  frames: [],
  frameCpu: [],
  frameBusy: [],
  /** When each order request's bytes were handed to its socket (the write call). */
  outs: [],
  outCpu: [],
  /** When that write call returned (see below). */
  written: [],
  busy: 0,
  /** The collector's pauses on this thread while measuring: [start, end, full?] (perf_hooks "gc"). */
  gcs: [],
  /** When a leader fill's plan was told with nothing to send: the frames before it caused no order. */
  empties: [],
};
// Held by the probe: an observer nothing references is collected, and stops observing.
probe.gcObserver = new PerformanceObserver((list) => {
  if (!probe.on) return;
  for (const e of list.getEntries())
    probe.gcs.push([
      e.startTime,
      e.startTime + e.duration,
      e.detail?.kind !== perfConstants.NODE_PERFORMANCE_GC_MINOR,
    ]);
}).observe({ entryTypes: ["gc"] });
/**
 * BENCH_PATH_CPU=1: also the CPU spent between each leader frame and its order (process CPU,
 * user + system, read at both ends). Off by default: getrusage(RUSAGE_SELF) sums every thread
 * of the process and took ~190 µs a call here — inside the latency it would measure, and two
 * calls per copy in the CPU per copy. (process.threadCpuUsage is cheap but counts in scheduler
 * ticks: a 1 ms path reads as 0 or 4 ms.)
 */
export const pathCpuProbe = process.env.BENCH_PATH_CPU === "1";
const cpuNow = pathCpuProbe
  ? () => {
      const c = process.cpuUsage();
      return c.user + c.system;
    }
  : () => 0;
const NativeWebSocket = globalThis.WebSocket;
/** A leader's live fill frame came in: noted before the SDK or hlcopy see it. */
const noteFrame = (e) => {
  if (!probe.on || e.type !== "message" || typeof e.data !== "string") return;
  if (!e.data.startsWith('{"channel":"userFills"') || e.data.includes('"isSnapshot":true')) return;
  if (probe.leaders.some((l) => e.data.includes(l))) {
    probe.frames.push(performance.now());
    probe.frameCpu.push(cpuNow());
    probe.frameBusy.push(probe.busy > 0);
  }
};
globalThis.WebSocket = class ProbedWebSocket extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    // The socket hands each frame to its dispatchEvent, which hlcopy replaces on the socket
    // to read its data frames there (src/exchange/streams.ts): whatever is put there runs
    // after the probe, so the probe sees every frame first.
    // What hlcopy puts there calls what it found there for the frames it leaves to the SDK:
    // the probe itself, then, which passes those on to the socket's own dispatch.
    const native = NativeWebSocket.prototype.dispatchEvent.bind(this);
    let dispatch = native;
    let inside = false;
    const probed = (e) => {
      if (inside) return native(e);
      inside = true;
      try {
        noteFrame(e);
        return dispatch(e);
      } finally {
        inside = false;
      }
    };
    Object.defineProperty(this, "dispatchEvent", {
      configurable: true,
      get: () => probed,
      set: (fn) => {
        dispatch = fn;
      },
    });
  }
};
/**
 * The order is out when its bytes are handed to the kernel: the socket's write call, timed as
 * it starts (whichever HTTP client wrote it: the first bytes are "POST …/exchange"). Not when
 * that call returns: on one machine the write wakes the simulator, which the scheduler often
 * runs at once on our core, so the call returns only after the exchange side has matched the
 * order and pushed its frames — 1–4 ms that belong to the simulator, not to this process (a
 * remote exchange never takes our core). Both are recorded; the benchmark prints both. An order
 * stays in flight (`busy`) until the engine tells its result.
 */
const writeGeneric = Socket.prototype._writeGeneric;
Socket.prototype._writeGeneric = function (writev, data, encoding, cb) {
  if (!probe.on) return writeGeneric.call(this, writev, data, encoding, cb);
  const first = writev ? data[0]?.chunk : data;
  const text =
    typeof first === "string"
      ? first.slice(0, 64)
      : Buffer.isBuffer(first)
        ? first.toString("latin1", 0, 64)
        : "";
  const order = text.startsWith("POST ") && text.split(" ", 2)[1]?.endsWith("/exchange");
  if (order) {
    probe.outs.push(performance.now());
    probe.outCpu.push(cpuNow());
    probe.busy++;
  }
  const r = writeGeneric.call(this, writev, data, encoding, cb);
  if (order) probe.written.push(performance.now());
  return r;
};

/**
 * Each order request out (at `outs`), against the oldest leader frame it answers (frames since
 * the last order); `free` keeps those whose frame found no order of ours waiting for its reply
 * (the others waited their turn: one order at a time). `cpu` is the process's CPU between
 * the two, for the free ones (only with `outCpu`).
 */
function addedLatencies(p, outs, outCpu) {
  const all = [];
  const free = [];
  const cpu = [];
  // The free ones a collector's pause fell inside (young / full), and the others' latencies.
  const gc = { young: 0, full: 0, clear: [] };
  let i = 0;
  let e = 0;
  outs.forEach((o, k) => {
    // A leader frame whose plan sent nothing (a copy below one lot) is no later order's start.
    for (; e < p.empties.length && p.empties[e] < o; e++)
      while (i < p.frames.length && p.frames[i] <= p.empties[e]) i++;
    if (i >= p.frames.length || p.frames[i] > o) return; // an order no leader frame caused (a sweep)
    all.push(o - p.frames[i]);
    if (!p.frameBusy[i]) {
      const start = p.frames[i];
      const paused = p.gcs.filter(([a, b]) => a < o && b > start);
      if (paused.some((g) => g[2])) gc.full++;
      else if (paused.length > 0) gc.young++;
      else gc.clear.push(o - start);
      free.push(o - p.frames[i]);
      if (outCpu && pathCpuProbe) cpu.push((outCpu[k] - p.frameCpu[i]) / 1000);
    }
    while (i < p.frames.length && p.frames[i] <= o) i++;
  });
  return { all, free, cpu, gc };
}

/**
 * BENCH_CPU_PROF=<dir>: a CPU profile of the measured window only (not the set-up, the start
 * sweep or the tear-down), one .cpuprofile per run, for Chrome DevTools or speedscope.
 * BENCH_HEAP_PROF=<dir>: a sampling heap profile of the same window that keeps the objects the
 * collector has freed (what was allocated, not what is live: the garbage the GC share comes
 * from), one .heapprofile per run (DevTools' Memory tab reads it); BENCH_HEAP_PROMOTED=1: only
 * what outlived the young generation.
 */
async function startProfile() {
  const cpuDir = process.env.BENCH_CPU_PROF;
  const heapDir = process.env.BENCH_HEAP_PROF;
  if (!cpuDir && !heapDir) return undefined;
  const session = new Session();
  session.connect();
  if (cpuDir) {
    mkdirSync(cpuDir, { recursive: true });
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", {
      interval: Number(process.env.BENCH_CPU_PROF_US ?? 1000),
    });
    await session.post("Profiler.start");
  }
  if (heapDir) {
    mkdirSync(heapDir, { recursive: true });
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      // BENCH_HEAP_PROMOTED=1: leave out what the young generation's collections freed — what
      // is left lived long enough to be promoted (what the old generation's full collections
      // then pay for), or still lives.
      includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_PROMOTED !== "1",
    });
  }
  return {
    async stop() {
      if (cpuDir) {
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(join(cpuDir, `follow-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      }
      if (heapDir) {
        const { profile } = await session.post("HeapProfiler.stopSampling");
        writeFileSync(join(heapDir, `follow-${Date.now()}.heapprofile`), JSON.stringify(profile));
      }
      session.disconnect();
    },
  };
}

/**
 * One run: start the exchange side, follow its leaders for `seconds`, return the figures.
 * @param {{leaders: number, rate: number, coins: number, tickMs: number, sweepSeconds: number, seconds: number, warmupMs?: number, protect?: boolean, tiers?: boolean}} o
 */
export async function followRun(o) {
  const { CopyEngine } = await load("engine/engine.js");
  const { liveExecutor } = await load("engine/executor.js");
  const { engineClient, streamsOpener } = await load("cli/wiring.js");
  const { RequestBudget } = await load("exchange/index.js");
  const { openJournal } = await load("store/journal.js");
  const { defaultSettings, parseTakeProfitTiers } = await load("core/settings.js");

  const { sim: child, ready: started } = startSimChild(o);
  const kill = () => child.kill("SIGTERM");
  process.once("exit", kill);
  try {
    const ready = await started;
    const control = async (body) =>
      (await fetch(`${ready.httpUrl}/control`, { method: "POST", body: JSON.stringify(body) })).json();

    const { account, agentKey } = await fundedTrader(ready.httpUrl, 1_000_000);

    const settings = defaultSettings();
    settings.sizing.mode = "fixed-ratio";
    settings.sizing.ratio = 0.2;
    settings.risk.maxLeverage = 10;
    settings.exec.sweepSeconds = o.sweepSeconds;
    if (o.protect) {
      settings.risk.stopLossPct = 5;
      if (o.tiers) settings.risk.takeProfitTiers = parseTakeProfitTiers("3:0.5,6:0.5");
      else settings.risk.takeProfitPct = 10;
    }
    const client = engineClient({
      httpUrl: ready.httpUrl,
      wsUrl: ready.wsUrl,
      isTestnet: false,
      account,
      agentKey,
      budget: new RequestBudget(),
    });
    // BENCH_GROUP_COMMIT_MS: the journal's group-commit window (default: the journal's own).
    const groupCommitMs = process.env.BENCH_GROUP_COMMIT_MS;
    const journalDir = mkdtempSync(join(tmpdir(), "hlcopy-bench-"));
    const journal = openJournal(
      join(journalDir, "journal.sqlite"),
      // As `hlcopy follow` opens it (it holds the run lock): order intents go to the intent log.
      {
        intentLog: process.env.BENCH_INTENT_LOG !== "0",
        ...(groupCommitMs === undefined ? {} : { groupCommitMs: Number(groupCommitMs) }),
      },
    );
    const engine = new CopyEngine({
      reader: client,
      executor: liveExecutor(client),
      journal,
      settings,
      leaders: ready.leaders.map((address) => ({ address, weight: 1 / ready.leaders.length })),
      account,
      network: ready.httpUrl,
      mode: "live",
      command: "follow",
      ...(o.protect ? { protection: client } : {}),
    });
    // The state event at the pace `follow --no-ui`'s event lines ask for (one a minute), as in
    // that command; BENCH_STATE_EVERY_MS=250 measures at the dashboard's pace instead.
    engine.events.wantState(Number(process.env.BENCH_STATE_EVERY_MS ?? 60_000));
    const lags = [];
    const planMs = [];
    const sweepMs = [];
    let copied = 0;
    let decisions = 0;
    let measuring = false;
    // Copy lag of the hot path's copies only: a sweep's drift repair is measured against the
    // coin's last leader fill, which may be long past.
    const copies = new Set();
    engine.events.on((e) => {
      if (e.type === "decision" && e.trigger === "fill") for (const a of e.plan.actions) copies.add(a.cloid);
      if (!measuring) return;
      if (e.type === "fill" && e.lagMs !== null && copies.has(e.cloid)) lags.push(e.lagMs);
      if (e.type === "decision" && e.trigger === "fill") {
        if (e.plan.actions.length === 0 && probe.on) probe.empties.push(performance.now());
        decisions++;
        if (e.durationMs !== undefined) planMs.push(e.durationMs);
      }
      if (e.type === "sweep") sweepMs.push(e.durationMs);
      if (e.type === "order") probe.busy = Math.max(0, probe.busy - 1);
      if (e.type === "order" && e.filledSize > 0) copied++;
    });
    probe.leaders = ready.leaders;
    const running = engine.run(
      streamsOpener({ wsUrl: ready.wsUrl, isTestnet: false, leaders: ready.leaders, account }),
    );
    await new Promise((r) => setTimeout(r, o.warmupMs ?? 3_000)); // the start sweep, books, JIT
    const before = await control({ type: "stats" });
    const t0 = (await control({ type: "now" })).now;
    probe.frames.length = 0;
    probe.frameCpu.length = 0;
    probe.frameBusy.length = 0;
    probe.outCpu.length = 0;
    probe.busy = 0;
    probe.outs.length = 0;
    probe.written.length = 0;
    probe.gcs.length = 0;
    probe.empties.length = 0;
    probe.on = true;
    measuring = true;
    const profiler = await startProfile();
    const cpu0 = process.cpuUsage();
    const main0 = process.threadCpuUsage();
    const wait0 = runnableWaitMs();
    await new Promise((r) => setTimeout(r, o.seconds * 1_000));
    const cpu = process.cpuUsage(cpu0);
    const main = process.threadCpuUsage(main0);
    const waitMsPerSecond = (runnableWaitMs() - wait0) / o.seconds;
    await profiler?.stop();
    measuring = false;
    probe.on = false;
    const after = await control({ type: "stats" });
    const t1 = (await control({ type: "now" })).now;
    const inWindow = (orders) => orders.filter((x) => x.time >= t0 && x.time <= t1);
    let leaderOrders = 0;
    for (const l of ready.leaders)
      leaderOrders += inWindow(await control({ type: "orderHistory", user: l })).length;
    const ourOrders = inWindow(await control({ type: "orderHistory", user: account })).length;
    const ourExchange = after.http.exchange - before.http.exchange - leaderOrders;
    const infoRequests = after.http.info - before.http.info;
    const leverageUpdates =
      (after.actionByType.updateLeverage ?? 0) - (before.actionByType.updateLeverage ?? 0);
    const {
      all: added,
      free: addedFree,
      cpu: pathCpu,
      gc: pathGc,
    } = addedLatencies(probe, probe.outs, probe.outCpu);
    const { all: addedWritten } = addedLatencies(probe, probe.written);
    await engine.stop("bench over");
    await running;
    journal.close();
    rmSync(journalDir, { recursive: true, force: true });
    return {
      added,
      addedFree,
      addedWritten,
      pathCpu,
      pathGc,
      waited: probe.frameBusy.filter(Boolean).length / Math.max(1, probe.frameBusy.length),
      lags,
      planMs,
      sweepMs,
      copied,
      decisions,
      cpuMsPerCopy: (cpu.user + cpu.system) / 1000 / Math.max(1, copied),
      cpuMsPerSecond: (cpu.user + cpu.system) / 1000 / o.seconds,
      mainCpuMsPerCopy: (main.user + main.system) / 1000 / Math.max(1, copied),
      mainSystemShare: main.system / Math.max(1, main.user + main.system),
      waitMsPerSecond,
      exchangePerDecision: ourExchange / Math.max(1, decisions),
      ourOrders,
      infoRequests,
      leverageUpdates,
      sweeps: sweepMs.length,
    };
  } finally {
    kill();
    process.off("exit", kill);
  }
}
