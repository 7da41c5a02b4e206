// The exchange deserializes request bodies strictly (serde): an integer field takes a JSON
// number, a decimal field a JSON string, an enum one of its variant names. The SDK's valibot
// schemas, which the simulator parses with, are lenient on purpose (they coerce "0" to 0 and
// 92000 to "92000" before signing), so a body that mainnet answers with 422 would be accepted.
// `strictMismatch` walks a schema next to the raw body and names the first value mainnet would
// refuse, in serde's words, before the lenient parse runs.

import * as v from "valibot";

interface Node {
  type: string;
  pipe?: readonly Node[];
  entries?: Record<string, Node>;
  item?: Node;
  wrapped?: Node;
  options?: readonly (Node | string | number)[];
}

/** What a field's pipe turns its input into: a number (integers), a string (decimals), or neither. */
function coercion(schema: Node): "number" | "string" | null {
  const pipe = schema.pipe;
  if (!pipe) return null;
  for (const step of pipe.slice(1)) {
    if (step.type === "to_number") return "number";
    if (step.type === "to_string") return "string";
  }
  const base = pipe[0];
  return base && base !== schema ? coercion(base) : null;
}

/** serde's description of a JSON value in "invalid type: …" messages. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "boolean") return `boolean \`${value}\``;
  if (typeof value === "number")
    return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (Array.isArray(value)) return "a sequence";
  return "a map";
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const at = (path: string, message: string): string => (path ? `${path}: ${message}` : message);

/**
 * The first value of `value` that the exchange's strict deserializer refuses, as
 * `path: message` (e.g. `action.orders[0].a: invalid type: string "0", expected an integer`), or
 * null. Only JSON types and enum variants are checked; formats and ranges are left to the schema.
 */
export function strictMismatch(schema: v.GenericSchema, value: unknown, path = ""): string | null {
  const node = schema as unknown as Node;
  const kind = coercion(node);
  if (kind === "number" && typeof value !== "number")
    return at(path, `invalid type: ${describe(value)}, expected an integer`);
  if (kind === "string" && typeof value !== "string")
    return at(path, `invalid type: ${describe(value)}, expected a string`);
  if (kind !== null) return null;
  const sub = (s: Node | undefined, x: unknown, p: string) =>
    s ? strictMismatch(s as unknown as v.GenericSchema, x, p) : null;
  switch (node.type) {
    case "object": {
      if (!isMap(value)) return at(path, `invalid type: ${describe(value)}, expected a map`);
      for (const [key, entry] of Object.entries(node.entries ?? {})) {
        if (!(key in value)) continue;
        const found = sub(entry, value[key], path ? `${path}.${key}` : key);
        if (found) return found;
      }
      return null;
    }
    case "array": {
      if (!Array.isArray(value)) return at(path, `invalid type: ${describe(value)}, expected a sequence`);
      for (let i = 0; i < value.length; i++) {
        const found = sub(node.item, value[i], `${path}[${i}]`);
        if (found) return found;
      }
      return null;
    }
    case "optional":
    case "exact_optional":
    case "nullish":
    case "nullable":
      return value === undefined || (value === null && node.type !== "optional")
        ? null
        : sub(node.wrapped, value, path);
    case "boolean":
      return typeof value === "boolean"
        ? null
        : at(path, `invalid type: ${describe(value)}, expected a boolean`);
    case "string":
      return typeof value === "string"
        ? null
        : at(path, `invalid type: ${describe(value)}, expected a string`);
    case "picklist": {
      const options = (node.options ?? []) as readonly (string | number)[];
      if (options.includes(value as string | number)) return null;
      const names = options.map((o) => `\`${o}\``).join(", ");
      // A name is a variant only of an enum of names: "27" for `v` (27 or 28) is a string where
      // an integer goes, not an unknown variant "expected one of `27`, `28`".
      const ofNames = options.every((o) => typeof o === "string");
      return typeof value === "string" && ofNames
        ? at(path, `unknown variant \`${value}\`, expected one of ${names}`)
        : typeof value === "string"
          ? at(path, `invalid type: ${describe(value)}, expected an integer`)
          : at(path, `invalid type: ${describe(value)}, expected one of ${names}`);
    }
    case "union": {
      // An option fits when the strict walk and the schema itself both accept the value. When
      // none fits, report the option a map's keys point at (an enum's tag), else the first.
      const options = (node.options ?? []) as readonly Node[];
      let chosen: string | null = null;
      for (const option of options) {
        const found = sub(option, value, path);
        if (found === null && v.is(option as unknown as v.GenericSchema, value)) return null;
        const keys = isMap(value) ? Object.keys(value) : [];
        const tagged = option.type === "object" && keys.some((k) => k in (option.entries ?? {}));
        if (found !== null && (chosen === null || tagged)) chosen = found;
        if (tagged && found !== null) break;
      }
      return chosen ?? at(path, `data did not match any variant (${describe(value)})`);
    }
    default:
      return null;
  }
}
