#!/usr/bin/env bash
# One reconcile sweep for cron: brings the account to the scaled copy of LEADER, appends the
# JSON report to a log, and says (on stderr, which cron mails) when something needs a human.
#
#   */5 * * * * HLCOPY_PASSPHRASE_FILE=~/.hlcopy-pass /path/to/cron-sweep.sh 0xLEADER >> ~/hlcopy-cron.log 2>&1
#
# Environment:
#   HLCOPY_PASSPHRASE_FILE  file (mode 0600) holding the keystore passphrase; or set
#                           HLCOPY_PASSPHRASE / HLCOPY_AGENT_KEY directly.
#   HLCOPY_ACCOUNT          your master account (or `hlcopy config set account 0x…` once).
#   HLCOPY_BIN              the hlcopy command (default: hlcopy on PATH).
# Extra arguments after the leader are passed to reconcile (e.g. --max-leverage 3).
set -uo pipefail

leader="${1:?usage: cron-sweep.sh <leader-address> [reconcile flags…]}"
shift
if [[ -n "${HLCOPY_PASSPHRASE_FILE:-}" && -z "${HLCOPY_PASSPHRASE:-}" ]]; then
  HLCOPY_PASSPHRASE="$(<"$HLCOPY_PASSPHRASE_FILE")"
  export HLCOPY_PASSPHRASE
fi
hlcopy="${HLCOPY_BIN:-hlcopy}"

# --yes: cron has no one to ask; a plan that needs review (the first run, a large move) goes.
# Review it first by hand: hlcopy reconcile <leader> --dry-run
report="$($hlcopy --json reconcile "$leader" --yes "$@")"
code=$?
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
[[ -n "$report" ]] && printf '%s %s\n' "$stamp" "$report"

case $code in
  0) ;;                                                        # in sync
  3) echo "$stamp hlcopy: drift remains after the sweep; the next run retries it" >&2 ;;
  4) echo "$stamp hlcopy: HALTED by a safety rule; see 'hlcopy status', clear with 'hlcopy resume'" >&2 ;;
  2) echo "$stamp hlcopy: usage or config error (exit 2); fix the setup, see the error above" >&2 ;;
  *) echo "$stamp hlcopy: runtime error (exit $code); see the error above" >&2 ;;
esac
exit $code
