#!/usr/bin/env bash
# Makes the Python environment of the contrib checks and prints its python.
#
#   contrib/venv.sh            # -> /path/to/target/venv/bin/python
#
# Creates target/venv (or $CILOG_VENV) when it is missing and installs the
# pinned packages of contrib/requirements.txt; reuses it when it is there
# and was made from the same requirements file. Progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${CILOG_VENV:-$root/target/venv}"
req="$root/contrib/requirements.txt"
stamp="$venv/.cilog-requirements.txt"
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$stamp"; then
    echo "reusing $venv" >&2
else
    echo "creating $venv from contrib/requirements.txt" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    cp "$req" "$stamp"
fi
echo "$venv/bin/python"
