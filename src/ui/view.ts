// The one entry point `follow` (and `demo`) call to show a run: the Ink dashboard on an
// interactive terminal, otherwise one line (or JSON line) per event. Ink and React are
// imported only when the dashboard is chosen. Either way a view model is kept, so the run's
// summary reads the same in both modes.

import type { EngineEvents } from "../engine/events.js";
import { createLineWriter, LINE_STATE_EVERY_MS, type LineSink } from "./lines.js";
import {
  type DashboardInit,
  type DashboardState,
  initialDashboardState,
  type RunSummary,
  reduceDashboard,
  runSummary,
} from "./model.js";
import type { DashboardControls, DashboardHandle, MountDashboardOptions } from "./mount.js";

export interface ViewChoice {
  /** --no-ui */
  noUi: boolean;
  /** --json */
  json: boolean;
  stdout: { isTTY?: boolean };
  stdin: { isTTY?: boolean };
}

/** The dashboard needs a terminal both ways (keys in, frames out) and no --no-ui / --json. */
export function shouldUseDashboard(c: ViewChoice): boolean {
  return !c.noUi && !c.json && Boolean(c.stdout.isTTY) && Boolean(c.stdin.isTTY);
}

export interface StartViewOptions {
  events: EngineEvents;
  controls: DashboardControls;
  initial?: DashboardInit;
  /** Draw the dashboard (see shouldUseDashboard); otherwise write lines to `out`. */
  dashboard: boolean;
  json: boolean;
  /** Where lines go (default process.stdout). */
  out?: LineSink;
  /** Print a state line at most this often in line mode (ms, default 60 s). */
  stateEveryMs?: number;
  /** Terminal streams and frame rate for the dashboard (tests); defaults are the process's. */
  terminal?: Pick<
    MountDashboardOptions,
    "stdout" | "stdin" | "stderr" | "interactive" | "patchConsole" | "minFrameMs"
  >;
}

export interface FollowView {
  readonly kind: "dashboard" | "lines";
  /** The view model so far (in line mode without its log: the lines are the log). */
  state(): DashboardState;
  /** Copied trades, skips, final drift, slippage and lag: the end-of-run summary. */
  summary(): RunSummary;
  /** Stop listening and give the terminal back (the dashboard draws its last frame). */
  close(): Promise<void>;
  /** Settles when the view has ended: the dashboard after the engine's stop event or close(). */
  readonly done: Promise<void>;
}

/**
 * Start showing a run. Call before the engine starts so the start event is seen.
 * @throws only what importing Ink can throw (a broken install).
 */
export async function startView(options: StartViewOptions): Promise<FollowView> {
  const { events } = options;
  if (options.dashboard) {
    const { mountDashboard } = await import("./mount.js");
    const handle: DashboardHandle = mountDashboard({
      events,
      controls: options.controls,
      initial: options.initial,
      // Both ends are a terminal (shouldUseDashboard): draw it live even where CI is set in the
      // environment — Ink would otherwise draw nothing until the run ends (its CI detection).
      interactive: true,
      ...options.terminal,
    });
    const done = handle.waitUntilExit();
    return {
      kind: "dashboard",
      state: handle.getState,
      summary: () => runSummary(handle.getState()),
      close: async () => {
        handle.unmount();
        await done;
      },
      done,
    };
  }

  // Lines: the writer prints each event as it comes; the model folds them in batches so
  // the engine's emit stays a push.
  const out = linesOfOneTurn(options.out ?? process.stdout);
  const writeLine = createLineWriter({ json: options.json, out, stateEveryMs: options.stateEveryMs });
  // The lines tell each event; the model is read for the summary only, so it keeps no log
  // (describing every event a second time, and its ring of 200, was ~5 % of a busy follow's CPU).
  let model = initialDashboardState({
    ...options.initial,
    capacity: { ...options.initial?.capacity, log: 0 },
  });
  const pending: Parameters<typeof reduceDashboard>[1][] = [];
  const fold = () => {
    for (const e of pending) model = reduceDashboard(model, e);
    pending.length = 0;
  };
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  // The engine tells its state no faster than these lines print it.
  const release = events.wantState(options.stateEveryMs ?? LINE_STATE_EVERY_MS);
  const off = events.on((event) => {
    writeLine(event);
    pending.push(event);
    if (pending.length >= 1000) fold();
    if (event.type === "stop") resolveDone();
  });
  return {
    kind: "lines",
    state: () => {
      fold();
      return model;
    },
    summary: () => {
      fold();
      return runSummary(model);
    },
    close: async () => {
      off();
      release();
      out.flush();
      resolveDone();
    },
    done,
  };
}

/**
 * The lines told in one turn of the event loop leave in one write, at its end: a copied trade's
 * leader fill, decision, order and fill lines are one system call instead of four (each a
 * write to the terminal or pipe, on the process's one thread). In order, and never later than
 * that turn: flushed by a microtask, or at once by `flush`.
 */
function linesOfOneTurn(out: LineSink): LineSink & { flush(): void } {
  let buffer = "";
  const flush = (): void => {
    if (buffer === "") return;
    const text = buffer;
    buffer = "";
    out.write(text);
  };
  return {
    write(chunk: string) {
      if (buffer === "") queueMicrotask(flush);
      buffer += chunk;
    },
    flush,
  };
}
