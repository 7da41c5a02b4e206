// The real binary on a pseudo-terminal (util-linux `script`): a real tty, so what is at stake —
// echo, the review's [y/N], the dashboard — is the terminal's own. -e: the command's exit code.

import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
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

/** The pid of `parent`'s child process (the hlcopy `script` runs), from /proc. */
export function childOf(parent: number): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
