// `hlcopy init` — first-run setup: which network, which account.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("init")
    .description("first-run setup: choose the network and your follower account (asks, or takes flags)")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy init", "asks for the network and your account"],
  ["hlcopy --network testnet --account 0xYourMaster… init", "no questions (scripts, CI)"],
])}

Your account is the MASTER address that holds the funds. hlcopy trades for it with an
agent (API) key that cannot withdraw: create one next with \`hlcopy agent generate\`.
HLCOPY_ACCOUNT stands for --account (the flag wins); the agent's own address is refused.`,
    )
    .action(async (_o, cmd: Command) => {
      const { runInit } = await import("./run.js");
      await runInit(cmd.optsWithGlobals<GlobalOptions>());
    });
}
