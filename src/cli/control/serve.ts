// The running follow's side of the control channel: answer pause / resume / flatten / stop
// from `hlcopy pause|resume|flatten|stop` through the engine's own controls (the dashboard's keys),
// and keep the pause marker in step with the run's pause (store/control.ts pendingPausePath): a
// pause stands until resumed, across a restart, and `hlcopy status` reads it there.

import { utcMinute } from "../../core/format.js";
import type { CopyEngine } from "../../engine/engine.js";
import type { EngineEvents } from "../../engine/events.js";
import {
  CONTROL_STATE_KEY,
  type ControlCommand,
  type ControlReply,
  type ControlServer,
  clearPendingPause,
  controlSocketPath,
  pendingPausePaths,
  recordPendingPause,
  startControlServer,
  takePendingPauses,
} from "../../store/control.js";
import type { Journal } from "../../store/journal.js";
import { lockDir, lockDirs, lookDirs } from "../../store/lock.js";
import type { CliContext } from "../context.js";

export interface ServeControlParameters {
  ctx: CliContext;
  account: string;
  engine: Pick<CopyEngine, "togglePause" | "flatten" | "stop" | "resume" | "acting" | "warn">;
  events: EngineEvents;
  /** Where the socket is recorded for commands that cannot see the lock (its directory is elsewhere). */
  journal?: Pick<Journal, "setCopyState">;
  /**
   * A paper run (follow --paper): its pause is kept in the paper runs' marker, so it never holds
   * a live follow or reconcile, and it starts paused only by a paper pause (store/control.ts).
   */
  paper?: boolean;
}

/**
 * Start the control socket of this run, and apply a pause recorded while no follow ran.
 * Call it once the account's lock is held.
 */
