// Which engine events deserve an alert: a pure state machine fed the engine's events and a
// clock tick (for "down longer than N" conditions). No I/O: the sender delivers what it returns.

import type { Alert } from "../core/alerts.js";
import { fmtUsd, roundHalfAway, shortAddress } from "../core/format.js";
import type { Settings } from "../core/settings.js";
import type { EngineEvent } from "../engine/events.js";

/** A rejection storm: this many rejected orders within the window. */
export const REJECTION_STORM = { count: 5, windowMs: 60_000 } as const;
/** Agent approval ending within this many days is worth a word. */
export const AGENT_WARN_DAYS = 7;

export interface AlertRulesState {
  account: string | null;
  network: string | null;
  mode: string | null;
  wsDownSince: number | null;
  wsAlerted: boolean;
  driftSince: number | null;
  driftUsd: number;
  /** The part of driftUsd orders are planned for or a gate holds: the header's "drift $X". */
  outsideUsd: number;
  driftAlerted: boolean;
  rejections: number[];
  rejectionAlertedAt: number | null;
  agentWarnedFor: number | null;
  /** The error the run stops on (a fatal `error` event comes just before the `stop`). */
  fatal: string | null;
}

export type AlertRulesSettings = Pick<Settings["alerts"], "driftMinutes" | "wsDownSeconds">;

export function initialAlertRulesState(): AlertRulesState {
  return {
    account: null,
    network: null,
    mode: null,
    wsDownSince: null,
    wsAlerted: false,
    driftSince: null,
    driftUsd: 0,
    outsideUsd: 0,
    driftAlerted: false,
    rejections: [],
    rejectionAlertedAt: null,
    agentWarnedFor: null,
    fatal: null,
  };
}

const HALT_TEXT: Record<string, string> = {
  "kill-switch": "kill switch",
  "daily-loss": "daily loss limit",
  manual: "manual halt",
  "agent-expired": "agent approval expired",
};

/**
 * A dry or paper run sends its alerts too (a trader trying hlcopy out sees what a live run would
 * tell), each text led by the run's mode: a phone buzzing "hlcopy halted: kill switch" must say
 * at a glance that it was a simulation, not the real account. Live alerts carry no label.
 */
export const MODE_LABEL: Readonly<Record<string, string>> = { "dry-run": "[DRY RUN] ", paper: "[PAPER] " };

function labelled(state: AlertRulesState, alerts: Alert[]): Alert[] {
  const label = state.mode === null ? undefined : MODE_LABEL[state.mode];
  return label ? alerts.map((a) => ({ ...a, text: `${label}${a.text}` })) : alerts;
}

/** Update the state for one event; returns the alerts it raises (often none). Mutates `state`. */
export function alertsForEvent(
  state: AlertRulesState,
  event: EngineEvent,
  settings: AlertRulesSettings,
): Alert[] {
  return labelled(state, rawAlertsForEvent(state, event, settings));
}

