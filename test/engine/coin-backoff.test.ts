// Each coin's backoff after a rejection (engine/coin-backoff.ts): one only rejected increases
// earned holds the coin's increases (a close, a flatten still goes); one a rejected reduction
// earned holds every order of the coin while it is in force.
import { describe, expect, it } from "vitest";
import { CoinBackoff } from "../../src/engine/coin-backoff.js";

function backoff() {
  let now = 1_000;
  const b = new CoinBackoff({ backoffMs: 2_000, replans: () => false, replan: () => {}, now: () => now });
  return { b, at: (t: number) => (now = t) };
}

describe("CoinBackoff", () => {
  it("a rejected increase holds increases only; a rejected reduction holds everything while in force", () => {
    const { b, at } = backoff();
    b.backOff("ETH", false);
    expect(b.until(1_000)).toEqual({ backoffUntil: {}, increaseBackoffUntil: { ETH: 3_000 } });
    // The close refused too, within that backoff: now every order of the coin waits (doubled).
    at(1_500);
    b.backOff("ETH", true);
    expect(b.until(1_500)).toEqual({ backoffUntil: { ETH: 5_500 }, increaseBackoffUntil: {} });
    // An increase refused while it is in force does not lift it for reductions.
    at(2_000);
    b.backOff("ETH", false);
    expect(b.until(2_000).backoffUntil).toEqual({ ETH: 10_000 });
    // Once it has ended, the next refused increase holds increases only again.
    at(10_000);
    expect(b.until(10_000)).toEqual({ backoffUntil: {}, increaseBackoffUntil: {} });
    b.backOff("ETH", false);
    expect(b.until(10_000)).toEqual({ backoffUntil: {}, increaseBackoffUntil: { ETH: 26_000 } });
    b.delete("ETH");
    expect(b.until(10_000)).toEqual({ backoffUntil: {}, increaseBackoffUntil: {} });
  });
});
