// The error family, grouped by what the caller should DO, not by where it came from.
// The engine branches on each error's `action` (retry / skip / stop), never on message text; the CLI
// prints `error: <message>` and `hint: <hint>` and exits with `exitCode`.

export type ErrorAction = "retry" | "skip" | "stop";

/** Exit codes of the CLI contract (design.md §8). */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  drift: 3,
  halted: 4,
  /** 128 + SIGINT: the user pressed Ctrl-C at a prompt, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface HlcopyErrorOptions {
  /** One line telling the user what to do next. */
  hint?: string;
  /** Extra facts for --debug and the journal (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
  exitCode?: ExitCode;
}

/** Base class: a short message, a hint, details, an exit code and an action. */
export class HlcopyError extends Error {
  override name = "HlcopyError";
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;
  readonly exitCode: ExitCode;
  /** What the engine should do when it meets this error. */
  readonly action: ErrorAction = "stop";

  constructor(message: string, options: HlcopyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.details = options.details ?? {};
    this.exitCode = options.exitCode ?? ExitCode.runtime;
  }
}

/** Bad input from the user: a flag, a setting, an address. Exit 2, nothing changed. */
export class UsageError extends HlcopyError {
  override name = "UsageError";
  constructor(message: string, options: HlcopyErrorOptions = {}) {
    super(message, { ...options, exitCode: options.exitCode ?? ExitCode.usage });
  }
}

/** A setting that fails its schema, naming the key, the value and what is allowed. */
export class ValidationError extends UsageError {
  override name = "ValidationError";
  readonly key: string;
  constructor(key: string, message: string, options: HlcopyErrorOptions = {}) {
    super(message, { ...options, details: { key, ...options.details } });
    this.key = key;
  }
}

/** Something on disk (config, keystore, journal) is unreadable. Exit 2, the file is left alone. */
export class ConfigError extends UsageError {
  override name = "ConfigError";
}

/** A transient problem (timeout, 5xx, 429, dropped socket): retry with backoff. */
export class RetryableError extends HlcopyError {
  override name = "RetryableError";
  override readonly action: ErrorAction = "retry";
}

/**
 * The hint of a rate limit (HTTP 429) in follow, where every error the adapter translates is
 * told: its remedies are follow's. A one-shot command that ends on a 429 says its own
 * (cli/rate-limit.ts).
 */
export const RATE_LIMIT_FOLLOW_HINT =
  "wait a minute before running again; if it persists, follow fewer leaders or sweep less often";

/**
 * The hint of an agent approval that did not run (after its retries: 429s, a refused nonce, a
 * lost request the exchange does not list): the adapter's error carries it, and a 429 that ends
 * `agent approve` says it too (cli/rate-limit.ts) — one message, whichever way it ended.
 */
export const APPROVE_AGAIN_HINT = "nothing was approved: wait a minute, then run hlcopy agent approve again";

/**
 * The journal is held by another program (a backup tool, a SQLite browser, another hlcopy at its
 * prompt): what could not be written waits in memory and is retried; the run goes on.
 */
export class JournalBusyError extends RetryableError {
  override name = "JournalBusyError";
}

/** Rate-limited by the exchange (HTTP 429): back off before the next request. */
export class RateLimitError extends RetryableError {
  override name = "RateLimitError";
}

/**
 * The outcome of a request is unknown (timeout, 5xx after sending). The order may or may
 * not exist: resolve it by cloid before anything is re-sent.
 */
export class UncertainOutcomeError extends RetryableError {
  override name = "UncertainOutcomeError";
}

/** The exchange refused this one thing (order rejected, margin): skip it this round. */
export class SkipError extends HlcopyError {
  override name = "SkipError";
  override readonly action: ErrorAction = "skip";
}

/** The exchange rejected an order; `message` is the exchange's own text. */
export class OrderRejectedError extends SkipError {
  override name = "OrderRejectedError";
}

/** A human must act: not approved, halted, lock held, wrong key. */
export class OperationalError extends HlcopyError {
  override name = "OperationalError";
}

/**
 * The exchange does not know the signing agent ("User or API Wallet 0x… does not exist."):
 * its approval expired or was removed. Nothing can be signed, reductions included, until it
 * is approved again. Exit 4 (trading halted).
 */
export class AgentNotApprovedError extends OperationalError {
  override name = "AgentNotApprovedError";
  constructor(message: string, options: HlcopyErrorOptions = {}) {
    super(message, { ...options, exitCode: options.exitCode ?? ExitCode.halted });
  }
}

/** A safety rule halted trading (kill switch). Exit 4. */
export class HaltedError extends OperationalError {
  override name = "HaltedError";
  constructor(message: string, options: HlcopyErrorOptions = {}) {
    super(message, { ...options, exitCode: ExitCode.halted });
  }
}

/** Turn anything thrown into an HlcopyError, keeping the original as `cause`. */
export function toHlcopyError(error: unknown): HlcopyError {
  if (error instanceof HlcopyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HlcopyError(message.split("\n")[0] ?? "unexpected error", {
    cause: error,
    hint: "run again with --debug for the stack trace, and report it if it persists",
  });
}
