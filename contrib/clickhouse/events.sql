-- A ClickHouse table for cilog's NDJSON (one event per row).
--
-- Load with JSONEachRow and these settings (clickhouse-client flags, or
-- SETTINGS on the INSERT):
--   date_time_input_format = 'best_effort'   -- `time` is RFC 3339 with an offset
--   input_format_skip_unknown_fields = 1     -- keys with no column (duration, progress, …)
--
--   clickhouse-client --date_time_input_format=best_effort \
--     --input_format_skip_unknown_fields=1 \
--     -q 'INSERT INTO cilog.events FORMAT JSONEachRow' < run.ndjson
--
-- Delivery into a log stack is at least once: the sorting key is the
-- event's identity (`seq` is unique within one input, so a run's events
-- are (source, job, input, attempt, seq)), and ReplacingMergeTree drops a
-- row delivered twice when parts merge (query with FINAL to see it
-- dropped before then). `input` is the file the event was read from (a
-- path as given, `-` for standard input): without it, two logs with no
-- job (BlueKing's get_job_instance_log has none) would share keys.
-- contrib/clickhouse/check.sh runs this file through chdb (ClickHouse 26.9).

CREATE DATABASE IF NOT EXISTS cilog;

CREATE TABLE IF NOT EXISTS cilog.events
(
    source LowCardinality(String),
    input String DEFAULT '',
    kind LowCardinality(String),
    seq UInt64,
    time DateTime64(3, 'UTC'),
    time_assumed Bool DEFAULT false,
    severity LowCardinality(String),
    severity_text String,
    status LowCardinality(String),
    vendor_status String,
    job String,
    step_id String,
    step_name String,
    host LowCardinality(String),
    pid Nullable(UInt32),
    exit_code Nullable(Int32),
    attempt UInt16 DEFAULT 1,
    message String,
    notes Array(String),
    attrs Map(String, String)
)
ENGINE = ReplacingMergeTree
ORDER BY (source, job, input, attempt, seq);
