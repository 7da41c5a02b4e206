// The exchange side of the follow benchmarks, in its own process: the simulator and N scripted
// leaders trading M coins. Prints one JSON line when ready: {httpUrl, wsUrl, leaders}.
// Knobs (env): SIM_LEADERS (1), SIM_RATE (trades/s per leader, 10), SIM_COINS (11: the
// simulator's own markets; more are generated), SIM_TICK_MS (0 = frozen prices).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { startSim, DEFAULT_MARKETS } = await load("sim/index.js");
const { startScriptedLeader } = await load("sim/leader.js");

const leaders = Number(process.env.SIM_LEADERS ?? 1);
const rate = Number(process.env.SIM_RATE ?? 10);
const coins = Number(process.env.SIM_COINS ?? DEFAULT_MARKETS.length);
const tickMs = Number(process.env.SIM_TICK_MS ?? 0);

const markets = DEFAULT_MARKETS.slice(0, coins).map((m) => ({ ...m }));
for (let i = markets.length; i < coins; i++) {
  // Generated markets across the price / lot ranges of real perps.
  const szDecimals = i % 4;
  markets.push({
    name: `X${i}`,
    szDecimals,
    maxLeverage: 10,
    price: Number((10 ** (3 - szDecimals) * (1 + (i % 7) / 10)).toPrecision(4)),
    vol: 0.0005,
  });
}
const sim = await startSim({ seed: 7, tickMs, markets });
const names = markets.map((m) => m.name);
const started = await Promise.all(
  Array.from({ length: leaders }, (_, i) =>
    startScriptedLeader({ httpUrl: sim.httpUrl, seed: 100 + i, ratePerSec: rate, coins: names }),
  ),
);
// Ready once every leader has a fill on record: a follow refuses a leader holding no position
// that never traded, and a leader's first beat may round to nothing (a generated market's lot).
await Promise.all(started.map((l) => l.traded));
process.stdout.write(
  `${JSON.stringify({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, leaders: started.map((l) => l.address) })}\n`,
);
const stop = async () => {
  await Promise.all(started.map((l) => l.stop()));
  await sim.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
