// `hlcopy agent import`: an existing agent key, from a v3 keystore file (geth, ethers, cast…)
// or as hex from a hidden prompt / one line of stdin. Always re-encrypted with our KDF
// settings; the passphrase stays the file's own unless --new-passphrase is given.

import { UsageError } from "../../core/errors.js";
import {
  addressOfKey,
  agentKeystorePath,
  decryptKeystore,
  encryptKeystore,
  keystoreExists,
  normalizePrivateKey,
  readKeystore,
  writeKeystore,
} from "../../store/keystore.js";
import {
  assertNotMasterKey,
  existingPassphrase,
  newPassphrase,
  passphraseVariable,
} from "../../store/secrets.js";
import { homeExpanded } from "../context.js";
import {
  type AgentContext,
  type AgentIo,
  approveHint,
  emit,
  keystoreCost,
  keystoreOverridden,
} from "./common.js";

export interface AgentImportOptions {
  /** A v3 keystore file to import. Without it, the key is read as hex. */
  keystore?: string;
  /** Encrypt under a new passphrase instead of the imported file's. */
  newPassphrase?: boolean;
  /** Replace an existing agent keystore. */
  force?: boolean;
}

/**
 * @throws {UsageError} for a missing file, a malformed key, an existing keystore without
 *   --force; {WrongPassphraseError}; {ConfigError} for a corrupt file; {OperationalError}
 *   (exit 2) for the master key. Nothing is written unless everything succeeded.
 */
export async function runAgentImport(
  ctx: AgentContext,
  options: AgentImportOptions,
  io: AgentIo,
): Promise<void> {
  const target = agentKeystorePath(ctx.configDir);
  if (!options.force && (await keystoreExists(target))) {
    throw new UsageError(`an agent keystore already exists at ${target}`, {
      hint: "see it with hlcopy agent show; pass --force to replace it (the old key is lost unless backed up)",
      details: { file: target },
    });
  }
  // The variable is read for every passphrase: it would open the file and be the "new" one too,
  // re-encrypting under the passphrase the trader meant to replace, without a word.
  const variable = passphraseVariable(ctx.env);
  if (options.newPassphrase && options.keystore !== undefined && variable) {
    throw new UsageError(
      `--new-passphrase with ${variable} set: it would open ${options.keystore} and be the new passphrase too, so nothing would change`,
      {
        hint: `unset ${variable} to be asked for both (or pipe two lines: the file's passphrase, then the new one)`,
      },
    );
  }
  let privateKey: `0x${string}`;
  let passphrase: string;
  if (options.keystore !== undefined) {
    // `--keystore=~/keys/agent.json`: a ~ the shell left as it is, as the trader meant it.
    const source = homeExpanded(options.keystore);
    if (!(await keystoreExists(source))) {
      throw new UsageError(`no such keystore file: ${source}`, {
        hint: "give the path of a v3 JSON key file",
      });
    }
    const keystore = await readKeystore(source, "import");
    const filePassphrase = await existingPassphrase(
      { env: ctx.env, prompt: io.prompt },
      `Passphrase of ${source}: `,
    );
    const from = passphraseVariable(ctx.env);
    privateKey = await decryptKeystore(keystore, filePassphrase, {
      source,
      ...(from ? { passphraseFrom: from } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    passphrase = options.newPassphrase
      ? await newPassphrase({ env: ctx.env, prompt: io.prompt })
      : filePassphrase;
  } else {
    const typed = await io.prompt.secret("Agent private key (hex, hidden): ", "the agent private key");
    privateKey = normalizePrivateKey(typed, "the agent key");
    passphrase = await newPassphrase({ env: ctx.env, prompt: io.prompt });
  }
  const address = addressOfKey(privateKey);
  assertNotMasterKey(address, ctx.account);
  if (ctx.account === null) {
    io.err.write(
      "note: no account configured, so hlcopy could not check that this is not your master key; it will refuse it at trading time\n",
    );
  }
  const encrypted = await encryptKeystore(privateKey, passphrase, {
    scryptN: keystoreCost(ctx),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  await writeKeystore(target, encrypted, {
    overwrite: options.force === true,
  });
  const next = approveHint(ctx);
  // agentAddress, as show, approve and remove say it; address stays (deprecated, docs/events.md).
  emit(
    ctx,
    io,
    { agentAddress: address, address, keystore: target, account: ctx.account, next },
    [
      `Imported agent ${address}`,
      `Encrypted key: ${target}`,
      "",
      "Check that it is approved for your account with hlcopy agent show; if it is not:",
      `  ${next}`,
    ],
    keystoreOverridden(ctx, target),
  );
}
