// Alerts as plain data, and the body each webhook API accepts for one (pure: no I/O, no clock).
// An alert is one short human line plus structured fields; the formats only dress it.

import { ValidationError } from "./errors.js";
import type { AlertFormat, Settings } from "./settings.js";

export type AlertKind =
  | "halt"
  | "leader-liquidated"
  | "leader-unfollowed"
  | "drift"
  | "rejections"
  | "ws-down"
  | "agent-expiring"
  | "stopped"
  | "test";

export type AlertSeverity = "info" | "warning" | "critical";

export type AlertFieldValue = string | number | boolean | null;

export interface Alert {
  kind: AlertKind;
  severity: AlertSeverity;
  /** One short human line, e.g. "hlcopy halted: kill switch (drawdown 26% > 25%)". */
  text: string;
  /** Same key = same alert: a repeat within the de-duplication window is not sent again. */
  key: string;
  /** Time the condition was seen (ms since epoch). */
  ts: number;
  fields: Record<string, AlertFieldValue>;
}

export interface AlertBodyOptions {
  /** Needed by format telegram (sendMessage's chat_id). */
  telegramChatId?: string | null;
}

const ICON: Record<AlertSeverity, string> = { info: "ℹ️", warning: "⚠️", critical: "🛑" };

function fieldText(value: AlertFieldValue): string {
  return value === null ? "-" : String(value);
}

function fieldLines(alert: Alert): string[] {
  return Object.entries(alert.fields).map(([k, v]) => `${k}: ${fieldText(v)}`);
}

/**
 * The JSON body to POST for an alert in the given format:
 * json = ours ({text, kind, severity, ts, fields}); slack = incoming webhook ({text, blocks});
 * discord = webhook ({content, embeds}); telegram = bot API sendMessage ({chat_id, text}).
 * @throws {Error} for format telegram without a chat id (the settings check it first).
 */
export function alertBody(alert: Alert, format: AlertFormat, options: AlertBodyOptions = {}): unknown {
  const line = `${ICON[alert.severity]} ${alert.text}`;
  const time = new Date(alert.ts).toISOString();
  switch (format) {
    case "json":
      return {
        text: alert.text,
        kind: alert.kind,
        severity: alert.severity,
        ts: alert.ts,
        time,
        fields: alert.fields,
      };
    case "slack": {
      const fields = Object.entries(alert.fields)
        .slice(0, 10) // Slack's section block takes at most 10 fields.
        .map(([k, v]) => ({ type: "mrkdwn", text: `*${k}*\n${fieldText(v)}` }));
      return {
        text: line,
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: line } },
          ...(fields.length > 0 ? [{ type: "section", fields }] : []),
          { type: "context", elements: [{ type: "mrkdwn", text: `${alert.kind} · ${time}` }] },
        ],
      };
    }
    case "discord":
      return {
        content: line.slice(0, 2000),
        embeds: [
          {
            title: alert.kind,
            timestamp: time,
            color:
              alert.severity === "critical" ? 0xd83c3e : alert.severity === "warning" ? 0xe8a33d : 0x3d7be8,
            fields: Object.entries(alert.fields)
              .slice(0, 25) // Discord's embed limit.
              .map(([name, v]) => ({ name, value: fieldText(v).slice(0, 1024) || "-", inline: true })),
          },
        ],
      };
    case "telegram": {
      if (!options.telegramChatId) throw new Error("format telegram needs alerts.telegramChatId");
      // Plain text (no parse_mode): nothing to escape, nothing Telegram can refuse to parse.
      const text = [line, ...fieldLines(alert), time].join("\n").slice(0, 4096);
      return { chat_id: options.telegramChatId, text, disable_web_page_preview: true };
    }
  }
}

/** A webhook URL safe to show: scheme and host only (Slack, Discord and Telegram URLs carry a secret). */
export function redactWebhook(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Check the alert settings hang together before a run starts.
 * @throws {ValidationError} (exit 2) for format telegram without alerts.telegramChatId.
 */
export function checkAlertSettings(alerts: Settings["alerts"]): void {
  if (alerts.webhook.length > 0 && alerts.format === "telegram" && !alerts.telegramChatId) {
    throw new ValidationError("alerts.telegramChatId", "alerts.format telegram needs alerts.telegramChatId", {
      hint: "hlcopy config set alerts.telegramChatId <chat id> (the chat your bot posts to)",
    });
  }
}

/** Where the journal keeps the last alert deliveries' outcome (copy_state key). */
export const ALERT_DELIVERY_KEY = "alerts:delivery";

/** What `status` says about the webhooks: failing since the last alert a webhook refused. */
export interface AlertDeliveryState {
  /** The last alert was refused by at least one webhook (after its retries). */
  failing: boolean;
  /** When an alert was last taken by a webhook. */
  lastSentAt: number | null;
  lastFailure: { ts: number; kind: string; message: string } | null;
}

/** Fold one alert's outcome into the delivery state. */
export function nextAlertDelivery(
  prev: AlertDeliveryState | null,
  outcome: { kind: string; ts: number; ok: boolean; error: string | null },
): AlertDeliveryState {
  return {
    failing: outcome.error !== null,
    lastSentAt: outcome.ok ? outcome.ts : (prev?.lastSentAt ?? null),
    lastFailure:
      outcome.error !== null
        ? { ts: outcome.ts, kind: outcome.kind, message: outcome.error }
        : (prev?.lastFailure ?? null),
  };
}
