// follow --listen's address: a malformed one and one whose port is out of range are refused,
// each saying what is wrong with it (exit 2: UsageError), before anything starts.

import { describe, expect, it } from "vitest";
import { parseListenOptions } from "../../src/cli/follow/serve.js";
import { UsageError } from "../../src/core/errors.js";

function refusal(listen: string): { message: string; hint: string | undefined } {
  try {
    parseListenOptions({ listen });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return { message: (error as UsageError).message, hint: (error as UsageError).hint };
  }
  throw new Error(`--listen ${listen} was accepted`);
}

describe("follow --listen's address", () => {
  it("a port beyond 65535 is said as out of range, with the host as given in the hint", () => {
    expect(refusal("localhost:99999")).toEqual({
      message: 'invalid --listen "localhost:99999": port 99999 is out of range (0–65535)',
      hint: "e.g. --listen localhost:9464 (port 0 picks a free one)",
    });
    expect(refusal("[::1]:70000").hint).toBe("e.g. --listen [::1]:9464 (port 0 picks a free one)");
  });

  it("a malformed address is said as one", () => {
    for (const listen of ["localhost", "9464", "127.0.0.1:port", "a b:1"])
      expect(refusal(listen).message).toBe(`invalid --listen "${listen}": expected host:port`);
  });

  it("a loopback host with a port in range is taken", () => {
    expect(parseListenOptions({ listen: "127.0.0.1:65535" })).toMatchObject({
      host: "127.0.0.1",
      port: 65535,
    });
    expect(parseListenOptions({ listen: "localhost:0" })).toMatchObject({ host: "localhost", port: 0 });
  });
});
