// First-run setup. Interactive on a TTY; with --network and --account it asks nothing.
// Everything is validated before anything is written.

import { UsageError } from "../../core/errors.js";
import { isAddress, validateSetting } from "../../core/settings.js";
import { configPath, defaultConfigDir, readStoredSettings, writeSetting } from "../../store/config.js";
import { ask } from "../ask.js";
import type { GlobalOptions } from "../context.js";
import { resolveNetwork } from "../network.js";
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
): Promise<void> {
  const dir = g.configDir || defaultConfigDir();
  const stored = readStoredSettings(dir);
  let network = g.network;
  let account = g.account;
  const interactive = io.input.isTTY === true && (network === undefined || account === undefined);
  if (!interactive && (network === undefined || account === undefined)) {
    const missing = [network === undefined ? "--network" : null, account === undefined ? "--account" : null]
      .filter(Boolean)
      .join(" and ");
    throw new UsageError(`init needs ${missing} when not run in a terminal`, {
      hint: "e.g. hlcopy --network testnet --account 0xYourMasterAddress init",
    });
  }
  if (interactive) {
    // Ctrl-C at a question rejects with InterruptedError (exit 130): nothing is written.
    const question = (text: string) => ask({ input: io.input, output: io.err ?? process.stderr }, text);
    if (network === undefined) {
      const current = (stored.network as string | undefined) ?? "mainnet";
      const answer = (await question(`Network (mainnet, testnet or a URL) [${current}]: `)).trim();
      network = answer || current;
    }
    if (account === undefined) {
      const current = stored.account as string | null | undefined;
      for (;;) {
        const answer = (
          await question(`Your master account address (0x…)${current ? ` [${current}]` : ""}: `)
        ).trim();
        const value = answer || current || "";
        if (isAddress(value)) {
          account = value;
          break;
        }
        (io.err ?? process.stderr).write("  that is not an address: 0x followed by 40 hex digits\n");
      }
    }
  }
  // Validate both before writing either, so a bad value changes nothing.
  const target = resolveNetwork(network as string);
  const networkValue = validateSetting("network", target.name);
  const accountValue = validateSetting("account", account);
  await writeSetting(dir, "network", networkValue);
  await writeSetting(dir, "account", accountValue);
  if (g.json) {
    printDocument(
      "init",
      { configPath: configPath(dir), network: networkValue, account: accountValue },
      io.out,
    );
    return;
  }
  io.out.write(
    [
      `Saved to ${configPath(dir)}`,
      `  network  ${String(networkValue)}`,
      `  account  ${String(accountValue)}`,
      "",
      "Next:",
      "  hlcopy agent generate            create the agent (API) key hlcopy trades with",
      "  hlcopy agent approve             approve it for your account (or in the web app's API page)",
      "  hlcopy reconcile 0xLeader… --dry-run   see what copying a leader would do",
      "",
    ].join("\n"),
  );
}
