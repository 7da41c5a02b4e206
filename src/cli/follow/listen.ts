// Glue of `follow --listen`: metrics fed by the run's events and REST budget, the status
// document from the journal (as `status --json`), served by ./serve.ts.

import type { Address } from "../../core/types.js";
import type { EngineEvents } from "../../engine/events.js";
import type { RequestBudget, RequestKind } from "../../exchange/budget.js";
import { type ExternalMetrics, RunMetrics } from "../../metrics/registry.js";
import type { CliContext } from "../context.js";
import { type ListenOptions, type StatusServer, startStatusServer } from "./serve.js";

export async function startListening(
  ctx: CliContext,
  events: EngineEvents,
  listen: ListenOptions,
  served: { account: Address | null; budget: RequestBudget | null },
  alertStats: () => ExternalMetrics["alerts"],
): Promise<StatusServer> {
  const metrics = new RunMetrics();
  const off = events.on((e) => metrics.observe(e));
  // /metrics reads equity, drift and P&L from the state event: fresh to the second.
  const release = events.wantState(1_000);
  // Requests by endpoint and weight: counted where every REST request takes its weight.
  const requests: Record<string, number> = {};
  let weight = 0;
  let wrapped: RequestBudget | null = null;
  const countBudget = () => {
    const budget = served.budget;
    if (!budget || wrapped === budget) return;
    wrapped = budget;
    const acquire = budget.acquire.bind(budget);
    budget.acquire = (w: number, kind: RequestKind = "info") => {
      const endpoint = kind === "order" ? "exchange" : "info";
      requests[endpoint] = (requests[endpoint] ?? 0) + 1;
      weight += w;
      return acquire(w, kind);
    };
  };
  let server: StatusServer;
  try {
    server = await startStatusServer(listen, {
      metrics: () => {
        countBudget();
        const stats = alertStats();
        return metrics.render({
          requests,
          requestWeight: weight,
          memory: process.memoryUsage(),
          ...(stats ? { alerts: stats } : {}),
        });
      },
      status: async () => {
        const { runStatus } = await import("../status/run.js");
        const account = served.account ?? ctx.account;
        if (!account)
          return { type: "status", account: null, journal: null, lastRun: null, halt: null, paused: null };
        const { pauseMarkerPath } = await import("../control/run.js");
        let text = "";
        await runStatus({
          configDir: ctx.configDir,
          account,
          network: ctx.network.name,
          paper: listen.paper === true,
          pauseMarker: pauseMarkerPath(ctx, account, listen.paper === true),
          json: true,
          out: {
            write: (t: string) => {
              text += t;
            },
          },
        });
        return JSON.parse(text) as unknown;
      },
    });
  } catch (error) {
    off();
    release();
    throw error;
  }
  process.stderr.write(`listening on ${server.url}: GET /status, GET /metrics (read-only)\n`);
  // The budget exists once the session opened: wrap it as soon as the engine says anything.
  const offWrap = events.on(() => countBudget());
  return {
    url: server.url,
    async close() {
      off();
      release();
      offWrap();
      await server.close();
    },
  };
}
