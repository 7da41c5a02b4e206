// Network resolution: "mainnet" | "testnet" | an http(s) URL of a Hyperliquid-compatible API
// (such as `hlcopy sim`) → the HTTP base, the websocket URL and whether testnet signing applies.

import { hidePrivateKeys } from "../core/address.js";
import { UsageError } from "../core/errors.js";
import {
  closeMatches,
  NETWORK_URL_RULE,
  networkUrlExtra,
  networkUrlMeant,
  networkUrlShown,
} from "../core/settings.js";
import { canonicalApiBase, MAINNET_API, TESTNET_API } from "../store/network-key.js";

export interface NetworkTarget {
  /** "mainnet", "testnet", or the URL as given. */
  name: string;
  httpUrl: string;
  wsUrl: string;
  /** Testnet signing (L1 source "b", hyperliquidChain "Testnet"). */
  isTestnet: boolean;
}

const KNOWN: Record<string, NetworkTarget> = {
  mainnet: {
    name: "mainnet",
    httpUrl: MAINNET_API,
    wsUrl: "wss://api.hyperliquid.xyz/ws",
    isTestnet: false,
  },
  testnet: {
    name: "testnet",
    httpUrl: TESTNET_API,
    wsUrl: "wss://api.hyperliquid-testnet.xyz/ws",
    isTestnet: true,
  },
};

/**
 * Resolve a network name or URL. A custom URL signs as mainnet unless `testnet` is set
 * (the simulator checks signatures the way the network it imitates does); mainnet's and
 * testnet's own API URLs (https://api.hyperliquid.xyz, …-testnet.xyz) are those networks.
 * @throws {UsageError} when the value is neither a known name nor an http(s) URL of a host
 *   (a path, query, fragment or credentials are refused: see networkUrlExtra).
 */
export function resolveNetwork(value: string, options: { testnet?: boolean } = {}): NetworkTarget {
  // A network's name is a word, as a setting's choice is (core/settings.ts): Testnet is testnet.
  const name = value.trim().toLowerCase();
  const known = Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined;
  if (known) return { ...known };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badNetwork(value);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badNetwork(value);
  // The same rule as a stored network (core/settings.ts): a flag and the config take one value.
  const extra = networkUrlExtra(url);
  if (extra) {
    throw new UsageError(
      `invalid network "${networkUrlShown(url, value)}": ${NETWORK_URL_RULE}, without ${extra}`,
      {
        hint: `e.g. --network ${url.origin} (or mainnet, testnet)`,
      },
    );
  }
  const base = url.origin;
  // Hyperliquid's own API URLs are their networks: testnet's URL signs for testnet (a custom URL
  // signs as mainnet, which testnet refuses: every action failed), and --testnet-signing on
  // either is refused as on the name.
  for (const named of Object.values(KNOWN)) {
    if (canonicalApiBase(base) === canonicalApiBase(named.httpUrl)) return { ...named };
  }
  const ws = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}/ws`;
  return { name: base, httpUrl: base, wsUrl: ws, isTestnet: options.testnet ?? false };
}

/**
 * What a network that is not one was probably meant to be, or null: a known name as mistyped
 * (`testnt` → testnet), or the http(s) URL of one given without its scheme or as the websocket's
 * (core/settings.ts networkUrlMeant). `--network` and init's question both ask it.
 */
export function networkMeant(value: string): string | null {
  return closeMatches(value.trim(), Object.keys(KNOWN), 1)[0] ?? networkUrlMeant(value);
}

function badNetwork(value: string): UsageError {
  const near = networkMeant(value);
  return new UsageError(
    `invalid network "${hidePrivateKeys(value)}": expected mainnet, testnet or an http(s) URL`,
    {
      hint: near
        ? `did you mean --network ${near}?${/^wss?:/i.test(value.trim()) ? " (the API's http URL: hlcopy finds the websocket itself)" : ""}`
        : "e.g. --network testnet, or --network http://127.0.0.1:8080 for `hlcopy sim`",
    },
  );
}

/** Whether `name` is one of Hyperliquid's own networks (its web app serves them), not a URL. */
export function officialNetwork(name: string): boolean {
  return Object.hasOwn(KNOWN, name);
}
