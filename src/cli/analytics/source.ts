// Where inspect and backtest read a leader's data from. Today: plain POST /info requests
// (infoHttpSource). When the exchange adapter offers getFillsByTime (paginated),
// getAccountState, meta, portfolio and userFunding reads, return it here instead — it
// satisfies LeaderDataSource as is.

import { infoHttpSource, type LeaderDataSource } from "../../analytics/fetch.js";
import type { NetworkTarget } from "../network.js";

export function createLeaderSource(network: Pick<NetworkTarget, "httpUrl">): LeaderDataSource {
  return infoHttpSource(network.httpUrl);
}
