// Requests and time of one `hlcopy reconcile` run: the real binary against the simulator
// (in this process; the CLI is spawned), for a leader with 4 positions. Counts HTTP requests
// as the simulator saw them (info / exchange), for --dry-run, a live run that sends orders,
// and the idempotent run right after. Imports the built dist/ (npm run bench builds first).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startSim } = await import(pathToFileURL(join(root, "dist/sim/index.js")).href);
const { engineClient } = await import(pathToFileURL(join(root, "dist/cli/wiring.js")).href);

const sim = await startSim({ seed: 5, tickMs: 0 });
const leaderKey = generatePrivateKey();
const leader = privateKeyToAccount(leaderKey).address.toLowerCase();
sim.control.fund(leader, 2_000_000);
const lc = engineClient({
  httpUrl: sim.httpUrl,
  wsUrl: sim.wsUrl,
  isTestnet: false,
  account: leader,
  agentKey: leaderKey,
});
const markets = await lc.getMarkets();
const order = (coin, side, usd) => {
  const m = markets[coin];
  return {
    coin,
    side,
    size: Number((usd / m.mid).toFixed(m.szDecimals)),
    limitPx: Number((m.mid * (side === "buy" ? 1.005 : 0.995)).toPrecision(5)),
    reduceOnly: false,
    cloid: `0x${randomBytes(16).toString("hex")}`,
    reason: "open",
    refPx: m.mid,
  };
};
await lc.placeOrders(
  [
    order("BTC", "buy", 300_000),
    order("ETH", "sell", 100_000),
    order("SOL", "buy", 50_000),
    order("HYPE", "sell", 30_000),
  ],
  markets,
);

const masterKey = generatePrivateKey();
const master = privateKeyToAccount(masterKey);
sim.control.fund(master.address.toLowerCase(), 20_000);
const agentKey = generatePrivateKey();
await new ExchangeClient({
  transport: new HttpTransport({ apiUrl: sim.httpUrl }),
  wallet: master,
}).approveAgent({
  agentAddress: privateKeyToAccount(agentKey).address,
  agentName: "hlcopy",
});
const configDir = mkdtempSync(join(tmpdir(), "hlcopy-bench-"));

function reconcile(extra) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile(
      process.execPath,
      [
        join(root, "bin/hlcopy.js"),
        "--network",
        sim.httpUrl,
        "--account",
        master.address,
        "--json",
        "reconcile",
        leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.02",
        ...(extra.includes("--dry-run") ? [] : ["--yes"]),
        ...extra,
      ],
      { env: { ...process.env, HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey } },
      (error, stdout) =>
        resolve({
          code: error ? error.code : 0,
          ms: performance.now() - t0,
          report: JSON.parse(stdout.trim().split("\n").at(-1)),
        }),
    );
  });
}

async function measure(label, extra = []) {
  sim.control.reset();
  const r = await reconcile(extra);
  const s = sim.control.stats();
  console.log(
    `${label.padEnd(28)} exit ${r.code}  actions ${String(r.report.actions.length).padStart(2)}  HTTP requests: info ${s.http.info}, exchange ${s.http.exchange}  (${Object.entries(
      s.infoByType,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})  wall ${r.ms.toFixed(0)} ms`,
  );
}

console.log("one reconcile run, leader with 4 positions (process start included in wall time)");
await measure("reconcile --dry-run", ["--dry-run"]);
await measure("reconcile (sends 4 orders)");
await measure("reconcile (in sync: nothing)");
await sim.close();
rmSync(configDir, { recursive: true, force: true });
