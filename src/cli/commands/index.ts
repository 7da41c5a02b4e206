// The command table, in the order `--help` lists them.

import type { Command } from "commander";
import { register as agent } from "./agent.js";
import { register as backtest } from "./backtest.js";
import { register as config } from "./config.js";
import { register as init } from "./init.js";
import { register as inspect } from "./inspect.js";
import { register as journal } from "./journal.js";
import { register as reconcile } from "./reconcile.js";
import { register as sim } from "./sim.js";

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  init,
  agent,
  reconcile,
  inspect,
  backtest,
  journal,
  config,
  sim,
];
