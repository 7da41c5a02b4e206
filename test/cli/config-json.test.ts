// `hlcopy config get|set|unset --json`: each prints one `config` document with the same fields
// (docs/events.md): `key`, `value` and `source` — where the value now comes from.
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

describe("config --json documents", () => {
  it("set, get and unset each say key, value and source", async () => {
    const dir = tempDir();
    const doc = async (...args: string[]) => {
      const r = await runCli(["--config-dir", dir, "--json", "config", ...args]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const set = await doc("set", "risk.maxLeverage", "4");
    expect(set).toMatchObject({ type: "config", key: "risk.maxLeverage", value: 4, source: "config" });
    expect(set).not.toHaveProperty("warning");
    // What get says right after: the same document.
    const get = await doc("get", "risk.maxLeverage");
    expect({ ...set, ts: 0 }).toEqual({ ...get, ts: 0 });
    expect(await doc("unset", "risk.maxLeverage")).toMatchObject({ value: 3, source: "default" });
  });
});
