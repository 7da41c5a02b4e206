// Soak: the real `hlcopy follow` (a child process, as a trader runs it) against `hlcopy sim`
// with a scripted leader at SOAK_RATE trades/s (default 10), the simulator dropping every
// websocket each SOAK_DROP_SECONDS (default 90), for SOAK_MINUTES (default 60). The follow
// process's RSS is sampled every SOAK_SAMPLE_SECONDS (default 30) from /proc, its V8 heap from
// its own `--listen` /metrics. At the end: SIGTERM, then in sync (a `reconcile --dry-run` exits
// 0) and no cloid sent twice, and the memory figures against issue 13's target: RSS under
// 150 MB, growing less than 10 MB over the last 30 minutes of the hour (the second half of a
// shorter soak). Exit 1 when the run failed (not for a missed memory target: it is a figure).
// Not part of `npm run bench` (it takes an hour): `npm run bench soak`, or
// `SOAK_MINUTES=10 node bench/soak.mjs`. SOAK_VIEW=dashboard runs follow with its Ink dashboard
// on a pseudo-terminal (util-linux `script`) instead of --json lines; SOAK_LOG=<file> keeps
// follow's --json lines. The leader runs here (dist/sim/leader.js) so it can
// be stopped before the final check; follow and the simulator are the real binary.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fundedTrader } from "./lib/trader.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/hlcopy.js");
const minutes = Number(process.env.SOAK_MINUTES ?? 60);
const rate = Number(process.env.SOAK_RATE ?? 10);
const dropEvery = Number(process.env.SOAK_DROP_SECONDS ?? 90) * 1000;
const sampleEvery = Number(process.env.SOAK_SAMPLE_SECONDS ?? 30) * 1000;
const { startScriptedLeader } = await import(pathToFileURL(join(root, "dist/sim/leader.js")).href);

const sim = spawn(process.execPath, [bin, "sim", "--tick-ms", "500"], {
  stdio: ["ignore", "pipe", "ignore"],
});
const ready = await new Promise((resolve, reject) => {
  let buffer = "";
  sim.stdout.on("data", (d) => {
    buffer += d;
    if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]));
  });
  sim.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});
const control = async (body) =>
  (await fetch(`${ready.httpUrl}/control`, { method: "POST", body: JSON.stringify(body) })).json();

const leader = await startScriptedLeader({
  httpUrl: ready.httpUrl,
  seed: 7,
  ratePerSec: rate,
  fundUsd: 1_000_000,
});
await leader.traded; // a follow refuses a leader holding no position that never traded
const { account, agentKey } = await fundedTrader(ready.httpUrl, 100_000);

const dir = mkdtempSync(join(tmpdir(), "hlcopy-soak-"));
const env = {
  ...process.env,
  HLCOPY_CONFIG_DIR: dir,
  HLCOPY_LOCK_DIR: join(dir, "locks"),
  HLCOPY_AGENT_KEY: agentKey,
  // Node options for the follow process alone (experiments), e.g. SOAK_NODE_OPTIONS="--heapsnapshot-signal=SIGUSR2"
  ...(process.env.SOAK_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS } : {}),
};
const sizing = ["--mode", "fixed-ratio", "--ratio", "0.2"];
// Node/V8 flags before the script, for experiments: SOAK_NODE_ARGS="--optimize-for-size" (the
// launcher keeps them when it re-executes itself).
const nodeArgs = (process.env.SOAK_NODE_ARGS ?? "").split(" ").filter(Boolean);
const dashboard = process.env.SOAK_VIEW === "dashboard";
const followArgs = [
  ...nodeArgs,
  bin,
  "--network",
  ready.httpUrl,
  "--account",
  account,
  ...(dashboard ? [] : ["--json"]),
  "follow",
  leader.address,
  ...sizing,
  "--yes",
  // Its own /metrics tells the V8 heap (port 0: a free one, announced on stderr).
  "--listen",
  "127.0.0.1:0",
];
const quote = (a) => `'${a.replaceAll("'", "'\\''")}'`;
const follow = dashboard
  ? spawn(
      "script",
      [
        "-qfec",
        `stty cols 120 rows 40; exec ${[process.execPath, ...followArgs].map(quote).join(" ")}`,
        "/dev/null",
      ],
      { env, stdio: ["pipe", "pipe", "pipe"] },
    )
  : spawn(process.execPath, followArgs, { env, stdio: ["ignore", "pipe", "pipe"] });
