// The `follow` dashboard: header, positions, slippage, a status line and the keys, drawn
// from the view-model state passed in as props (nothing here owns trading state). Finished
// event-log lines go above the frame through <Static>. The frame is kept shorter than the
// terminal so Ink never has to clear the whole screen; in small terminals positions fold
// and the slippage panel goes before the positions do.
import { Box, type Key, Text, useInput } from "ink";
import { EventLog } from "./EventLog.js";
import { truncate } from "./format.js";
import { Header } from "./Header.js";
import { Help, helpPages } from "./Help.js";
import { LEVEL_COLOR, type Segment } from "./layout.js";
import { type DashboardState, PROBLEM_MS, skippedByReason, type UiAction } from "./model.js";
import { Positions } from "./Positions.js";
import { Segments } from "./Segments.js";
import { SLIPPAGE_HEIGHT, Slippage } from "./Slippage.js";

export interface DashboardCallbacks {
  /** q or Ctrl-C: stop cleanly (the engine owns the stop). */
  onQuit: () => void;
  /** p: pause or resume sending orders. */
  onTogglePause: () => void;
  /** s: sweep now. */
  onSweepNow: () => void;
  /** f then y: flatten every position reduce-only. */
  onFlatten: () => void;
}

export interface DashboardProps extends DashboardCallbacks {
  state: DashboardState;
  width: number;
  height: number;
  /** Feeds key-driven UI actions back into the reducer. */
  dispatch: (action: UiAction) => void;
  /** Listen to keys (needs a raw-mode stdin). Default true. */
  keys?: boolean;
}

/** What a key press does, given the current UI state. Pure, so it is tested without a TTY. */
export type KeyCommand =
  | "quit"
  | "pause"
  | "sweep"
  | "flatten-ask"
  | "flatten-yes"
  | "flatten-no"
  | "help"
  | "help-close"
  | null;

export function keyCommand(
  input: string,
  key: Pick<Key, "ctrl" | "escape">,
  ui: DashboardState["ui"],
): KeyCommand {
  if (key.ctrl && input === "c") return "quit";
  if (ui.confirmFlatten) return input === "y" || input === "Y" ? "flatten-yes" : "flatten-no";
  if (ui.help && key.escape) return "help-close";
  switch (input) {
    case "q":
      return "quit";
    case "p":
      return "pause";
    case "s":
      return "sweep";
    case "f":
      return "flatten-ask";
    case "?":
    case "h":
      return "help";
    default:
      return null;
  }
}

/** `helpPages`: how many pages the help takes in this terminal (? turns them, then closes). */
function useDashboardKeys(props: DashboardProps, helpPages: number): void {
  const { state, dispatch } = props;
  useInput(
    (input, key) => {
      switch (keyCommand(input, key, state.ui)) {
        case "quit":
          dispatch({ type: "ui/quitRequested" });
          props.onQuit();
          break;
        case "pause":
          dispatch({ type: "ui/pauseToggled" });
          props.onTogglePause();
          break;
        case "sweep":
          dispatch({ type: "ui/sweepRequested" });
          props.onSweepNow();
          break;
        case "flatten-ask":
          dispatch({ type: "ui/flattenAsked" });
          break;
        case "flatten-yes":
          dispatch({ type: "ui/flattenConfirmed" });
          props.onFlatten();
          break;
        case "flatten-no":
          dispatch({ type: "ui/flattenCancelled" });
          break;
        case "help":
          dispatch({ type: "ui/helpToggled", pages: helpPages });
          break;
        case "help-close":
          dispatch({ type: "ui/helpClosed" });
          break;
        case null:
          break;
      }
    },
    { isActive: props.keys ?? true },
  );
}

function Footer({ state, width, helpPages }: { state: DashboardState; width: number; helpPages: number }) {
  if (state.ui.confirmFlatten) {
    return (
      <Text color="red" bold wrap="truncate-end">
        {truncate("Flatten ALL positions reduce-only? y = yes, any other key = no", width)}
      </Text>
    );
  }
  const notice = state.ui.notice;
  // The last frame of a stopped run: no key acts any more, so none is offered.
  if (state.stopped) {
    return notice ? (
      <Segments segments={[{ text: notice.text, color: "yellow", priority: 10 }]} width={width} />
    ) : null;
  }
  const segments: Segment[] = [
    { text: "q quit", priority: 9 },
    { text: state.paused || state.ui.pendingPause ? "p resume" : "p pause", priority: 7 },
    { text: "s sweep", priority: 5 },
    { text: "f flatten", priority: 6 },
    {
      text: !state.ui.help
        ? "? help"
        : state.ui.helpPage + 1 < helpPages
          ? `? more help ${state.ui.helpPage + 1}/${helpPages}`
          : "? close help",
      priority: 8,
    },
  ];
  if (notice) segments.push({ text: notice.text, color: "yellow", priority: 10 });
  return <Segments segments={segments} width={width} />;
}

/** Lines the frame uses around the positions table, for the given state. */
function layout(state: DashboardState, height: number) {
  const headerLines = 3 + (state.halt ? 1 : 0) + (state.stopped ? 1 : 0);
  const problem =
    state.problem && state.now - state.problem.ts < PROBLEM_MS && !state.halt ? state.problem : null;
  // One line short of the terminal so Ink redraws in place instead of clearing the screen.
  const budget = Math.max(4, height - 1);
  const footer = 1 + (problem ? 1 : 0);
  let slippage = SLIPPAGE_HEIGHT;
  let spacers = 3;
  let body = budget - headerLines - footer - slippage - spacers;
  if (body < 4) {
    spacers = 0;
    body = budget - headerLines - footer - slippage;
  }
  if (body < 3) {
    slippage = 0;
    body = budget - headerLines - footer;
  }
  return { problem, slippage, spacers, body: Math.max(2, body) };
}

export function Dashboard(props: DashboardProps) {
  const { state, width, height } = props;
  const w = Math.max(20, width);
  const { problem, slippage, spacers, body } = layout(state, height);
  const gap = spacers > 0 ? 1 : 0;
  // The help takes the lines of the tables and the slippage panel, a page at a time.
  const helpLines = body + slippage + gap;
  const skipped = skippedByReason(state);
  const pages = helpPages(helpLines, skipped, w).length;
  useDashboardKeys(props, pages);
  return (
    <Box flexDirection="column" width={w}>
      <EventLog entries={state.log} width={w} maxPerFrame={Math.max(10, height)} />
      <Header state={state} width={w} />
      <Box marginTop={gap} flexDirection="column">
        {state.ui.help ? (
          <Help width={w} skipped={skipped} maxLines={helpLines} page={state.ui.helpPage} />
        ) : (
          <Positions
            rows={state.positions}
            width={w}
            maxRows={body - 1}
            loaded={state.equity !== null}
            paused={state.paused}
            several={state.leaders.length > 1}
          />
        )}
      </Box>
      {!state.ui.help && slippage > 0 ? (
        <Box marginTop={gap} flexDirection="column">
          <Slippage state={state} width={w} />
        </Box>
      ) : null}
      <Box marginTop={gap} flexDirection="column">
        {problem ? (
          <Text color={LEVEL_COLOR[problem.level]} wrap="truncate-end">
            {truncate(problem.text, w)}
          </Text>
        ) : null}
        <Footer state={state} width={w} helpPages={pages} />
      </Box>
    </Box>
  );
}
