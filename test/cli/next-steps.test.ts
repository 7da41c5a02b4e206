// Next blocks (init, the demo): one helper, one alignment.
import { describe, expect, it } from "vitest";
import { nextSteps } from "../../src/cli/output.js";

describe("nextSteps", () => {
  it("indents every step two spaces and starts every explanation in one column", () => {
    expect(
      nextSteps([
        ["hlcopy inspect <leader>", "vet a real leader"],
        ["hlcopy --help", "everything"],
      ]),
    ).toEqual([
      "Next:",
      "  hlcopy inspect <leader>   vet a real leader",
      "  hlcopy --help             everything",
    ]);
  });
});
