// The CLI's run function (importable by tests): parse, run, and turn every failure into the CLI
// contract's `error:` / `hint:` lines and exit code.

import { CommanderError } from "commander";
import { ExitCode } from "../core/errors.js";
import { reportError } from "./output.js";
import { createProgram } from "./program.js";

export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  program.exitOverride();
  program.configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, "error: ")),
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
      if (error.code === "commander.help") return ExitCode.ok;
      process.stderr.write("hint: run with --help to see the usage and examples\n");
      return ExitCode.usage;
    }
    return reportError(error, { debug: argv.includes("--debug") });
  }
}
