// Which exchange a file on disk belongs to. The run lock and the journal are per (network,
// account): mainnet and testnet share addresses, and two simulators on different ports are two
// exchanges. One spelling per API base URL, and a file-name-safe key for it.

import { createHash } from "node:crypto";

/** The API base URLs of the networks hlcopy knows by name (cli/network.ts resolves the names). */
export const MAINNET_API = "https://api.hyperliquid.xyz";
export const TESTNET_API = "https://api.hyperliquid-testnet.xyz";

const NAMED: Record<string, string> = { mainnet: MAINNET_API, testnet: TESTNET_API };

/** Every name of this machine's loopback interface (and 0.0.0.0, which connects to it). */
const LOOPBACK_HOST = /^(localhost\.?|127(\.\d{1,3}){3}|\[::1\]|\[::ffff:127(\.\d{1,3}){3}\]|0\.0\.0\.0)$/i;

/**
 * One spelling per API base URL: scheme and host in lower case, the scheme's default port and
 * trailing slashes dropped, every loopback name as 127.0.0.1. Two runs on one account must
 * meet at one lock however each spells the exchange (`http://localhost:7070` and
 * `http://127.0.0.1:7070/` are one simulator). "mainnet" and "testnet" (how a run records its
 * network) are their URLs.
 */
export function canonicalApiBase(network: string): string {
  const raw = NAMED[network.trim()] ?? network.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.replace(/\/+$/, "").toLowerCase();
  }
  const host = LOOPBACK_HOST.test(url.hostname) ? "127.0.0.1" : url.hostname.toLowerCase();
  const port = url.port ? `:${url.port}` : "";
  return `${url.protocol}//${host}${port}${url.pathname.replace(/\/+$/, "")}`;
}

/** Whether two network names or API URLs are one exchange ("mainnet" and its URL are). */
export function sameNetwork(a: string, b: string): boolean {
  return canonicalApiBase(a) === canonicalApiBase(b);
}

export function isMainnet(network: string): boolean {
  return sameNetwork(network, MAINNET_API);
}

/** A file-name-safe key for the network: readable, and unique per API base URL. */
export function networkKey(network: string): string {
  const base = canonicalApiBase(network);
  const readable = base
    .replace(/^[a-z]+:\/\//, "")
    .replace(/[^a-z0-9.-]+/g, "_")
    .slice(0, 48);
  const hash = createHash("sha256").update(base).digest("hex").slice(0, 8);
  return `${readable}-${hash}`;
}
