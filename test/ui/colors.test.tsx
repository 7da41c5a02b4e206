// Colours, checked on the escape codes. Ink's chalk decides colour support when it is first
// imported, so this file forces colour before importing anything that loads Ink.
import { beforeAll, describe, expect, it } from "vitest";
import type { DashboardState } from "../../src/ui/model.js";

process.env.FORCE_COLOR = "1";

type Deps = {
  render: typeof import("./ink-render.js").render;
  Header: typeof import("../../src/ui/Header.js").Header;
  Positions: typeof import("../../src/ui/Positions.js").Positions;
  reduceDashboard: typeof import("../../src/ui/model.js").reduceDashboard;
  fixtures: typeof import("./fixtures.js");
};
let d: Deps;

beforeAll(async () => {
  const [tl, header, positions, model, fixtures] = await Promise.all([
    import("./ink-render.js"),
    import("../../src/ui/Header.js"),
    import("../../src/ui/Positions.js"),
    import("../../src/ui/model.js"),
    import("./fixtures.js"),
  ]);
  d = {
    render: tl.render,
    Header: header.Header,
    Positions: positions.Positions,
    reduceDashboard: model.reduceDashboard,
    fixtures,
  };
});

const SGR = {
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
};

function header(state: DashboardState): string {
  const r = d.render(<d.Header state={state} width={80} />);
  const out = r.lastFrame() ?? "";
  r.unmount();
  return out;
}

/** The colour code that opens right before `text` (allowing bold/inverse codes between). */
function colourBefore(frame: string, text: string): string | undefined {
  const at = frame.indexOf(text);
  const before = frame.slice(0, at);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching colour escape codes is the point
  const codes = before.match(/\u001b\[3\dm/g);
  return codes?.at(-1);
}

describe("colours", () => {
  it("mode: LIVE green, DRY-RUN yellow, PAPER cyan, HALTED red", () => {
    const { liveState, T0 } = d.fixtures;
    expect(colourBefore(header(liveState("live")), " LIVE ")).toBe(SGR.green);
    expect(colourBefore(header(liveState("dry-run")), " DRY-RUN ")).toBe(SGR.yellow);
    expect(colourBefore(header(liveState("paper")), " PAPER ")).toBe(SGR.cyan);
    const halted = d.reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 1,
      kind: "manual",
      reason: "test",
    });
    expect(colourBefore(header(halted), " HALTED ")).toBe(SGR.red);
  });

  it("drift outside the deadband is highlighted; inside is not", () => {
    const r = d.render(
      <d.Positions rows={d.fixtures.liveState().positions} width={80} maxRows={10} loaded />,
    );
    const lines = (r.lastFrame() ?? "").split("\n");
    r.unmount();
    const sol = lines.find((l) => l.includes("SOL")) ?? "";
    const btc = lines.find((l) => l.includes("BTC")) ?? "";
    expect(colourBefore(sol, "$75.00!")).toBe(SGR.yellow);
    expect(btc.slice(btc.indexOf("$0.00") - 6, btc.indexOf("$0.00"))).not.toContain(SGR.yellow);
  });
});
