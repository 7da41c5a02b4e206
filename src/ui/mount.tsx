// Mounts the dashboard on a TTY for `follow`: subscribes to the engine's events, folds them
// into the view model and redraws at most every `minFrameMs` (10 frames/s by default).
// The engine never waits on the UI: the listener only pushes onto a queue; the reducer runs
// on the next frame, so a storm of fills costs one array push per event until then.
// Load it lazily (`await import("../ui/mount.js")`): it pulls in React and Ink.
import { type Instance, render, useStdin, useWindowSize } from "ink";
import { type EngineEvents, STATE_EVERY_MS } from "../engine/events.js";
import { Dashboard, type DashboardProps } from "./Dashboard.js";
import {
  type DashboardInit,
  type DashboardInput,
  type DashboardState,
  initialDashboardState,
  reduceDashboard,
  type UiAction,
} from "./model.js";

/** What the keys ask the engine to do; the engine owns the behaviour. May be async. */
export interface DashboardControls {
  quit: () => void | Promise<void>;
  togglePause: () => void | Promise<void>;
  sweepNow: () => void | Promise<void>;
  flatten: () => void | Promise<void>;
}

export interface MountDashboardOptions {
  events: EngineEvents;
  controls: DashboardControls;
  /** Facts known before the engine's start event (mode, leaders, account, network). */
  initial?: DashboardInit;
  /** Minimum time between frames, ms (default 100 = 10 frames/s). */
  minFrameMs?: number;
  /** Clock tick for ages ("last message 3s ago"), ms (default 1000). */
  tickMs?: number;
  /** Unmount after the engine's stop event has been drawn (default true). */
  exitOnStop?: boolean;
  /** Wall clock (default Date.now): only for the tick; events carry their own ts. */
  now?: () => number;
  // Streams and Ink switches, for tests and benches; defaults are the process's TTY.
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  interactive?: boolean;
  patchConsole?: boolean;
}

export interface DashboardHandle {
  /** Stop listening, draw the final frame and give the terminal back. Idempotent. */
  unmount: () => void;
  /** Resolves once the dashboard is unmounted (by unmount() or after a stop event). */
  waitUntilExit: () => Promise<void>;
  /** The current view model, pending events folded in. */
  getState: () => DashboardState;
  /** events received, frames committed by us (flushes), frames Ink wrote. */
  stats: () => { events: number; flushes: number; frames: number };
}

/** Above this many queued inputs the listener folds them at once (bounded memory in a storm). */
const MAX_QUEUE = 10_000;

/** Sizes the dashboard to the terminal (redrawn on resize); keys only when stdin can do raw mode. */
function Fit(props: Omit<DashboardProps, "width" | "height" | "keys">) {
  const { columns, rows } = useWindowSize();
  const { isRawModeSupported } = useStdin();
  return <Dashboard {...props} width={columns} height={rows} keys={isRawModeSupported} />;
}

export function mountDashboard(options: MountDashboardOptions): DashboardHandle {
  const { events, controls } = options;
  const now = options.now ?? Date.now;
  const minFrameMs = options.minFrameMs ?? 100;
  const exitOnStop = options.exitOnStop ?? true;

  let state = initialDashboardState({ now: now(), ...options.initial });
  const queue: DashboardInput[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastFlushAt = Number.NEGATIVE_INFINITY;
  let stopSeen = false;
  let closed = false;
  const counts = { events: 0, flushes: 0, frames: 0 };

  const fold = () => {
    for (const input of queue) state = reduceDashboard(state, input);
    queue.length = 0;
  };

  const call = (fn: () => void | Promise<void>, what: string) => {
    try {
      Promise.resolve(fn()).catch((error: unknown) =>
        dispatch({ type: "ui/noticed", text: `${what} failed: ${String(error)}` }),
      );
    } catch (error) {
      dispatch({ type: "ui/noticed", text: `${what} failed: ${String(error)}` });
    }
  };

  const tree = () => (
    <Fit
      state={state}
      dispatch={dispatch}
      onQuit={() => call(controls.quit, "quit")}
      onTogglePause={() => call(controls.togglePause, "pause")}
      onSweepNow={() => call(controls.sweepNow, "sweep")}
      onFlatten={() => call(controls.flatten, "flatten")}
    />
  );

  const instance: Instance = render(tree(), {
    stdout: options.stdout,
    stdin: options.stdin,
    stderr: options.stderr,
    interactive: options.interactive,
    patchConsole: options.patchConsole ?? true,
    // Ctrl-C is a key like q: the engine stops cleanly, then the stop event unmounts us.
    exitOnCtrlC: false,
    maxFps: Math.max(1, Math.round(1000 / minFrameMs)),
    onRender: () => {
      counts.frames++;
    },
  });

  function flush() {
    timer = undefined;
    if (closed) return;
    fold();
    lastFlushAt = performance.now();
    counts.flushes++;
    instance.rerender(tree());
    if (stopSeen && exitOnStop) unmount();
  }

  function schedule() {
    if (timer !== undefined || closed) return;
    // Leading edge on the next macrotask (so a synchronous burst lands in one frame), then
    // no more often than minFrameMs.
    timer = setTimeout(flush, Math.max(0, lastFlushAt + minFrameMs - performance.now()));
  }

  // Key presses are applied and drawn at once: a human types slower than any frame rate, and
  // "f" then "y" must see the confirmation state without waiting for the next frame.
  function dispatch(action: UiAction) {
    if (closed) return;
    queue.push(action);
    if (timer !== undefined) clearTimeout(timer);
    flush();
  }

  // The dashboard shows the run's state as often as the engine tells it (4×/s).
  const release = events.wantState(STATE_EVERY_MS);
  const off = events.on((event) => {
    counts.events++;
    queue.push(event);
    if (event.type === "stop") stopSeen = true;
    if (queue.length >= MAX_QUEUE) fold();
    schedule();
  });

  const tick = setInterval(() => {
    queue.push({ type: "ui/tick", now: now() });
    schedule();
  }, options.tickMs ?? 1000);
  tick.unref();

  function unmount() {
    if (closed) return;
    closed = true;
    off();
    release();
    clearInterval(tick);
    if (timer !== undefined) clearTimeout(timer);
    fold();
    instance.rerender(tree());
    instance.unmount();
  }

  return {
    unmount,
    waitUntilExit: async () => {
      await instance.waitUntilExit();
    },
    getState: () => {
      fold();
      return state;
    },
    stats: () => ({ ...counts }),
  };
}
