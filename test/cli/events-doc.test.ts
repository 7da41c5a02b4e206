// docs/events.md is the one reference of hlcopy's JSON output. It must say exactly what the
// code emits: the event types and their fields (against JSON_LINE_FIELDS and eventRecord() on
// one event of every type — the compiler makes the list of types exhaustive), the command
// documents' types (against every printDocument call), and the help's jq examples must work.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { EngineEvent, EngineEventType } from "../../src/engine/events.js";
import { eventRecord, JSON_LINE_FIELDS } from "../../src/ui/describe.js";
import { cassetteSource, sink } from "../analytics/helpers.js";
import { ROOT, runCli } from "../helpers/cli.js";

const DOC = readFileSync(join(ROOT, "docs/events.md"), "utf8");

/** `### \`type\`` sections → their table's fields; `name?` when the row says optional. */
function documentedEvents(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let current: string | null = null;
  for (const line of DOC.split("\n")) {
    const heading = /^### `(\w+)`/.exec(line);
    if (heading) {
      current = heading[1] ?? null;
      if (current) out[current] = [];
      continue;
    }
    if (line.startsWith("## ")) current = null;
    const row = /^\| `(\w+)` \| ([^|]*(?:\\\|[^|]*)*) \|/.exec(line);
    if (current && row) out[current]?.push(`${row[1]}${/optional/.test(row[2] ?? "") ? "?" : ""}`);
  }
  return out;
}

const A = "0x1111111111111111111111111111111111111111" as const;
const plan = {
  actions: [
    {
      coin: "BTC",
      side: "buy",
      size: 0.01,
      limitPx: 60_000,
      reduceOnly: false,
      cloid: "0x01",
      reason: "copy",
    },
  ],
  skipped: [{ coin: "ETH", reason: "inside-deadband", detail: "" }],
  cancels: [
    { coin: "SOL", cloid: "0x02", reason: "passive-cancel", detail: "the target no longer wants it" },
  ],
  targets: [],
  effectiveRatio: 0.1,
  portfolioScale: 1,
  // Several leaders: the record says each one's ratio.
  leaderRatios: {
    "0x1111111111111111111111111111111111111111": 0.06,
    "0x2222222222222222222222222222222222222222": 0.04,
  },
  inSync: false,
} as unknown as Extract<EngineEvent, { type: "decision" }>["plan"];

/** One event of every type, every optional field set: the compiler checks none is missing. */
const SAMPLES: { [K in EngineEventType]: Extract<EngineEvent, { type: K }> } = {
  start: {
    type: "start",
    ts: 1,
    mode: "live",
    leaders: [{ address: A, weight: 1 }],
    account: A,
    network: "x",
  },
  connection: { type: "connection", ts: 1, state: "closed", detail: "gone" },
  heartbeat: { type: "heartbeat", ts: 1 },
  reconnect: { type: "reconnect", ts: 1 },
  leaderFill: {
    type: "leaderFill",
    ts: 1,
    leader: A,
    coin: "BTC",
    side: "buy",
    px: 1,
    sz: 1,
    dir: "Open Long",
    time: 1,
    liquidation: false,
    oid: 7,
  },
  decision: {
    type: "decision",
    ts: 1,
    trigger: "fill",
    coins: ["BTC"],
    plan,
    durationMs: 0.1,
    held: "paused",
  },
  order: {
    type: "order",
    ts: 1,
    coin: "BTC",
    side: "buy",
    size: 1,
    limitPx: 1,
    reduceOnly: false,
    cloid: "0x01",
    reason: "open",
    kind: "copy",
    status: "rejected",
    filledSize: 0,
    avgPx: null,
    error: "no",
  },
  fill: {
    type: "fill",
    ts: 1,
    coin: "BTC",
    side: "buy",
    px: 1,
    sz: 1,
    fee: 0,
    cloid: "0x01",
    kind: "copy",
    copySz: 1,
    execSlippageBps: 0.5,
    slippageBps: 1,
    lagMs: 1,
  },
  funding: {
    type: "funding",
    ts: 1,
    coin: "BTC",
    usdc: -0.5,
    copyUsdc: -0.25,
    szi: 0.01,
    fundingRate: 0.0000125,
    time: 1,
  },
  slippageBudget: { type: "slippageBudget", ts: 1, exceeded: true, p95Bps: 12, budgetBps: 10, n: 20 },
  sweep: { type: "sweep", ts: 1, durationMs: 1, inSync: true, driftUsd: 0, outsideUsd: 0, requests: 1 },
  state: {
    type: "state",
    ts: 1,
    account: { address: A, accountValue: 1, positions: [] },
    hwm: 1,
    drawdownPct: 0,
    dailyLossStop: false,
    leaders: [],
    targets: [],
    deadbandUsd: {},
    protection: [{ coin: "BTC", stopPx: 55_000, takeProfitPx: null }],
    leaderCopy: [
      {
        address: A,
        following: false,
        stop: { kind: "drawdown", since: 1, until: null, reason: "x" },
        copyValueUsd: 90,
        copyPnlUsd: -10,
        drawdownPct: 10,
        gated: { leverage: false, coins: [] },
      },
    ],
    timeStops: { BTC: 2 },
    agent: { validUntil: 2, daysLeft: 0 },
    pnl: {
      since: 1,
      startEquity: 1,
      realisedUsd: 0,
      unrealisedUsd: 0,
      feesUsd: 0,
      fundingUsd: 0,
      netUsd: 0,
      roiPct: 0,
      fills: 0,
      volumeUsd: 0,
      byCoin: [],
      byLeader: [],
    },
    drift: { coins: [], driftUsd: 0, outsideUsd: 0, inSync: true },
  },
  halt: { type: "halt", ts: 1, kind: "manual", reason: "x", recorded: false, since: 0 },
  resume: { type: "resume", ts: 1 },
  paused: { type: "paused", ts: 1, paused: true },
  rateLimit: { type: "rateLimit", ts: 1, waitMs: 1, detail: "x" },
  warning: { type: "warning", ts: 1, message: "x" },
  notice: { type: "notice", ts: 1, kind: "adopted", message: "x" },
  protection: {
    type: "protection",
    ts: 1,
    coin: "BTC",
    kind: "stop-loss",
    action: "placed",
    size: 0.01,
    triggerPx: 55_000,
    detail: "x",
  },
  leader: {
    type: "leader",
    ts: 1,
    leader: A,
    action: "gated",
    kind: "new-coin",
    detail: "x",
    coins: ["BTC"],
    until: null,
  },
  error: { type: "error", ts: 1, message: "x", hint: "y", fatal: true },
  stop: { type: "stop", ts: 1, reason: "x", began: false, signal: "SIGTERM", ordersSent: 0 },
};

