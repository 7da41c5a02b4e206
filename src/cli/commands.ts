// The command table, in the order `--help` lists them. Each command has one folder,
// `src/cli/<command>/`: its `command.ts` declares the options and help (cheap: commander and
// core only), its run module beside it does the work and is imported only when it runs.

import type { Command } from "commander";
import { register as agent } from "./agent/command.js";
import { register as alerts } from "./alerts/command.js";
import { register as backtest } from "./backtest/command.js";
import { register as config } from "./config/command.js";
import {
  registerFlatten as flatten,
  registerPause as pause,
  registerStop as stop,
} from "./control/command.js";
import { register as demo } from "./demo/command.js";
import { register as follow } from "./follow/command.js";
import { register as init } from "./init/command.js";
import { register as inspect } from "./inspect/command.js";
import { register as journal } from "./journal/command.js";
import { register as reconcile } from "./reconcile/command.js";
import { register as report } from "./report/command.js";
import { register as resume } from "./resume/command.js";
import { register as scan } from "./scan/command.js";
import { register as sim } from "./sim/command.js";
import { register as status } from "./status/command.js";

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
