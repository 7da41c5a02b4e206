import { describe, expect, it } from "vitest";
import {
  ExitCode,
  HaltedError,
  HlcopyError,
  OrderRejectedError,
  RateLimitError,
  toHlcopyError,
  UncertainOutcomeError,
  ValidationError,
} from "../../src/core/errors.js";

describe("error family", () => {
  it("groups errors by what the caller should do", () => {
    expect(new RateLimitError("429").action).toBe("retry");
    expect(new UncertainOutcomeError("timeout").action).toBe("retry");
    expect(new OrderRejectedError("Insufficient margin to place order.").action).toBe("skip");
    expect(new HaltedError("kill switch").action).toBe("stop");
  });

  it("maps usage problems to exit 2 and halts to exit 4", () => {
    const e = new ValidationError("risk.maxLeverage", "risk.maxLeverage must be > 0", { hint: "try 3" });
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.key).toBe("risk.maxLeverage");
    expect(e.hint).toBe("try 3");
    expect(new HaltedError("halted").exitCode).toBe(ExitCode.halted);
  });

  it("wraps foreign errors keeping the cause and the first line only", () => {
    const cause = new TypeError("boom\nsecond line");
    const wrapped = toHlcopyError(cause);
    expect(wrapped).toBeInstanceOf(HlcopyError);
    expect(wrapped.message).toBe("boom");
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.exitCode).toBe(ExitCode.runtime);
  });
});
