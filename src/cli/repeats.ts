// A flag that takes one value is given once. Commander keeps the last of two, so a wrapper or
// alias that adds `--ratio 0.05` while the user types `--ratio 0.5` would trade ten times the
// size without a word: a repeat is refused (exit 2) before anything runs.

import type { EventEmitter } from "node:events";
import type { Command, Option } from "commander";
import { hidePrivateKeys } from "../core/address.js";
import { UsageError } from "../core/errors.js";

/**
 * Refuse a second occurrence of every single-valued option of `cmd` and its subcommands (the
 * global ones too: `--network` or `--account` twice would pick what is traded). Switches
 * (`--dry-run`) and list options (`--fills a.json b.json`, whose values add up) are left as
 * they are; comma lists such as `--allow-coins BTC,ETH` are one value.
 * @throws {UsageError} from the parse, naming the flag and both values.
 */
export function refuseRepeatedOptions(cmd: Command): void {
  for (const option of cmd.options) {
    if (!takesOneValue(option)) continue;
    const key = option.attributeName();
    // Before commander's own listener stores the value: the first one is still there to name.
    // commander's Command is an EventEmitter at run time; its types leave that out.
    (cmd as unknown as EventEmitter).prependListener(`option:${option.name()}`, (value: unknown) => {
      if (cmd.getOptionValueSource(key) !== "cli") return;
      const flag = option.long ?? option.flags;
      throw new UsageError(`${flag} is given twice (${shown(cmd.getOptionValue(key))} and ${shown(value)})`, {
        hint: `give ${flag} once (an alias or script may add it too)`,
      });
    });
  }
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
}

function takesOneValue(option: Option): boolean {
  return (option.required || option.optional) && !option.variadic && !option.negate;
}

function shown(value: unknown): string {
  // `--compare` alone (an optional value left out) is stored as true.
  if (value === true || value === undefined || value === null) return "no value";
  return hidePrivateKeys(String(value));
}
