// The "Examples:" block of every --help, laid out by one function so the columns line up:
// descriptions in one column when the commands are short enough, else each description as a
// `#` line above its command (still pasteable, never a ragged column).

/** A command as typed (without `$ `), and what it does. */
export type Example = readonly [command: string, description?: string];

/** Blocks with a command longer than this put their descriptions above them instead of beside them. */
const MAX_COLUMN = 50;

export function examples(rows: readonly Example[]): string {
  // The column is past every command, described or not, so no command runs into it.
  const width = Math.max(0, ...rows.map(([c]) => c.length));
  const lines = ["Examples:"];
  if (width <= MAX_COLUMN) {
    for (const [command, description] of rows) {
      lines.push(
        description === undefined ? `  $ ${command}` : `  $ ${command.padEnd(width)}   ${description}`,
      );
    }
  } else {
    for (const [command, description] of rows) {
      if (description !== undefined) lines.push(`  # ${description}`);
      lines.push(`  $ ${command}`);
    }
  }
  return lines.join("\n");
}
