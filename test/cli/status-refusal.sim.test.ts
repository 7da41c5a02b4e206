// A follow refused at its start (a leader that never traded, an exchange that forgot the account,
// positions hlcopy did not open) leaves the journal as it was, so `status` went on showing the
// run before it as the last word — or "no runs yet" — as if nothing had been tried. It says the
// last run was refused, why, and what to do, in text and --json, until a run starts after it.

import { describe, expect, it } from "vitest";
import type { StatusReport } from "../../src/cli/status/run.js";
import type { Address } from "../../src/core/types.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];

describe("status after a refused follow", () => {
  it("says the last run was refused, why and what to do, until a later run starts", {
    timeout: 120_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 81, ourUsd: 10_000 });
    const typo = `0x${"cd".repeat(20)}` as Address;
    const reason = `${typo} has never traded on ${w.sim.httpUrl}: check the address`;
    const hint =
      "copy an address that trades (hlcopy inspect <address> shows its history), or pass --allow-empty-leader to wait for its first trade";
    const status = async () => {
      const text = await w.cli(["status"]);
      const json = await w.cli(["--json", "status"]);
      expect(text.code).toBe(0);
      const doc = JSON.parse(json.stdout.trim().split("\n").at(-1) ?? "{}") as StatusReport;
      return { text: text.stdout, doc };
    };

    // The first run ever is refused: no journal is created, status says so and why.
    const first = await w.cli(["follow", typo, ...COPY, "--yes", "--no-ui"]);
    expect(first.code).toBe(2);
    const s1 = await status();
    expect(s1.text).toMatch(/^no runs yet for /m);
    expect(s1.text).toMatch(
      new RegExp(
        `^last attempt: follow refused at its start [\\d.]+m?s ago, exit 2, nothing sent: ${esc(reason)}\n  hint: ${esc(hint)}\n`,
        "m",
      ),
    );
    expect(s1.doc.lastRefusal).toMatchObject({ command: "follow", exitCode: 2, reason, hint });

    // A run that starts after it makes it old news.
    await w.trade("ETH", "buy", 1);
    const ok = await w.cli(["reconcile", w.leader, ...COPY, "--yes"]);
    expect(ok.code).toBe(0);
    const s2 = await status();
    expect(s2.doc.lastRefusal).toBeNull();
    expect(s2.text).not.toContain("refused");
    expect(s2.text).toMatch(/^last run: reconcile started /m);

    // Refused again, with a journal: the refusal is the last attempt; the reconcile stays the last run.
    const again = await w.cli(["follow", typo, ...COPY, "--yes", "--no-ui"]);
    expect(again.code).toBe(2);
    const s3 = await status();
    expect(s3.doc.lastRefusal).toMatchObject({ command: "follow", exitCode: 2, reason, hint });
    expect(s3.doc.lastRun?.command).toBe("reconcile");
    expect(s3.text).toMatch(
      new RegExp(
        `^last attempt: follow refused at its start [\\d.]+m?s ago, exit 2, nothing sent: ${esc(reason)}\n  hint: ${esc(hint)}\n(.*\n)*last run: reconcile started `,
        "m",
      ),
    );
  });
});
