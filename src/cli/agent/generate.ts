// `hlcopy agent generate`: a new random agent key, encrypted into the keystore. Prints the
// agent's address (never the key) and how to approve it.

import { generatePrivateKey } from "viem/accounts";
import { UsageError } from "../../core/errors.js";
import {
  addressOfKey,
  agentKeystorePath,
  encryptKeystore,
  keystoreExists,
  writeKeystore,
} from "../../store/keystore.js";
import { assertNotMasterKey, newPassphrase } from "../../store/secrets.js";
import { officialNetwork } from "../network.js";
import {
  type AgentContext,
  type AgentIo,
  approveHint,
  emit,
  keystoreCost,
  keystoreOverridden,
} from "./common.js";

export interface AgentGenerateOptions {
  /** Replace an existing keystore. */
  force?: boolean;
}

/**
 * @throws {UsageError} when a keystore exists without --force, or the passphrase is refused;
 *   {InterruptedError} on Ctrl-C. Nothing is written unless everything succeeded.
 */
export async function runAgentGenerate(
  ctx: AgentContext,
  options: AgentGenerateOptions,
  io: AgentIo,
): Promise<void> {
  const file = agentKeystorePath(ctx.configDir);
  if (!options.force && (await keystoreExists(file))) {
    throw new UsageError(`an agent keystore already exists at ${file}`, {
      hint: "see it with hlcopy agent show; pass --force to replace it (the old key is lost unless backed up)",
      details: { file },
    });
  }
  const passphrase = await newPassphrase({ env: ctx.env, prompt: io.prompt });
  const privateKey = generatePrivateKey();
  const address = addressOfKey(privateKey);
  assertNotMasterKey(address, ctx.account);
  const keystore = await encryptKeystore(privateKey, passphrase, {
    scryptN: keystoreCost(ctx),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  await writeKeystore(file, keystore, { overwrite: options.force === true });
  const next = approveHint(ctx);
  // agentAddress, as show, approve and remove say it; address stays for scripts written before
  // (deprecated, docs/events.md).
  emit(
    ctx,
    io,
    {
      agentAddress: address,
      address,
      keystore: file,
      account: ctx.account,
      approved: false,
      next,
    },
    [
      `Agent address: ${address}`,
      `Encrypted key: ${file}`,
      "",
      "Next, approve it for your account (an agent can trade but never withdraw):",
      `  ${next}`,
      // The web app approves on Hyperliquid's own networks only, not on a simulator or another URL.
      ...(officialNetwork(ctx.network.name)
        ? ["  or in the Hyperliquid web app: API page, authorize this address as an API wallet"]
        : []),
    ],
    keystoreOverridden(ctx, file),
  );
}
