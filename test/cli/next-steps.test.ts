// Next blocks (init, the demo): one helper, one alignment.
import { describe, expect, it } from "vitest";
import { nextSteps } from "../../src/cli/next-steps.js";

describe("nextSteps", () => {
  it("indents every step two spaces and starts every explanation in one column", () => {
    expect(
      nextSteps(
        [
          ["hlcopy inspect <leader>", "vet a real leader"],
          ["hlcopy --help", "everything"],
        ],
        80,
      ),
    ).toEqual([
      "Next:",
      "  hlcopy inspect <leader>   vet a real leader",
      "  hlcopy --help             everything",
    ]);
  });

  it("an explanation too long for the terminal goes on below in its column, cut between words (init at 80 columns)", () => {
    const lines = nextSteps(
      [
        ["hlcopy agent generate", "create the agent (API) key hlcopy trades with"],
        ["hlcopy reconcile 0xLeader… --dry-run", "see what copying a leader would do"],
      ],
      80,
    )
      .join("\n")
      .split("\n");
    expect(lines).toEqual([
      "Next:",
      "  hlcopy agent generate                  create the agent (API) key hlcopy",
      "                                         trades with",
      "  hlcopy reconcile 0xLeader… --dry-run   see what copying a leader would do",
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});
