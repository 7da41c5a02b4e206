// The local Hyperliquid-compatible exchange (`hlcopy sim`): start it in-process with
// `startSim()`, drive it through `handle.control`, point the SDK at `httpUrl` / `wsUrl`.

export { DEFAULT_MARKETS, parseMarkets } from "./markets.js";
export { startSim } from "./server.js";
export type {
  Hex,
  SimControl,
  SimFault,
  SimHandle,
  SimMarketConfig,
  SimOptions,
  SimOrderRecord,
  SimStats,
} from "./types.js";
