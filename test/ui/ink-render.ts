// ink-testing-library's render (the same debug-mode frames, the same fake streams), with a
// terminal height. Its fake stdout has 100 columns and no rows, and Ink asks the `terminal-size`
// package for a missing dimension — several times a render — which tries /dev/tty and then
// spawns `tput cols` and `tput lines`: ~0.2 s of a panel's render, most of the UI tests' time
// (panels.test.tsx ~60 s of its ~65). The height is the 24 rows that lookup answers without a
// terminal (in CI; at a developer's terminal it answered that terminal's own height), so every
// frame is the one the library drew there.
import { EventEmitter } from "node:events";
import { render as inkRender } from "ink";
import type { ReactElement } from "react";
import { FakeStdin } from "./tty.js";

class FrameStream extends EventEmitter {
  readonly frames: string[] = [];
  #last: string | undefined;
  write = (frame: string): void => {
    this.frames.push(frame);
    this.#last = frame;
  };
  lastFrame = (): string | undefined => this.#last;
}

class Stdout extends FrameStream {
  readonly columns = 100;
  readonly rows = 24;
}

/** tty.ts's fake stdin, typed into with ink-testing-library's `write`. */
class Stdin extends FakeStdin {
  write = (data: string): void => this.press(data);
}

export function render(tree: ReactElement) {
  const stdout = new Stdout();
  const stderr = new FrameStream();
  const stdin = new Stdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    rerender: instance.rerender,
    unmount: instance.unmount,
    cleanup: instance.cleanup,
    stdout,
    stderr,
    stdin,
    frames: stdout.frames,
    lastFrame: stdout.lastFrame,
  };
}
