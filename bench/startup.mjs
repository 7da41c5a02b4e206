// `hlcopy --help` start-up time against bare `node -e 0`, measured in one run on this machine.
// Target (issue 3): --help within 5x of bare node. Also reports which heavy modules load.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.env.BENCH_RUNS ?? 15);

function time(args) {
  const samples = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    if (i >= 2) samples.push(ms); // two warm-ups
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const bare = time(["-e", "0"]);
const help = time([join(root, "bin/hlcopy.js"), "--help"]);
const config = time([join(root, "bin/hlcopy.js"), "config", "path"]);

// Which heavy modules does --help pull in? (must be none)
const probe = spawnSync(
  process.execPath,
  [
    "--import",
    "data:text/javascript,import{registerHooks}from'node:module';registerHooks({resolve(s,c,n){const r=n(s,c);if(/node_modules\\/(ink|react|@nktkas|viem|conf)\\//.test(r.url))process.stderr.write('LOADED '+r.url+'\\n');return r}})",
    join(root, "bin/hlcopy.js"),
    "--help",
  ],
  { cwd: root, encoding: "utf8" },
);
const heavy = [
  ...new Set(
    (probe.stderr.match(/LOADED \S+/g) ?? []).map((l) => l.split("node_modules/")[1]?.split("/")[0]),
  ),
];

console.log(`startup (median of ${runs}, node ${process.versions.node})`);
console.log(`  node -e 0            ${bare.toFixed(1)} ms`);
console.log(
  `  hlcopy --help        ${help.toFixed(1)} ms  (${(help / bare).toFixed(2)}x bare node; target < 5x)`,
);
console.log(`  hlcopy config path   ${config.toFixed(1)} ms  (${(config / bare).toFixed(2)}x)`);
console.log(`  heavy modules loaded by --help: ${heavy.length ? heavy.join(", ") : "none"}`);
