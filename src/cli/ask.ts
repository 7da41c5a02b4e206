// One visible question on a terminal, with the same Ctrl-C contract as the secret prompts:
// Ctrl-C (or Ctrl-D / the input closing) rejects with InterruptedError — "interrupted",
// "nothing was changed", exit 130 — instead of readline's "Aborted with Ctrl+C" crash.

import { createInterface } from "node:readline";
import { InterruptedError, releaseTypeAhead } from "../store/secrets.js";

/** The question waiting on the terminal, if any (one at a time): see writeAboveQuestion. */
let waiting: { output: NodeJS.WritableStream; redraw: () => void } | null = null;

/**
 * Print whole lines without garbling a question that waits on the terminal — the plan review's
 * `[y/N]` while the run's event lines keep coming (a `hlcopy pause` from another terminal, a
 * warning): the question's line is cleared, the lines are printed on their own, and the question
 * is drawn again under them with what was typed so far. With no question waiting, a plain write.
 */
export function writeAboveQuestion(stream: { write(text: string): unknown }, text: string): void {
  const q = waiting;
  if (!q) {
    stream.write(text);
    return;
  }
  q.output.write("\r\x1b[2K");
  stream.write(text);
  q.redraw();
}

export interface AskIo {
  input: NodeJS.ReadableStream;
  /** Where the question is written (stderr, so stdout stays clean for --json). */
  output: NodeJS.WritableStream;
}

/**
 * The answer to one question (without the newline).
 * @throws {InterruptedError} on Ctrl-C, Ctrl-D, when the input ends before an answer, or when
 * `signal` aborts (the run was stopped by a signal while the question waited).
 */
export function ask(io: AskIo, question: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new InterruptedError());
      return;
    }
    // A terminal held silent for a later passphrase question is this question's now.
    releaseTypeAhead();
    const rl = createInterface({ input: io.input, output: io.output, terminal: true });
    // The question as it stands (the prompt and what was typed), drawn again below a line
    // printed meanwhile.
    const current = { output: io.output, redraw: () => rl.prompt(true) };
    let settled = false;
    const settle = (fn: () => void) => {
      if (waiting === current) waiting = null;
      if (settled) return;
      settled = true;
      fn();
    };
    // Ctrl-C at the question, or the run stopped while it waits: the same interruption.
    const interrupt = () => {
      settle(() => reject(new InterruptedError()));
      io.output.write("\n");
      rl.close();
    };
    rl.on("SIGINT", interrupt);
    signal?.addEventListener("abort", interrupt, { once: true });
    rl.on("close", () => {
      signal?.removeEventListener("abort", interrupt);
      // Ctrl-D (or the input ending) with the question on screen: the error that follows starts
      // a line of its own, as after Ctrl-C, not after the question's text.
      settle(() => {
        io.output.write("\n");
        reject(new InterruptedError());
      });
    });
    rl.question(question, (answer) => {
      settle(() => resolve(answer));
      rl.close();
    });
    waiting = current;
  });
}
