// One status line made of coloured segments; the ones that do not fit the width are dropped
// (lowest priority first), so a narrow terminal never wraps a line in half.
import { Text } from "ink";
import { fitSegments, type Segment } from "./layout.js";

export interface SegmentsProps {
  segments: readonly (Segment | null | false)[];
  width: number;
  gap?: number;
}

export function Segments({ segments, width, gap = 2 }: SegmentsProps) {
  const present = segments.filter((s): s is Segment => Boolean(s) && (s as Segment).text !== "");
  const shown = fitSegments(present, width, gap);
  const spacer = " ".repeat(gap);
  return (
    <Text wrap="truncate-end">
      {shown.map((s, i) => (
        <Text key={`${s.priority}:${s.text}`}>
          {i > 0 ? (s.detail ? " " : spacer) : ""}
          <Text color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
            {s.text}
          </Text>
        </Text>
      ))}
    </Text>
  );
}
