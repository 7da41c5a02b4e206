// One visible question on a terminal, with the same Ctrl-C contract as the secret prompts:
// Ctrl-C (or Ctrl-D / the input closing) rejects with InterruptedError — "interrupted",
// "nothing was changed", exit 130 — instead of readline's "Aborted with Ctrl+C" crash.

import { createInterface } from "node:readline";
import { InterruptedError, releaseTypeAhead } from "../store/secrets.js";

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
    let settled = false;
    const settle = (fn: () => void) => {
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
      settle(() => reject(new InterruptedError()));
    });
    rl.question(question, (answer) => {
      settle(() => resolve(answer));
      rl.close();
    });
  });
}
