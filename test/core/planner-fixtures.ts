// Builders for planner tests: markets from the reference meta (real szDecimals), leaders and
// accounts from a few numbers, and a `plan()` with sensible defaults.

import { type PlanContext, type PlanParameters, planOrders } from "../../src/core/planner.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import type { SizingInputs } from "../../src/core/sizing.js";
import type {
  AccountState,
  Address,
  LeaderState,
  Market,
  Markets,
  Plan,
  Position,
} from "../../src/core/types.js";

import { REFERENCE_MARKETS } from "./reference-markets.js";

export { REFERENCE_COINS, REFERENCE_MARKETS } from "./reference-markets.js";

export function market(coin: string, mid: number, szDecimals = 2, extra: Partial<Market> = {}): Market {
  return { coin, assetId: 0, szDecimals, maxLeverage: 50, mid, ...extra };
}

export const LEADER: Address = "0x1111111111111111111111111111111111111111";
export const LEADER2: Address = "0x2222222222222222222222222222222222222222";
export const US: Address = "0x9999999999999999999999999999999999999999";

type PositionInput = number | (Partial<Position> & { size: number });

function positions(input: Record<string, PositionInput>): Record<string, Position> {
  return Object.fromEntries(
    Object.entries(input).map(([coin, p]) => {
      const pos = typeof p === "number" ? { size: p } : p;
      return [coin, { coin, entryPx: 0, ...pos }];
    }),
  );
}

export function leader(
  input: Record<string, PositionInput>,
  accountValue = 100_000,
  extra: Partial<LeaderState> = {},
): LeaderState {
  return {
    address: LEADER,
    accountValue,
    positions: positions(input),
    openOrders: [],
    time: 0,
    weight: 1,
    ...extra,
  };
}

export function account(input: Record<string, PositionInput>, accountValue = 10_000): AccountState {
  return { address: US, accountValue, positions: positions(input), openOrders: [], time: 0 };
}

export function settingsWith(patch: {
  sizing?: Partial<Settings["sizing"]>;
  risk?: Partial<Settings["risk"]>;
  exec?: Partial<Settings["exec"]>;
  join?: Settings["join"];
}): Settings {
  const s = defaultSettings();
  return {
    ...s,
    sizing: { ...s.sizing, ...patch.sizing },
    risk: { ...s.risk, ...patch.risk },
    exec: { ...s.exec, ...patch.exec },
    join: patch.join ?? s.join,
  };
}

export interface PlanInput {
  leaders?: LeaderState[];
  leader?: LeaderState;
  ours?: AccountState;
  markets?: Markets;
  settings?: Settings;
  context?: Partial<PlanContext>;
  coins?: string[];
  sizingInputs?: SizingInputs;
}

/** planOrders with defaults: the reference markets, default settings, not halted. */
export function plan(input: PlanInput = {}): Plan {
  return planOrders(params(input));
}

export function params(input: PlanInput = {}): PlanParameters {
  const p: PlanParameters = {
    leaders: input.leaders ?? [input.leader ?? leader({})],
    ours: input.ours ?? account({}),
    markets: input.markets ?? REFERENCE_MARKETS,
    settings: input.settings ?? defaultSettings(),
    context: { now: 1_000_000, halted: false, cloidSeed: "test", ...input.context },
  };
  if (input.coins) p.coins = input.coins;
  if (input.sizingInputs) p.sizingInputs = input.sizingInputs;
  return p;
}

/** Our positions after every action of a plan fills completely. */
export function applyPlan(ours: AccountState, p: Plan): AccountState {
  const next: Record<string, Position> = {};
  for (const [coin, pos] of Object.entries(ours.positions)) next[coin] = { ...pos };
  for (const a of p.actions) {
    const cur = next[a.coin]?.size ?? 0;
    const size = Number((cur + (a.side === "buy" ? a.size : -a.size)).toFixed(10));
    next[a.coin] = { coin: a.coin, size, entryPx: a.limitPx };
  }
  return { ...ours, positions: next };
}
