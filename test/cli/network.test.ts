import { describe, expect, it } from "vitest";
import { resolveNetwork } from "../../src/cli/network.js";
import { UsageError } from "../../src/core/errors.js";
import { networkUrlMeant } from "../../src/core/settings.js";

describe("network resolution", () => {
  it("knows mainnet and testnet", () => {
    expect(resolveNetwork("mainnet")).toEqual({
      name: "mainnet",
      httpUrl: "https://api.hyperliquid.xyz",
      wsUrl: "wss://api.hyperliquid.xyz/ws",
      isTestnet: false,
    });
    const t = resolveNetwork("testnet");
    expect(t.isTestnet).toBe(true);
    expect(t.wsUrl).toBe("wss://api.hyperliquid-testnet.xyz/ws");
  });

  it("a network's name is a word: Testnet, MAINNET are those networks; a name no network has is refused", () => {
    expect(resolveNetwork("Testnet")).toEqual(resolveNetwork("testnet"));
    expect(resolveNetwork("MAINNET")).toEqual(resolveNetwork("mainnet"));
    // An object's own keys only: "constructor" was read as a network.
    expect(() => resolveNetwork("constructor")).toThrow(UsageError);
  });

  it("maps an http URL to the same host's /ws", () => {
    expect(resolveNetwork("http://127.0.0.1:8080/")).toEqual({
      name: "http://127.0.0.1:8080",
      httpUrl: "http://127.0.0.1:8080",
      wsUrl: "ws://127.0.0.1:8080/ws",
      isTestnet: false,
    });
    expect(resolveNetwork("https://example.org").wsUrl).toBe("wss://example.org/ws");
    expect(resolveNetwork("http://localhost:1", { testnet: true }).isTestnet).toBe(true);
  });

  it("mainnet's and testnet's own API URLs are those networks: testnet's URL signs for testnet", () => {
    // A custom URL signs as mainnet: testnet's URL given as a URL (as Hyperliquid's docs spell it)
    // signed every action for mainnet, and testnet refused each one.
    for (const url of ["https://api.hyperliquid-testnet.xyz", "https://API.hyperliquid-testnet.xyz:443/"]) {
      expect(resolveNetwork(url)).toEqual(resolveNetwork("testnet"));
    }
    expect(resolveNetwork("https://api.hyperliquid.xyz/")).toEqual(resolveNetwork("mainnet"));
    // Signing is the network's own, not --testnet-signing's (that flag is refused on both).
    expect(resolveNetwork("https://api.hyperliquid.xyz", { testnet: true }).isTestnet).toBe(false);
    // Another host is still a custom URL.
    expect(resolveNetwork("https://api.hyperliquid.example").name).toBe("https://api.hyperliquid.example");
  });

  it("a URL is the API's host: a path, query, fragment or credentials are refused, naming what is extra", () => {
    // A path would send the requests to /api/info but the websocket to /ws, and a query was dropped.
    const cases: Array<[string, string]> = [
      ["https://example.org/api", "a path (/api)"],
      ["http://localhost:1234/foo?x=1", "a path (/foo) or a query string (?x=1)"],
      ["http://localhost:1234/?x=1", "a query string (?x=1)"],
      ["http://localhost:1234#top", "a fragment (#top)"],
      ["https://me:s3cret@example.org", "a user name or password"],
    ];
    for (const [bad, extra] of cases) {
      let error: unknown;
      try {
        resolveNetwork(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      const e = error as UsageError;
      expect(e.message).toContain(`a network URL is the API's base, http(s)://host[:port], without ${extra}`);
      expect(e.message).not.toContain("s3cret");
      expect(e.hint).toMatch(
        /^e\.g\. --network https?:\/\/(localhost:1234|example\.org) \(or mainnet, testnet\)$/,
      );
      expect(e.exitCode).toBe(2);
    }
  });

  it("refuses anything else as a usage error", () => {
    for (const bad of ["main-net", "ftp://host", "127.0.0.1:8080", ""]) {
      expect(() => resolveNetwork(bad)).toThrow(UsageError);
    }
  });

  it("a misspelt name gets the name it was meant to be as its hint", () => {
    for (const [typo, meant] of [
      ["testnt", "testnet"],
      ["main-net", "mainnet"],
      ["Main-net", "mainnet"],
    ]) {
      const e = (() => {
        try {
          resolveNetwork(typo as string);
        } catch (error) {
          return error as UsageError;
        }
        throw new Error("expected a refusal");
      })();
      expect(e.hint).toBe(`did you mean --network ${meant}?`);
    }
  });

  it("a URL without its scheme, or the websocket's, gets the http(s) URL it was meant to be — one the network takes", () => {
    for (const [given, meant, note] of [
      ["localhost:7072", "http://localhost:7072", ""],
      ["127.0.0.1:8080", "http://127.0.0.1:8080", ""],
      ["api.hyperliquid-testnet.xyz", "https://api.hyperliquid-testnet.xyz", ""],
      [
        "ws://127.0.0.1:7072/ws",
        "http://127.0.0.1:7072",
        " (the API's http URL: hlcopy finds the websocket itself)",
      ],
      [
        "wss://api.hyperliquid.xyz/ws",
        "https://api.hyperliquid.xyz",
        " (the API's http URL: hlcopy finds the websocket itself)",
      ],
    ] as const) {
      const e = (() => {
        try {
          resolveNetwork(given);
        } catch (error) {
          return error as UsageError;
        }
        throw new Error(`expected a refusal of ${given}`);
      })();
      expect(e.hint).toBe(`did you mean --network ${meant}?${note}`);
      expect(() => resolveNetwork(meant)).not.toThrow();
    }
    expect(resolveNetwork("https://api.hyperliquid-testnet.xyz").name).toBe("testnet");
    // Not a host: no URL guessed.
    expect(networkUrlMeant("main-net")).toBeNull();
    expect(networkUrlMeant("ftp://host")).toBeNull();
    expect(networkUrlMeant("")).toBeNull();
  });
});
