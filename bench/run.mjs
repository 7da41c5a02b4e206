// `npm run bench`: run every benchmark under bench/ in turn and print their figures.
// Each bench is a plain ESM script that imports the built dist/ (npm run bench builds first).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs")
  // The soak takes an hour: only when named (`npm run bench soak`).
  .filter((f) => (only.length === 0 ? f !== "soak.mjs" : only.some((o) => f.includes(o))))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, [join(here, file)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
