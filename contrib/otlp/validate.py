#!/usr/bin/env python3
"""Checks OTLP/JSON files, one ExportLogsServiceRequest per line, with
protobuf's own JSON parser and the OpenTelemetry project's messages.

    contrib/otlp/validate.py FILE...     (run it with contrib/venv.sh's python)

Every line must be under 1 MiB (the Collector's otlpjsonfile receiver reads
at most that much a line by default) and parse with
json_format.Parse(line, ExportLogsServiceRequest(), ignore_unknown_fields=False):
an unknown key or a value of the wrong type (a 64-bit integer that is not
an integer, a string where an object belongs) fails it. Protobuf's JSON
mapping also accepts the proto field names (`severity_number`) and enum
names (`SEVERITY_NUMBER_INFO`); tests/otlp.rs's raw walk rejects those.
Prints one line per failure and a summary; exits 1 if any line failed (or
no line was read), 2 on a usage error.
"""

import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
)

MAX_LINE = 1 << 20


def check(path, stats):
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            where = f"{path}:{n}"
            if len(raw) >= MAX_LINE:
                stats["failed"] += 1
                print(f"{where}: {len(raw)} bytes, not under 1 MiB", file=sys.stderr)
                continue
            try:
                line = raw.decode("utf-8").rstrip("\n")
                req = json_format.Parse(
                    line, ExportLogsServiceRequest(), ignore_unknown_fields=False
                )
            except (UnicodeDecodeError, json_format.ParseError) as e:
                stats["failed"] += 1
                print(f"{where}: {e}", file=sys.stderr)
                continue
            stats["lines"] += 1
            for rl in req.resource_logs:
                stats["runs"] += 1
                for sl in rl.scope_logs:
                    stats["records"] += len(sl.log_records)


def main(argv):
    if not argv or any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    stats = {"lines": 0, "runs": 0, "records": 0, "failed": 0}
    for path in argv:
        check(path, stats)
    print(
        "validate.py: {lines} requests ({runs} resourceLogs, {records} records) "
        "parsed, {failed} failed, in {files} file(s)".format(files=len(argv), **stats)
    )
    return 1 if stats["failed"] or not stats["lines"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
