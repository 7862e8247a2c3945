#!/bin/sh
# Runs libFuzzer targets one after another on one core, then merges what each found into its
# seed corpus (only inputs that add coverage, so fuzz/corpus/<name>/ stays small).
#
#   fuzz/run-campaign.sh PLAN [BUILD [LOGDIR]]
#
# PLAN is a text file of "name seconds" lines (# comments allowed); it is read again before
# each target, so lines can be added while a campaign runs. BUILD is a clang -Dfuzz=true build
# (default build-fuzz), LOGDIR defaults to fuzz-logs. For each target it writes
# LOGDIR/<name>.log (libFuzzer's output), LOGDIR/crashes/<name>-* (reproducers), and one line
# to LOGDIR/summary.tsv: name, seconds run, executions, cov, ft, crashes, change in corpus
# files, corpus size. A target already in summary.tsv is skipped, so a stopped campaign resumes with the
# next one. A crash does not end a target's time: libFuzzer is started again for what is left.
set -u
export LC_ALL=C # libFuzzer's lines hold the inputs' bytes: match them as bytes
plan=${1:?usage: run-campaign.sh PLAN [BUILD [LOGDIR]]}
build=${2:-build-fuzz}
logs=${3:-fuzz-logs}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$logs/crashes" "$logs/new" "$logs/bin"
summary=$logs/summary.tsv
[ -f "$summary" ] || printf 'target\tseconds\texecs\tcov\tft\tcrashes\tcorpus_change\tcorpus\n' >"$summary"

next_target() {
    grep -v '^[[:space:]]*#' "$plan" | while read -r name secs; do
        [ -n "$name" ] || continue
        # Not built yet (a target added to the plan before its binary): the next one.
        [ -x "$build/fuzz/fuzz_$name" ] || continue
        if ! cut -f1 "$summary" | grep -qx "$name"; then
            echo "$name $secs"
            break
        fi
    done
}

while :; do
    set -- $(next_target)
    [ $# -eq 2 ] || break
    name=$1 secs=$2
    log=$logs/$name.log
    # A copy, so that rebuilding the tree while the campaign runs does not touch this binary.
    cp "$build/fuzz/fuzz_$name" "$logs/bin/fuzz_$name" || { echo "no fuzz_$name in $build" >&2; exit 1; }
    bin=$logs/bin/fuzz_$name
    new=$logs/new/$name
    mkdir -p "$new"
    : >"$log"
    start=$(date +%s) left=$secs crashes=0 execs=0
    echo "$(date -u +%FT%TZ) start $name for ${secs}s" >>"$logs/campaign.log"
    while [ "$left" -gt 0 ]; do
        nice -n 5 "$bin" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$logs/crashes/$name-" "$new" "$src/corpus/$name" >>"$log" 2>&1
        rc=$?
        run_execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        execs=$((execs + ${run_execs:-0}))
        [ "$rc" -eq 0 ] || crashes=$((crashes + 1))
        left=$((secs - ($(date +%s) - start)))
        # Time is up, or a bug so shallow that restarting only finds it again.
        [ "$rc" -eq 0 ] && break
        [ "$crashes" -lt 20 ] || break
    done
    ran=$(($(date +%s) - start))
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    # Minimise: the smallest set of (seed corpus + new inputs) that keeps every edge, edges
    # only (-use_counters=0: hit-count buckets would keep hundreds of near-duplicates). The
    # hand-named seeds are kept as they are; the hash-named entries are replaced by that set.
    before=$(ls "$src/corpus/$name" | wc -l)
    min=$logs/min/$name
    rm -rf "$min" && mkdir -p "$min"
    if nice -n 5 "$bin" -merge=1 -use_counters=0 -timeout=10 "$min" "$src/corpus/$name" "$new" \
        >"$logs/$name.merge.log" 2>&1; then
        for f in "$src/corpus/$name"/*; do
            b=$(basename "$f")
            if echo "$b" | grep -qE '^[0-9a-f]{40}$'; then
                rm -f "$f"
            else
                rm -f "$min/$(sha1sum <"$f" | cut -d' ' -f1)"
            fi
        done
        cp "$min"/* "$src/corpus/$name"/ 2>/dev/null
    else
        echo "merge of $name failed, corpus unchanged (see $name.merge.log)" >>"$logs/campaign.log"
    fi
    after=$(ls "$src/corpus/$name" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$ran" "$execs" "${cov:-?}" "${ft:-?}" \
        "$crashes" "$((after - before))" "$after" >>"$summary"
    echo "$(date -u +%FT%TZ) done $name: ${ran}s, $execs execs, cov ${cov:-?} ft ${ft:-?}, $crashes crashes, corpus $before -> $after" >>"$logs/campaign.log"
    [ "$after" -le 200 ] || echo "warning: fuzz/corpus/$name holds $after files (keep under 200)" >>"$logs/campaign.log"
done
echo "$(date -u +%FT%TZ) campaign finished" >>"$logs/campaign.log"
