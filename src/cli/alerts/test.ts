// `hlcopy alerts test`: one test alert through the same sender a run uses (retries included).

import { AlertSender } from "../../alerts/sender.js";
import { checkAlertSettings, redactWebhook } from "../../core/alerts.js";
import { HlcopyError, UsageError } from "../../core/errors.js";
import type { Settings } from "../../core/settings.js";
import { printDocument } from "../output.js";

/**
 * @returns 0 when every webhook took the alert.
 * @throws {UsageError} (exit 2) with no webhook configured; {HlcopyError} (exit 1) when one failed.
 */
export async function runAlertsTest(
  settings: Settings,
  options: { json: boolean; account: string | null },
): Promise<number> {
  const alerts = settings.alerts;
  if (alerts.webhook.length === 0) {
    throw new UsageError("no alert webhook configured", {
      hint: "hlcopy config set alerts.webhook <url> (and alerts.format slack|discord|telegram|json)",
    });
  }
  checkAlertSettings(alerts);
  const sender = new AlertSender({
    urls: alerts.webhook,
    format: alerts.format,
    telegramChatId: alerts.telegramChatId,
    attempts: 2,
    baseDelayMs: 500,
  });
  const results = await sender.deliver({
    kind: "test",
    severity: "info",
    text: "hlcopy test alert: this webhook will be told when a copy needs you",
    key: "test",
    ts: Date.now(),
    fields: { account: options.account, network: settings.network, format: alerts.format },
  });
  const shown = results.map((r) => ({
    webhook: redactWebhook(r.url),
    ok: r.ok,
    attempts: r.attempts,
    ...(r.error ? { error: r.error } : {}),
  }));
  if (options.json) printDocument("alertsTest", { format: alerts.format, results: shown });
  else {
    for (const r of shown) {
      process.stdout.write(
        `${r.ok ? "sent" : "failed"}: ${r.webhook} (${alerts.format})${r.error ? ` — ${r.error}` : ""}\n`,
      );
    }
  }
  const failed = shown.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new HlcopyError(`${failed.length} of ${shown.length} webhook(s) did not take the test alert`, {
      hint: "check the URL (and alerts.format / alerts.telegramChatId), then run hlcopy alerts test again",
    });
  }
  return 0;
}