export async function serveControl(p: ServeControlParameters): Promise<ControlServer> {
  const dir = lockDir(p.ctx.env);
  // The pause marker goes where `hlcopy pause` records one — every lock directory of this
  // environment, the fixed per-user one included — so status, a dry run and the next follow see
  // it from a shell whatever its HLCOPY_LOCK_DIR (they look in every candidate directory).
  const paper = p.paper === true;
  const markers = pendingPausePaths(lockDirs(p.ctx.env), p.ctx.network, p.account, paper);
  /** How the replies name this run: the trader sees which run the command reached. */
  const run = paper ? "the running paper follow" : "the running follow";
  let paused = false;
  /** When the pause this run starts with was asked for (it has stood since then). */
  let standingSince: number | null = null;
  const off = p.events.on((e) => {
    if (e.type !== "paused") return;
    paused = e.paused;
    try {
      for (const marker of markers) {
        if (e.paused) recordPendingPause(marker, standingSince ?? e.ts, process.pid);
        else clearPendingPause(marker);
      }
    } catch (error) {
      p.events.emit({
        type: "warning",
        ts: Date.now(),
        message: `could not record the pause (hlcopy status will not show it${e.paused ? ", and a restart would not keep it" : ""}): ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    standingSince = null;
  });
  const reply = (did: string, message: string): ControlReply => ({
    ok: true,
    did,
    message,
    pid: process.pid,
    paused,
    ...(paper ? { paper: true } : {}),
  });
  const handle = (command: ControlCommand): ControlReply => {
    switch (command) {
      case "pause":
        if (paused) return reply("already-paused", `${run} was already paused`);
        p.engine.togglePause();
        // Still at its start: it sends nothing before its yes, and starts paused after it.
        if (!p.engine.acting)
          return reply(
            "paused",
            `paused ${run}, still at its start, waiting at its review or passphrase prompt: once confirmed there it starts paused: no leader trade copied until hlcopy resume`,
          );
        return reply(
          "paused",
          paper
            ? "paused the running paper follow: no leader trade copied until hlcopy resume (the pause is the paper runs': a live follow or reconcile is not held by it)"
            : "paused the running follow: no leader trade copied until hlcopy resume",
        );
      case "resume": {
        // hlcopy resume has cleared the journal's halt (if any) first: the run drops it too.
        const r = p.engine.resume();
        if (!r.unpaused && !r.haltCleared) return reply("not-paused", `${run} was not paused`);
        if (!p.engine.acting)
          return reply(
            "resumed",
            `resumed ${run}, still at its start, waiting at its review or passphrase prompt: it sends once confirmed there`,
          );
        return reply(
          "resumed",
          r.haltCleared
            ? `${run}'s halt is cleared: copying again (a sweep catches up now)`
            : `resumed ${run}: copying again (a sweep catches up now)`,
        );
      }
      case "flatten": {
        // Said as where it came from, as a flatten with no follow running journals it.
        p.engine.flatten("flatten requested (hlcopy flatten)");
        // A paused run sends a halt's closes all the same (engine #execute); flatten lifts the
        // pause as well, as it always has (its reply says so): the halt (set first) lets nothing
        // but the reduce-only closes through.
        const wasPaused = paused;
        if (wasPaused) p.engine.togglePause();
        // Still at its start (its review or passphrase prompt): nothing is sent before its yes.
        if (!p.engine.acting)
          return reply(
            "flattening",
            `${run} halted (manual) but is still at its start, waiting at its review or passphrase prompt: it closes every position reduce-only once confirmed there (a no sends nothing, the halt stays); hlcopy resume to trade again`,
          );
        return reply(
          "flattening",
          `${run} halted (manual)${wasPaused ? ", its pause lifted," : ""} and is closing every position reduce-only; hlcopy resume to trade again`,
        );
      }
      case "stop":
        void p.engine.stop("stop requested (hlcopy stop)");
        return reply("stopping", `${run} is stopping: nothing new is sent, the order in flight is awaited`);
    }
  };
  const server = await startControlServer(controlSocketPath(dir, p.ctx.network, p.account), handle);
  const record = (value: unknown) => {
    try {
      p.journal?.setCopyState(CONTROL_STATE_KEY, value, Date.now());
    } catch {
      // the journal is closing or the disk failed: the engine reports that itself
    }
  };
  // Once the run has swept (its journal exists then: a refused start leaves none behind).
  let recorded = false;
  const offRecord = p.events.on((e) => {
    if (e.type !== "sweep" || recorded) return;
    recorded = true;
    record({ pid: process.pid, socket: server.path });
  });
  // A pause recorded by a command in any environment (each records it where it locks).
  const pendingAt = takePendingPauses(
    pendingPausePaths(lookDirs(p.ctx.env), p.ctx.network, p.account, paper),
  );
  if (pendingAt !== null) {
    standingSince = pendingAt || null;
    p.engine.togglePause();
    // With the run's warnings, once its start checks pass (CopyEngine.warn): a run they refuse
    // never started, paused or not.
    p.engine.warn(
      paper
        ? `started paused: a paper runs' pause stands${pendingAt ? ` since ${utcMinute(pendingAt)}` : ""} (hlcopy pause --paper, or an earlier paper follow that ended paused); hlcopy resume to send`
        : `started paused: a pause stands${pendingAt ? ` since ${utcMinute(pendingAt)}` : ""} (hlcopy pause, or an earlier follow that ended paused); hlcopy resume to send`,
    );
  }
  return {
    path: server.path,
    async close() {
      off();
      offRecord();
      if (recorded) record(null);
      await server.close();
      // The marker stays: the next follow starts paused. Said, so a quit while paused is not a
      // surprise at the next start — by a run that started (CopyEngine.warn: a run its start
      // checks refused says its refusal alone).
      if (paused)
        p.engine.warn(
          paper
            ? "stopped while paused: the pause stands for paper runs, the next follow --paper starts paused (hlcopy resume --paper to lift it); live runs are not held by it"
            : "stopped while paused: the pause stands, the next follow starts paused (hlcopy resume to lift it)",
        );
    },
  };
}
