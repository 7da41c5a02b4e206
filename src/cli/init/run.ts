// First-run setup. Interactive on a TTY; with --network and --account it asks nothing.
// Everything is validated before anything is written.

import {
  addressMeant,
  addressProblem,
  hidePrivateKeys,
  NOT_A_KEY,
  parseAddress,
} from "../../core/address.js";
import { toHlcopyError, UsageError } from "../../core/errors.js";
import { validateSetting } from "../../core/settings.js";
import { configPath, readStoredSettings, writeSetting } from "../../store/config.js";
import { createPrompt } from "../../store/secrets.js";
import { ask } from "../ask.js";
import {
  configDirOf,
  ENV_ACCOUNT_HINT,
  type GlobalOptions,
  overridingAccount,
  parseAccountFlag,
  refuseAgentAsAccount,
} from "../context.js";
import { networkMeant, officialNetwork, resolveNetwork } from "../network.js";
import { nextSteps } from "../next-steps.js";
import { printDocument, type Writer } from "../output.js";

export interface InitIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  out: Writer;
  /** Where the questions go (default stderr). */
  err?: NodeJS.WritableStream;
}

export async function runInit(
  g: GlobalOptions,
  io: InitIo = { input: process.stdin, out: process.stdout },
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const dir = configDirOf(g, env);
  const stored = readStoredSettings(dir);
  let network = g.network;
  // HLCOPY_ACCOUNT is --account's variable (flag > variable), as for every other command: init
  // read only the flag, so with the variable set it asked for the account again (or, with no
  // terminal, refused "init needs --account") and saved one the variable then overrode in
  // every run, without a word.
  const fromEnv = g.account === undefined && env.HLCOPY_ACCOUNT !== undefined;
  let account = g.account ?? env.HLCOPY_ACCOUNT;
  const interactive = io.input.isTTY === true && (network === undefined || account === undefined);
  if (!interactive && (network === undefined || account === undefined)) {
    const missing = [network === undefined ? "--network" : null, account === undefined ? "--account" : null]
      .filter(Boolean)
      .join(" and ");
    throw new UsageError(`init needs ${missing} when not run in a terminal`, {
      hint: "e.g. hlcopy --network testnet --account 0xYourMasterAddress init",
    });
  }
  // A value given as a flag is checked before any question: a typo there loses no answers.
  if (network !== undefined) resolveNetwork(network);
  // Said as every command says a bad --account (cli/context.ts), not as `config set account`'s.
  if (account !== undefined) {
    if (fromEnv) parseAddress(account, "account address", ENV_ACCOUNT_HINT);
    else parseAccountFlag(account);
  }
  if (interactive) {
    const err = io.err ?? process.stderr;
    // Ctrl-C at a question rejects with InterruptedError (exit 130): nothing is written.
    const question = (text: string) => ask({ input: io.input, output: err }, text);
    // A wrong answer is said at once and the question asked again, keeping the answers given.
    if (network === undefined) {
      const current = (stored.network as string | undefined) ?? "mainnet";
      for (;;) {
        const answer = (await question(`Network (mainnet, testnet or a URL) [${current}]: `)).trim();
        const value = answer || current;
        const problem = networkProblem(value);
        if (problem === null) {
          network = value;
          break;
        }
        err.write(`  ${problem}\n`);
      }
    }
    if (account === undefined) {
      const current = stored.account as string | null | undefined;
      // Read with echo off from its first byte, as a passphrase is (the one hidden prompt): a
      // private key pasted here by mistake never reaches the screen — a terminal recording or
      // the scrollback would keep it, erased or not. The saved address is shown below.
      const hidden = createPrompt({ input: io.input, output: err });
      for (;;) {
        const prompt = `Your master account address (0x…, hidden as you type)${current ? ` [${current}]` : ""}: `;
        const typed = await hidden.secret(prompt, "your master account address");
        const value = typed.trim() || current || "";
        const problem = addressProblem(value);
        if (problem === null) {
          // The agent's own address (the commonest mix-up of the two) is a wrong answer too: said
          // and asked again, as the others are — it ended init (exit 2), the answers lost.
          const agent = await refuseAgentAsAccount(dir, env, value).then(
            () => null,
            (error: unknown) => {
              if (error instanceof UsageError) return error;
              throw error;
            },
          );
          if (agent === null) {
            account = value;
            break;
          }
          err.write(`  ${agent.message}: give the master address that holds the funds\n`);
          continue;
        }
        if (problem === "private-key") {
          err.write(`  ${NOT_A_KEY}\n`);
        } else if (problem === "checksum") {
          err.write(
            "  its mixed-case checksum (EIP-55) does not match — a typo? (give it all in lower case if you are sure of it)\n",
          );
        } else {
          // The slip with one reading (0x left off, a blank) is named, as a flag's would be.
          const meant = addressMeant(value);
          err.write(
            `  that is not an address: 0x followed by 40 hex digits${meant ? ` — did you mean ${meant}?` : ""}\n`,
          );
        }
      }
    }
  }
  // Validate both before writing either, so a bad value changes nothing.
  const target = resolveNetwork(network as string);
  const networkValue = validateSetting("network", target.name);
  const accountValue = validateSetting("account", account);
  await refuseAgentAsAccount(dir, env, accountValue);
  await writeSetting(dir, "network", networkValue);
  await writeSetting(dir, "account", accountValue);
  const overridden = overridingAccount(env, accountValue);
  if (g.json) {
    printDocument(
      "init",
      {
        configPath: configPath(dir),
        network: networkValue,
        account: accountValue,
        ...(overridden ? { warning: overridden } : {}),
      },
      io.out,
    );
    if (overridden) (io.err ?? process.stderr).write(`warning: ${overridden}\n`);
    return;
  }
  io.out.write(
    [
      `Saved to ${configPath(dir)}`,
      `  network  ${String(networkValue)}`,
      `  account  ${String(accountValue)}`,
      "",
      ...nextSteps([
        ["hlcopy agent generate", "create the agent key hlcopy trades with"],
        [
          "hlcopy agent approve",
          officialNetwork(String(networkValue))
            ? "approve it for your account (or in the web app's API page)"
            : "approve it for your account",
        ],
        ["hlcopy reconcile 0xLeader… --dry-run", "see what copying a leader would do"],
      ]),
      "",
    ].join("\n"),
  );
  if (overridden) (io.err ?? process.stderr).write(`warning: ${overridden}\n`);
}

/** Why `value` is no network init can save (a misspelt name gets the name it was meant to be), or null. */
function networkProblem(value: string): string | null {
  try {
    validateSetting("network", resolveNetwork(value).name);
    return null;
  } catch (error) {
    const near = networkMeant(value);
    if (near) return `"${hidePrivateKeys(value)}" is not a network: did you mean ${near}?`;
    return hidePrivateKeys(toHlcopyError(error).message);
  }
}
