// Dashboard view costs (issue 8): reducer throughput (events/s), line-writer throughput,
// and how many frames a 10k-event storm costs once mounted (target: ≤ 10 frames/s, the
// engine never waits). Imports the built dist/ (npm run bench builds first).
import { EventEmitter } from "node:events";
import { EngineEvents } from "../dist/engine/events.js";
import { createLineWriter } from "../dist/ui/lines.js";
import { initialDashboardState, reduceDashboard } from "../dist/ui/model.js";
import { mountDashboard } from "../dist/ui/mount.js";

const L = "0x1111111111111111111111111111111111111111";
const A = "0x2222222222222222222222222222222222222222";
const COINS = ["BTC", "ETH", "SOL", "DOGE", "ARB", "AVAX"];
const T0 = Date.UTC(2024, 0, 1, 12);

/** A storm as the engine would emit it: mostly fills and heartbeats, some plans and orders. */
function storm(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const coin = COINS[i % COINS.length];
    const ts = T0 + i;
    const k = i % 10;
    if (k < 5) {
      out.push({
        type: "fill",
        ts,
        coin,
        side: "buy",
        px: 100 + (i % 7),
        sz: 0.1,
        fee: 0.01,
        cloid: null,
        kind: "copy",
        execSlippageBps: (i % 7) - 2,
        slippageBps: (i % 13) - 4,
        lagMs: 3 + (i % 9),
      });
    } else if (k < 7) {
      out.push({ type: "heartbeat", ts });
    } else if (k === 7) {
      out.push({
        type: "decision",
        ts,
        trigger: "fill",
        coins: [coin],
        plan: {
          actions: [
            {
              coin,
              side: "buy",
              size: 0.1,
              limitPx: 101,
              reduceOnly: false,
              cloid: `0x${i}`,
              reason: "increase",
              refPx: 100,
            },
          ],
          skipped: [{ coin: "ETH", reason: "inside-deadband", detail: "drift $4 < $10" }],
          targets: [],
          effectiveRatio: 0.1,
          inSync: false,
        },
      });
    } else if (k === 8) {
      out.push({
        type: "order",
        ts,
        coin,
        side: "buy",
        size: 0.1,
        limitPx: 101,
        reduceOnly: false,
        cloid: `0x${i}`,
        reason: "increase",
        kind: "copy",
        status: "filled",
        filledSize: 0.1,
        avgPx: 100.5,
      });
    } else {
      out.push({
        type: "state",
        ts,
        account: {
          address: A,
          accountValue: 10_000 + (i % 100),
          positions: COINS.map((c) => ({ coin: c, size: 1, entryPx: 99, leverage: 3 })),
        },
        hwm: 10_100,
        drawdownPct: 1,
        leaders: [],
        targets: COINS.map((c) => ({
          coin: c,
          leaderSize: 10,
          targetSize: 1,
          ourSize: 1,
          driftUsd: 0,
          mid: 100,
        })),
        deadbandUsd: {},
      });
    }
  }
  return out;
}

function rate(n, ms) {
  return `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;
}

// 1. The reducer alone.
const events = storm(10_000);
events.unshift({
  type: "start",
  ts: T0,
  mode: "live",
  leaders: [{ address: L, weight: 1 }],
  account: A,
  network: "bench",
});
const times = [];
for (let rep = 0; rep < 7; rep++) {
  const t = performance.now();
  let s = initialDashboardState();
  for (const e of events) s = reduceDashboard(s, e);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const reduceMs = times[3];
console.log(`dashboard view (node ${process.versions.node})`);
console.log(
  `  reducer           ${rate(events.length, reduceMs)} events  (${((reduceMs * 1000) / events.length).toFixed(2)} µs/event, median of 7 × 10k)`,
);

// 2. The line writer (non-TTY output), to a sink that drops the text.
for (const json of [false, true]) {
  let bytes = 0;
  const write = createLineWriter({ json, out: { write: (s) => (bytes += s.length) }, stateEveryMs: 0 });
  const t = performance.now();
  for (let rep = 0; rep < 5; rep++) for (const e of events) write(e);
  const ms = (performance.now() - t) / 5;
  console.log(
    `  lines ${json ? "--json " : "(human)"}     ${rate(events.length, ms)} events  (${(bytes / 5 / 1024).toFixed(0)} KiB per 10k)`,
  );
}

// 3. Mounted on a fake 80×24 TTY: a 10k-event storm, emitted as fast as possible in bursts.
class Out extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  writes = 0;
  bytes = 0;
  write(chunk, enc, cb) {
    this.writes++;
    this.bytes += chunk.length;
    const done = typeof enc === "function" ? enc : cb;
    if (done) queueMicrotask(done);
    return true;
  }
}
class In extends EventEmitter {
  isTTY = true;
  read() {
    return null;
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}
const bus = new EngineEvents();
const stdout = new Out();
const noop = () => {};
const ui = mountDashboard({
  events: bus,
  controls: { quit: noop, togglePause: noop, sweepNow: noop, flatten: noop },
  stdout,
  stdin: new In(),
  stderr: new Out(),
  interactive: true,
  patchConsole: false,
  exitOnStop: false,
});
await new Promise((r) => setTimeout(r, 50));
const before = { ...ui.stats(), writes: stdout.writes };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let emitMs = 0;
// 10 bursts of 1000 events, 20 ms apart: 10k events in ~200 ms (50k events/s).
for (let b = 0; b < 10; b++) {
  const e0 = performance.now();
  for (let i = 0; i < 1000; i++) bus.emit(events[b * 1000 + i + 1]);
  emitMs += performance.now() - e0;
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 250));
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const after = ui.stats();
ui.unmount();
const flushes = after.flushes - before.flushes;
const frames = after.frames - before.frames;
console.log(
  `  storm 10k/200ms   emit ${((emitMs * 1000) / 10_000).toFixed(2)} µs/event on the engine's side; ` +
    `${flushes} redraws (${(flushes / (wall / 1000)).toFixed(1)}/s), ${frames} Ink frames, ` +
    `${stdout.writes - before.writes} stdout writes in ${wall.toFixed(0)} ms; CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`,
);