/** The follow process (under `script` with the dashboard: the node process holding our account). */
const followPid = () => {
  if (!dashboard) return follow.pid;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.startsWith(process.execPath) && cmd.includes(account) && cmd.includes("follow"))
        return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return follow.pid;
};
let stderr = "";
follow.stderr.on("data", (d) => {
  process.stderr.write(d);
  if (stderr.length < 10_000) stderr += d;
});
/** Gauges from follow's /metrics (bytes), or {} while it is not up. */
const scrape = async () => {
  const url = /listening on (http:\/\/[0-9.]+:\d+)/.exec(stderr)?.[1];
  if (!url) return {};
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const gauge = (name) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    return {
      heapUsed: gauge("nodejs_heap_size_used_bytes"),
      heapTotal: gauge("nodejs_heap_size_total_bytes"),
    };
  } catch {
    return {};
  }
};
let copied = 0;
let reconnects = 0;
/** The first halts, errors and warnings follow printed (told at the end). */
const problems = [];
let buffer = "";
let lastOutputAt = Date.now();
follow.stdout.on("data", (d) => {
  lastOutputAt = Date.now();
  // The dashboard's terminal carries stderr too: the --listen line is read from it.
  if (dashboard) {
    if (stderr.length < 10_000) stderr += d;
    return;
  }
  if (process.env.SOAK_LOG) appendFileSync(process.env.SOAK_LOG, d);
  buffer += d;
  let i = buffer.indexOf("\n");
  while (i >= 0) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    i = buffer.indexOf("\n");
    // (Not `includes('"filledSize":0')`: that also matched every fill below 1, e.g. 0.0026 BTC.)
    if (line.includes('"type":"order"') && !/"filledSize":0[,}]/.test(line)) copied++;
    else if (line.includes('"type":"reconnect"')) reconnects++;
    else if (/"type":"(halt|error|warning)"/.test(line) && problems.length < 5)
      problems.push(line.slice(0, 300));
  }
});
const exited = new Promise((resolve) => follow.on("close", (code) => resolve(code)));

/** The follow process's resident memory (MiB) from /proc: total, anonymous, file-backed. */
const memory = () => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem") };
};
const CLOCK_TICKS = 100; // USER_HZ on Linux
/** CPU seconds the follow process has used (user + system, /proc/<pid>/stat, clock ticks). */
const cpuSeconds = () => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
};
const pid = await (async () => {
  // Under `script`, the node process appears a moment after the spawn.
  for (let i = 0; i < 100 && followPid() === follow.pid && dashboard; i++)
    await new Promise((r) => setTimeout(r, 100));
  return followPid();
})();
const t0 = Date.now();
const samples = [];
const MiB = 2 ** 20;
console.log(
  `soak: hlcopy follow (child process, ${dashboard ? "Ink dashboard on a pseudo-terminal" : "--json"}) vs hlcopy sim, leader ${rate} trades/s, dropWs every ${dropEvery / 1000} s, ${minutes} min`,
);
console.log(
  `  measured on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.versions.node}, ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} at the start (a shared machine: other work runs beside the soak)`,
);
const dropTimer = setInterval(() => void control({ type: "fault", kind: "dropWs" }), dropEvery);
await new Promise((resolve) => {
  const sample = async () => {
    const at = (Date.now() - t0) / 60_000;
    const { rss, anon, file } = memory();
    const { heapUsed, heapTotal } = await scrape();
    samples.push({
      at,
      rss,
      heapUsed: heapUsed / MiB,
      heapTotal: heapTotal / MiB,
      cpu: cpuSeconds(),
      copied,
    });
    console.log(
      `  ${at.toFixed(1).padStart(5)} min  rss ${rss.toFixed(1)} MiB (anon ${anon.toFixed(1)}, file ${file.toFixed(1)})  heap used ${(heapUsed / MiB).toFixed(1)} of ${(heapTotal / MiB).toFixed(1)} MiB  ${dashboard ? "" : `copied ${copied}  reconnects ${reconnects}`}`,
    );
    if (Date.now() - t0 >= minutes * 60_000) resolve();
    else setTimeout(sample, Math.min(sampleEvery, t0 + minutes * 60_000 - Date.now()));
  };
  setTimeout(sample, Math.min(sampleEvery, minutes * 60_000));
});
const loadAtEnd = loadavg();
clearInterval(dropTimer);
await leader.stop();
// The leader's last trade is copied before follow is stopped (it sends nothing after SIGTERM):
// wait until follow has been quiet for 2 s (at most 20 s), else the check below reads a race.
for (const until = Date.now() + 20_000; Date.now() < until && Date.now() - lastOutputAt < 2_000; )
  await new Promise((r) => setTimeout(r, 200));
