// Which engine events raise an alert, and when a lasting condition (drift, websocket down)
// has lasted long enough: the pure rules, with the clock passed in.

import { describe, expect, it } from "vitest";
import { alertsForEvent, checkTimers, initialAlertRulesState } from "../../src/alerts/rules.js";
import { alertBody, checkAlertSettings } from "../../src/core/alerts.js";
import { defaultSettings, flagName, parseSettingInput } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";

const S = { driftMinutes: 15, wsDownSeconds: 120 };
const LEADER = "0x2222222222222222222222222222222222222222" as Address;
const kinds = (events: EngineEvent[], state = initialAlertRulesState()) =>
  events.flatMap((e) => alertsForEvent(state, e, S)).map((a) => a.kind);

describe("alert rules", () => {
  it("a leader's liquidation fill alerts; an ordinary fill does not", () => {
    const fill = {
      type: "leaderFill",
      ts: 1,
      leader: LEADER,
      coin: "ETH",
      side: "sell",
      px: 3000,
      sz: 1,
      dir: "Close Long",
      time: 1,
      liquidation: false,
      oid: 7,
    } as const;
    expect(kinds([fill])).toEqual([]);
    expect(kinds([{ ...fill, liquidation: true }])).toEqual(["leader-liquidated"]);
  });

  it("a leader unfollowed by its own drawdown limit alerts (critical, with the leader); a gate or a liquidation pause does not", () => {
    const state = initialAlertRulesState();
    const unfollowed: EngineEvent = {
      type: "leader",
      ts: 5,
      leader: LEADER,
      action: "unfollowed",
      kind: "drawdown",
      detail: `stopped following leader 0x2222…2222: its copy lost 21% from its high-water mark; its share is closed reduce-only (10 SOL)`,
      until: null,
    };
    const [alert, ...more] = alertsForEvent(state, unfollowed, S);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ kind: "leader-unfollowed", severity: "critical" });
    expect(alert?.text).toBe(
      "hlcopy stopped following leader 0x2222…2222: its copy lost 21% from its high-water mark; its share is closed reduce-only (10 SOL)",
    );
    expect(alert?.fields).toMatchObject({ leader: LEADER, reason: "leader-drawdown" });
    expect(
      kinds([
        { ...unfollowed, kind: "liquidated" },
        { ...unfollowed, action: "gated", kind: "leverage" },
        { ...unfollowed, action: "resumed" },
      ]),
    ).toEqual([]);
  });

  it("five rejections within a minute are one storm alert, not five", () => {
    const rejected = (ts: number): EngineEvent => ({
      type: "order",
      ts,
      coin: "BTC",
      side: "buy",
      size: 0.01,
      limitPx: 1,
      reduceOnly: false,
      cloid: "0x1",
      reason: "follow-leader" as never,
      kind: "copy",
      status: "rejected",
      filledSize: 0,
      avgPx: null,
      error: "Insufficient margin",
    });
    const state = initialAlertRulesState();
    expect(kinds([0, 1000, 2000, 3000].map(rejected), state)).toEqual([]);
    expect(kinds([rejected(4000), rejected(5000), rejected(6000)], state)).toEqual(["rejections"]);
    // Spread out over more than a minute, four are no storm.
    expect(kinds([0, 20_000, 40_000, 60_000, 80_000].map(rejected))).toEqual([]);
  });

  it("websocket down alerts once it has lasted wsDownSeconds, and again only after it recovered", () => {
    const st = initialAlertRulesState();
    alertsForEvent(st, { type: "connection", ts: 0, state: "reconnecting" }, S);
    expect(checkTimers(st, 119_000, S)).toEqual([]);
    expect(checkTimers(st, 120_000, S).map((a) => a.kind)).toEqual(["ws-down"]);
    expect(checkTimers(st, 500_000, S)).toEqual([]);
    alertsForEvent(st, { type: "connection", ts: 600_000, state: "open" }, S);
    // Up once something comes on it.
    alertsForEvent(st, { type: "heartbeat", ts: 600_050 }, S);
    alertsForEvent(st, { type: "connection", ts: 700_000, state: "closed" }, S);
    expect(checkTimers(st, 820_000, S).map((a) => a.kind)).toEqual(["ws-down"]);
  });

  it("a socket dropped as stale is down from its last message, not from the drop that found it so", () => {
    // Silent from 0; the staleness watch drops it at 25 s: the alert is due at wsDownSeconds (120 s)
    // after the silence began, and its figures count from there.
    const st = initialAlertRulesState();
    alertsForEvent(st, { type: "connection", ts: 25_000, state: "reconnecting", downSince: 0 }, S);
    expect(checkTimers(st, 119_000, S)).toEqual([]);
    const [alert] = checkTimers(st, 120_000, S);
    expect(alert?.text).toMatch(/^websocket down for 120s:/);
    expect(alert?.fields).toMatchObject({ downSeconds: 120, since: new Date(0).toISOString() });
  });

  it("a socket reopened again and again with nothing on it is down: the alert comes at wsDownSeconds", () => {
    // A silent stream: the run reopens it every 10 s and it opens at once, then says nothing.
    // Each "open" reset the timer, so 45 s (or hours) without a leader fill seen alerted nothing.
    const st = initialAlertRulesState();
    const out: string[] = [];
    for (let t = 0; t < 130_000; t += 10_000) {
      alertsForEvent(st, { type: "connection", ts: t, state: "reconnecting" }, S);
      alertsForEvent(st, { type: "connection", ts: t + 50, state: "open" }, S);
      for (let s = t + 1000; s < t + 10_000; s += 1000) out.push(...checkTimers(st, s, S).map((a) => a.kind));
    }
    expect(out).toEqual(["ws-down"]);
    // A message on the reopened socket ends it: a healthy reconnect's snapshots come at once.
    const ok = initialAlertRulesState();
    for (let t = 0; t < 130_000; t += 10_000) {
      alertsForEvent(ok, { type: "connection", ts: t, state: "reconnecting" }, S);
      alertsForEvent(ok, { type: "connection", ts: t + 50, state: "open" }, S);
      alertsForEvent(ok, { type: "heartbeat", ts: t + 60 }, S);
      expect(checkTimers(ok, t + 9000, S)).toEqual([]);
    }
  });

  it("drift outside the deadband alerts after driftMinutes; a sweep in sync resets it", () => {
    const st = initialAlertRulesState();
    const sweep = (ts: number, inSync: boolean): EngineEvent => ({
      type: "sweep",
      ts,
      durationMs: 1,
      inSync,
      driftUsd: inSync ? 0 : 250,
      outsideUsd: inSync ? 0 : 250,
      requests: 2,
    });
    expect(kinds([sweep(0, false), sweep(14 * 60_000, false)], st)).toEqual([]);
    expect(kinds([sweep(14 * 60_000 + 1, true)], st)).toEqual([]);
    expect(checkTimers(st, 20 * 60_000, S)).toEqual([]);
    expect(kinds([sweep(21 * 60_000, false), sweep(36 * 60_000, false)], st)).toEqual(["drift"]);
  });

  it("a dry run's lasting conditions are labelled once, from a tick or a sweep alike", () => {
    const st = initialAlertRulesState();
    alertsForEvent(
      st,
      { type: "start", ts: 0, mode: "dry-run", leaders: [], account: LEADER, network: "sim" },
      S,
    );
    alertsForEvent(st, { type: "connection", ts: 0, state: "reconnecting" }, S);
    expect(checkTimers(st, 120_000, S).map((a) => a.text)).toEqual([
      "[DRY RUN] websocket down for 120s: leader fills are not seen (sweeps still repair drift)",
    ]);
    const sweep = (ts: number): EngineEvent => ({
      type: "sweep",
      ts,
      durationMs: 1,
      inSync: false,
      // $212.40 to trade, $37.60 tolerated beside it: the alert says the header's figure.
      driftUsd: 250,
      outsideUsd: 212.4,
      requests: 2,
    });
    alertsForEvent(st, sweep(0), S);
    const alerts = alertsForEvent(st, sweep(15 * 60_000), S);
    expect(alerts.map((a) => a.text)).toEqual(["[DRY RUN] not in sync for 15 min: drift $212.40"]);
    expect(alerts[0]?.fields).toMatchObject({ driftUsd: 250, outsideUsd: 212.4 });
  });

  it("an agent approval ending within 7 days alerts once per approval", () => {
    const state = (daysLeft: number, validUntil: number): EngineEvent => ({
      type: "state",
      ts: 0,
      account: { address: LEADER, accountValue: 1, positions: [] },
      hwm: 1,
      drawdownPct: 0,
      leaders: [],
      targets: [],
      deadbandUsd: {},
      agent: { validUntil, daysLeft },
    });
    const st = initialAlertRulesState();
    expect(kinds([state(30, 1e12)], st)).toEqual([]);
    expect(kinds([state(6, 2e12), state(6, 2e12), state(5, 2e12)], st)).toEqual(["agent-expiring"]);
    expect(kinds([state(6, 3e12)], st)).toEqual(["agent-expiring"]);
  });

  it("every halt kind and the run stopping alert", () => {
    const halts = (["kill-switch", "daily-loss", "manual", "agent-expired"] as const).map(
      (kind): EngineEvent => ({ type: "halt", ts: 0, kind, reason: "r" }),
    );
    expect(kinds([...halts, { type: "stop", ts: 1, reason: "quit" }])).toEqual([
      "halt",
      "halt",
      "halt",
      "halt",
      "stopped",
    ]);
  });

  it("a halt standing from before the run (since) raises no alert: it was alerted when it happened", () => {
    const standing = (["kill-switch", "daily-loss", "manual"] as const).map(
      (kind): EngineEvent => ({ type: "halt", ts: 10, kind, reason: "r", since: 1 }),
    );
    expect(kinds(standing)).toEqual([]);
  });
});

