// Alerts end to end inside one process: engine events → rules → the sender's queue → a real
// local HTTP receiver, in the body each webhook API accepts; retries, de-duplication, failures.

import { afterEach, describe, expect, it } from "vitest";
import { startAlerts } from "../../src/alerts/index.js";
import { AlertSender } from "../../src/alerts/sender.js";
import { type AlertFormat, defaultSettings, type Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { eventually } from "../exchange/helpers.js";
import { type Receiver, startReceiver } from "./receiver.js";

const ACCOUNT = "0x1111111111111111111111111111111111111111" as Address;
let receiver: Receiver;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup(
  format: AlertFormat,
  extra: Partial<Settings["alerts"]> = {},
  mode: "live" | "paper" | "dry-run" = "live",
) {
  receiver = await startReceiver();
  closers.push(() => receiver.close());
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    alerts: { ...base.alerts, webhook: [receiver.url], format, ...extra },
  };
  const events = new EngineEvents();
  const warnings: string[] = [];
  events.on((e) => {
    if (e.type === "warning") warnings.push(e.message);
  });
  const alerts = startAlerts(events, settings, { baseDelayMs: 20 });
  if (!alerts) throw new Error("alerts not started");
  closers.push(async () => {
    await alerts.close(1000);
  });
  events.emit({ type: "start", ts: 1, mode, leaders: [], account: ACCOUNT, network: "sim" });
  return { events, alerts, warnings };
}

const halt: EngineEvent = {
  type: "halt",
  ts: Date.UTC(2026, 0, 2),
  kind: "kill-switch",
  reason: "drawdown 26.0% from the high-water mark > 25%",
};

describe("the halt alert reaches a real webhook", () => {
  it("in Slack's incoming-webhook shape", async () => {
    const { events } = await setup("slack");
    events.emit(halt);
    const got = await eventually(() => receiver.received[0]);
    expect(got.path).toBe("/hook");
    expect(got.headers["content-type"]).toBe("application/json");
    const body = got.body as { text: string; blocks: { type: string; fields?: { text: string }[] }[] };
    expect(body.text).toMatch(/hlcopy halted: kill switch — drawdown 26\.0%/);
    const fields = body.blocks.find((b) => b.fields)?.fields?.map((f) => f.text) ?? [];
    expect(fields).toContain("*halt*\nkill-switch");
    expect(fields).toContain(`*account*\n${ACCOUNT}`);
  });

  it("in Telegram's sendMessage shape, with the chat id", async () => {
    const { events } = await setup("telegram", { telegramChatId: "-1001234567890" });
    events.emit(halt);
    const got = await eventually(() => receiver.received[0]);
    expect(got.body).toEqual({
      chat_id: "-1001234567890",
      text: expect.stringMatching(/^🛑 hlcopy halted: kill switch — drawdown 26\.0%/),
      disable_web_page_preview: true,
    });
    const lines = String(got.body.text).split("\n");
    expect(lines).toContain("halt: kill-switch");
    expect(lines).toContain(`account: ${ACCOUNT}`);
    expect(lines.at(-1)).toBe("2026-01-02T00:00:00.000Z");
  });

  it("in Discord's and our JSON shape", async () => {
    const { events } = await setup("discord");
    events.emit(halt);
    const got = await eventually(() => receiver.received[0]);
    expect(got.body).toMatchObject({
      content: expect.stringMatching(/hlcopy halted/),
      embeds: [
        {
          title: "halt",
          fields: expect.arrayContaining([{ name: "halt", value: "kill-switch", inline: true }]),
        },
      ],
    });
    const json = await setup("json");
    json.events.emit({ ...halt, kind: "agent-expired", reason: "agent gone" });
    const got2 = await eventually(() => receiver.received[0]);
    expect(got2.body).toMatchObject({
      kind: "halt",
      severity: "critical",
      fields: { halt: "agent-expired", account: ACCOUNT, network: "sim", mode: "live" },
    });
  });

  it("is retried after a 500 and arrives once the webhook answers 200", async () => {
    const { events, alerts, warnings } = await setup("slack");
    receiver.statuses.push(500, 500);
    events.emit(halt);
    await eventually(() => alerts.sender.stats.sent === 1);
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received[2]?.body).toEqual(receiver.received[0]?.body);
    expect(warnings).toEqual([]);
  });

  it("is sent once for a repeated halt (de-duplicated), while other alerts still go", async () => {
    const { events, alerts } = await setup("json");
    events.emit(halt);
    events.emit({ ...halt, ts: halt.ts + 1000 });
    events.emit({ type: "stop", ts: halt.ts + 2000, reason: "signal SIGTERM" });
    await alerts.close(2000);
    expect(receiver.received.map((r) => r.body.kind)).toEqual(["halt", "stopped"]);
    expect(alerts.sender.stats.deduplicated).toBe(1);
  });
});

describe("a dry or paper run's alerts", () => {
  it("say which they are before anything else: a halt on the phone is told from the real account's", async () => {
    for (const [mode, label] of [
      ["dry-run", "[DRY RUN]"],
      ["paper", "[PAPER]"],
    ] as const) {
      const { events, alerts } = await setup("telegram", { telegramChatId: "-100" }, mode);
      events.emit({ ...halt, kind: "manual", reason: "flatten requested from the dashboard" });
      events.emit({ type: "stop", ts: halt.ts + 1000, reason: "signal SIGTERM" });
      await alerts.close(2000);
      const texts = receiver.received.map((r) => String(r.body.text).split("\n")[0]);
      expect(texts).toEqual([
        `🛑 ${label} hlcopy halted: manual halt — flatten requested from the dashboard`,
        `ℹ️ ${label} hlcopy stopped: signal SIGTERM`,
      ]);
      expect(receiver.received[0]?.body.text).toContain(`mode: ${mode}`);
    }
    // A live run's alert carries no label.
    const live = await setup("json");
    live.events.emit(halt);
    const got = await eventually(() => receiver.received[0]);
    expect(got.body.text).toBe("hlcopy halted: kill switch — drawdown 26.0% from the high-water mark > 25%");
  });
});

