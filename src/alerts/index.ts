// Alerts for a run: subscribe the rules to the engine's events, hand what they raise to the
// sender's queue, tick the "down longer than" timers, and report a failing webhook as a warning.

import type { Settings } from "../core/settings.js";
import type { EngineEvents } from "../engine/events.js";
import { alertsForEvent, checkTimers, initialAlertRulesState } from "./rules.js";
import { AlertSender, type AlertSenderOptions, type UndeliveredAlert } from "./sender.js";

export interface RunAlerts {
  sender: AlertSender;
  /**
   * Unsubscribe, then send what is queued (the "stopped" alert) for at most timeoutMs; resolves
   * with what could not be delivered (the caller says it: the run's events reach no one now).
   */
  close(timeoutMs?: number): Promise<UndeliveredAlert[]>;
}

/** Null when no webhook is configured. */
export function startAlerts(
  events: EngineEvents,
  settings: Settings,
  options: Partial<AlertSenderOptions> & { tickMs?: number } = {},
): RunAlerts | null {
  const alerts = settings.alerts;
  if (alerts.webhook.length === 0) return null;
  const sender = new AlertSender({
    urls: alerts.webhook,
    format: alerts.format,
    telegramChatId: alerts.telegramChatId,
    // Async: a failure is told after the engine's call stack, never inside it.
    onFailure: (message) => events.emit({ type: "warning", ts: Date.now(), message }),
    ...options,
  });
  const state = initialAlertRulesState();
  const off = events.on((event) => {
    if (event.type === "warning") return; // our own failures must not feed back
    for (const alert of alertsForEvent(state, event, alerts)) sender.enqueue(alert);
  });
  const timer = setInterval(() => {
    for (const alert of checkTimers(state, Date.now(), alerts)) sender.enqueue(alert);
  }, options.tickMs ?? 1000);
  timer.unref();
  return {
    sender,
    async close(timeoutMs = 5000) {
      off();
      clearInterval(timer);
      return await sender.close(timeoutMs);
    },
  };
}
