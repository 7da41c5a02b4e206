// The command table, in the order `--help` lists them.

import type { Command } from "commander";
import { register as config } from "./config.js";
import { register as init } from "./init.js";

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [init, config];
