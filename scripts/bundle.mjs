// The command as it ships: dist/cli/main.js (tsc's output) and what it imports, linked into a
// few chunks in dist/bundle/ that bin/hlcopy.js loads. Node resolves and links each ES module
// on its own: a command that talks to the exchange loaded ~440 of them (207 of the SDK, 82 of
// viem) and spent half its CPU doing so (reconcile --dry-run to its first request: 0.58 → 0.30 s
// of CPU bundled). A link step only: tsc stays the compiler and the tests import src/; lazy
// imports stay lazy (each is a chunk); nothing is minified (stack traces under --debug keep our
// names). Rolldown is vitest's own bundler (through vite), not a dependency of its own.
// The chunks sit two folders below the package root, as dist/cli/*.js do (src/cli/version.ts
// reads ../../package.json).
import { build } from "rolldown";

const started = performance.now();
const result = await build({
  input: { main: "dist/cli/main.js" },
  platform: "node",
  // Ink imports it only under DEV=true (React's devtools, not installed).
  external: ["react-devtools-core"],
  logLevel: "warn",
  output: { dir: "dist/bundle", format: "esm", cleanDir: true },
});
const chunks = result.output.filter((o) => o.type === "chunk");
const kb = chunks.reduce((sum, c) => sum + c.code.length, 0) / 1024;
console.log(
  `bundle: dist/bundle/main.js and ${chunks.length - 1} chunks (${Math.round(kb)} kB) in ${Math.round(performance.now() - started)} ms`,
);
