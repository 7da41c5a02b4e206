import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, UsageError, ValidationError } from "../../src/core/errors.js";
import {
  closeMatches,
  defaultSettings,
  FractionPctError,
  flagName,
  parseSettingInput,
  type RunContext,
  resolveCoinSettings,
  resolveSettings,
  SETTING_KEYS,
  SETTINGS_SCHEMA,
  settingRunsOf,
  sizingText,
  storedForm,
  validateSetting,
} from "../../src/core/settings.js";
import { configPath, readStoredSettings, writeSetting } from "../../src/store/config.js";
import { runCli, tempDir } from "../helpers/cli.js";

// One valid and one invalid input per key, as a user would type them.
const CASES: Record<(typeof SETTING_KEYS)[number], { valid: string; expected: unknown; invalid: string }> = {
  "sizing.mode": { valid: "fixed-ratio", expected: "fixed-ratio", invalid: "martingale" },
  "sizing.multiplier": { valid: "0.5", expected: 0.5, invalid: "0" },
  "sizing.ratio": { valid: "0.02", expected: 0.02, invalid: "-0.1" },
  "sizing.notional": { valid: "2500", expected: 2500, invalid: "lots" },
  "sizing.direction": { valid: "inverse", expected: "inverse", invalid: "opposite" },
  "sizing.targetVolPct": { valid: "20", expected: 20, invalid: "0" },
  "sizing.volLookbackDays": { valid: "14", expected: 14, invalid: "1.5" },
  "sizing.kellyLookbackDays": { valid: "60", expected: 60, invalid: "0" },
  "sizing.kellyFraction": { valid: "0.25", expected: 0.25, invalid: "1.5" },
  "sizing.riskPct": { valid: "0.5", expected: 0.5, invalid: "0" },
  "copy.mode": { valid: "entry-only", expected: "entry-only", invalid: "exit-only" },
  "risk.maxLeverage": { valid: "3", expected: 3, invalid: "-1" },
  "risk.maxNotionalPerCoin": { valid: "none", expected: null, invalid: "0" },
  "risk.maxTotalNotional": { valid: "10000", expected: 10000, invalid: "1e13" },
  "risk.allowCoins": { valid: "BTC, ETH", expected: ["BTC", "ETH"], invalid: "BTC,,ETH" },
  "risk.denyCoins": { valid: "kPEPE", expected: ["kPEPE"], invalid: "DO GE" },
  "risk.closeDenied": { valid: "yes", expected: true, invalid: "maybe" },
  "risk.maxDrawdownPct": { valid: "20", expected: 20, invalid: "101" },
  "risk.maxDailyLossPct": { valid: "5", expected: 5, invalid: "0" },
  "risk.stopLossPct": { valid: "8", expected: 8, invalid: "100" },
  "risk.takeProfitPct": { valid: "off", expected: null, invalid: "-3" },
  "risk.trailingStopPct": { valid: "2.5", expected: 2.5, invalid: "0" },
  "risk.trailingStepPct": { valid: "0.25", expected: 0.25, invalid: "0" },
  "risk.maxPositions": { valid: "5", expected: 5, invalid: "2.5" },
  "risk.maxCoinPctOfEquity": { valid: "25", expected: 25, invalid: "0" },
  "risk.takeProfitTiers": { valid: "6:0.5, 3:0.5", expected: "3:0.5,6:0.5", invalid: "3:0.6,6:0.6" },
  "risk.maxHoldHours": { valid: "48", expected: 48, invalid: "0" },
  "risk.maxAllocationPct": { valid: "50", expected: 50, invalid: "-5" },
  "risk.leaderMaxDrawdownPct": { valid: "15", expected: 15, invalid: "150" },
  "risk.leaderMaxLeverage": { valid: "10", expected: 10, invalid: "0" },
  "risk.skipLeaderNewCoins": { valid: "true", expected: true, invalid: "often" },
  "risk.leaderLiquidationPauseDays": { valid: "7", expected: 7, invalid: "-1" },
  "exec.slippageBps": { valid: "25", expected: 25, invalid: "2.5" },
  "exec.slippageBudgetBps": { valid: "15", expected: 15, invalid: "-1" },
  "exec.deadbandPct": { valid: "0", expected: 0, invalid: "60" },
  "exec.maxEntryDriftBps": { valid: "150", expected: 150, invalid: "-1" },
  "exec.sweepSeconds": { valid: "60", expected: 60, invalid: "0" },
  "exec.confirmAbovePct": { valid: "80", expected: 80, invalid: "-1" },
  "exec.leverage": { valid: "5", expected: 5, invalid: "2.5" },
  "exec.marginMode": { valid: "isolated", expected: "isolated", invalid: "portfolio" },
  "exec.startupTimeoutSeconds": { valid: "5", expected: 5, invalid: "0" },
  "exec.copyDelayMinutes": { valid: "2.5", expected: 2.5, invalid: "-1" },
  "exec.entry": { valid: "passive", expected: "passive", invalid: "maker" },
  "exec.passiveTimeoutSeconds": { valid: "45", expected: 45, invalid: "0" },
  "exec.tradingHours": { valid: "8-22", expected: "08-22", invalid: "08:00-22:00" },
  "exec.minOrderUsd": { valid: "25", expected: 25, invalid: "5" },
  join: { valid: "new-only", expected: "new-only", invalid: "some" },
  network: { valid: "http://127.0.0.1:8080/", expected: "http://127.0.0.1:8080", invalid: "ftp://x" },
  account: {
    valid: "0x5E9EE1089755C3435139848E47E6635505D5A13A",
    expected: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
    invalid: "0x123",
  },
  "alerts.webhook": {
    valid: "https://hooks.slack.com/services/T/B/X",
    expected: ["https://hooks.slack.com/services/T/B/X"],
    invalid: "hooks.slack.com",
  },
  "alerts.format": { valid: "slack", expected: "slack", invalid: "email" },
  "alerts.telegramChatId": { valid: "-1001", expected: "-1001", invalid: "chat 1" },
  "alerts.driftMinutes": { valid: "30", expected: 30, invalid: "0" },
  "alerts.wsDownSeconds": { valid: "60", expected: 60, invalid: "1" },
};

