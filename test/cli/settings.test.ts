import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import {
  defaultSettings,
  flagName,
  parseSettingInput,
  resolveSettings,
  SETTING_KEYS,
  SETTINGS_SCHEMA,
  validateSetting,
} from "../../src/core/settings.js";

// One valid and one invalid input per key, as a user would type them.
const CASES: Record<(typeof SETTING_KEYS)[number], { valid: string; expected: unknown; invalid: string }> = {
  "sizing.mode": { valid: "fixed-ratio", expected: "fixed-ratio", invalid: "martingale" },
  "sizing.multiplier": { valid: "0.5", expected: 0.5, invalid: "0" },
  "sizing.ratio": { valid: "0.02", expected: 0.02, invalid: "-0.1" },
  "sizing.notional": { valid: "2500", expected: 2500, invalid: "lots" },
  "risk.maxLeverage": { valid: "3", expected: 3, invalid: "-1" },
  "risk.maxNotionalPerCoin": { valid: "none", expected: null, invalid: "-5" },
  "risk.maxTotalNotional": { valid: "10000", expected: 10000, invalid: "1e13" },
  "risk.allowCoins": { valid: "BTC, ETH", expected: ["BTC", "ETH"], invalid: "BTC,,ETH" },
  "risk.denyCoins": { valid: "kPEPE", expected: ["kPEPE"], invalid: "DO GE" },
  "risk.closeDenied": { valid: "yes", expected: true, invalid: "maybe" },
  "risk.maxDrawdownPct": { valid: "20", expected: 20, invalid: "101" },
  "risk.maxDailyLossPct": { valid: "5", expected: 5, invalid: "0" },
  "exec.slippageBps": { valid: "25", expected: 25, invalid: "2.5" },
  "exec.deadbandPct": { valid: "0", expected: 0, invalid: "60" },
  "exec.maxEntryDriftBps": { valid: "150", expected: 150, invalid: "-1" },
  "exec.sweepSeconds": { valid: "60", expected: 60, invalid: "0" },
  "exec.startupTimeoutSeconds": { valid: "5", expected: 5, invalid: "0" },
  join: { valid: "new-only", expected: "new-only", invalid: "some" },
  network: { valid: "http://127.0.0.1:8080/", expected: "http://127.0.0.1:8080", invalid: "ftp://x" },
  account: {
    valid: "0x5E9EE1089755C3435139848E47E6635505D5A13A",
    expected: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
    invalid: "0x123",
  },
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

  it("rejects unknown keys and suggests the right spelling", () => {
    expect(() => parseSettingInput("risk.maxleverage", "3")).toThrow(/unknown setting/);
    try {
      parseSettingInput("maxLeverage", "3");
    } catch (e) {
      expect((e as ValidationError).hint).toBe("did you mean risk.maxLeverage?");
    }
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
