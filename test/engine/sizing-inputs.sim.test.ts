// kelly's hourly reads of a leader's edge (engine/sizing-inputs.ts) say what they decide: a leader
// whose edge turns between reads — its copy closed as negative-edge from then on — is a warning,
// not a plan's skip reason alone; one copied again is a notice; and the first read's line says
// "not copied" of a leader kelly does not copy (it claimed "× 0.5 copied" of every leader). The
// keeper reads the simulator through the CLI's client; the test moves the keeper's clock.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { REFRESH_MS, SizingInputsKeeper } from "../../src/engine/sizing-inputs.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, fundedAccount } from "../exchange/helpers.js";

let sim: SimHandle;
let leader: Address;
let leaderClient: HlClient;

async function trade(coin: string, side: "buy" | "sell", size: number, reduceOnly = false) {
  const markets = await leaderClient.getMarkets();
  const [r] = await leaderClient.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
  expect(r?.status).toBe("filled");
}

/** `n` round trips of 100 SOL, each moving the mid by `move` before the close. */
async function roundTrips(n: number, move: number) {
  for (let i = 0; i < n; i++) {
    const mid = sim.control.mid("SOL") ?? 190;
    await trade("SOL", "buy", 100);
    sim.control.setMid("SOL", mid + move);
    await trade("SOL", "sell", 100, true);
    sim.control.setMid("SOL", 190);
  }
}

beforeAll(async () => {
  sim = await startSim({ seed: 29, tickMs: 0 });
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  leaderClient = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader,
    agentKey: l.key,
  });
}, 30_000);
afterAll(async () => {
  await sim.close();
});

describe("kelly's reads of a leader's edge say what they decide", () => {
  it("a leader whose edge turns negative between reads is warned of; copied again, a notice", {
    timeout: 60_000,
  }, async () => {
    const settings = defaultSettings();
    settings.sizing.mode = "kelly";
    const events: EngineEvent[] = [];
    let now = Date.now();
    const keeper = new SizingInputsKeeper({
      settings,
      reader: engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account: leader }),
      now: () => now,
      emit: (e) => events.push(e),
      countRequest: () => {},
    });
    const said = () =>
      events.flatMap((e) =>
        e.type === "warning" ? [`warning: ${e.message}`] : e.type === "notice" ? [e.message] : [],
      );

    await roundTrips(10, 2);
    now = Date.now();
    await keeper.refresh([], [leader]);
    expect(said()).toEqual([
      expect.stringMatching(/: 10 closing trades, win rate 100%, .*\(× 0\.5 copied\)$/),
    ]);

    // Ten losing trades, each losing more than a win made: K < 0.
    await roundTrips(10, -5);
    now = Date.now() + REFRESH_MS;
    await keeper.refresh([], [leader]);
    expect(said().slice(1)).toEqual([
      expect.stringMatching(
        /^warning: kelly: leader 0x\w+…\w+ over 30 days: 20 closing trades, win rate 50%, .*\(not copied: negative edge: Kelly -[\d.]+ ≤ 0\): its share of the copy is closed \(negative-edge\)$/,
      ),
    ]);
    expect(keeper.inputs.edge?.[leader]?.kelly).toBeLessThan(0);

    // Read again with nothing changed: nothing more is said.
    now += REFRESH_MS;
    await keeper.refresh([], [leader]);
    expect(said()).toHaveLength(2);

    // Winning again (K > 0): copied again, said as a notice.
    await roundTrips(30, 2);
    now = Date.now() + 3 * REFRESH_MS;
    await keeper.refresh([], [leader]);
    expect(said().slice(2)).toEqual([expect.stringMatching(/: 50 closing trades, .*\(× 0\.5 copied\)$/)]);
  });

  it("the first read says 'not copied' of a leader whose Kelly is ≤ 0", { timeout: 60_000 }, async () => {
    const settings = defaultSettings();
    settings.sizing.mode = "kelly";
    const l = fundedAccount(sim, 1_000_000);
    const events: EngineEvent[] = [];
    const client = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: l.address,
      agentKey: l.key,
    });
    for (let i = 0; i < 10; i++) {
      const markets = await client.getMarkets();
      const [open] = await client.placeOrders([action(markets, "SOL", "buy", 100)], markets);
      expect(open?.status).toBe("filled");
      sim.control.setMid("SOL", (sim.control.mid("SOL") ?? 190) - 1);
      const after = await client.getMarkets();
      const [close] = await client.placeOrders(
        [action(after, "SOL", "sell", 100, { reduceOnly: true })],
        after,
      );
      expect(close?.status).toBe("filled");
      sim.control.setMid("SOL", 190);
    }
    const keeper = new SizingInputsKeeper({
      settings,
      reader: client,
      now: () => Date.now(),
      emit: (e) => events.push(e),
      countRequest: () => {},
    });
    await keeper.refresh([], [l.address]);
    const notices = events.flatMap((e) => (e.type === "notice" ? [e.message] : []));
    expect(notices).toEqual([
      expect.stringMatching(
        /: 10 closing trades, win rate 0%, .*\(not copied: negative edge: Kelly -1\.000 ≤ 0\)$/,
      ),
    ]);
  });
});