describe("settings schema", () => {
  it("covers every key with a default, a description and a test case", () => {
    expect(SETTINGS_SCHEMA.map((s) => s.key)).toEqual([...SETTING_KEYS]);
    for (const s of SETTINGS_SCHEMA) {
      expect(s.description.length).toBeGreaterThan(10);
      expect(() => validateSetting(s.key, s.default)).not.toThrow();
    }
    expect(Object.keys(CASES).sort()).toEqual([...SETTING_KEYS].sort());
  });

  for (const key of SETTING_KEYS) {
    const c = CASES[key];
    it(`${key}: accepts ${JSON.stringify(c.valid)} and rejects ${JSON.stringify(c.invalid)} naming the key`, () => {
      expect(parseSettingInput(key, c.valid)).toEqual(c.expected);
      let thrown: unknown;
      try {
        parseSettingInput(key, c.invalid);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      const err = thrown as ValidationError;
      expect(err.message).toContain(key);
      expect(err.message).toContain(c.invalid.trim() === "" ? key : "expected");
      expect(err.hint).toContain(`hlcopy config set ${key}`);
      expect(err.exitCode).toBe(2);
    });
  }

  it("rejects unknown keys and suggests the right spelling: another case, the name without its group, a typo", () => {
    const hint = (key: string) => {
      try {
        parseSettingInput(key, "3");
      } catch (e) {
        return (e as ValidationError).hint;
      }
      throw new Error(`${key} was accepted`);
    };
    expect(() => parseSettingInput("risk.maxleverage", "3")).toThrow(/unknown setting/);
    const list = " (hlcopy config list shows every setting and what it does)";
    expect(hint("maxLeverage")).toBe(`did you mean risk.maxLeverage?${list}`);
    expect(hint("risk.maxLevrage")).toBe(`did you mean risk.maxLeverage?${list}`);
    expect(hint("maxLevrage")).toBe(`did you mean risk.maxLeverage?${list}`);
    expect(hint("exec.slipageBps")).toBe(`did you mean exec.slippageBps?${list}`);
    // A word of a setting's name: the settings holding it.
    expect(hint("slippage")).toBe(`did you mean exec.slippageBps or exec.slippageBudgetBps?${list}`);
    // A group: one of its settings.
    expect(hint("risk")).toBe(`risk is a group of settings: name one of them, e.g. risk.maxLeverage${list}`);
    expect(hint("copy")).toBe(`copy is a group of settings: name one of them, e.g. copy.mode${list}`);
    // The leader is no setting (it was answered with three risk.leader… settings): the command takes it.
    for (const key of ["leader", "Leaders"])
      expect(hint(key)).toBe(
        "the leader is not a setting: give it to the command that copies it, e.g. hlcopy follow 0xLEADER (from cron: hlcopy reconcile 0xLEADER --yes)",
      );
    // Nothing close: where to look, not all 55 keys on one line.
    expect(hint("zzzzzzzz")).toBe(
      "hlcopy config list shows every setting and what it does; keys look like risk.maxLeverage",
    );
  });

  it("a network URL is the API's host: a path or query is refused, typed or stored", () => {
    for (const check of [
      () => parseSettingInput("network", "http://localhost:1234/foo?x=1"),
      () => validateSetting("network", "http://localhost:1234/foo"),
    ]) {
      expect(check).toThrow(ValidationError);
      expect(check).toThrow(
        /^invalid network "http:\/\/localhost:1234\/foo(\?x=1)?": a network URL is the API's base, http\(s\):\/\/host\[:port\], without a path \(\/foo\)/,
      );
    }
    expect(parseSettingInput("network", "https://example.org/")).toBe("https://example.org");
  });

  it("an account whose mixed-case checksum does not match is said as a checksum error, not as 'not 40 hex digits'", () => {
    const typo = "0x1880BBBea43fb92572279b9131130cc0f56e5fb4"; // 40 hex digits, one letter's case wrong
    expect(() => validateSetting("account", typo)).toThrow(ValidationError);
    expect(() => validateSetting("account", typo)).toThrow(
      `invalid value "${typo}" for account: its mixed-case checksum (EIP-55) does not match — a typo in the address?`,
    );
    const error = (() => {
      try {
        parseSettingInput("account", typo);
      } catch (e) {
        return e as ValidationError;
      }
      return null;
    })();
    expect(error?.hint).toBe(
      "copy the address again, or if you are sure of it, give it all in lower case: hlcopy config set account 0x1880bbbea43fb92572279b9131130cc0f56e5fb4",
    );
    // Still the format's words for what is not 40 hex digits.
    expect(() => validateSetting("account", "0x123")).toThrow(
      'expected a 0x address of 40 hex digits, or "none"',
    );
  });

  it("derives flags from the last part of the key in kebab-case", () => {
    expect(flagName("risk.maxLeverage")).toBe("max-leverage");
    expect(flagName("exec.maxEntryDriftBps")).toBe("max-entry-drift-bps");
    expect(flagName("join")).toBe("join");
  });
});

describe("precedence: flag > stored > default", () => {
  it("uses the default when nothing is given", () => {
    const r = resolveSettings({}, {});
    expect(r.settings).toEqual(defaultSettings());
    expect(r.source["risk.maxLeverage"]).toBe("default");
  });

  it("a stored value beats the default, and a flag beats both", () => {
    const stored = { "risk.maxLeverage": 5, "exec.slippageBps": 10 };
    const r = resolveSettings(stored, { "risk.maxLeverage": "2" });
    expect(r.settings.risk.maxLeverage).toBe(2);
    expect(r.source["risk.maxLeverage"]).toBe("flag");
    expect(r.settings.exec.slippageBps).toBe(10);
    expect(r.source["exec.slippageBps"]).toBe("config");
    expect(r.settings.exec.deadbandPct).toBe(2);
  });

  it("validates flag values like stored ones", () => {
    expect(() => resolveSettings({}, { "risk.maxLeverage": "-3" })).toThrow(ValidationError);
  });
});

describe("risk.takeProfitTiers", () => {
  it("parses pct:fraction pairs, sorted by pct; none turns them off", async () => {
    const { parseTakeProfitTiers } = await import("../../src/core/settings.js");
    expect(parseTakeProfitTiers("3:0.5,6:0.5")).toEqual([
      { pct: 3, fraction: 0.5 },
      { pct: 6, fraction: 0.5 },
    ]);
    expect(parseTakeProfitTiers(" 10 : 0.25 , 2.5:.25 ")).toEqual([
      { pct: 2.5, fraction: 0.25 },
      { pct: 10, fraction: 0.25 },
    ]);
    expect(parseSettingInput("risk.takeProfitTiers", "none")).toBeNull();
    expect(
      resolveSettings({}, { "risk.takeProfitTiers": "3:0.5,6:0.5" }).settings.risk.takeProfitTiers,
    ).toEqual([
      { pct: 3, fraction: 0.5 },
      { pct: 6, fraction: 0.5 },
    ]);
  });

  it("refuses a pct ≤ 0, a fraction outside (0, 1], fractions over 1 in sum, a repeated pct, junk", async () => {
    const { parseTakeProfitTiers } = await import("../../src/core/settings.js");
    for (const bad of [
      "0:0.5",
      "-3:0.5",
      "3:0",
      "3:1.5",
      "3:0.6,6:0.5",
      "3:0.2,3:0.2",
      "3",
      "3:0.5;6:0.5",
      "1e1:0.5",
      "",
    ]) {
      expect(parseTakeProfitTiers(bad), bad).toBeNull();
    }
    expect(() => parseSettingInput("risk.takeProfitTiers", "3:0.6,6:0.6")).toThrow(
      /fractions summing to at most 1/,
    );
  });

  it("is refused together with risk.takeProfitPct (one take-profit rule per run)", () => {
    let thrown: unknown;
    try {
      resolveSettings({ "risk.takeProfitPct": 20 }, { "risk.takeProfitTiers": "3:0.5,6:0.5" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toContain(
      "risk.takeProfitPct (config file) and --take-profit-tiers",
    );
    expect((thrown as UsageError).hint).toContain('"20:1"');
  });
});

describe("config set refuses a value a run would refuse beside one stored (a setting accepted must act)", () => {
  // Seen: `config set risk.takeProfitPct 8` with tiers stored said "risk.takeProfitPct = 8",
  // exit 0, and stored both — every run then refused the pair.
  const config = (dir: string, ...args: string[]) =>
    runCli(["config", ...args], { env: { HLCOPY_CONFIG_DIR: dir } });

  it("a take-profit beside stored tiers (either way round): exit 2, one error and a hint to unset the other, the file unchanged", async () => {
    const dir = tempDir();
    expect((await config(dir, "set", "risk.takeProfitTiers", "5:0.5,10:0.5")).code).toBe(0);
    const before = readFileSync(configPath(dir), "utf8");
    const r = await config(dir, "set", "risk.takeProfitPct", "8");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: risk.takeProfitPct cannot be stored while risk.takeProfitTiers is stored (5:0.5,10:0.5): one take-profit rule: a single take-profit and tiers would rest two orders for one exit\n" +
        'hint: to switch: hlcopy config unset risk.takeProfitTiers, then set risk.takeProfitPct again; or keep risk.takeProfitTiers (a single take-profit is the tier "8:1")\n',
    );
    expect(readFileSync(configPath(dir), "utf8")).toBe(before);
    // Switching it off is no conflict; the way the hint gives works.
    expect((await config(dir, "set", "risk.takeProfitPct", "none")).code).toBe(0);
    expect((await config(dir, "unset", "risk.takeProfitTiers")).code).toBe(0);
    expect((await config(dir, "set", "risk.takeProfitPct", "8")).code).toBe(0);
    const back = await config(dir, "set", "risk.takeProfitTiers", "3:1");
    expect(back.code).toBe(2);
    expect(back.stderr).toMatch(
      /^error: risk\.takeProfitTiers cannot be stored while risk\.takeProfitPct is stored \(8\)/,
    );
    expect(back.stderr).toContain("hint: to switch: hlcopy config unset risk.takeProfitPct, then set");
    expect(readStoredSettings(dir)).toEqual({ "risk.takeProfitPct": 8 });
  });

  it("a coin into one list while the other list holds it, whatever its spelling: exit 2, the file unchanged", async () => {
    const dir = tempDir();
    expect((await config(dir, "set", "risk.allowCoins", "SOL,btc")).code).toBe(0);
    const before = readFileSync(configPath(dir), "utf8");
    const r = await config(dir, "--json", "set", "risk.denyCoins", "BTC,ETH");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      type: "error",
      message:
        "btc is in both risk.allowCoins and risk.denyCoins: the deny list would win and it is never copied",
    });
    expect(readFileSync(configPath(dir), "utf8")).toBe(before);
    expect((await config(dir, "set", "risk.denyCoins", "ETH")).code).toBe(0);
  });

  it("two bad values in the file: each one's config unset hint works (it was refused for the other's, a loop)", async () => {
    const dir = tempDir();
    writeFileSync(configPath(dir), '{"risk": {"maxLeverage": -5, "denyCoins": "x"}}');
    const list = await config(dir, "list");
    expect(list.code).toBe(2);
    const hint = /hint: fix the value by hand, or run: hlcopy (config unset \S+)/.exec(list.stderr)?.[1];
    expect(hint).toBeDefined();
    const first = await config(dir, ...(hint ?? "").split(" ").slice(1));
    expect(first.code, first.stderr).toBe(0);
    // The other bad value is still said, by every command that reads the file, with its own way out.
    const again = await config(dir, "list");
    expect(again.code).toBe(2);
    const next = /hint: fix the value by hand, or run: hlcopy (config unset \S+)/.exec(again.stderr)?.[1];
    expect(next).toBeDefined();
    expect(next).not.toBe(hint);
    expect((await config(dir, ...(next ?? "").split(" ").slice(1))).code).toBe(0);
    expect(JSON.parse(readFileSync(configPath(dir), "utf8"))).toEqual({});
    expect((await config(dir, "list")).code).toBe(0);
  });

  it("a webhook's secret path is not echoed by config set nor listed by config list; config get, asked for it, prints it whole", async () => {
    const dir = tempDir();
    const url = "https://hooks.slack.com/services/T000/B000/SECRETSECRET";
    const set = await config(dir, "set", "alerts.webhook", url);
    expect(set).toMatchObject({ code: 0, stdout: "alerts.webhook = https://hooks.slack.com/…\n" });
    expect(readStoredSettings(dir)["alerts.webhook"]).toEqual([url]);
    const list = await config(dir, "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("alerts.webhook = https://hooks.slack.com/…   (config file");
    expect(list.stdout + list.stderr).not.toContain("SECRETSECRET");
    // Asked for by name (a script's $(hlcopy config get alerts.webhook)): the value itself.
    expect((await config(dir, "get", "alerts.webhook")).stdout).toBe(`${url}\n`);
  });

  it("an empty list is typed and shown with its word — risk.denyCoins none, risk.allowCoins all — never stored as a coin of that name", async () => {
    const dir = tempDir();
    // `none` was stored as the coin "none" and echoed "= none": every trading run then refused it.
    expect((await config(dir, "set", "risk.denyCoins", "BTC")).code).toBe(0);
    const none = await config(dir, "set", "risk.denyCoins", "none");
    expect(none).toMatchObject({ code: 0, stdout: "risk.denyCoins = none\n" });
    expect(readStoredSettings(dir)["risk.denyCoins"]).toEqual([]);
    expect((await config(dir, "get", "risk.denyCoins")).stdout).toBe("none\n");
    expect((await config(dir, "set", "alerts.webhook", "none")).stdout).toBe("alerts.webhook = none\n");
    expect(readStoredSettings(dir)["alerts.webhook"]).toEqual([]);
    // The allow list: empty copies every coin, so its word is "all"; "none" reads both ways.
    expect((await config(dir, "set", "risk.allowCoins", "SOL")).code).toBe(0);
    const before = readFileSync(configPath(dir), "utf8");
    const ambiguous = await config(dir, "set", "risk.allowCoins", "none");
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe(
      'error: invalid value "none" for risk.allowCoins: an empty allow list copies every coin, so "none" could mean every coin or no coin\n' +
        "hint: to copy every coin: hlcopy config set risk.allowCoins all; to copy only some, name them: hlcopy config set risk.allowCoins BTC,ETH\n",
    );
    expect(readFileSync(configPath(dir), "utf8")).toBe(before);
    expect((await config(dir, "set", "risk.allowCoins", "all")).stdout).toBe("risk.allowCoins = all\n");
    expect(readStoredSettings(dir)["risk.allowCoins"]).toEqual([]);
    // What get prints is what set takes back, and list says the same words.
    expect((await config(dir, "get", "risk.allowCoins")).stdout).toBe("all\n");
    const list = (await config(dir, "list")).stdout;
    expect(list).toContain("risk.allowCoins = all   (config file; default all)");
    expect(list).toContain("risk.denyCoins = none   (config file; default none)");
    expect((await config(dir, "unset", "risk.allowCoins")).stdout).toBe(
      "risk.allowCoins unset (default: all)\n",
    );
  });
});

describe("sizing.notional under the $10 minimum order", () => {
  it("is refused (typed, stored or in the config file): the whole copy could never place one order; $10 is taken", () => {
    for (const given of ["5", "9.99", "0.5"]) {
      let thrown: unknown;
      try {
        parseSettingInput("sizing.notional", given);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, given).toBeInstanceOf(ValidationError);
      const err = thrown as ValidationError;
      expect(err.message).toBe(
        `invalid value ${given} for sizing.notional: the whole copy would be $${given}, under the exchange's $10 minimum order — no order could ever be placed`,
      );
      expect(err.hint).toMatch(/^e\.g\. hlcopy config set sizing\.notional 1000 /);
      expect(err.exitCode).toBe(2);
    }
    expect(() => validateSetting("sizing.notional", 5)).toThrow(/under the exchange's \$10 minimum order/);
    expect(parseSettingInput("sizing.notional", "10")).toBe(10);
    // Not a number at all, or not positive: the range, as for any setting.
    expect(() => parseSettingInput("sizing.notional", "0")).toThrow(
      /expected a number ≥ 10 and ≤ 1000000000/,
    );
  });
});

describe("numbers are plain decimals (issue 12.7)", () => {
  // Number() reads "0x10" as 16, "1e3" as 1000, " 5" as 5 and "" as 0: all refused.
  const BAD = ["0x10", "1e3", "Infinity", " 5", "5 ", "5abc", "", "+5", "1,5", "0b11", "NaN"];
  for (const key of ["sizing.ratio", "risk.maxNotionalPerCoin", "exec.leverage", "exec.slippageBps"]) {
    it(`${key} refuses ${BAD.map((b) => JSON.stringify(b)).join(" ")} with a hint`, () => {
      for (const raw of BAD) {
        let thrown: unknown;
        try {
          parseSettingInput(key, raw);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, JSON.stringify(raw)).toBeInstanceOf(ValidationError);
        const err = thrown as ValidationError;
        expect(err.message).toContain(`"${raw}"`);
        expect(err.message).toContain("plain decimals");
        expect(err.hint).toContain(`hlcopy config set ${key}`);
        expect(err.exitCode).toBe(2);
      }
    });
  }

  it("accepts plain decimals, and the words a setting allows", () => {
    expect(parseSettingInput("sizing.ratio", "0.5")).toBe(0.5);
    expect(parseSettingInput("sizing.ratio", ".5")).toBe(0.5);
    expect(parseSettingInput("sizing.notional", "1000")).toBe(1000);
    expect(parseSettingInput("risk.maxNotionalPerCoin", "none")).toBeNull();
    expect(parseSettingInput("exec.leverage", "auto")).toBe("auto");
    expect(parseSettingInput("exec.leverage", "10")).toBe(10);
    // a negative decimal is a number, refused for its range (the message says the range)
    expect(() => parseSettingInput("sizing.ratio", "-1")).toThrow(/expected a number > 0/);
  });

  it("a choice is a word, as a boolean is: any case is taken, kept in its canonical spelling", () => {
    // Seen: --mode Kelly and config set sizing.mode Fixed-Ratio refused while --close-denied TRUE was taken.
    for (const s of SETTINGS_SCHEMA) {
      if (s.kind.type !== "enum") continue;
      for (const value of s.kind.values) {
        expect(parseSettingInput(s.key, value.toUpperCase()), s.key).toBe(value);
        const mixed = value.charAt(0).toUpperCase() + value.slice(1);
        expect(parseSettingInput(s.key, mixed), s.key).toBe(value);
        // The config file's value (written by hand) reads the same.
        expect(validateSetting(s.key, mixed), s.key).toBe(value);
      }
    }
    // A flag for one run: the run's settings hold the canonical value.
    const run = resolveSettings({}, { "sizing.mode": "Kelly", "exec.marginMode": "ISOLATED" });
    expect(run.settings.sizing.mode).toBe("kelly");
    expect(run.flat["exec.marginMode"]).toBe("isolated");
    // A network's name too (config set network Testnet).
    expect(parseSettingInput("network", "Testnet")).toBe("testnet");
    // Still refused when it is no choice at all.
    expect(() => parseSettingInput("sizing.mode", "kely")).toThrow(ValidationError);
  });

  it("config set stores and echoes a choice typed in another case in its canonical spelling", async () => {
    const dir = tempDir();
    const config = (...args: string[]) => runCli(["config", ...args], { env: { HLCOPY_CONFIG_DIR: dir } });
    const set = await config("set", "sizing.mode", "Fixed-Ratio");
    expect(set).toMatchObject({ code: 0, stdout: "sizing.mode = fixed-ratio\n" });
    expect(readStoredSettings(dir)["sizing.mode"]).toBe("fixed-ratio");
    expect((await config("get", "sizing.mode")).stdout).toBe("fixed-ratio\n");
  });

  it("a misspelt choice's hint offers the choice nearest what was typed, not the first one", () => {
    const hintFor = (key: string, raw: string) => {
      try {
        parseSettingInput(key, raw);
      } catch (e) {
        return (e as Error & { hint?: string }).hint;
      }
      return undefined;
    };
    // "same" — the first choice — would have been the opposite of what was meant.
    expect(hintFor("sizing.direction", "invers")).toBe("e.g. hlcopy config set sizing.direction inverse");
    expect(hintFor("sizing.mode", "fixd-ratio")).toBe("e.g. hlcopy config set sizing.mode fixed-ratio");
    expect(hintFor("exec.entry", "pasive")).toBe("e.g. hlcopy config set exec.entry passive");
    // Nothing near: the first choice, as an example.
    expect(hintFor("sizing.direction", "sideways")).toBe("e.g. hlcopy config set sizing.direction same");
  });

  it("a cap of 0 is refused, saying none turns it off: 0 as 'no cap' would have closed every position", () => {
    for (const key of ["risk.maxNotionalPerCoin", "risk.maxTotalNotional"] as const) {
      let error: (Error & { hint?: string }) | undefined;
      try {
        parseSettingInput(key, "0");
      } catch (e) {
        error = e as typeof error;
      }
      expect(error?.message).toBe(
        `invalid value "0" for ${key}: expected a USD amount ≥ 10 and ≤ 1000000000000, or "none"`,
      );
      expect(error?.hint).toBe(`"none" turns it off (0 does not), e.g. hlcopy config set ${key} none`);
      // Below the exchange's $10 minimum order a position could never be opened either.
      expect(() => parseSettingInput(key, "5")).toThrow(/≥ 10/);
      expect(parseSettingInput(key, "10")).toBe(10);
    }
  });
});

describe("coin lists (issue 12.7)", () => {
  const MARKETS = ["BTC", "ETH", "SOL", "kPEPE", "DOGE", "HYPE"];

  it("none as a flag: --deny-coins none denies nothing, --allow-coins none is refused as the flag (it reads both ways)", () => {
    expect(parseSettingInput("risk.denyCoins", "none")).toEqual([]);
    expect(parseSettingInput("risk.denyCoins", "OFF")).toEqual([]);
    expect(parseSettingInput("risk.allowCoins", "all")).toEqual([]);
    expect(parseSettingInput("alerts.webhook", "none")).toEqual([]);
    expect(() => resolveSettings({}, { "risk.allowCoins": "none" })).toThrow(ValidationError);
    expect(() => resolveSettings({}, { "risk.allowCoins": "none" })).toThrow(
      'invalid value "none" for risk.allowCoins: an empty allow list copies every coin',
    );
  });

  it("the same coin in two spellings is kept once", () => {
    expect(parseSettingInput("risk.denyCoins", "BTC, btc ,ETH")).toEqual(["BTC", "ETH"]);
  });

  it("resolveCoinSettings puts every coin in the exchange's spelling", () => {
    const s = defaultSettings();
    const resolved = resolveCoinSettings(
      { ...s, risk: { ...s.risk, denyCoins: ["btc", "KPEPE"], allowCoins: ["eth", "ETH", "Sol"] } },
      MARKETS,
    );
    expect(resolved.risk.denyCoins).toEqual(["BTC", "kPEPE"]);
    expect(resolved.risk.allowCoins).toEqual(["ETH", "SOL"]);
    expect(resolved.sizing).toEqual(s.sizing);
  });

  it("an unknown coin is a usage error naming it and the close matches from meta", () => {
    const s = defaultSettings();
    let thrown: unknown;
    try {
      resolveCoinSettings(
        { ...s, risk: { ...s.risk, allowCoins: ["BTCC"], denyCoins: ["PEPE", "XYZZY"] } },
        MARKETS,
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const err = thrown as ValidationError;
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      'unknown coins "BTCC" (risk.allowCoins), "PEPE" (risk.denyCoins), "XYZZY" (risk.denyCoins): not a market on this exchange',
    );
    expect(err.hint).toContain("BTCC: did you mean BTC?");
    expect(err.hint).toContain("PEPE: did you mean kPEPE?");
    expect(err.hint).toContain("XYZZY: no close match");
    expect(err.hint).toContain("--allow-coins");
  });

  it("unknown coins in both lists: the hint names each list with its own coins' close matches", () => {
    const s = defaultSettings();
    const hintOf = (allowCoins: string[], denyCoins: string[]): string | undefined => {
      try {
        resolveCoinSettings({ ...s, risk: { ...s.risk, allowCoins, denyCoins } }, MARKETS);
      } catch (e) {
        return (e as ValidationError).hint;
      }
      return "(accepted)";
    };
    expect(hintOf(["BTCX"], ["ETHX"])).toBe(
      "BTCX: did you mean BTC? — fix it with --allow-coins or hlcopy config set risk.allowCoins …; " +
        "ETHX: did you mean ETH? — fix it with --deny-coins or hlcopy config set risk.denyCoins …",
    );
    // One list: as before, that list alone.
    expect(hintOf(["SOL"], ["ETHX", "XYZZY"])).toBe(
      "ETHX: did you mean ETH?; XYZZY: no close match — fix it with --deny-coins or hlcopy config set risk.denyCoins …",
    );
  });

  it("a spot pair, a spot id or another perp dex's market is said as what it is, with the perp to give", () => {
    const s = defaultSettings();
    const hintFor = (coin: string): string => {
      try {
        resolveCoinSettings({ ...s, risk: { ...s.risk, denyCoins: [coin] } }, MARKETS);
      } catch (e) {
        return (e as ValidationError).hint ?? "";
      }
      return "(accepted)";
    };
    expect(hintFor("btc/usdc")).toContain(
      "btc/usdc is a spot pair: hlcopy copies perpetuals, and the perp is BTC",
    );
    expect(hintFor("ZZZ/USDC")).toContain(
      "ZZZ/USDC is a spot pair: hlcopy copies perpetuals, and ZZZ has none here",
    );
    expect(hintFor("@107")).toContain(
      "@107 is a spot market's id: hlcopy copies perpetuals, by the perp's name",
    );
    expect(hintFor("xyz:BTC")).toContain(
      "xyz:BTC is a market of another perp dex (HIP-3): hlcopy copies the main dex's perpetuals, where it is BTC",
    );
    // Another exchange's ticker, as a new user types it: "no close match" said nothing useful.
    for (const [coin, perp] of [
      ["btc-perp", "BTC"],
      ["ETH-PERP", "ETH"],
      ["SOLUSDT", "SOL"],
      ["kpepe-usd-perp", "kPEPE"],
      ["DOGE_USDC", "DOGE"],
    ] as const) {
      expect(hintFor(coin)).toContain(
        `${coin}: did you mean ${perp}? (Hyperliquid names a perp by its coin alone)`,
      );
    }
    expect(hintFor("ZZZ-PERP")).toContain("ZZZ-PERP: no close match");
    expect(hintFor("xyz:ZZZ")).toContain(
      "xyz:ZZZ is a market of another perp dex (HIP-3): hlcopy copies the main dex's perpetuals, and ZZZ is not one of them",
    );
  });

  it("a coin both allowed and denied is a usage error naming it, whatever its spelling", () => {
    const s = defaultSettings();
    let thrown: unknown;
    try {
      resolveCoinSettings(
        { ...s, risk: { ...s.risk, allowCoins: ["sol", "BTC"], denyCoins: ["SOL", "ETH"] } },
        MARKETS,
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const err = thrown as ValidationError;
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      "SOL is in both risk.allowCoins and risk.denyCoins: the deny list would win and it is never copied",
    );
    expect(err.hint).toContain("--allow-coins");
    expect(err.hint).toContain("--deny-coins");
    // disjoint lists stay accepted
    const ok = resolveCoinSettings(
      { ...s, risk: { ...s.risk, allowCoins: ["BTC"], denyCoins: ["ETH"] } },
      MARKETS,
    );
    expect(ok.risk.allowCoins).toEqual(["BTC"]);
  });

  it("closeMatches: a small edit distance, closest first, case-insensitive", () => {
    expect(closeMatches("ETHH", MARKETS)).toEqual(["ETH"]);
    expect(closeMatches("sool", MARKETS)).toEqual(["SOL"]);
    expect(closeMatches("BITCOIN", MARKETS)).toEqual([]);
  });
});

describe("setting flags that act only beside another setting the run does not have", () => {
  const refusal = (
    stored: Record<string, unknown>,
    flags: Record<string, string>,
  ): UsageError | undefined => {
    try {
      resolveSettings(stored, flags);
    } catch (e) {
      return e as UsageError;
    }
    return undefined;
  };

  it("each is refused (exit 2) with what it needs, and accepted once the run has it", () => {
    const cases: [Record<string, string>, Record<string, string>, string][] = [
      [
        { "risk.trailingStepPct": "1" },
        { "risk.trailingStopPct": "3" },
        "--trailing-step-pct acts only on a trailing stop",
      ],
      [
        { "exec.passiveTimeoutSeconds": "5" },
        { "exec.entry": "passive" },
        "--passive-timeout-seconds acts only on passive entries",
      ],
      [
        { "alerts.format": "slack" },
        { "alerts.webhook": "https://hooks.example/x" },
        "--alert-format acts only when alerts go to a webhook",
      ],
      [
        { "alerts.driftMinutes": "5" },
        { "alerts.webhook": "https://hooks.example/x" },
        "--alert-drift-minutes acts only",
      ],
      [
        { "alerts.wsDownSeconds": "30" },
        { "alerts.webhook": "https://hooks.example/x" },
        "--alert-ws-down-seconds acts only",
      ],
      [
        { "alerts.telegramChatId": "123" },
        { "alerts.webhook": "https://api.telegram.org/botT/sendMessage", "alerts.format": "telegram" },
        "--alert-telegram-chat-id acts only for alerts in Telegram's format",
      ],
      [
        { "risk.closeDenied": "true" },
        { "risk.denyCoins": "DOGE" },
        "--close-denied acts only on coins risk.denyCoins names or risk.allowCoins leaves out, and this run has neither list",
      ],
      [{ "risk.closeDenied": "true" }, { "risk.allowCoins": "BTC,ETH" }, "--close-denied acts only"],
    ];
    for (const [flag, needs, message] of cases) {
      const err = refusal({}, flag);
      expect(err, JSON.stringify(flag)).toBeInstanceOf(UsageError);
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toContain(message);
      expect(err?.hint).toMatch(/, or drop --/);
      // What it needs, as a flag or from the config file: accepted.
      expect(refusal({}, { ...flag, ...needs }), JSON.stringify(needs)).toBeUndefined();
      expect(refusal(needs, flag)).toBeUndefined();
    }
  });

  it("names a config-file value that keeps it from acting; stored values alone are never refused", () => {
    const err = refusal({ "exec.entry": "ioc" }, { "exec.passiveTimeoutSeconds": "5" });
    expect(err?.message).toBe(
      "--passive-timeout-seconds acts only on passive entries (exec.entry passive), and this run has exec.entry ioc (from the config file)",
    );
    const telegram = refusal(
      { "alerts.webhook": ["https://hooks.example/x"] },
      { "alerts.telegramChatId": "1" },
    );
    expect(telegram?.message).toContain("this run has alerts.format json");
    expect(refusal({ "risk.trailingStepPct": 1, "alerts.telegramChatId": "1" }, {})).toBeUndefined();
    // A flag that switches it off promises nothing: never refused.
    expect(refusal({}, { "risk.closeDenied": "false" })).toBeUndefined();
    expect(refusal({ "risk.closeDenied": true }, {})).toBeUndefined();
  });
});

describe("setting flags the command or run mode never reads", () => {
  const FOLLOW: RunContext = { command: "follow", mode: "live", yes: false };
  const refusal = (
    run: RunContext,
    flags: Record<string, string>,
    stored: Record<string, unknown> = {},
  ): UsageError | undefined => {
    try {
      resolveSettings(stored, flags, run);
    } catch (e) {
      return e as UsageError;
    }
    return undefined;
  };

  it("each is refused (exit 2) in the run that ignores it, and accepted in a run that reads it", () => {
    // [the flag, a run that never reads it, the error, a run that reads it]
    const cases: [Record<string, string>, RunContext, string, RunContext][] = [
      [
        { "exec.sweepSeconds": "5" },
        { command: "reconcile", mode: "live", yes: true },
        "--sweep-seconds sets how often hlcopy follow re-reads both accounts, but reconcile is a single sweep",
        { ...FOLLOW, mode: "paper" },
      ],
      ...(["alerts.webhook", "alerts.format", "alerts.driftMinutes", "alerts.wsDownSeconds"] as const).map(
        (key): [Record<string, string>, RunContext, string, RunContext] => [
          {
            "alerts.webhook": "https://hooks.example/x",
            [key]:
              key === "alerts.webhook" ? "https://hooks.example/x" : key === "alerts.format" ? "slack" : "5",
          },
          { command: "reconcile", mode: "live", yes: true },
          "sets the alerts hlcopy follow sends, but reconcile sends no alerts",
          { ...FOLLOW, mode: "dry-run" },
        ],
      ),
      [
        { "exec.confirmAbovePct": "20" },
        { command: "reconcile", mode: "live", yes: true },
        "--confirm-above-pct sets when a live plan needs your yes, but --yes confirms every plan",
        { command: "reconcile", mode: "live", yes: false },
      ],
      [
        { "exec.confirmAbovePct": "20" },
        { ...FOLLOW, mode: "paper" },
        "but this run is --paper: it asks for no yes",
        FOLLOW,
      ],
      [
        { "exec.leverage": "5" },
        { command: "reconcile", mode: "dry-run", yes: false },
        "--leverage is set on the exchange before a live increase, but this run is --dry-run",
        { command: "reconcile", mode: "live", yes: false },
      ],
      [
        { "exec.marginMode": "isolated" },
        { ...FOLLOW, mode: "paper" },
        "--margin-mode is set on the exchange",
        FOLLOW,
      ],
      [
        { "risk.stopLossPct": "5" },
        { ...FOLLOW, mode: "paper" },
        "--stop-loss-pct rests a reduce-only stop on the exchange (a live run's), but this run is --paper: it rests no stops",
        FOLLOW,
      ],
      [{ "risk.trailingStopPct": "3" }, { ...FOLLOW, mode: "dry-run" }, "--trailing-stop-pct rests", FOLLOW],
      [{ "risk.takeProfitPct": "20" }, { ...FOLLOW, mode: "dry-run" }, "--take-profit-pct rests", FOLLOW],
      [
        { "risk.takeProfitTiers": "3:0.5" },
        { ...FOLLOW, mode: "paper" },
        "--take-profit-tiers rests",
        FOLLOW,
      ],
      [
        { "risk.trailingStopPct": "3", "risk.trailingStepPct": "1" },
        { ...FOLLOW, mode: "paper" },
        "--trailing-stop-pct rests",
        FOLLOW,
      ],
      [
        { "exec.entry": "passive" },
        { ...FOLLOW, mode: "paper" },
        "--entry passive rests each increase on the book first, but this run is --paper",
        { ...FOLLOW, mode: "dry-run" },
      ],
      [
        { "exec.entry": "passive", "exec.passiveTimeoutSeconds": "5" },
        { ...FOLLOW, mode: "paper" },
        // The first of the two said (--entry passive); a paper run rests nothing.
        "but this run is --paper",
        // A dry run reads it: whether an entry an earlier run left is past it (cancelled first).
        { command: "reconcile", mode: "dry-run", yes: false },
      ],
      [
        { "exec.slippageBudgetBps": "5" },
        { ...FOLLOW, mode: "dry-run" },
        "--slippage-budget-bps is checked against this run's fills, but this run is --dry-run: nothing fills",
        { ...FOLLOW, mode: "paper" },
      ],
    ];
    for (const [flags, ignoring, message, reading] of cases) {
      const err = refusal(ignoring, flags);
      expect(err, JSON.stringify([flags, ignoring])).toBeInstanceOf(UsageError);
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toContain(message);
      expect(err?.hint).toMatch(/, or drop --[a-z-]+$/);
      expect(refusal(reading, flags), JSON.stringify([flags, reading])).toBeUndefined();
    }
  });

  it("an alert setting with no webhook to post to is refused; with one given or stored it acts", () => {
    for (const [key, value] of [
      ["alerts.format", "slack"],
      ["alerts.driftMinutes", "5"],
      ["alerts.wsDownSeconds", "60"],
    ] as const) {
      const err = refusal(FOLLOW, { [key]: value });
      expect(err, key).toBeInstanceOf(UsageError);
      expect(err?.message).toContain(
        "sets the alerts hlcopy follow sends, but no alert webhook is set (alerts.webhook): this run sends no alert",
      );
      expect(err?.hint).toBe(
        `give one with --alert-webhook https://…, or keep one: hlcopy config set alerts.webhook https://…, or drop --${flagName(key)}`,
      );
      expect(refusal(FOLLOW, { [key]: value, "alerts.webhook": "https://hooks.example/x" })).toBeUndefined();
      expect(
        refusal(FOLLOW, { [key]: value }, { "alerts.webhook": ["https://hooks.example/x"] }),
      ).toBeUndefined();
    }
  });

  it("names the way forward: the live run, or --yes dropped", () => {
    expect(
      refusal({ command: "reconcile", mode: "dry-run", yes: false }, { "exec.leverage": "5" })?.hint,
    ).toBe("give it to the live run (without --dry-run), or drop --leverage");
    expect(
      refusal({ command: "reconcile", mode: "live", yes: true }, { "exec.confirmAbovePct": "5" })?.hint,
    ).toBe(
      "drop --yes to be asked for a plan above it (with no terminal to ask, such a plan is refused: exit 2), or drop --confirm-above-pct",
    );
    expect(
      refusal({ command: "reconcile", mode: "live", yes: true }, { "exec.sweepSeconds": "5" })?.hint,
    ).toBe("repeat reconcile from cron (*/5 * * * *), or drop --sweep-seconds");
  });

  it("a stop sizes risk-per-trade in every run, so a paper or dry run with that mode takes it", () => {
    const paper: RunContext = { ...FOLLOW, mode: "paper" };
    const flags = { "sizing.mode": "risk-per-trade", "risk.stopLossPct": "5" };
    expect(refusal(paper, flags)).toBeUndefined();
    expect(refusal(paper, { "risk.stopLossPct": "5" }, { "sizing.mode": "risk-per-trade" })).toBeUndefined();
    expect(refusal(paper, { ...flags, "risk.takeProfitPct": "20" })?.message).toContain("--take-profit-pct");
  });

  it("never refuses a config-file value, a flag switching a setting off, or a value the run uses", () => {
    const reconcileYes: RunContext = { command: "reconcile", mode: "live", yes: true };
    const stored = {
      "exec.sweepSeconds": 5,
      "exec.confirmAbovePct": 20,
      "alerts.webhook": ["https://hooks.example/x"],
      "alerts.format": "slack",
    };
    expect(refusal(reconcileYes, {}, stored)).toBeUndefined();
    expect(
      refusal({ ...FOLLOW, mode: "paper" }, {}, { "risk.stopLossPct": 5, "exec.leverage": 3 }),
    ).toBeUndefined();
    expect(refusal(reconcileYes, { "alerts.webhook": "" })).toBeUndefined();
    expect(refusal({ ...FOLLOW, mode: "dry-run" }, { "risk.stopLossPct": "none" })).toBeUndefined();
    expect(refusal({ ...FOLLOW, mode: "paper" }, { "exec.entry": "ioc" })).toBeUndefined();
    // Without a run (config, inspect, backtest, scan): no run check.
    expect(resolveSettings({}, { "exec.sweepSeconds": "5" }).settings.exec.sweepSeconds).toBe(5);
  });

  it("help: which runs of each command read a setting; none (hidden) for reconcile's follow-only ones", () => {
    expect(settingRunsOf("exec.sweepSeconds", "reconcile")).toBeNull();
    expect(settingRunsOf("alerts.webhook", "reconcile")).toBeNull();
    expect(settingRunsOf("exec.sweepSeconds", "follow")).toBeUndefined();
    expect(settingRunsOf("exec.leverage", "follow")).toBe("live runs only");
    expect(settingRunsOf("risk.maxLeverage", "reconcile")).toBeUndefined();
  });
});

describe("sizing flags the mode does not use (issue 12.7)", () => {
  const refused = (stored: Record<string, unknown>, flags: Record<string, string>) => {
    try {
      resolveSettings(stored, flags);
    } catch (e) {
      return e as UsageError;
    }
    throw new Error("not refused");
  };

  it("--ratio with the default equity-ratio mode is exit 2 naming fixed-ratio", () => {
    const err = refused({}, { "sizing.ratio": "0.5" });
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      "--ratio is used only by sizing mode fixed-ratio, but this run's sizing mode is equity-ratio",
    );
    expect(err.hint).toBe("add --mode fixed-ratio to size this run by --ratio, or drop --ratio");
  });

  it("--notional with a stored fixed-ratio mode, --multiplier with fixed-notional: refused", () => {
    const a = refused({ "sizing.mode": "fixed-ratio" }, { "sizing.notional": "500" });
    expect(a.message).toContain("--notional is used only by sizing mode fixed-notional");
    expect(a.message).toContain("fixed-ratio (from the config file)");
    const b = refused({}, { "sizing.mode": "fixed-notional", "sizing.multiplier": "2" });
    expect(b.message).toContain("--multiplier is used only by sizing mode equity-ratio");
  });

  it("a flag the mode uses is fine, and stored values of other modes are not flags", () => {
    expect(
      resolveSettings({}, { "sizing.mode": "fixed-ratio", "sizing.ratio": "0.5" }).settings.sizing.ratio,
    ).toBe(0.5);
    expect(
      resolveSettings({ "sizing.mode": "fixed-ratio" }, { "sizing.ratio": "0.5" }).settings.sizing.ratio,
    ).toBe(0.5);
    expect(
      resolveSettings({ "sizing.ratio": 0.5 }, { "sizing.multiplier": "2" }).settings.sizing.multiplier,
    ).toBe(2);
  });
});

describe("sizingText: how a run sized the copy, for comparing runs", () => {
  it("names the mode and the amounts it reads, the side and copy mode when not the defaults", () => {
    const s = defaultSettings();
    expect(sizingText(s)).toBe("equity-ratio multiplier 1");
    s.sizing.mode = "fixed-ratio";
    s.sizing.ratio = 0.05;
    s.sizing.multiplier = 3; // not read by fixed-ratio: not part of how it sizes
    expect(sizingText(s)).toBe("fixed-ratio ratio 0.05");
    s.sizing.direction = "inverse";
    s.copy = { mode: "entry-only" };
    expect(sizingText(s)).toBe("fixed-ratio ratio 0.05 inverse entry-only");
    // A journaled run's settings (plain JSON), or something that is not settings.
    expect(sizingText(JSON.parse(JSON.stringify(s)))).toBe("fixed-ratio ratio 0.05 inverse entry-only");
    expect(sizingText(null)).toBeNull();
    expect(sizingText({ sizing: {} })).toBeNull();
  });
});

// `--max-drawdown-pct 0.25` was taken as 0.25 % — a kill switch at a quarter of a percent — where
// the trader most likely meant 25 %. A whole-percent setting below 1 is refused unless written
// with its % sign; the settings where below 1 is ordinary take it as it is.
describe("a fraction typed for a percentage", () => {
  const WHOLE = [
    "sizing.targetVolPct",
    "risk.maxDrawdownPct",
    "risk.maxDailyLossPct",
    "risk.stopLossPct",
    "risk.takeProfitPct",
    "risk.trailingStopPct",
    "risk.maxCoinPctOfEquity",
    "risk.maxAllocationPct",
    "risk.leaderMaxDrawdownPct",
    "exec.confirmAbovePct",
  ] as const;

  it("is refused, saying both readings and both ways on, for every whole-percent setting", () => {
    for (const key of WHOLE) {
      let error: unknown;
      try {
        parseSettingInput(key, "0.25");
      } catch (e) {
        error = e;
      }
      expect(error, key).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe(
        `invalid value 0.25 for ${key}: a percentage, written whole — 0.25 would be 0.25 %, not 25 %`,
      );
      expect((error as ValidationError).hint).toBe(
        `for 25 %: hlcopy config set ${key} 25; if 0.25 % is meant, say so with its sign: hlcopy config set ${key} 0.25%`,
      );
      // With its sign it is meant: taken, as the number (1 and more need no sign, and take one).
      expect(parseSettingInput(key, "0.25%"), key).toBe(0.25);
      expect(parseSettingInput(key, "5"), key).toBe(5);
      expect(parseSettingInput(key, "5%"), key).toBe(5);
    }
    // Their floor stands with a sign too: a stop at 0.05 % is below risk.stopLossPct's 0.1.
    expect(parseSettingInput("risk.stopLossPct", "0.5%")).toBe(0.5);
    expect(() => parseSettingInput("risk.stopLossPct", "0.05%")).toThrow(ValidationError);
    // 0 is not a fraction: exec.confirmAbovePct 0 asks before every plan.
    expect(parseSettingInput("exec.confirmAbovePct", "0")).toBe(0);
  });

  it("is taken as typed where below 1 is ordinary (riskPct, trailingStepPct, deadbandPct); no % on other numbers", () => {
    expect(parseSettingInput("sizing.riskPct", "0.5")).toBe(0.5);
    expect(parseSettingInput("risk.trailingStepPct", "0.25")).toBe(0.25);
    expect(parseSettingInput("exec.deadbandPct", "0.5")).toBe(0.5);
    expect(parseSettingInput("exec.deadbandPct", "0.5%")).toBe(0.5);
    expect(() => parseSettingInput("risk.maxLeverage", "3%")).toThrow(/plain decimals/);
  });

  it("as a flag: exit 2, the hint in flags (the real binary; nothing is read from the network)", async () => {
    const r = await runCli([
      "--network",
      "http://127.0.0.1:9",
      "--account",
      "0x1111111111111111111111111111111111111111",
      "--config-dir",
      tempDir(),
      "reconcile",
      "0x5e9ee1089755c3435139848e47e6635505d5a13a",
      "--dry-run",
      "--max-drawdown-pct",
      "0.25",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: invalid value 0.25 for --max-drawdown-pct (risk.maxDrawdownPct): a percentage, written whole — 0.25 would be 0.25 %, not 25 %\nhint: for 25 %: --max-drawdown-pct 25; if 0.25 % is meant, say so with its sign: --max-drawdown-pct 0.25%\n",
    );
  });

  it("the config file keeps the sign of a small one, and an unsigned one there is told, not reinterpreted", async () => {
    const dir = tempDir();
    expect(storedForm("risk.maxDrawdownPct", "0.25%", 0.25)).toBe("0.25%");
    expect(storedForm("risk.maxDrawdownPct", "25%", 25)).toBe(25);
    expect(storedForm("sizing.riskPct", "0.5%", 0.5)).toBe(0.5);
    await writeSetting(dir, "risk.maxDrawdownPct", storedForm("risk.maxDrawdownPct", "0.25%", 0.25));
    expect(JSON.parse(readFileSync(configPath(dir), "utf8"))).toEqual({ risk: { maxDrawdownPct: "0.25%" } });
    expect(readStoredSettings(dir)["risk.maxDrawdownPct"]).toBe(0.25);
    // What an older hlcopy stored: refused at read with both readings, never silently 0.25 %.
    writeFileSync(configPath(dir), JSON.stringify({ risk: { maxDrawdownPct: 0.25 } }));
    expect(() => readStoredSettings(dir)).toThrow(ConfigError);
    try {
      readStoredSettings(dir);
    } catch (e) {
      expect((e as ConfigError).message).toContain("0.25 would be 0.25 %, not 25 %");
      expect((e as ConfigError).hint).toContain("hlcopy config set risk.maxDrawdownPct 25;");
    }
    // The way out it names works on that file.
    await writeSetting(dir, "risk.maxDrawdownPct", 25);
    expect(readStoredSettings(dir)["risk.maxDrawdownPct"]).toBe(25);
  });
});

// risk.takeProfitTiers "0.03:0.5" was taken as a take-profit 0.03 % from the entry, where
// --take-profit-pct 0.03 is refused as a likely fraction: a tier's pct follows the same rule
// (and the same floor, 0.1 %), as a flag, with config set and in the config file.
describe("a fraction typed for a take-profit tier's percentage", () => {
  const KEY = "risk.takeProfitTiers";
  const refusal = (raw: string): ValidationError => {
    try {
      parseSettingInput(KEY, raw);
    } catch (e) {
      return e as ValidationError;
    }
    throw new Error(`${raw} was taken`);
  };

  it("is refused, saying both readings and both ways on; with its sign it is meant", () => {
    const one = refusal("0.5:0.5,6:0.5");
    expect(one).toBeInstanceOf(FractionPctError);
    expect(one.message).toBe(
      `invalid value "0.5:0.5,6:0.5" for ${KEY}: a tier's pct is a percentage, written whole — 0.5 would be 0.5 %, not 50 %`,
    );
    expect(one.hint).toBe(
      `for 50 %: hlcopy config set ${KEY} 50:0.5,6:0.5; if 0.5 % is meant, say so with its sign: hlcopy config set ${KEY} 0.5%:0.5,6:0.5`,
    );
    // Every bare one is named in the hint; one below the floor either way has only the whole reading.
    expect(refusal("0.3:0.5, 0.6:0.5").hint).toBe(
      `for 30 % and 60 %: hlcopy config set ${KEY} 30:0.5,60:0.5; if 0.3 % and 0.6 % are meant, say so with its sign: hlcopy config set ${KEY} 0.3%:0.5,0.6%:0.5`,
    );
    expect(refusal("0.03:0.5").hint).toBe(
      `for 3 %: hlcopy config set ${KEY} 3:0.5; 0.03 % is below a tier's floor of 0.1 %`,
    );
    // Signed: taken, and kept signed (the canonical text a flag and the file take back).
    expect(parseSettingInput(KEY, "6:0.5, 0.5%:0.5")).toBe("0.5%:0.5,6:0.5");
    expect(parseSettingInput(KEY, "3%:1")).toBe("3:1");
    expect(validateSetting(KEY, "0.5%:0.5,6:0.5")).toBe("0.5%:0.5,6:0.5");
    expect(resolveSettings({}, { [KEY]: "0.5%:1" }).settings.risk.takeProfitTiers).toEqual([
      { pct: 0.5, fraction: 1 },
    ]);
    // risk.takeProfitPct's floor: a tier at 0.05 % is refused as a take-profit at 0.05 % is.
    expect(() => parseSettingInput(KEY, "0.05%:1")).toThrow(/pct ≥ 0\.1/);
    expect(() => parseSettingInput("risk.takeProfitPct", "0.05%")).toThrow(ValidationError);
    expect(parseSettingInput(KEY, "0.1%:1")).toBe("0.1%:1");
    // A value with another fault is told that fault (no way on that would be refused too).
    expect(refusal("0.5:0.6,6:0.5")).not.toBeInstanceOf(FractionPctError);
  });

  it("a take-profit below 1 % is named as the tier that is taken", () => {
    let thrown: unknown;
    try {
      resolveSettings({ "risk.takeProfitPct": 0.5 }, { [KEY]: "3:1" });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as UsageError).hint).toContain('a single take-profit is the tier "0.5%:1"');
    expect(parseSettingInput(KEY, "0.5%:1")).toBe("0.5%:1");
  });

  it("config set keeps the sign; an unsigned one in the file is told with both ways on", async () => {
    const dir = tempDir();
    await writeSetting(dir, KEY, parseSettingInput(KEY, "0.5%:0.5,6:0.5"));
    expect(JSON.parse(readFileSync(configPath(dir), "utf8"))).toEqual({
      risk: { takeProfitTiers: "0.5%:0.5,6:0.5" },
    });
    expect(readStoredSettings(dir)[KEY]).toBe("0.5%:0.5,6:0.5");
    // What an older hlcopy stored (or a hand edit): refused at read, never silently 0.5 %.
    writeFileSync(configPath(dir), JSON.stringify({ risk: { takeProfitTiers: "0.5:1" } }));
    let thrown: unknown;
    try {
      readStoredSettings(dir);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain("0.5 would be 0.5 %, not 50 %");
    expect((thrown as ConfigError).hint).toBe(
      `for 50 %: hlcopy config set ${KEY} 50:1; if 0.5 % is meant, say so with its sign: hlcopy config set ${KEY} 0.5%:1`,
    );
  });

  it("as a flag: exit 2, the hint in flags (the real binary; nothing is read from the network)", async () => {
    const r = await runCli([
      "--network",
      "http://127.0.0.1:9",
      "--account",
      "0x1111111111111111111111111111111111111111",
      "--config-dir",
      tempDir(),
      "reconcile",
      "0x5e9ee1089755c3435139848e47e6635505d5a13a",
      "--dry-run",
      "--take-profit-tiers",
      "0.5:1",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: invalid value "0.5:1" for --take-profit-tiers (${KEY}): a tier's pct is a percentage, written whole — 0.5 would be 0.5 %, not 50 %\nhint: for 50 %: --take-profit-tiers 50:1; if 0.5 % is meant, say so with its sign: --take-profit-tiers 0.5%:1\n`,
    );
  });
});

describe("the protection flags a hint gives back", () => {
  // "pass --stop-loss-pct 0.5 to keep them" named a flag the parse refuses as a likely fraction.
  it("are the flags as the parse takes them: a whole percent below 1 with its sign", async () => {
    const { protectionFlags } = await import("../../src/engine/protection.js");
    const small = protectionFlags({
      risk: { stopLossPct: 0.5, trailingStopPct: 0.25, takeProfitTiers: [{ pct: 0.5, fraction: 1 }] },
    });
    expect(small).toEqual([
      "--stop-loss-pct 0.5%",
      "--trailing-stop-pct 0.25%",
      "--take-profit-tiers 0.5%:1",
    ]);
    expect(protectionFlags({ risk: { takeProfitPct: 0.5 } })).toEqual(["--take-profit-pct 0.5%"]);
    expect(
      protectionFlags({ risk: { stopLossPct: 5, takeProfitTiers: [{ pct: 3, fraction: 0.5 }] } }),
    ).toEqual(["--stop-loss-pct 5", "--take-profit-tiers 3:0.5"]);
    // Each is taken as it reads.
    for (const flag of [...small, "--take-profit-pct 0.5%"]) {
      const [name, value] = flag.split(" ") as [string, string];
      const key = SETTING_KEYS.find((k) => `--${flagName(k)}` === name);
      expect(key, name).toBeDefined();
      expect(() => parseSettingInput(key as string, value), flag).not.toThrow();
    }
  });
});

describe("a number typed with a unit or a separator is refused with the plain number it means", () => {
  const hint = (key: string, raw: string): string | undefined => {
    try {
      parseSettingInput(key, raw);
    } catch (error) {
      return (error as ValidationError).hint;
    }
    throw new Error(`${key} ${raw} was taken`);
  };

  it("reads a percentage for a fraction, and basis points", () => {
    expect(hint("sizing.ratio", "5%")).toBe(
      "did you mean hlcopy config set sizing.ratio 0.05? (a fraction: 5% is 0.05)",
    );
    expect(hint("sizing.kellyFraction", "25%")).toContain("sizing.kellyFraction 0.25?");
    expect(hint("exec.slippageBps", "0.5%")).toBe(
      "did you mean hlcopy config set exec.slippageBps 50? (in basis points: 0.5% is 50 bps)",
    );
  });

  it("drops the $, the x and thousands separators; converts minutes and hours", () => {
    expect(hint("sizing.notional", "$1,500")).toBe(
      "did you mean hlcopy config set sizing.notional 1500? (dollars without the $ or USD)",
    );
    expect(hint("risk.maxLeverage", "3x")).toContain("risk.maxLeverage 3? (leverage without the x)");
    expect(hint("exec.sweepSeconds", "5m")).toContain("exec.sweepSeconds 300? (in seconds: 5m is 300)");
    expect(hint("exec.copyDelayMinutes", "2h")).toContain("exec.copyDelayMinutes 120?");
    expect(hint("exec.minOrderUsd", "1,000")).toContain(
      "exec.minOrderUsd 1000? (without the thousands separators)",
    );
  });

  it("a network without its scheme, or the websocket's URL, gets the API's URL it means", () => {
    expect(hint("network", "localhost:7072")).toBe(
      "did you mean hlcopy config set network http://localhost:7072?",
    );
    expect(hint("network", "ws://127.0.0.1:7072/ws")).toBe(
      "did you mean hlcopy config set network http://127.0.0.1:7072?",
    );
    expect(parseSettingInput("network", "http://127.0.0.1:7072")).toBe("http://127.0.0.1:7072");
  });

  it("offers nothing the setting would not take, or where the unit is not its own", () => {
    expect(hint("sizing.ratio", "200000%")).toMatch(/^e\.g\. /); // 2000: past its 1000
    expect(hint("risk.maxLeverage", "$3")).toMatch(/^e\.g\. /);
    expect(hint("sizing.notional", "3x")).toMatch(/^e\.g\. /);
    expect(hint("sizing.multiplier", "2x")).toContain("sizing.multiplier 2? (a multiple without the x)");
    expect(hint("risk.maxLeverage", "90x")).toMatch(/^e\.g\. /); // past its cap of 50
  });
});
