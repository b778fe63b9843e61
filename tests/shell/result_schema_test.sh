#!/usr/bin/env bash
# docs/result.schema.json against real results: run --json in each shape a result takes (stream,
# rr, --reverse, --bidir, --verify, a failed client run), JSON on stdout, --json-stream's lines
# and a small sweep's results.json.
#   usage: result_schema_test.sh COPYBENCH SCHEMA VALIDATOR
set -euo pipefail
bin=$1 schema=$2 validator=$3
python3 -c 'import jsonschema' 2>/dev/null || { echo "skip: python3-jsonschema is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
short=(-t 200ms --warmup 0 --quiet)
"$bin" run "${short[@]}" --json "$dir/stream.json"
"$bin" run "${short[@]}" --mode rr -l 1K --response-size 4K --json "$dir/rr.json"
"$bin" run "${short[@]}" -R --strategy two-copy --recv scatter --json "$dir/reverse.json"
"$bin" run "${short[@]}" --bidir -P 2 --json "$dir/bidir.json"
"$bin" run "${short[@]}" --verify --no-counters --no-latency -l 1001 --json "$dir/verify.json"
"$bin" run "${short[@]}" -i 100ms --strategy zero-copy --json "$dir/intervals.json"
# stdout's JSON, and --json-stream's lines (one event a file), as a reader takes them.
"$bin" run "${short[@]}" --mode rr --json - >"$dir/stdout.json"
"$bin" run "${short[@]}" --bidir -i 100ms --json-stream - >"$dir/lines.jsonl"
mkdir "$dir/lines"
split -l 1 -a 4 --additional-suffix=.json "$dir/lines.jsonl" "$dir/lines/event-"
[ "$(ls "$dir/lines" | wc -l)" -ge 3 ] || { echo "FAIL: --json-stream wrote fewer than 3 lines"; exit 1; }
# Nothing listens on port 1: the client fails, and still writes its result (status failed).
if "$bin" client -c 127.0.0.1 -p 1 "${short[@]}" --json "$dir/failed.json" 2>/dev/null; then
  echo "FAIL: a client with no server exited 0"; exit 1
fi
grep -q '"status": "failed"' "$dir/failed.json" || { echo "FAIL: failed.json is not a failed result"; exit 1; }
"$bin" sweep --topology loopback --strategies one-copy --sizes 4K --threads 1 --modes stream,rr --reps 1 \
  -t 200ms --warmup 0 --quiet --out "$dir/sweep" >/dev/null
python3 "$validator" "$schema" "$dir"/*.json "$dir"/lines/*.json "$dir/sweep/results.json"
