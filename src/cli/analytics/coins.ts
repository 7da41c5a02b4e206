// A coin list naming no market (`--deny-coins DOGEE`), refused before the leaders' history is
// read: the refusal came after it, ~30 s for a busy leader, and after the optional reads' lines.

import type { LeaderDataSource } from "../../analytics/fetch.js";
import { parseMeta } from "../../analytics/wire.js";
import { resolveCoinSettings, type Settings } from "../../core/settings.js";

/**
 * When any of `settings` names coins (risk.allowCoins / risk.denyCoins), read the markets first
 * (one light read) and check the coins against them. The source returned serves those markets
 * again without a second read. A markets read that fails is left to the reads after it (where
 * the markets are optional): the check is then made where it was.
 * @throws {ValidationError} (exit 2) naming every unknown coin, as resolveCoinSettings.
 */
export async function refuseUnknownCoinsFirst(
  source: LeaderDataSource,
  settings: readonly Settings[],
): Promise<LeaderDataSource> {
  const getMeta = source.getMeta?.bind(source);
  if (!getMeta || settings.every((s) => s.risk.allowCoins.length === 0 && s.risk.denyCoins.length === 0))
    return source;
  let raw: unknown;
  let names: string[];
  try {
    raw = await getMeta();
    names = parseMeta(raw).map((m) => m.name);
  } catch {
    return source;
  }
  for (const s of settings) resolveCoinSettings(s, names);
  return { ...source, getMeta: async () => raw };
}
