// `hlcopy config get|set|unset|list|path` — read and write stored settings.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  const config = program
    .command("config")
    .description("read and change stored settings (flags override them for one run)")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy config list", "every setting: value, default, source, description"],
  ["hlcopy config set risk.maxLeverage 3"],
  ["hlcopy config set risk.denyCoins DOGE,kPEPE"],
  ["hlcopy config set risk.maxTotalNotional none"],
  ["hlcopy config get exec.slippageBps"],
  ["hlcopy config unset risk.maxLeverage", "back to the default"],
  ["hlcopy config path"],
])}`,
    );

  const run = async (fn: (m: typeof import("./run.js"), g: GlobalOptions) => Promise<void>, cmd: Command) => {
    const m = await import("./run.js");
    await fn(m, cmd.optsWithGlobals<GlobalOptions>());
  };
  // get, list and path show the config file: `--network testnet config get network` printed the
  // stored mainnet, the flag taken and ignored. (set and unset read them: a follow running with
  // those flags is told of.)
  const shows = async (cmd: Command) => {
    const { refuseUnusedGlobals } = await import("../globals.js");
    const why = `config ${cmd.name()} shows the config file, which a flag for one run does not change`;
    refuseUnusedGlobals(cmd, [
      { option: "network", why, hint: "to store it: hlcopy config set network testnet" },
      { option: "account", why, hint: "to store it: hlcopy config set account 0x…" },
    ]);
  };

  config
    .command("set")
    .argument("<key>", "setting key, e.g. risk.maxLeverage")
    .argument("<value>", "new value")
    .description("validate and store a setting")
    .addHelpText(
      "after",
      `\n${examples([
        ["hlcopy config set risk.maxLeverage 3"],
        ["hlcopy config set risk.denyCoins DOGE,kPEPE", "a comma list"],
        ["hlcopy config set risk.maxTotalNotional none", "no cap"],
        ["hlcopy --json config set exec.sweepSeconds 15", "scripts"],
      ])}

A value a run would refuse beside one stored is not stored (exit 2): risk.takeProfitPct with
risk.takeProfitTiers (config unset the other first), a coin in both risk.allowCoins and
risk.denyCoins.`,
    )
    .action((key: string, value: string, _o, cmd: Command) =>
      run((m, g) => m.runConfigSet(g, key, value), cmd),
    );
  config
    .command("get")
    .argument("<key>", "setting key")
    .description("print a setting's effective value")
    .addHelpText(
      "after",
      `\n${examples([
        ["hlcopy config get risk.maxLeverage"],
        ["hlcopy --json config get exec.slippageBps", "with its source: env, config or default"],
      ])}`,
    )
    .action(async (key: string, _o, cmd: Command) => {
      await shows(cmd);
      await run((m, g) => m.runConfigGet(g, key), cmd);
    });
  config
    .command("unset")
    .argument("<key>", "setting key")
    .description("remove a stored setting (its default applies again)")
    .addHelpText("after", `\n${examples([["hlcopy config unset risk.maxLeverage", "back to the default"]])}`)
    .action((key: string, _o, cmd: Command) => run((m, g) => m.runConfigUnset(g, key), cmd));
  config
    .command("list")
    .description("every setting with its value, default, source and description")
    .addHelpText(
      "after",
      `\n${examples([
        ["hlcopy config list"],
        ["hlcopy --json config list | jq '.[] | select(.source == \"config\")'", "only what you changed"],
      ])}`,
    )
    .action(async (_o, cmd: Command) => {
      await shows(cmd);
      await run((m, g) => m.runConfigList(g), cmd);
    });
  config
    .command("path")
    .description("print the config file's path")
    .addHelpText(
      "after",
      `\n${examples([
        ["hlcopy config path"],
        ["hlcopy --config-dir ./test-cfg config path", "another directory"],
      ])}`,
    )
    .action(async (_o, cmd: Command) => {
      await shows(cmd);
      await run((m, g) => m.runConfigPath(g), cmd);
    });
}
