// The reference meta (28 real markets with their szDecimals and maxLeverage) and the
// recorded mids, as planner Markets: property tests check every one of them.

import { readFileSync } from "node:fs";
import type { Markets } from "../../src/core/types.js";

interface MetaFile {
  response: { universe: { name: string; szDecimals: number; maxLeverage: number }[] };
}
interface MidsFile {
  response: Record<string, string>;
}

const here = new URL("../fixtures/reference/hl-cassettes/", import.meta.url);
const meta = JSON.parse(readFileSync(new URL("meta.json", here), "utf8")) as MetaFile;
const mids = JSON.parse(readFileSync(new URL("allMids.json", here), "utf8")) as MidsFile;

/** The 28 reference markets with their real szDecimals, maxLeverage and the recorded mids. */
export const REFERENCE_MARKETS: Markets = Object.fromEntries(
  meta.response.universe.map((u, assetId) => [
    u.name,
    {
      coin: u.name,
      assetId,
      szDecimals: u.szDecimals,
      maxLeverage: u.maxLeverage,
      mid: Number(mids.response[u.name]),
    },
  ]),
);
export const REFERENCE_COINS = Object.keys(REFERENCE_MARKETS);
