#!/usr/bin/env bash
# Checks that lnav (0.11, Debian's) reads cilog's NDJSON with contrib/lnav/cilog.json:
# every event is a log line, and the failure's exit-code line is found at level error.
# Usage: contrib/lnav/check.sh PATH_TO_CILOG
set -euo pipefail
cilog=$(realpath "$1")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp # lnav installs formats under ~/.lnav
lnav -i contrib/lnav/cilog.json >/dev/null 2>&1
"$cilog" corpus/codearts-log/real-failure-tail.log >"$tmp/run.ndjson"
want=$(wc -l <"$tmp/run.ndjson")
query() { lnav -n -c ";$1" "$tmp/run.ndjson" | tail -n 1 | tr -d ' '; }
got=$(query 'SELECT count(*) FROM cilog')
if [ "$got" != "$want" ]; then
    echo "lnav check: lnav read $got lines as cilog events, the file has $want" >&2
    exit 1
fi
failed=$(query "SELECT count(*) FROM cilog WHERE log_level = 'error' AND exit_code = 1")
if [ "$failed" != "1" ]; then
    echo "lnav check: expected one error line with exit_code 1, found $failed" >&2
    exit 1
fi
echo "lnav check: $got events read as cilog lines, the exit-code line found at level error"
