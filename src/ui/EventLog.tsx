// Event log: each finished line (decisions with reasons, orders, fills, rejections,
// reconnects, halts) is printed once above the live frame with <Static>, so it scrolls into
// the terminal's own scrollback and costs nothing to redraw.
//
// The model keeps only the last N entries (a ring). <Static> tracks what it printed by array
// length, which a ring of constant length would defeat, so each batch of new entries gets a
// fresh <Static> (keyed by its first seq) holding just that batch. Entries that left the ring
// before they could be drawn, or beyond maxPerFrame (a storm between two frames), become one
// "… N not drawn" line.
import { Static, Text } from "ink";
import { useLayoutEffect, useRef } from "react";
import { fmtClock, truncate } from "./format.js";
import { LEVEL_COLOR } from "./layout.js";
import type { LogEntry } from "./model.js";

export interface EventLogProps {
  entries: readonly LogEntry[];
  width: number;
  /**
   * Most lines drawn per frame (the newest); the rest of a storm becomes the "not drawn"
   * line. Lines beyond a screenful per frame scroll away unread and cost render time.
   */
  maxPerFrame?: number;
}

type Printable = LogEntry | { seq: number; skipped: number };

/** One log line as text, cut to the width. */
export function logLineText(entry: LogEntry, width: number): string {
  return truncate(`${fmtClock(entry.ts)} ${entry.text}`, width);
}

export function EventLog({ entries, width, maxPerFrame = 50 }: EventLogProps) {
  const printedSeq = useRef(0);
  const batchKey = useRef("none");
  const fresh = entries.filter((e) => e.seq > printedSeq.current).slice(-Math.max(1, maxPerFrame));
  const first = fresh[0];
  const last = fresh.at(-1);
  const items: Printable[] = [];
  if (first && first.seq > printedSeq.current + 1) {
    items.push({ seq: first.seq - 0.5, skipped: first.seq - printedSeq.current - 1 });
  }
  items.push(...fresh);
  const key = first ? `batch-${first.seq}` : batchKey.current;

  // Remember what this commit printed; render stays a function of props and these marks.
  useLayoutEffect(() => {
    if (last) {
      printedSeq.current = last.seq;
      batchKey.current = key;
    }
  });

  return (
    <Static key={key} items={items}>
      {(item) =>
        "skipped" in item ? (
          <Text key={item.seq} dimColor>
            {truncate(
              `… ${item.skipped} events not drawn (too many at once); --json and the journal have them`,
              width,
            )}
          </Text>
        ) : (
          <Text key={item.seq} color={LEVEL_COLOR[item.level]} dimColor={item.level === "dim"}>
            {logLineText(item, width)}
          </Text>
        )
      }
    </Static>
  );
}