process.kill(pid, "SIGTERM");
const code = await exited;

const check = spawnSync(
  process.execPath,
  [
    bin,
    "--network",
    ready.httpUrl,
    "--account",
    account,
    "--json",
    "reconcile",
    leader.address,
    ...sizing,
    "--dry-run",
  ],
  { env, encoding: "utf8" },
);
const orders = await control({ type: "orderHistory", user: account });
const cloids = orders.map((o) => o.cloid);
const duplicates = cloids.length - new Set(cloids).size;
const filled = orders.filter((o) => o.status === "filled").length;
sim.kill("SIGTERM");

for (const p of problems) console.log(`  follow said: ${p}`);
// Start: the first sample; half: the first sample of the second half; end: the last one.
const first = samples[0];
const half = samples.find((x) => x.at >= minutes / 2 - 1e-9) ?? samples.at(-1);
const last = samples.at(-1);
const growth = last.rss - half.rss;
const peak = Math.max(...samples.map((x) => x.rss));
const secondHalfPeak = Math.max(...samples.filter((x) => x.at >= half.at).map((x) => x.rss));
const heapUsed = samples.map((x) => x.heapUsed).filter((x) => Number.isFinite(x));
const MB = 1e6 / MiB; // issue 13 states the target in MB: 150 MB = 143.1 MiB, 10 MB = 9.5 MiB
const met = peak < 150 * MB && growth < 10 * MB;
const f = (x) => x.toFixed(1);
console.log(
  `  follow exit ${code}; ${filled} orders filled on the exchange${dashboard ? "" : `, ${copied} told filled in --json`}, ${dashboard ? "" : `${reconnects} reconnects, `}${Math.floor((minutes * 60_000) / dropEvery)} websocket drops; in sync after: ${check.status === 0 ? "yes" : `no (reconcile --dry-run exit ${check.status}: ${`${check.stderr}\n${check.stdout}`.trim().split("\n").slice(-2).join(" / ").slice(0, 400)})`}; duplicate cloids: ${duplicates}`,
);
console.log(
  `  rss start ${f(first.rss)} MiB (${f(first.at)} min), half ${f(half.rss)} (${f(half.at)} min), end ${f(last.rss)} (${f(last.at)} min); peak ${f(peak)} MiB; growth over the second half ${f(growth)} MiB (end − half; its highest sample − half: ${f(secondHalfPeak - half.rss)})`,
);
console.log(
  `  heap used ${f(first.heapUsed)} → ${f(half.heapUsed)} → ${f(last.heapUsed)} MiB (start, half, end; min ${f(Math.min(...heapUsed))}, max ${f(Math.max(...heapUsed))}); load average at the end ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")}`,
);
if (!dashboard && last.copied > first.copied) {
  // The real command's CPU per copied order (issue 16's target < 1.5 ms), everything included:
  // JSON lines, sweeps, the websocket drops' reconnects and their repair sweeps.
  const perOrder = (1000 * (last.cpu - first.cpu)) / (last.copied - first.copied);
  console.log(
    `  CPU of the follow process per copied order, ${f(first.at)}–${f(last.at)} min: ${perOrder.toFixed(2)} ms (${f(last.cpu - first.cpu)} s of CPU for ${last.copied - first.copied} orders; /proc/<pid>/stat)`,
  );
}
console.log(
  `  target (issue 13): rss < 150 MB = ${f(150 * MB)} MiB, growth < 10 MB = ${f(10 * MB)} MiB over the second half (the last ${f(last.at - half.at)} min): ${met ? "met" : "NOT met"}`,
);
process.exit(code === 0 && duplicates === 0 && check.status === 0 ? 0 : 1);
