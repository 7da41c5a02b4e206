// An address with no fill in the window (one that never traded, a typo of a real one) is refused
// by inspect and backtest right after its fills are read: nothing more is read. Before, the
// account state, markets, portfolio and funding were read first, each said on stderr
// ("fetching portfolio…"), then the refusal.
import { describe, expect, it } from "vitest";
import type { LeaderDataSource } from "../../src/analytics/fetch.js";
import { runBacktestCommand } from "../../src/cli/backtest/run.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { UsageError } from "../../src/core/errors.js";
import { defaultSettings } from "../../src/core/settings.js";
import { cassetteSource, sink } from "./helpers.js";

/** A leader the cassettes know nothing of in the window: no fill, and the other reads counted. */
function empty(): { source: LeaderDataSource; reads: string[] } {
  const base = cassetteSource();
  const reads: string[] = [];
  const counted =
    <A extends unknown[], R>(name: string, fn: ((...a: A) => Promise<R>) | undefined) =>
    (...a: A): Promise<R> => {
      reads.push(name);
      return (fn as (...a: A) => Promise<R>)(...a);
    };
  return {
    reads,
    source: {
      getFillsByTime: counted("fills", async () => []),
      getClearinghouseState: counted("clearinghouseState", base.getClearinghouseState),
      getMeta: counted("meta", base.getMeta),
      getPortfolio: counted("portfolio", base.getPortfolio),
      getUserFunding: counted("userFunding", base.getUserFunding),
    },
  };
}

const NEVER = "0x0000000000000000000000000000000000000001";

async function refused(p: Promise<unknown>): Promise<UsageError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe("no fill in the window: refused before any other read", () => {
  it("inspect", async () => {
    const { source, reads } = empty();
    const err = sink();
    const e = await refused(
      runInspectCommand({
        address: NEVER,
        equity: "1000",
        settings: defaultSettings(),
        json: false,
        source,
        out: sink(),
        err,
      }),
    );
    expect(e.message).toBe(`no fills of ${NEVER} in the last 30 days: nothing to analyse`);
    expect(reads).toEqual(["fills"]);
    expect(err.text()).not.toContain("fetching portfolio");
  });

  it("backtest", async () => {
    const { source, reads } = empty();
    const e = await refused(
      runBacktestCommand({
        addresses: [NEVER],
        settings: defaultSettings(),
        source,
        json: false,
        out: sink(),
        err: sink(),
      }),
    );
    expect(e.message).toBe(`no fills to replay in ${NEVER} (last 30 days)`);
    expect(reads).toEqual(["fills"]);
  });
});
