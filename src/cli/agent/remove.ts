// `hlcopy agent remove`: delete the agent keystore after a confirmation (`--yes` for scripts).
// The approval on the exchange is left as it is: it expires, and without the key nobody can
// sign with it.

import { unlink } from "node:fs/promises";
import { UsageError } from "../../core/errors.js";
import { storeError } from "../../store/disk-errors.js";
import { agentKeystorePath, keystoreExists, readKeystore } from "../../store/keystore.js";
import type { AgentContext, AgentIo } from "./common.js";
import { emit } from "./common.js";

export interface AgentRemoveOptions {
  yes?: boolean;
}

/** @throws {UsageError} when not confirmed and not on a terminal (nothing deleted). */
export async function runAgentRemove(
  ctx: AgentContext,
  options: AgentRemoveOptions,
  io: AgentIo,
): Promise<void> {
  const file = agentKeystorePath(ctx.configDir);
  if (!(await keystoreExists(file))) {
    emit(ctx, io, { removed: false, keystore: file, agentAddress: null }, [
      `No agent keystore at ${file}: nothing to remove.`,
    ]);
    return;
  }
  // A corrupt keystore may still be removed: that is one way out of it.
  const address = await readKeystore(file).then(
    (ks) => (ks.address ? `0x${ks.address}` : null),
    () => null,
  );
  const what = address ? `the agent key ${address} (${file})` : file;
  if (!options.yes) {
    if (!io.prompt.interactive) {
      throw new UsageError(`refusing to delete ${what} without confirmation`, {
        hint: "pass --yes to delete it from a script",
      });
    }
    const ok = await io.prompt.confirm(`Delete ${what}? It cannot be recovered without a backup. [y/N] `);
    if (!ok) {
      emit(ctx, io, { removed: false, keystore: file, agentAddress: address }, [
        "Kept it; nothing was deleted.",
      ]);
      return;
    }
  }
  // A directory in its place, a read-only config directory: said as every keystore write is.
  await unlink(file).catch((error: unknown) => {
    throw storeError(error, { file, what: "keystore", operation: "write" });
  });
  emit(ctx, io, { removed: true, keystore: file, agentAddress: address }, [
    `Removed ${file}.`,
    "The agent stays listed on the exchange until its approval expires; without its key nobody can sign with it.",
  ]);
}
