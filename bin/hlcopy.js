#!/usr/bin/env node
// Tiny launcher: check the Node version before loading anything that needs a newer one.
// SIGUSR1 would open the Node inspector on 127.0.0.1:9229 — a debugger attached to a process
// holding the decrypted agent key. A listener of our own keeps Node from starting it.
process.on("SIGUSR1", () => {});
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `hlcopy needs Node.js >= 22.13 but found ${process.versions.node}: install Node 24 (nvm install 24, or https://nodejs.org), or run it with the repo's bundled Node through npm (npx hlcopy …)\n`,
  );
  process.exit(1);
}
await import("../dist/cli/main.js");
