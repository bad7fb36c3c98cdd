#!/usr/bin/env bash
# Loads cilog NDJSON into ClickHouse (chdb) through events.sql and checks it
# with SQL; see check.py for what is checked.
#
#   contrib/clickhouse/check.sh NDJSON_FILE...
#
# Uses contrib/venv.sh's Python environment (created under target/ on first
# use, reused after).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="$("$here/../venv.sh")"
exec "$python" "$here/check.py" "$@"
