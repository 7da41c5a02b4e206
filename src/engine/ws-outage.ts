// The websocket down for a while: its drop is one `ws reconnecting` line, and the dashboard's
// header shows it; but a socket refused for an hour (a proxy that will not upgrade, a firewall)
// said nothing more while event lines went on saying "in sync" from the sweeps. Said once per
// outage, at the first sweep that finds it down for OUTAGE_SAY_MS: what copying rests on meanwhile.

import type { PartBase } from "./ports.js";

/** How long the websocket must have been down before a sweep says so (a blip says nothing). */
export const OUTAGE_SAY_MS = 10_000;

export interface WsOutageOptions extends Pick<PartBase, "emit" | "now"> {
  /** exec.sweepSeconds: how often the sweeps that copy meanwhile come. */
  sweepSeconds: number;
}

export class WsOutage {
  readonly #o: WsOutageOptions;
  /** Since when the websocket has been down (its first drop since it was last open); null when up. */
  #since: number | null = null;
  /** Why it dropped, as the transport said (the last drop). */
  #reason = "";
  #said = false;

  constructor(options: WsOutageOptions) {
    this.#o = options;
  }

  /** The connection dropped (down since `since`: a stale socket's last message): an outage begins (or goes on). */
  dropped(reason: string, since = this.#o.now()): void {
    this.#since ??= since;
    this.#reason = reason;
  }

  /**
   * A message came on the stream: the outage (if any) ends. Not the reopening itself: a silent
   * stream is reopened every half minute and each socket opens at once, then says nothing — the
   * outage goes on, and is said once, from when it went silent.
   */
  heard(): void {
    if (this.#since === null) return;
    this.#since = null;
    this.#said = false;
  }

  /** At each sweep: an outage that has lasted OUTAGE_SAY_MS is said, once. */
  atSweep(): void {
    if (this.#since === null || this.#said) return;
    const downMs = this.#o.now() - this.#since;
    if (downMs < OUTAGE_SAY_MS) return;
    this.#said = true;
    this.#o.emit({
      type: "warning",
      ts: this.#o.now(),
      message: `websocket down for ${Math.round(downMs / 1000)}s (${this.#reason}): the leaders' trades are copied only at each sweep (every ${this.#o.sweepSeconds}s) until it is back — reconnecting; the run goes on`,
    });
  }
}
