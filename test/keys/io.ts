// Test doubles for the one thing we cannot get for real in a test: a terminal. A fake TTY is
// a PassThrough with isTTY and setRawMode; captured output is a PassThrough we read back.
import { PassThrough, Readable } from "node:stream";
import type { Prompt } from "../../src/store/secrets.js";
import { createPrompt } from "../../src/store/secrets.js";

export class FakeTty extends PassThrough {
  readonly isTTY = true;
  rawMode = false;
  rawModeCalls: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.rawMode = mode;
    this.rawModeCalls.push(mode);
    return this;
  }
  /** Type keys once the prompt is listening (next tick, like a person would). */
  typeLater(...chunks: string[]): void {
    let i = 0;
    const next = () => {
      const chunk = chunks[i++];
      if (chunk === undefined) return;
      this.write(chunk);
      setTimeout(next, 2);
    };
    setTimeout(next, 2);
  }
}

export class Capture extends PassThrough {
  text = "";
  constructor() {
    super();
    this.on("data", (d: Buffer) => {
      this.text += d.toString("utf8");
    });
  }
}

/** A prompt over piped stdin with these lines. */
export function pipedPrompt(lines: string[], output = new Capture()): { prompt: Prompt; output: Capture } {
  const input = Readable.from(lines.length ? [`${lines.join("\n")}\n`] : []);
  return { prompt: createPrompt({ input, output }), output };
}

/** A prompt on a fake terminal; type with `tty.typeLater(...)`. */
export function ttyPrompt(): { prompt: Prompt; tty: FakeTty; output: Capture } {
  const tty = new FakeTty();
  const output = new Capture();
  return { prompt: createPrompt({ input: tty, output }), tty, output };
}
