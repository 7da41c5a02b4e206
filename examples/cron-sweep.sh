#!/usr/bin/env bash
# One reconcile sweep for cron: brings the account to the scaled copy of LEADER, appends the
# JSON report to a log, and says (on stderr, which cron mails) when something needs a human.
#
#   */5 * * * * HLCOPY_PASSPHRASE_FILE=$HOME/.hlcopy-pass /path/to/hlcopy/examples/cron-sweep.sh 0xLEADER >> $HOME/hlcopy-cron.log 2>&1
#
# Works under cron's minimal environment (PATH=/usr/bin:/bin, no XDG_RUNTIME_DIR): run from a
# clone (npm install done), it runs that clone's hlcopy with the clone's own Node 24
# (node_modules/.bin/node), never the machine's older `node` or an `hlcopy` cron cannot find.
# The lock it takes is the one a follow in your shell or a service holds (no variable needed):
# while a follow trades the account, the sweep is refused (exit 1) and sends nothing. A pause
# recorded with `hlcopy pause` holds it (exit 4, logged as PAUSED) until `hlcopy resume`; so does
# the halt of a `hlcopy flatten` (exit 4, logged as HALTED (manual)). A safety rule's halt is
# said on stderr with its reason (mailed).
#
# Environment:
#   HLCOPY_PASSPHRASE_FILE  file (mode 0600) holding the keystore passphrase; or set
#                           HLCOPY_PASSPHRASE (not both) / HLCOPY_AGENT_KEY directly.
#   HLCOPY_ACCOUNT          your master account (or `hlcopy config set account 0x…` once).
#   HLCOPY_BIN              the hlcopy command (default: this clone's bin/hlcopy.js with its
#                           own Node; outside a clone, hlcopy on PATH).
# Extra arguments after the leader are passed to reconcile (e.g. --max-leverage 3).
set -uo pipefail

leader="${1:?usage: cron-sweep.sh <leader-address> [reconcile flags…]}"
shift
# HLCOPY_PASSPHRASE_FILE is read by hlcopy itself (an empty or unreadable file is named there):
# copying it into HLCOPY_PASSPHRASE would put the secret in the environment, and hlcopy refuses
# both variables set at once.
# The clone this script is in: its bin/hlcopy.js with its pinned Node (a dev dependency).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${HLCOPY_BIN:-}" ]]; then
  read -r -a hlcopy <<<"$HLCOPY_BIN"
elif [[ -x "$repo/node_modules/.bin/node" && -f "$repo/bin/hlcopy.js" ]]; then
  hlcopy=("$repo/node_modules/.bin/node" "$repo/bin/hlcopy.js")
elif command -v hlcopy >/dev/null 2>&1; then
  hlcopy=(hlcopy)
else
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) hlcopy: not found (run npm install in $repo, or set HLCOPY_BIN to the hlcopy command)" >&2
  exit 2
fi

# --yes: cron has no one to ask; a plan that needs review (the first run, a large move) goes.
# Review it first by hand: hlcopy reconcile <leader> --dry-run
report="$("${hlcopy[@]}" --json reconcile "$leader" --yes "$@")"
code=$?
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
[[ -n "$report" ]] && printf '%s %s\n' "$stamp" "$report"

case $code in
  0) ;;                                                        # in sync
  3) echo "$stamp hlcopy: drift remains after the sweep; the next run retries it" >&2 ;;
  4)
    # Exit 4 is a halt or a pause (hlcopy pause): the report's "halt" and "paused" tell them
    # apart. A safety rule's halt (kill switch, daily loss) needs you: mailed, with its reason,
    # a pause standing or not. A pause, or the halt of a flatten you asked for (manual), is
    # yours: logged, not mailed every run until you resume.
    halt_re='"halt":\{"kind":"([a-z-]+)","reason":"(([^"\\]|\\.)*)"'
    kind=""
    reason=""
    if [[ "$report" =~ $halt_re ]]; then
      kind="${BASH_REMATCH[1]}"
      reason="${BASH_REMATCH[2]}"
    fi
    if [[ -n "$kind" && "$kind" != "manual" ]]; then
      echo "$stamp hlcopy: HALTED ($kind): $reason; see 'hlcopy status', clear with 'hlcopy resume'" >&2
    elif [[ "$report" == *'"paused":{'* ]]; then
      echo "$stamp hlcopy: PAUSED (hlcopy pause): nothing sent; 'hlcopy resume' to trade again"
    elif [[ "$kind" == "manual" ]]; then
      echo "$stamp hlcopy: HALTED (manual): $reason; only reductions are sent; 'hlcopy resume' to trade again"
    else
      echo "$stamp hlcopy: HALTED by a safety rule; see 'hlcopy status', clear with 'hlcopy resume'" >&2
    fi
    ;;
  2) echo "$stamp hlcopy: usage or config error (exit 2); fix the setup, see the error above" >&2 ;;
  *) echo "$stamp hlcopy: runtime error (exit $code); see the error above" >&2 ;;
esac
exit $code
