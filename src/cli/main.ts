// Entry point loaded by bin/hlcopy.js.

import { main } from "./cli.js";

process.exitCode = await main(process.argv);
