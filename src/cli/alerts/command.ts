// `hlcopy alerts test` — post a test alert to the configured webhook(s) and say how each went.

import type { Command } from "commander";
import { SETTING_KEYS } from "../../core/settings.js";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";
import {
  ALERTS_TEST_IDLE_SETTINGS,
  addIdleSettingOptions,
  addSettingOptions,
  refuseIdleSettingFlags,
} from "../settings-options.js";

export function register(program: Command): void {
  const alerts = program
    .command("alerts")
    .description("alert webhooks (Slack, Discord, Telegram or JSON): send a test message")
    .addHelpText(
      "after",
      `
A running follow posts an alert when it halts, a leader is liquidated or unfollowed, drift
lasts, orders keep being rejected, the websocket stays down, the agent approval nears its end,
and when it stops. hlcopy status says when the webhook is failing.

${examples([
  ["hlcopy config set alerts.webhook https://hooks.slack.com/services/T000/B000/XXXX"],
  ["hlcopy alerts test", "post a test message, exit 1 if a webhook refused it"],
])}`,
    );
  const test = alerts
    .command("test")
    .description("post a test alert to every alerts.webhook and report each result");
  // The drift and websocket thresholds act in a running follow, not in one test message.
  addSettingOptions(
    test,
    SETTING_KEYS.filter(
      (k) => k.startsWith("alerts.") && !ALERTS_TEST_IDLE_SETTINGS.some((s) => s.key === k),
    ),
  );
  addIdleSettingOptions(test, ALERTS_TEST_IDLE_SETTINGS);
  test
    .addHelpText(
      "after",
      `
Alerts are set in the config file (or with --alert-* flags for one run):
  alerts.webhook         one or more URLs (comma list)
  alerts.format          json | slack | discord | telegram
  alerts.telegramChatId  for telegram (webhook = https://api.telegram.org/bot<token>/sendMessage)

${examples([
  ["hlcopy config set alerts.webhook https://hooks.slack.com/services/T000/B000/XXXX"],
  ["hlcopy config set alerts.format slack"],
  ["hlcopy alerts test"],
])}`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      refuseIdleSettingFlags(opts, ALERTS_TEST_IDLE_SETTINGS);
      const { resolveContext, resolveRunSettings } = await import("../context.js");
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { settings } = resolveRunSettings(ctx, opts);
      const { runAlertsTest } = await import("./test.js");
      process.exitCode = await runAlertsTest(settings, { json: ctx.json, account: ctx.account });
    });
}
