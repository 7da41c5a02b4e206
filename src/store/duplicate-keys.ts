// A key written twice in one JSON object. JSON.parse keeps the last one and says nothing, so a
// hand-edited file with `"risk"` twice silently loses what the first one said (a leverage cap,
// a coin list). Files hlcopy trades or signs by — the config file, the agent keystore — are
// checked with this before their values are used. No dependency: one pass over the text.

/**
 * The text of a hand-edited JSON file without its byte-order mark, if it has one: a file saved
 * by a Windows editor (Notepad) starts with one and looks right in every editor, but JSON.parse
 * refuses it, so "not valid JSON" could not be fixed by hand.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The path of the first key that appears twice in the same object — `risk`, `risk.maxLeverage`,
 * `leaders[1].weight` — or null when every object's keys are distinct. Keys are compared as
 * JSON reads them (`"a"` and `"\u0061"` are the same key).
 * Call it on text JSON.parse has accepted: it does not validate, and malformed text gives an
 * unspecified answer. Iterative, so a deeply nested file cannot overflow the stack.
 */
export function duplicateKey(text: string): string | null {
  type Frame =
    | { kind: "object"; path: string; keys: Set<string>; key: string | null; expectKey: boolean }
    | { kind: "array"; path: string; index: number };
  const stack: Frame[] = [];
  const join = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`);
  // The path of a value starting now: in an object the key just read, in an array the index.
  const here = (): string => {
    const top = stack.at(-1);
    if (top === undefined) return "";
    return top.kind === "object" ? join(top.path, top.key ?? "") : `${top.path}[${top.index}]`;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // A string: to its closing quote, stepping over every escape (\" and \\ included).
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      const top = stack.at(-1);
      if (top?.kind === "object" && top.expectKey) {
        const key = JSON.parse(text.slice(start, i)) as string;
        if (top.keys.has(key)) return join(top.path, key);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      continue;
    }
    if (c === "{") stack.push({ kind: "object", path: here(), keys: new Set(), key: null, expectKey: true });
    else if (c === "[") stack.push({ kind: "array", path: here(), index: 0 });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") {
      const top = stack.at(-1);
      if (top?.kind === "object") top.expectKey = true;
      else if (top?.kind === "array") top.index++;
    }
    // Anything else — white space, a colon, a number, true/false/null — holds no key.
    i++;
  }
  return null;
}
