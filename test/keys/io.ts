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
  /**
   * Type each answer once its question is on `output`, as a person reads before typing: a
   * command that holds its type-ahead (agent approve) discards what comes before its question.
   */
  answerWhenAsked(output: Capture, ...answers: [question: string, keys: string][]): void {
    let i = 0;
    let from = 0;
    const poll = () => {
      const next = answers[i];
      if (next === undefined) return;
      const at = output.text.indexOf(next[0], from);
      if (at >= 0) {
        from = at + next[0].length;
        i++;
        this.write(next[1]);
      }
      setTimeout(poll, 2).unref();
    };
    setTimeout(poll, 2).unref();
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

/**
 * The rows a terminal shows for `text` written to it: printable characters, \r, \n and the
 * cursor and erase sequences readline writes (CSI n G/A/B/C/D, K, J). Enough to tell whether a
 * line landed on a question's line.
 */
export function terminalScreen(text: string): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  const at = (r: number) => {
    while (rows.length <= r) rows.push([]);
    return rows[r] as string[];
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
  for (const m of text.matchAll(/\x1b\[(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]/gu)) {
    const [all, arg, cmd] = m;
    const n = arg ? Number(arg) : undefined;
    if (all === "\r") col = 0;
    else if (all === "\n") {
      row += 1;
      col = 0;
      at(row);
    } else if (cmd === "G") col = (n ?? 1) - 1;
    else if (cmd === "A") row = Math.max(0, row - (n ?? 1));
    else if (cmd === "B") row += n ?? 1;
    else if (cmd === "C") col += n ?? 1;
    else if (cmd === "D") col = Math.max(0, col - (n ?? 1));
    else if (cmd === "K") at(row).splice(n === 2 ? 0 : col);
    else if (cmd === "J") {
      at(row).splice(col);
      rows.splice(row + 1);
    } else if (cmd === undefined) at(row)[col++] = all;
  }
  return rows.map((r) =>
    Array.from(r, (c) => c ?? " ")
      .join("")
      .trimEnd(),
  );
}
