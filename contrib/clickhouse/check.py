#!/usr/bin/env python3
"""Loads cilog NDJSON files into ClickHouse (chdb, the embedded engine)
through events.sql's table and JSONEachRow, then checks with SQL:

- the table holds one row per NDJSON line, also after FINAL (the sorting
  key drops no event as a duplicate);
- the failing step of a known failing case is found by a query: by default
  the input whose file name starts with `generation-3x.` (cilog's NDJSON of
  corpus/bkjob-log/generation-3x.json) has step 31001 failed.

    check.py [--expect STEM=STEP_ID | --expect none] NDJSON_FILE...

An event with no `input` key takes the NDJSON file's path as its input.
Exits 1 when a check fails, 2 on a usage error.
"""

import os
import sys

import chdb
from chdb import session as chs

HERE = os.path.dirname(os.path.abspath(__file__))
SETTINGS = "date_time_input_format = 'best_effort', input_format_skip_unknown_fields = 1"


def sql_str(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def scalar(sess, q):
    return sess.query(q, "TSV").bytes().decode().strip()


def main(argv):
    expect = ("generation-3x", "31001")
    files = []
    it = iter(argv)
    for a in it:
        if a == "--expect":
            v = next(it, "")
            if v == "none":
                expect = None
            elif "=" in v:
                expect = tuple(v.split("=", 1))
            else:
                print("--expect wants STEM=STEP_ID or none", file=sys.stderr)
                return 2
        elif a in ("-h", "--help"):
            print(__doc__.strip(), file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2

    sess = chs.Session()
    with open(os.path.join(HERE, "events.sql")) as f:
        ddl = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("--"))
    for stmt in ddl.split(";"):
        if stmt.strip():
            sess.query(stmt)
    # Each file is read into `staging`, its rows copied to `loaded` with
    # their input named, then all go into events.sql's table.
    sess.query("CREATE TABLE cilog.staging AS cilog.events ENGINE = Memory")
    sess.query("CREATE TABLE cilog.loaded AS cilog.events ENGINE = Memory")

    lines = 0
    for path in files:
        path = os.path.abspath(path)
        with open(path, "rb") as f:
            n = sum(1 for l in f if l.strip())
        lines += n
        sess.query(
            f"INSERT INTO cilog.staging FROM INFILE {sql_str(path)} "
            f"SETTINGS {SETTINGS} FORMAT JSONEachRow"
        )
        name = os.path.relpath(path)
        sess.query(
            "INSERT INTO cilog.loaded SELECT * REPLACE "
            f"(if(input = '', {sql_str(name)}, input) AS input) FROM cilog.staging"
        )
        sess.query("TRUNCATE TABLE cilog.staging")
    sess.query("INSERT INTO cilog.events SELECT * FROM cilog.loaded")

    failures = []
    rows = int(scalar(sess, "SELECT count() FROM cilog.loaded"))
    final = int(scalar(sess, "SELECT count() FROM cilog.events FINAL"))
    inputs = int(scalar(sess, "SELECT uniqExact(input) FROM cilog.events"))
    print(f"check.py: {len(files)} file(s), {lines} NDJSON lines, {rows} rows loaded, "
          f"{final} rows in cilog.events FINAL, {inputs} inputs")
    if rows != lines:
        failures.append(f"{rows} rows loaded for {lines} lines")
    if final != lines:
        failures.append(f"{final} rows after FINAL for {lines} lines: the key merged events")
        dup = sess.query(
            "SELECT source, job, input, attempt, seq, count() AS n FROM cilog.loaded "
            "GROUP BY ALL HAVING n > 1 ORDER BY ALL LIMIT 10",
            "TSV",
        )
        print("events sharing a key (source, job, input, attempt, seq, count):")
        for r in dup.bytes().decode().strip().splitlines():
            print("  " + r)

    if expect:
        stem, step = expect
        q = (
            "SELECT input, step_id, step_name, host, status, message FROM cilog.events FINAL "
            f"WHERE splitByChar('/', input)[-1] LIKE {sql_str(stem + '.%')} "
            "AND status IN ('failed', 'timed_out', 'error') AND step_id != '' "
            "ORDER BY input, seq"
        )
        found = sess.query(q, "TSV").bytes().decode().strip().splitlines()
        print(f"failed steps of {stem}.*:")
        for r in found:
            print("  " + r)
        if not any(r.split("\t")[1] == step for r in found):
            failures.append(f"no failed step {step} found for an input named {stem}.*")

    for f in failures:
        print("FAILED: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
