// The real binary on a pseudo-terminal (util-linux `script`): a real tty, so what is at stake —
// echo, the review's [y/N], the dashboard — is the terminal's own. -e: the command's exit code.

import { spawn, spawnSync } from "node:child_process";
import { BIN, cleanEnv } from "./cli.js";

/** `script` is there to give a pseudo-terminal (Linux, util-linux). */
export const hasScript = process.platform === "linux" && spawnSync("script", ["--version"]).status === 0;

/** hlcopy `args` on a 200×50 pseudo-terminal: its screen so far, keys to type, its exit. */
export function onTerminal(args: string[], env: NodeJS.ProcessEnv) {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = `stty cols 200 rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: cleanEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  // First listener: a caller's own "data" listener sees the screen with its chunk in it.
  child.stdout.on("data", (d) => {
    screen += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, screen: () => screen, type: (keys: string) => child.stdin.write(keys), exit };
}
