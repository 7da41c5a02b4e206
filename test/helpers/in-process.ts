// Run a command of the built CLI inside the test's own process: the same code a spawned
// bin/hlcopy.js runs (dist/cli/, which dist/bundle/ links), without starting Node and loading
// the CLI's ~440 modules each time. The suite ran the real binary ~1 140 times and spent more
// than half its CPU there (0.17–0.5 s a command against ~10–60 ms in process); on a busy 2-core
// machine that put it over 10 minutes.
//
// What a process of its own gives a command is given here for the command's duration, and put
// back after it: its stdin, stdout and stderr (streams of the test's: not terminals, as a
// spawned child's pipes are not), its environment, its exit code, the listeners it adds to the
// process (signals, exit), and `process.exit`. One command at a time: a second started while
// one runs (a test's Promise.all) is spawned. Commands that live on signals or terminals —
// follow, demo, sim — are always spawned, as is every command under SPAWN_CLI_TESTS=1 (the
// suite as it was: `SPAWN_CLI_TESTS=1 npx vitest run`; not an HLCOPY_ variable: hlcopy refuses
// one it does not read, and some tests run its program on this process's environment).
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pathToFileURL } from "node:url";

export interface InProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options that take a value before the command (as bin/hlcopy.js reads them). */
const GLOBALS_WITH_VALUE = new Set(["--network", "--config-dir", "--account"]);
/** Commands whose own process is part of what they do: signals, a terminal UI, a server. */
const OWN_PROCESS = new Set(["follow", "demo", "sim"]);

/** The command an argument list runs (undefined for `hlcopy --help`), as the launcher finds it. */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (GLOBALS_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

let running = false;

/** Whether this command may run in the test's process now. */
export function canRunInProcess(args: readonly string[], nodeArgs: readonly string[] | undefined): boolean {
  if (running || process.env.SPAWN_CLI_TESTS === "1") return false;
  if (nodeArgs !== undefined && nodeArgs.length > 0) return false;
  const command = commandOf(args);
  return command === undefined || !OWN_PROCESS.has(command);
}

type Main = (argv: string[]) => Promise<number>;
let loaded: Promise<Main> | undefined;

function loadMain(root: string): Promise<Main> {
  // Loaded by Node itself (vitest.config.ts externalizes dist/): what the binary runs, not a
  // transformed copy, and once per worker.
  loaded ??= import(pathToFileURL(join(root, "dist/cli/cli.js")).href).then((m: { main: Main }) => m.main);
  return loaded;
}

/** A stream standing in for a pipe of the process: collects what is written. */
class Collected extends Writable {
  text = "";
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    done();
  }
}

/** Process-wide events a command may listen to: what it added is taken away after it. */
const PROCESS_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGPIPE", "exit", "beforeExit"] as const;

/**
 * Make the process's environment `env`, in place: process.env's own object writes through to
 * the C environment, which Node reads itself in places (os.homedir() reads HOME there).
 */
function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/**
 * Run `hlcopy <args>` in this process with `env` as its whole environment and `input` on its
 * stdin. Resolves when the command's run function returns, or with a null code and a line on
 * stderr when it has not after `limitMs` (a bound for a hang, as the spawned run's kill is).
 */
export async function runInProcess(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input: string,
  limitMs: number,
): Promise<InProcessResult> {
  running = true;
  const stdout = new Collected();
  const stderr = new Collected();
  const stdin = new PassThrough();
  stdin.end(input);
  const saved = {
    env: { ...process.env },
    exitCode: process.exitCode,
    exit: process.exit,
    stdin: Object.getOwnPropertyDescriptor(process, "stdin"),
    stdout: Object.getOwnPropertyDescriptor(process, "stdout"),
    stderr: Object.getOwnPropertyDescriptor(process, "stderr"),
    listeners: PROCESS_EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals)] as const),
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const main = await loadMain(root);
    replaceEnv(env);
    process.exitCode = undefined;
    process.exit = ((code?: number | string | null) => {
      throw new ExitCalled(Number(code ?? process.exitCode ?? 0));
    }) as typeof process.exit;
    for (const [name, stream] of [
      ["stdin", stdin],
      ["stdout", stdout],
      ["stderr", stderr],
    ] as const)
      Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
    const hang = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), limitMs);
    });
    const code = await Promise.race([
      main(["node", "hlcopy", ...args]).catch((error: unknown) => {
        if (error instanceof ExitCalled) return error.code;
        throw error;
      }),
      hang,
    ]);
    if (code === null) stderr.text += `\n[runInProcess: no exit after ${limitMs} ms]\n`;
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    clearTimeout(timer);
    replaceEnv(saved.env);
    process.exitCode = saved.exitCode;
    process.exit = saved.exit;
    for (const name of ["stdin", "stdout", "stderr"] as const) {
      const descriptor = saved[name];
      if (descriptor) Object.defineProperty(process, name, descriptor);
    }
    for (const [event, before] of saved.listeners)
      for (const listener of process.listeners(event as NodeJS.Signals))
        if (!before.includes(listener)) process.removeListener(event, listener as () => void);
    running = false;
  }
}
