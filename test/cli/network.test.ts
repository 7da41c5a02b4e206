import { describe, expect, it } from "vitest";
import { resolveNetwork } from "../../src/cli/network.js";
import { UsageError } from "../../src/core/errors.js";

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

  it("maps an http URL to the same host's /ws", () => {
    expect(resolveNetwork("http://127.0.0.1:8080/")).toEqual({
      name: "http://127.0.0.1:8080",
      httpUrl: "http://127.0.0.1:8080",
      wsUrl: "ws://127.0.0.1:8080/ws",
      isTestnet: false,
    });
    expect(resolveNetwork("https://example.org/api").wsUrl).toBe("wss://example.org/ws");
    expect(resolveNetwork("http://localhost:1", { testnet: true }).isTestnet).toBe(true);
  });

  it("refuses anything else as a usage error", () => {
    for (const bad of ["main-net", "ftp://host", "127.0.0.1:8080", ""]) {
      expect(() => resolveNetwork(bad)).toThrow(UsageError);
    }
  });
});