describe("docs/events.md", () => {
  it("documents every JSON line type with exactly the fields hlcopy emits", () => {
    const documented = documentedEvents();
    const code: Record<string, string[]> = Object.fromEntries(
      Object.entries(JSON_LINE_FIELDS).map(([k, v]) => [k, [...v]]),
    );
    expect(documented).toEqual(code);
  });

  it("eventRecord() gives every event exactly its documented fields, ts and type included", () => {
    for (const event of Object.values(SAMPLES)) {
      const record = eventRecord(event);
      if (event.type === "heartbeat") {
        expect(record).toBeNull();
        continue;
      }
      const fields = JSON_LINE_FIELDS[event.type].map((f) => f.replace(/\?$/, ""));
      expect(Object.keys(record ?? {}).sort(), event.type).toEqual([...fields].sort());
      expect(record?.type).toBe(event.type);
      expect(typeof record?.ts).toBe("number");
    }
  });

  it("lists the type of every command document hlcopy prints", () => {
    const table = DOC.slice(DOC.indexOf("## Command documents"));
    const documented = new Set([...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]));
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts"))
          for (const m of readFileSync(p, "utf8").matchAll(/printDocument\("(\w+)"/g)) used.add(m[1] ?? "");
      }
    };
    walk(join(ROOT, "src"));
    // An event line printed as a document (the summary; a warning before the view is up) is
    // documented with the event lines above.
    for (const m of DOC.slice(0, DOC.indexOf("## Command documents")).matchAll(/^### `(\w+)`/gm)) {
      documented.add(m[1] ?? "");
    }
    expect(used.size).toBeGreaterThan(5);
    for (const type of used) expect(documented, type).toContain(type);
  });
});

/** `.a.b.c` on a parsed document (the subset of jq the help uses). */
function jqPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const key of path.split(".").filter(Boolean)) v = (v as Record<string, unknown> | null)?.[key];
  return v;
}

describe("the help's jq examples are true", () => {
  it("hlcopy inspect … --json | jq -r .copyability.verdict.level gives a string", async () => {
    const help = await runCli(["inspect", "--help"]);
    const path = /--json \| jq (?:-r )?(\.[\w.]+)/.exec(help.stdout)?.[1];
    expect(path).toBe(".copyability.verdict.level");
    const out = sink();
    await runInspectCommand({
      address: "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2",
      days: 1,
      equity: "1000",
      settings: defaultSettings(),
      json: true,
      source: cassetteSource(),
      now: 1683245884863 + 60_000,
      out,
      err: sink(),
    });
    const doc = JSON.parse(out.text()) as Record<string, unknown>;
    expect(doc).toMatchObject({ type: "inspect", ts: expect.any(Number) });
    expect(typeof jqPath(doc, path ?? "")).toBe("string");
  });

  it("hlcopy status --json | jq .halt is a field even before the first run", async () => {
    const help = await runCli(["status", "--help"]);
    expect(help.stdout).toContain("jq .halt");
    const r = await runCli(["--account", A, "--json", "status"], {
      env: { HLCOPY_CONFIG_DIR: (await import("../helpers/cli.js")).tempDir() },
    });
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ type: "status", ts: expect.any(Number) });
    expect(Object.keys(doc)).toContain("halt");
  });
});