function rawAlertsForEvent(
  state: AlertRulesState,
  event: EngineEvent,
  settings: AlertRulesSettings,
): Alert[] {
  const base = () => ({ account: state.account, network: state.network, mode: state.mode });
  switch (event.type) {
    case "start":
      state.account = event.account;
      state.network = event.network;
      state.mode = event.mode;
      return [];
    case "connection":
      // A socket that opens is not up until something comes on it (a heartbeat: any stream
      // message, a reconnect's snapshots first). A stream gone silent is reopened every few
      // seconds, each reopening answered by silence again: reset by "open", the down timer never
      // reached alerts.wsDownSeconds, and 45 s without a leader fill seen alerted nothing.
      // A socket dropped as stale was down from its last message (`downSince`), not from the drop.
      if (event.state !== "open") state.wsDownSince ??= event.downSince ?? event.ts;
      return [];
    case "heartbeat":
      state.wsDownSince = null;
      state.wsAlerted = false;
      return [];
    case "halt":
      // A halt an earlier run recorded, standing at this run's start, was alerted when it
      // happened: a restart is not a new halt (the run's line and dashboard say it still stands).
      if (event.since !== undefined) return [];
      return [
        {
          kind: "halt",
          severity: "critical",
          text: `hlcopy halted: ${HALT_TEXT[event.kind] ?? event.kind} — ${event.reason}`,
          key: `halt:${event.kind}`,
          ts: event.ts,
          fields: { ...base(), halt: event.kind, reason: event.reason },
        },
      ];
    case "leaderFill":
      if (!event.liquidation) return [];
      return [
        {
          kind: "leader-liquidated",
          severity: "critical",
          text: `leader ${shortAddress(event.leader)} was liquidated on ${event.coin}; closing our ${event.coin}`,
          key: `liquidated:${event.leader}:${event.coin}`,
          ts: event.ts,
          fields: { ...base(), leader: event.leader, coin: event.coin, px: event.px, sz: event.sz },
        },
      ];
    case "leader":
      // Its own drawdown limit: the copy of that leader is closed and no longer followed.
      if (event.action !== "unfollowed" || event.kind !== "drawdown") return [];
      return [
        {
          kind: "leader-unfollowed",
          severity: "critical",
          text: `hlcopy stopped following leader ${shortAddress(event.leader)}: ${event.detail.replace(/^stopped following leader \S+: /, "")}`,
          key: `unfollowed:${event.leader}:${event.ts}`,
          ts: event.ts,
          fields: { ...base(), leader: event.leader, reason: "leader-drawdown", detail: event.detail },
        },
      ];
    case "sweep":
      if (event.inSync) {
        state.driftSince = null;
        state.driftAlerted = false;
      } else {
        state.driftSince ??= event.ts;
      }
      state.driftUsd = event.driftUsd;
      state.outsideUsd = event.outsideUsd;
      return rawTimerAlerts(state, event.ts, settings);
    case "order": {
      if (event.status !== "rejected") return [];
      const from = event.ts - REJECTION_STORM.windowMs;
      state.rejections = [...state.rejections.filter((t) => t > from), event.ts];
      const quiet = state.rejectionAlertedAt === null || state.rejectionAlertedAt <= from;
      if (state.rejections.length < REJECTION_STORM.count || !quiet) return [];
      state.rejectionAlertedAt = event.ts;
      return [
        {
          kind: "rejections",
          severity: "warning",
          text: `${state.rejections.length} orders rejected in the last minute (last: ${event.coin}: ${event.error ?? "rejected"})`,
          key: "rejections",
          ts: event.ts,
          fields: {
            ...base(),
            rejected: state.rejections.length,
            coin: event.coin,
            error: event.error ?? null,
          },
        },
      ];
    }
    case "state": {
      const agent = event.agent;
      if (!agent || agent.daysLeft === null || agent.validUntil === null) return [];
      if (agent.daysLeft > AGENT_WARN_DAYS || state.agentWarnedFor === agent.validUntil) return [];
      state.agentWarnedFor = agent.validUntil;
      return [
        {
          kind: "agent-expiring",
          severity: "warning",
          text: `agent approval ends in ${agent.daysLeft} day(s) (${new Date(agent.validUntil).toISOString().slice(0, 10)}): approve it again`,
          key: `agent-expiring:${agent.validUntil}`,
          ts: event.ts,
          fields: {
            ...base(),
            daysLeft: agent.daysLeft,
            validUntil: new Date(agent.validUntil).toISOString(),
          },
        },
      ];
    }
    case "error":
      if (event.fatal) state.fatal = event.message;
      return [];
    case "stop": {
      // "could not start: <the error>": the stop names how the run ended, the error why.
      const reason = state.fatal ? `${event.reason}: ${state.fatal}` : event.reason;
      return [
        {
          kind: "stopped",
          severity: "info",
          text: `hlcopy stopped: ${reason}`,
          key: `stopped:${event.ts}`,
          ts: event.ts,
          fields: { ...base(), reason },
        },
      ];
    }
    default:
      return [];
  }
}

/** Conditions that last: called on every tick and sweep. Mutates `state`. */
export function checkTimers(state: AlertRulesState, now: number, settings: AlertRulesSettings): Alert[] {
  return labelled(state, rawTimerAlerts(state, now, settings));
}

function rawTimerAlerts(state: AlertRulesState, now: number, settings: AlertRulesSettings): Alert[] {
  const out: Alert[] = [];
  const base = { account: state.account, network: state.network, mode: state.mode };
  if (
    state.wsDownSince !== null &&
    !state.wsAlerted &&
    now - state.wsDownSince >= settings.wsDownSeconds * 1000
  ) {
    state.wsAlerted = true;
    const seconds = Math.round((now - state.wsDownSince) / 1000);
    out.push({
      kind: "ws-down",
      severity: "warning",
      text: `websocket down for ${seconds}s: leader fills are not seen (sweeps still repair drift)`,
      key: "ws-down",
      ts: now,
      fields: { ...base, downSeconds: seconds, since: new Date(state.wsDownSince).toISOString() },
    });
  }
  if (
    state.driftSince !== null &&
    !state.driftAlerted &&
    now - state.driftSince >= settings.driftMinutes * 60_000
  ) {
    state.driftAlerted = true;
    const minutes = Math.round((now - state.driftSince) / 60_000);
    out.push({
      kind: "drift",
      severity: "warning",
      // The dashboard header's figure (core/drift.ts driftText): the drift orders are planned for
      // or a gate holds, not the tolerated part beside it (fields: driftUsd has all of it).
      text: `not in sync for ${minutes} min: drift ${fmtUsd(state.outsideUsd)}`,
      key: "drift",
      ts: now,
      fields: {
        ...base,
        driftUsd: roundHalfAway(state.driftUsd, 2),
        outsideUsd: roundHalfAway(state.outsideUsd, 2),
        minutes,
      },
    });
  }
  return out;
}
