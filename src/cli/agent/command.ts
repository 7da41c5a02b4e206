// `hlcopy agent generate|import|approve|show|remove` — the agent (API) key hlcopy trades with.
// Each action resolves the global options into a context and loads its implementation on demand.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";
import type { AgentContext, AgentIo } from "./common.js";

async function run(cmd: Command, fn: (ctx: AgentContext, io: AgentIo) => Promise<void>): Promise<void> {
  const { resolveContext } = await import("../context.js");
  const { withProcessIo } = await import("./common.js");
  const { onStopSignals } = await import("../signals.js");
  const { InterruptedError } = await import("../../store/secrets.js");
  // Ctrl-C (SIGINT, SIGTERM, SIGHUP) at any step — a question, or the key derivation after the
  // passphrase (scrypt: about a second) — ends the command as Ctrl-C at a question does:
  // "error: interrupted" / "hint: nothing was changed", exit 130, nothing written. Without this,
  // Node's default killed the process silently during the derivation.
  const stop = new AbortController();
  const off = onStopSignals(() => stop.abort(new InterruptedError()));
  const ctx = { ...resolveContext(cmd.optsWithGlobals<GlobalOptions>()), signal: stop.signal };
  try {
    await withProcessIo((io) => fn(ctx, io), stop.signal);
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    // Stopped at a question or in the key derivation: nothing is being written. The derivation
    // abandoned on libuv's thread pool would hold the process until it ends (seconds for a
    // costly keystore): said now, and the process ends now.
    const { reportError } = await import("../output.js");
    process.exit(
      reportError(new InterruptedError(), {
        debug: process.argv.includes("--debug"),
        json: ctx.json,
        err: process.stderr,
      }),
    );
  } finally {
    off();
  }
}

export function register(program: Command): void {
  const agent = program
    .command("agent")
    .description("the agent (API) key hlcopy signs with: it can trade for your account but never withdraw")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy agent generate", "new agent key, encrypted on this machine"],
  ["hlcopy --account 0xYourMaster… agent approve", "approve it (asks for the master key once)"],
  ["hlcopy agent show", "address, approved or not, days left"],
])}

The passphrase is asked for (hidden), or taken from HLCOPY_PASSPHRASE. On a terminal a new
passphrase is typed twice (asked again when the two differ, three times), and a wrong one
when a run opens the key can be typed again: three tries, then exit 2 with nothing sent
(from HLCOPY_PASSPHRASE or a pipe: one try). HLCOPY_AGENT_KEY (hex) replaces the keystore
for cron jobs. hlcopy refuses your master key as the agent key.`,
    );

  agent
    .command("generate")
    .description("create a new agent key in the encrypted keystore and print its address")
    .option("--force", "replace an existing keystore (the old key is lost unless backed up)")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy agent generate", "asks for a passphrase twice"],
  [
    "HLCOPY_PASSPHRASE=… hlcopy --json agent generate",
    'scripts: {"type": "agent", "agentAddress": "0x…", …}',
  ],
])}`,
    )
    .action(async (opts: { force?: boolean }, cmd: Command) => {
      await run(cmd, async (ctx, io) => {
        const { runAgentGenerate } = await import("./generate.js");
        await runAgentGenerate(ctx, { force: opts.force === true }, io);
      });
    });

  agent
    .command("import")
    .description("import an existing agent key: a v3 keystore file, or hex from a hidden prompt or stdin")
    .option("--keystore <file>", "a Web3 Secret Storage v3 JSON file (geth, ethers, cast)")
    .option(
      "--new-passphrase",
      "encrypt under a new passphrase instead of the file's own (asked, or a second piped line; not with HLCOPY_PASSPHRASE)",
    )
    .option("--force", "replace an existing keystore")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy agent import", "paste the key (hidden), then a passphrase"],
  ["hlcopy agent import --keystore ~/keys/agent.json", "keeps that file's passphrase"],
  ['printf \'%s\\n%s\\n\' "$KEY" "$PASS" | hlcopy agent import', "from a script (key, then passphrase)"],
])}`,
    )
    .action(async (opts: { keystore?: string; newPassphrase?: boolean; force?: boolean }, cmd: Command) => {
      await run(cmd, async (ctx, io) => {
        const { runAgentImport } = await import("./import.js");
        await runAgentImport(ctx, opts, io);
      });
    });

  agent
    .command("approve")
    .description("approve the agent for your account, signing once with your master key (never stored)")
    .option("--name <name>", "agent name on the exchange, 1-16 characters", "hlcopy")
    .option("--valid-days <n>", "days until the approval expires, 1-180", "90")
    .addHelpText(
      "after",
      `
${examples([
  [
    "hlcopy --account 0xYourMaster… agent approve",
    "asks for the keystore's passphrase, then the master key (hidden)",
  ],
  ["hlcopy --account 0xYourMaster… agent approve --valid-days 30 --name desk"],
  [
    "pass show hl/master | HLCOPY_PASSPHRASE_FILE=~/.hlcopy-pass hlcopy --account 0xYourMaster… agent approve",
    "master key from stdin",
  ],
])}

The keystore is opened first: what is approved is the address its key derives to (a keystore
whose address field says otherwise is refused). Approving again under the same name replaces
that agent (and renews it). Once sent, an approval's outcome is learnt before the command ends:
a late answer is said, and Ctrl-C then waits for it (a second Ctrl-C quits at once; hlcopy agent
show then tells whether it was approved).`,
    )
    .action(async (opts: { name?: string; validDays?: string }, cmd: Command) => {
      await run(cmd, async (ctx, io) => {
        const { runAgentApprove } = await import("./approve.js");
        await runAgentApprove(ctx, opts, io);
      });
    });

  agent
    .command("show")
    .description("the agent address, your account, and whether the exchange lists it as approved")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy agent show"],
  [
    "hlcopy --json agent show",
    '{"type": "agent", "agentAddress": "0x…", "approved": true, "daysLeft": 83, …}',
  ],
])}`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      await run(cmd, async (ctx, io) => {
        const { runAgentShow } = await import("./show.js");
        process.exitCode = await runAgentShow(ctx, io);
      });
    });

  agent
    .command("remove")
    .description("delete the agent keystore (asks first)")
    .option("-y, --yes", "do not ask (scripts)")
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy agent remove", "asks first"],
  ["hlcopy agent remove --yes", "scripts"],
])}`,
    )
    .action(async (opts: { yes?: boolean }, cmd: Command) => {
      await run(cmd, async (ctx, io) => {
        const { runAgentRemove } = await import("./remove.js");
        await runAgentRemove(ctx, { yes: opts.yes === true }, io);
      });
    });
}
