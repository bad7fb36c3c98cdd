#!/bin/bash
# usage: harness.sh FILE [SOURCE...]  -- runs cilog-base in auto and each explicit source, lenient and strict
f="$1"; shift
run() { # label args...
  local label="$1"; shift
  out=$(/work/bin/cilog-base "$@" "$f" 2>/tmp/h.err); rc=$?
  n=$(printf '%s' "$out" | grep -c '^{' )
  kinds=$(printf '%s\n' "$out" | grep '^{' | python3 -c 'import sys,json,collections;c=collections.Counter();[c.update([json.loads(l).get("kind","?")]) for l in sys.stdin if l.strip()];print(dict(c))' 2>/dev/null)
  err=$(head -c 300 /tmp/h.err | tr '\n' ' ')
  echo "  [$label] rc=$rc events=$n kinds=$kinds ${err:+stderr: $err}"
}
echo "== $f"
run "auto" ; run "auto --strict" --strict
for s in "$@"; do run "--source $s" --source "$s"; run "--source $s --strict" --strict --source "$s"; done
