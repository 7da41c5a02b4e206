// Where inspect and backtest read a leader's data from: plain POST /info requests (no
// signing), paced by the same request budget as the exchange adapter so that fetching
// weeks of fills never trips the exchange's 1200 weight/min limit.

import { infoHttpSource, type LeaderDataSource } from "../../analytics/fetch.js";
import { infoItemWeight, infoWeight, RequestBudget } from "../../exchange/budget.js";
import type { NetworkTarget } from "../network.js";

export function createLeaderSource(network: Pick<NetworkTarget, "httpUrl">): LeaderDataSource {
  const budget = new RequestBudget();
  return infoHttpSource(network.httpUrl, undefined, {
    acquire: (weight, kind) => budget.acquire(weight, kind),
    charge: (weight) => budget.charge(weight),
    weightOf: infoWeight,
    itemWeightOf: infoItemWeight,
  });
}
