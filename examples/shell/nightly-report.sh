#!/usr/bin/env bash
# A nightly report that must never run twice at once — whichever machine's cron starts it.
# `sluice run` is a distributed flock: it takes the semaphore's one permit, runs the report
# while heartbeating the permit, and releases it when the report exits (also on Ctrl-C/SIGTERM).
#
#   crontab:  0 2 * * *  SLUICE_SERVER=http://sluice.internal:8080 /opt/jobs/nightly-report.sh
#
# Settings (environment): SLUICE_SERVER (default http://localhost:8080), SLUICE_API_KEY,
# SEMAPHORE (default nightly-report), WAIT (how long to queue for the permit, default 10m),
# REPORT_SECONDS (how long the stand-in work takes, default 5), REPORT_LOG (default /dev/stdout).
set -euo pipefail
SEMAPHORE="${SEMAPHORE:-nightly-report}"
WAIT="${WAIT:-10m}"
REPORT_LOG="${REPORT_LOG:-/dev/stdout}"

if [ "${1:-}" = "--holding-permit" ]; then
  # The work itself, run by `sluice run` below with the permit in its environment. Pass the
  # fencing token to whatever the report writes to, so that a stale holder can be refused.
  echo "start $SLUICE_FENCING_TOKEN" >> "$REPORT_LOG"
  sleep "${REPORT_SECONDS:-5}"          # stands in for: ./generate-report --fencing-token "$SLUICE_FENCING_TOKEN"
  echo "end $SLUICE_FENCING_TOKEN" >> "$REPORT_LOG"
  exit 0
fi

# The semaphore: one report at a time. Exit code 3 means "not found": create it then.
status=0
sluice semaphore get "$SEMAPHORE" >/dev/null 2>&1 || status=$?
case "$status" in
  0) ;;
  3) sluice semaphore create "$SEMAPHORE" --limit 1 --lease 1m >/dev/null ;;
  *) echo "nightly-report: cannot reach Sluice (exit $status)" >&2; exit "$status" ;;
esac

# Queue for the permit (FIFO) for up to $WAIT, then run the report holding it.
status=0
sluice run "$SEMAPHORE" --wait "$WAIT" -- "$0" --holding-permit || status=$?
case "$status" in
  0) ;;
  4) echo "nightly-report: another report held the permit for all of $WAIT; skipping this run" >&2; exit 0 ;;
  5) echo "nightly-report: the permit was lost mid-report (Sluice unreachable); the report was stopped" >&2; exit 5 ;;
  *) echo "nightly-report: failed with exit status $status" >&2; exit "$status" ;;
esac
