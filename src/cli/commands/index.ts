// The command table, in the order `--help` lists them.

import type { Command } from "commander";
import { register as agent } from "./agent.js";
import { register as alerts } from "./alerts.js";
import { register as backtest } from "./backtest.js";
import { register as config } from "./config.js";
import { registerFlatten as flatten, registerPause as pause, registerStop as stop } from "./control.js";
import { register as demo } from "./demo.js";
import { register as follow } from "./follow.js";
import { register as init } from "./init.js";
import { register as inspect } from "./inspect.js";
import { register as journal } from "./journal.js";
import { register as reconcile } from "./reconcile.js";
import { register as report } from "./report.js";
import { register as resume } from "./resume.js";
import { register as scan } from "./scan.js";
import { register as sim } from "./sim.js";
import { register as status } from "./status.js";

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  demo,
  init,
  agent,
  follow,
  reconcile,
  status,
  report,
  pause,
  resume,
  flatten,
  stop,
  inspect,
  scan,
  backtest,
  journal,
  alerts,
  config,
  sim,
];
