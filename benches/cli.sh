#!/usr/bin/env bash
# Whole-process benchmark of the `cilog` binary (issue 16 point 3).
#
#   bash benches/cli.sh                  # 7 paired rounds (CILOG_CLI_ROUNDS)
#   bash benches/cli.sh --quick          # 3 rounds, for a fast check
#   CILOG_BASE=/path/to/other/cilog bash benches/cli.sh
#                                        # every cilog row with both binaries,
#                                        # alternated, and base ÷ new ratios
#
# Builds the release binary and the input generator
# (examples/cli_bench_gen.rs), writes the inputs once into
# $CARGO_TARGET_DIR/cli-bench/ (default target/cli-bench/; again only when
# missing or when the generator or its parameters changed), warms the page
# cache, then runs every case once per round, in forward order on odd rounds
# and reverse order on even rounds (with CILOG_BASE the new and the base
# binary run back to back, their order swapped too). Wall time is the whole
# process, from bash's EPOCHREALTIME; stdout goes to /dev/null. Ratios are
# medians of the per-round ratios (with their min..max), which hold better
# than ratios of medians on a shared machine. Peak RSS (/usr/bin/time -f %M)
# comes from a separate pass of 3 runs per cilog case, so that the timed runs
# carry no wrapper. CPU time (user + system) comes from bash's `time` on the
# timed runs themselves; on a loaded machine it holds better than wall time.
#
# Prints the machine, the commit and a markdown table for benches/README.md
# to stdout; progress to stderr.
#
# Environment: CILOG_CLI_ROUNDS (7), CILOG_BASE (none), CILOG_CLI_JOBS (the
# N of the --jobs N row; default nproc, at least 2), CILOG_CLI_DIR (the
# cache directory).
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

