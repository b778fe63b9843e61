#!/usr/bin/env bash
# docs/result.schema.json against every result the e2e tests read (tests/e2e_util.cpp keeps them).
#   usage: validate_collected.sh SCHEMA VALIDATOR DIR
set -euo pipefail
schema=$1 validator=$2 dir=$3
shopt -s nullglob
files=("$dir"/*.json)
# Nothing collected is a failure, not a skip: a broken collection must not pass for a valid one.
if [ ${#files[@]} -eq 0 ]; then echo "no result was collected in $dir: the e2e tests kept none (or none ran)"; exit 1; fi
python3 -c 'import jsonschema' 2>/dev/null || { echo "skip: python3-jsonschema is not installed"; exit 77; }
# In batches: a full suite collects hundreds. xargs fails when any batch had an error.
status=0
out=$(printf '%s\0' "${files[@]}" | xargs -0 -n 200 python3 "$validator" "$schema") || status=1
grep -v ' results checked, 0 errors$' <<<"$out" || true
echo "${#files[@]} collected result files, $(grep -o '^[0-9]* results checked' <<<"$out" | awk '{s+=$1} END {print s+0}') results checked"
exit $status
