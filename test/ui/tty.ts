// Fake TTY streams with a fixed size for mounting the dashboard in tests (the only fake:
// there is no real terminal in a test run).
import { EventEmitter } from "node:events";
import { render } from "ink";

export class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly writes: string[] = [];
  constructor(
    public columns = 80,
    public rows = 24,
  ) {
    super();
  }
  write = (chunk: string, encoding?: unknown, callback?: () => void): boolean => {
    this.writes.push(chunk);
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  };
  /** Everything written, ANSI codes stripped. */
  text(): string {
    return stripAnsi(this.writes.join(""));
  }
}

export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  #data: string | null = null;
  /** Type keys as a terminal would send them, one at a time. */
  press(data: string): void {
    this.#data = data;
    this.emit("readable");
    this.emit("data", data);
  }
  read = (): string | null => {
    const d = this.#data;
    this.#data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape codes is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[=>78]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

/** Lines of a rendered frame as they look on screen. */
export function screenLines(frame: string | undefined): string[] {
  return stripAnsi(frame ?? "").split("\n");
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Render into a fake interactive terminal (not ink-testing-library's debug mode, which
 * repeats <Static> output in every frame): what `text()` shows is what a terminal received.
 */
export function renderTty(node: React.ReactElement, columns = 80, rows = 24) {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new FakeStdout(columns, rows) as unknown as NodeJS.WriteStream,
    interactive: true,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 1000,
  });
  return { stdout, stdin, instance };
}