describe("a failing webhook", () => {
  it("is shown as a warning event, never thrown, and does not hold up the emitter", async () => {
    const { events, alerts, warnings } = await setup("slack");
    receiver.statuses.push(500, 500, 500, 500);
    events.emit(halt);
    // The emit returned before any delivery (its own queue): nothing received yet.
    expect(receiver.received).toHaveLength(0);
    const warning = await eventually(() => warnings[0]);
    expect(warning).toMatch(
      /alert "halt" to http:\/\/127\.0\.0\.1:\d+\/… failed after 4 attempt\(s\): HTTP 500/,
    );
    // The URL's path (where Slack/Telegram keep the secret) is never shown.
    expect(warning).not.toContain("/hook");
    expect(alerts.sender.stats).toMatchObject({ sent: 0, failed: 1 });
  });

  it("a refused connection is a warning too", async () => {
    const warnings: string[] = [];
    const gone = await startReceiver();
    await gone.close();
    const sender = new AlertSender({
      urls: [gone.url],
      format: "json",
      attempts: 2,
      baseDelayMs: 5,
      onFailure: (m) => warnings.push(m),
    });
    const results = await sender.deliver({
      kind: "test",
      severity: "info",
      text: "t",
      key: "t",
      ts: 0,
      fields: {},
    });
    expect(results[0]).toMatchObject({ ok: false, attempts: 2 });
    expect(warnings[0]).toMatch(/failed after 2 attempt\(s\): .*ECONNREFUSED/);
  });
});

describe("rate limit", () => {
  it("drops alerts beyond the per-minute budget and counts them", async () => {
    receiver = await startReceiver();
    closers.push(() => receiver.close());
    const sender = new AlertSender({ urls: [receiver.url], format: "json", perMinute: 3 });
    const sentOk = [1, 2, 3, 4, 5].map((i) =>
      sender.enqueue({ kind: "test", severity: "info", text: `t${i}`, key: `k${i}`, ts: i, fields: {} }),
    );
    expect(sentOk).toEqual([true, true, true, false, false]);
    await sender.close(2000);
    expect(receiver.received).toHaveLength(3);
    expect(sender.stats.rateLimited).toBe(2);
  });
});

describe("at the end of a run", () => {
  it("a webhook that keeps failing does not hold the process: close() gives up after its timeout", async () => {
    receiver = await startReceiver();
    closers.push(() => receiver.close());
    receiver.statuses.push(500, 500, 500, 500, 500, 500);
    const sender = new AlertSender({ urls: [receiver.url], format: "json", baseDelayMs: 10_000 });
    sender.enqueue({ kind: "stopped", severity: "info", text: "stopped", key: "s", ts: 0, fields: {} });
    await eventually(() => receiver.received.length === 1);
    // The 10 s backoff is not waited for (the test's 5 s timeout would fail): the retry is dropped.
    await sender.close(200);
    expect(receiver.received).toHaveLength(1);
    expect(sender.stats).toMatchObject({ sent: 0, failed: 1 });
  });

  it("close() returns what it could not deliver — the webhook's last answer, no answer, or still queued — never drops it silently", async () => {
    receiver = await startReceiver();
    closers.push(() => receiver.close());
    const failures: string[] = [];
    const alert = (kind: "stopped" | "drift") => ({
      kind,
      severity: "info" as const,
      text: `${kind}!`,
      key: kind,
      ts: 0,
      fields: {},
    });
    // A 500, then a retry 10 s later that the exit does not wait for.
    receiver.statuses.push(500, 500);
    const retrying = new AlertSender({
      urls: [receiver.url],
      format: "json",
      baseDelayMs: 10_000,
      onFailure: (m) => failures.push(m),
    });
    retrying.enqueue(alert("stopped"));
    retrying.enqueue(alert("drift"));
    await eventually(() => receiver.received.length === 1);
    const host = new URL(receiver.url).host;
    expect(await retrying.close(200)).toEqual([
      {
        kind: "stopped",
        text: "stopped!",
        to: `http://${host}/…`,
        why: "HTTP 500 server error (1 attempt(s); the exit waited 200 ms, no retry after it)",
      },
      {
        kind: "drift",
        text: "drift!",
        to: `http://${host}/…`,
        why: "not sent: still queued when the exit came (it waited 200 ms for the queue)",
      },
    ]);
    // A webhook that takes the request and never answers.
    receiver.hang = true;
    const hanging = new AlertSender({
      urls: [receiver.url],
      format: "json",
      onFailure: (m) => failures.push(m),
    });
    hanging.enqueue(alert("stopped"));
    await eventually(() => receiver.received.length === 2);
    expect(await hanging.close(100)).toEqual([
      expect.objectContaining({ kind: "stopped", why: "no answer (the exit waited 100 ms)" }),
    ]);
    // Said by close()'s caller: the run's warning events reach no one once it closes.
    expect(failures).toEqual([]);
  });
});
