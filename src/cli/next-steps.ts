// The "Next:" block of init and the demo. Not in output.ts: the wrapping comes from ui/format.ts,
// which the CLI's entry (the command table, output.ts) must not load.

import { wrapToWidth } from "../ui/format.js";
import { outputWidth } from "./output.js";

/**
 * A "Next:" block (init, the demo): one step a line, each command's explanation in one column
 * after the longest command, so every block lines up the same way. An explanation too long for
 * the terminal (`columns`; 80 when unknown) goes on below, in its column, cut between words —
 * never mid-word by the terminal.
 */
export function nextSteps(
  steps: readonly (readonly [command: string, what: string])[],
  columns: number = outputWidth(),
): string[] {
  const width = Math.max(...steps.map(([command]) => command.length));
  const column = 2 + width + 3;
  // Never narrower than 20 columns of words: past that the terminal cuts as it must.
  const room = Math.max(20, columns - column);
  return [
    "Next:",
    ...steps.map(([command, what]) =>
      wrapToWidth(what, room, "")
        .split("\n")
        .map((part, i) => (i === 0 ? `  ${command.padEnd(width)}   ${part}` : `${" ".repeat(column)}${part}`))
        .join("\n"),
    ),
  ];
}
