// The non-TTY view of `follow` (and `--no-ui`): one line per engine event, human-readable or
// JSON lines with --json. The words come from describe.ts, the same source as the dashboard's
// event log, so both views say the same thing about the same event.

import { shownFigures } from "../core/format.js";
import type { EngineEvent, EngineListener } from "../engine/events.js";
import { describeEvent, describeState, eventRecord } from "./describe.js";
import { fmtClock } from "./format.js";

/** Anything with a write(string), e.g. process.stdout. */
export interface LineSink {
  write(chunk: string): unknown;
}

export interface LineWriterOptions {
  /** JSON lines (`{"ts","type","coin",…}`) instead of human lines. */
  json: boolean;
  out: LineSink;
  /**
   * State events (equity, positions, drift) arrive many times a second; print one at most
   * this often (ms). 0 prints every one; default 60 s. Heartbeats are never printed.
   */
  stateEveryMs?: number;
}

/** Human line: `12:00:01.234 fill BTC buy 0.01 @ 64000.5 exec 1.2 bps vs leader 0.4 bps lag 4ms`. */
export function formatLine(event: EngineEvent): string | null {
  if (event.type === "state") return `${fmtClock(event.ts)} ${describeState(event)}`;
  const line = describeEvent(event);
  return line ? `${fmtClock(event.ts)} ${line.text}` : null;
}

/** JSON line for an event, or null for heartbeats: each figure as the human line shows it. */
export function formatJsonLine(event: EngineEvent): string | null {
  const record = eventRecord(event);
  return record ? JSON.stringify(shownFigures(record)) : null;
}

/** How often event lines print the run's state (ms) unless told otherwise. */
export const LINE_STATE_EVERY_MS = 60_000;

/**
 * A listener for `EngineEvents.on` that writes one line per event to `out`. Synchronous and
 * allocation-light; it never throws back into the engine (the bus contains listener errors).
 */
export function createLineWriter(options: LineWriterOptions): EngineListener {
  const { json, out } = options;
  const stateEveryMs = options.stateEveryMs ?? LINE_STATE_EVERY_MS;
  let lastStateAt: number | null = null;
  return (event) => {
    // An error the run stops on is printed once, as the CLI's `error:` / `hint:` lines on stderr
    // when the run has ended (cli/run-engine.ts); the stop line says how it ended.
    if (!json && event.type === "error" && event.fatal) return;
    if (event.type === "state") {
      if (lastStateAt !== null && event.ts - lastStateAt < stateEveryMs) return;
      lastStateAt = event.ts;
    }
    const line = json ? formatJsonLine(event) : formatLine(event);
    // In the order the run lived them, each at its own time: a stop that takes an on-exit step
    // is told when it begins ("stopping: …"), the step's lines follow, then "stop: …" (the end).
    if (line !== null) out.write(`${line}\n`);
  };
}