rounds=${CILOG_CLI_ROUNDS:-7}
while (($# > 0)); do
    case $1 in
    --quick) rounds=3 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
    shift
done
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
    echo "cli.sh: CILOG_CLI_ROUNDS must be a positive integer, not '$rounds'" >&2
    exit 2
fi

say() { printf '%s\n' "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# --- Build ------------------------------------------------------------------

say "building: cargo build --release --bin cilog --example cli_bench_gen"
cargo build --release --quiet --bin cilog --example cli_bench_gen
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
new=$target_dir/release/cilog
gen=$target_dir/release/examples/cli_bench_gen
base=${CILOG_BASE:-}
if [[ -n $base ]]; then
    if ! [[ -x $base ]]; then
        echo "cli.sh: CILOG_BASE=$base is not an executable file" >&2
        exit 2
    fi
    base=$(cd "$(dirname "$base")" && pwd)/$(basename "$base")
fi

# --- Inputs -----------------------------------------------------------------

# FILES MANY_MB LARGE_MB PAYLOAD_MB (see examples/cli_bench_gen.rs).
gen_args=(100 90 64 48)
cache=${CILOG_CLI_DIR:-$target_dir/cli-bench}
inputs=$cache/inputs
stamp=$(cat examples/cli_bench_gen.rs benches/support/workload.rs <(echo "${gen_args[*]}") |
    sha256sum | cut -d' ' -f1)
if [[ ! -f $cache/stamp || $(<"$cache/stamp") != "$stamp" || ! -f $cache/sizes ||
    $(wc -l <"$cache/sizes") -ne $((gen_args[0] + 3)) ]] ||
    ! (cd "$inputs" && awk '{ print $1 }' "$cache/sizes" | xargs ls >/dev/null 2>&1); then
    say "generating the inputs into $inputs (${gen_args[*]})"
    rm -rf "$inputs" "$cache/stamp" "$cache/sizes"
    mkdir -p "$inputs"
    "$gen" "$inputs" "${gen_args[@]}" >"$cache/sizes.tmp"
    mv "$cache/sizes.tmp" "$cache/sizes"
    # Written last: an interrupted generation is redone.
    echo "$stamp" >"$cache/stamp"
fi

many=("$inputs"/many/*.log)
# Bytes of each input set, from the generator's list (`name bytes lines`).
bytes_of() { awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$cache/sizes"; }
lines_of() { awk -v p="$1" 'index($1, p) == 1 { s += $3 } END { print s + 0 }' "$cache/sizes"; }
declare -A bytes=(
    [many]=$(bytes_of many/) [large]=$(bytes_of large.log)
    [swr]=$(bytes_of swr.json) [bk]=$(bytes_of bk.json)
)
declare -A input_name=(
    [many]="${#many[@]} files" [large]=large.log [swr]=swr.json [bk]=bk.json
)
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# --- Cases ------------------------------------------------------------------

supports_jobs() {
    local help
    help=$("$1" --help 2>/dev/null) || return 1
    grep -q -- --jobs <<<"$help"
}
jobs_n=${CILOG_CLI_JOBS:-$(nproc)}
((jobs_n >= 2)) || jobs_n=2

# Case ids, in run order. `wc` and `cat` are the floors; the others run cilog.
cases=(wc cat many)
new_jobs=0 base_jobs=0
if supports_jobs "$new"; then
    new_jobs=1
    cases+=(many-j1 many-j2)
    ((jobs_n == 2)) || cases+=(many-jn)
else
    say "--jobs: not listed by '$new --help'; the --jobs rows are skipped"
fi
if [[ -n $base ]] && supports_jobs "$base"; then base_jobs=1; fi
cases+=(large large-nr swr bk)

# shellcheck disable=SC2016 # backticks for markdown, not expansions
declare -A label=(
    [wc]='`wc -l FILES`' [cat]='`cat FILES > /dev/null`'
    [many]='**cilog** `FILES`' [many-j1]='cilog `--jobs 1 FILES`'
    [many-j2]='cilog `--jobs 2 FILES`' [many-jn]="cilog \`--jobs $jobs_n FILES\`"
    [large]='**cilog** `large.log`' [large-nr]='cilog `--no-redact large.log`'
    [swr]='**cilog** `swr.json`' [bk]='**cilog** `bk.json`'
)
input_of() {
    case $1 in
    wc | cat | many*) echo many ;;
    large*) echo large ;;
    *) echo "$1" ;;
    esac
}

# Sets `argv` to the command of case $1 with the cilog binary $2.
argv=()
argv_of() {
    local bin=$2
    case $1 in
    wc) argv=(wc -l "${many[@]}") ;;
    cat) argv=(cat "${many[@]}") ;;
    many) argv=("$bin" "${many[@]}") ;;
    many-j1) argv=("$bin" --jobs 1 "${many[@]}") ;;
    many-j2) argv=("$bin" --jobs 2 "${many[@]}") ;;
    many-jn) argv=("$bin" --jobs "$jobs_n" "${many[@]}") ;;
    large) argv=("$bin" "$inputs/large.log") ;;
    large-nr) argv=("$bin" --no-redact "$inputs/large.log") ;;
    swr) argv=("$bin" "$inputs/swr.json") ;;
    bk) argv=("$bin" "$inputs/bk.json") ;;
    esac
}

# The timed units: "N:case" for the new binary (and the floors), "B:case"
# for the base binary.
units=()
for c in "${cases[@]}"; do
    units+=("N:$c")
    if [[ -n $base && $c != wc && $c != cat ]] && { [[ $c != many-j* ]] || ((base_jobs)); }; then
        units+=("B:$c")
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs unit $1 once; sets `elapsed` to its wall time in microseconds and
# `cpu` to its user + system time in milliseconds (bash's `time`, from the
# child's rusage: no wrapper process).
elapsed=0 cpu=0
TIMEFORMAT='%3U %3S'
run_unit() {
    local bin=$new t0 t1 user sys
    [[ $1 == B:* ]] && bin=$base
    argv_of "${1#?:}" "$bin"
    t0=${EPOCHREALTIME/[.,]/}
    if ! { time "${argv[@]}" >/dev/null 2>"$tmp/err"; } 2>"$tmp/time"; then
        echo "cli.sh: failed: ${argv[*]}" >&2
        head -c 2000 "$tmp/err" >&2
        exit 1
    fi
    t1=${EPOCHREALTIME/[.,]/}
    elapsed=$((t1 - t0))
    read -r user sys <"$tmp/time"
    cpu=$((10#${user/[.,]/} + 10#${sys/[.,]/}))
}

# --- Runs -------------------------------------------------------------------

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
say "warming the page cache and the binaries"
cat "${many[@]}" "$inputs"/large.log "$inputs"/swr.json "$inputs"/bk.json >/dev/null
for u in "${units[@]}"; do run_unit "$u"; done
if ((new_jobs)); then
    # Output identity: --jobs 1 and --jobs 2 (and N) write the same bytes.
    say "checking that --jobs 1, 2 and $jobs_n write the same output"
    "$new" --jobs 1 "${many[@]}" >"$tmp/j1" 2>"$tmp/j1.err"
    for j in 2 "$jobs_n"; do
        "$new" --jobs "$j" "${many[@]}" >"$tmp/jn" 2>"$tmp/jn.err"
        if ! cmp -s "$tmp/j1" "$tmp/jn" || ! cmp -s "$tmp/j1.err" "$tmp/jn.err"; then
            echo "cli.sh: --jobs $j output differs from --jobs 1" >&2
            exit 1
        fi
    done
    identity="--jobs 1 == --jobs 2 == --jobs $jobs_n: $(wc -c <"$tmp/j1") bytes, $(sha256sum <"$tmp/j1" | cut -c1-16)…"
    rm -f "$tmp/j1" "$tmp/jn"
fi

declare -A wall=() cput=()
for ((r = 1; r <= rounds; r++)); do
    order=("${units[@]}")
    if ((r % 2 == 0)); then
        order=()
        for ((i = ${#units[@]} - 1; i >= 0; i--)); do order+=("${units[i]}"); done
    fi
    say "round $r/$rounds"
    for u in "${order[@]}"; do
        run_unit "$u"
        wall[$u,$r]=$elapsed
        cput[$u,$r]=$cpu
    done
done

# Peak RSS: 3 runs of each cilog unit under /usr/bin/time, the median.
declare -A rss=()
if [[ -x /usr/bin/time ]]; then
    say "peak RSS (3 runs a case)"
    for u in "${units[@]}"; do
        [[ $u == N:wc || $u == N:cat ]] && continue
        bin=$new
        [[ $u == B:* ]] && bin=$base
        argv_of "${u#?:}" "$bin"
        vals=()
        for _ in 1 2 3; do
            /usr/bin/time -f %M -o "$tmp/rss" "${argv[@]}" >/dev/null 2>/dev/null
            vals+=("$(tail -n 1 "$tmp/rss")")
        done
        rss[$u]=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n 2p)
    done
else
    say "/usr/bin/time is missing: no peak RSS"
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Statistics -------------------------------------------------------------

# Median, min and max of the numbers on stdin: "median min max".
stats() {
    sort -g | awk '{ a[NR] = $1 } END {
        m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.6f %.6f %.6f\n", m, a[1], a[NR] }'
}
# Per-round wall times (µs) of unit $1, one a line.
times_of() {
    local r
    for ((r = 1; r <= rounds; r++)); do echo "${wall[$1,$r]}"; done
}
# Median CPU time (user + system) of unit $1, formatted.
cpu_of() {
    local r
    for ((r = 1; r <= rounds; r++)); do echo "${cput[$1,$r]}"; done | stats |
        awk '{ printf ($1 < 100 ? "%.0f ms" : "%.2f s"), ($1 < 100 ? $1 : $1 / 1000) }'
}
# Median of the per-round ratios $2 ÷ $3 of the array named $1 (wall or
# cput): "median min max".
ratio() {
    local -n v=$1
    local r
    for ((r = 1; r <= rounds; r++)); do echo "${v[$2,$r]} ${v[$3,$r]}"; done |
        awk '{ print $1 / ($2 > 0 ? $2 : 1) }' | stats
}
fmt_ratio() { awk -v m="$1" -v lo="$2" -v hi="$3" 'BEGIN { printf "%.2f (%.2f..%.2f)", m, lo, hi }'; }
# The ratio cells of units $1 ÷ $2: wall time, then CPU time.
ratio_cells() {
    local m lo hi
    read -r m lo hi < <(ratio wall "$1" "$2")
    fmt_ratio "$m" "$lo" "$hi"
    printf ' | '
    read -r m lo hi < <(ratio cput "$1" "$2")
    fmt_ratio "$m" "$lo" "$hi"
}
fmt_secs() { awk -v us="$1" 'BEGIN { printf (us < 100000 ? "%.1f ms" : "%.3f s"), (us < 100000 ? us / 1000 : us / 1e6) }'; }
fmt_rate() {
    awk -v b="$1" -v us="$2" -v gb="$3" 'BEGIN {
        if (gb) printf "%.2f GB/s", b / us / 1000; else printf "%.0f MB/s", b / us }'
}
fmt_rss() { if [[ -n ${1:-} ]]; then awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; else echo "—"; fi; }

# --- Report -----------------------------------------------------------------

commit=$(git describe --always --dirty --abbrev=7 2>/dev/null || echo unknown)
cpu_model=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
cmd="bash benches/cli.sh"
[[ $rounds != 7 ]] && cmd="CILOG_CLI_ROUNDS=$rounds $cmd"
[[ -n ${CILOG_CLI_JOBS:-} ]] && cmd="CILOG_CLI_JOBS=$CILOG_CLI_JOBS $cmd"
[[ -n $base ]] && cmd="CILOG_BASE=$base $cmd"

echo "\`$cmd\`"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) cores ($cpu_model), $mem," \
    "$rounds rounds; load average $load_start at the start, $load_end at the end."
if [[ -n $base ]]; then
    echo "Base binary: $base ($("$base" --version 2>/dev/null || echo '?'))."
fi
echo "Inputs (${inputs#"$root"/}): ${#many[@]} CodeArts text logs, $(mb "${bytes[many]}")," \
    "$(lines_of many/) lines; large.log $(mb "${bytes[large]}");" \
    "swr.json $(mb "${bytes[swr]}"); bk.json $(mb "${bytes[bk]}")."
if [[ -n ${identity:-} ]]; then echo "Output identity on the 100 files: $identity"; fi
echo
if [[ -n $base ]]; then
    echo "| case | input | median | range | throughput | CPU | peak RSS | base median | base ÷ new (wall) | base ÷ new (CPU) | base peak RSS |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
else
    echo "| case | input | median | range | throughput | CPU | peak RSS |"
    echo "|---|---|---:|---:|---:|---:|---:|"
fi
for c in "${cases[@]}"; do
    in=$(input_of "$c")
    read -r m lo hi < <(times_of "N:$c" | stats)
    gb=0
    [[ $in == many ]] && gb=1
    row="| ${label[$c]} | ${input_name[$in]}, $(mb "${bytes[$in]}") | $(fmt_secs "$m") | $(fmt_secs "$lo")..$(fmt_secs "$hi") | $(fmt_rate "${bytes[$in]}" "$m" "$gb") | $(cpu_of "N:$c") | $(fmt_rss "${rss[N:$c]:-}") |"
    if [[ -n $base ]]; then
        if [[ -n ${wall[B:$c,1]:-} ]]; then
            read -r bm _ _ < <(times_of "B:$c" | stats)
            row+=" $(fmt_secs "$bm") | $(ratio_cells "B:$c" "N:$c") | $(fmt_rss "${rss[B:$c]:-}") |"
        else
            row+=" — | — | — | — |"
        fi
    fi
    echo "$row"
done
echo
echo "| comparison (median of per-round ratios, min..max) | wall | CPU | target |"
echo "|---|---:|---:|---:|"
echo "| cilog FILES ÷ \`wc -l FILES\` | $(ratio_cells N:many N:wc) | ≤ 8 |"
echo "| cilog FILES ÷ \`cat FILES > /dev/null\` | $(ratio_cells N:many N:cat) | |"
echo "| cilog large.log ÷ \`--no-redact\` | $(ratio_cells N:large N:large-nr) | ≤ 1.2 |"
if ((new_jobs)); then
    echo "| \`--jobs 1\` ÷ \`--jobs 2\` | $(ratio_cells N:many-j1 N:many-j2) | |"
    if ((jobs_n != 2)); then
        echo "| \`--jobs 1\` ÷ \`--jobs $jobs_n\` | $(ratio_cells N:many-j1 N:many-jn) | |"
    fi
    if [[ -n ${rss[N:many-j1]:-} && -n ${rss[N:many-j2]:-} ]]; then
        echo "| peak RSS \`--jobs 2\` ÷ \`--jobs 1\` | $(awk -v a="${rss[N:many-j2]}" -v b="${rss[N:many-j1]}" 'BEGIN { printf "%.2f", a / b }') | | |"
    fi
else
    echo "| \`--jobs 1\` ÷ \`--jobs N\`, peak RSS \`--jobs 2\` ÷ \`--jobs 1\` | skipped: this cilog has no \`--jobs\` | | |"
fi