describe("the stopped alert", () => {
  it("says why a run that could not start stopped: the stop says how, the fatal error before it why", () => {
    const st = initialAlertRulesState();
    const texts = (events: EngineEvent[]) =>
      events.flatMap((e) => alertsForEvent(st, e, S).map((a) => a.text));
    expect(
      texts([
        { type: "error", ts: 0, message: "a passing error (retried)" },
        {
          type: "error",
          ts: 1,
          message: "gave up after 2s waiting for the websocket",
          hint: "h",
          fatal: true,
        },
        { type: "stop", ts: 2, reason: "could not start" },
      ]),
    ).toEqual(["hlcopy stopped: could not start: gave up after 2s waiting for the websocket"]);
    const quit = alertsForEvent(initialAlertRulesState(), { type: "stop", ts: 3, reason: "quit" }, S);
    expect(quit.map((a) => a.text)).toEqual(["hlcopy stopped: quit"]);
  });
});

describe("alert settings", () => {
  it("take one or more http(s) URLs; anything else is refused naming the setting", () => {
    expect(parseSettingInput("alerts.webhook", "https://a.example/x, http://b.example/y")).toEqual([
      "https://a.example/x",
      "http://b.example/y",
    ]);
    expect(parseSettingInput("alerts.webhook", "")).toEqual([]);
    expect(() => parseSettingInput("alerts.webhook", "ftp://a.example")).toThrow(/alerts\.webhook/);
    expect(() => parseSettingInput("alerts.webhook", "not a url")).toThrow(/alerts\.webhook/);
    expect(parseSettingInput("alerts.telegramChatId", "-100123")).toBe("-100123");
    expect(parseSettingInput("alerts.telegramChatId", "none")).toBeNull();
    expect(() => parseSettingInput("alerts.telegramChatId", "12a")).toThrow(/alerts\.telegramChatId/);
    expect(flagName("alerts.format")).toBe("alert-format");
    expect(flagName("alerts.wsDownSeconds")).toBe("alert-ws-down-seconds");
  });

  it("format telegram without a chat id is a usage error (exit 2)", () => {
    const a = { ...defaultSettings().alerts, webhook: ["https://api.telegram.org/botX/sendMessage"] };
    expect(() => checkAlertSettings({ ...a, format: "telegram" })).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/telegramChatId/) }),
    );
    expect(() => checkAlertSettings({ ...a, format: "telegram", telegramChatId: "1" })).not.toThrow();
    expect(() =>
      alertBody({ kind: "test", severity: "info", text: "t", key: "t", ts: 0, fields: {} }, "telegram"),
    ).toThrow();
  });
});
