#!/usr/bin/env bash
# The C++ files changed since the style was last applied, checked against .clang-format: prints
# each file clang-format would change, with its diff, and exits 1; prints nothing and exits 0
# when they all conform. The commit that last changed .clang-format applied it to the whole
# tree, so the files changed since (committed or not) are the ones to check.
#   bash scripts/check-format.sh [BASE]   # BASE: check the files changed since this commit instead
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed (apt-get install clang-format)" >&2; exit 2; }
[[ -f .clang-format ]] || { echo "check-format: no .clang-format in $(pwd)" >&2; exit 2; }
base=${1:-$(git log -1 --format=%H -- .clang-format 2>/dev/null || true)}
paths=('src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')
if [[ -n $base ]]; then
  mapfile -t files < <({ git diff --name-only --diff-filter=d "$base" -- "${paths[@]}"
                         git ls-files --others --exclude-standard -- "${paths[@]}"; } | sort -u)
else  # a shallow clone without that commit, or no git: every file, which the style was applied to
  mapfile -t files < <(git ls-files -- "${paths[@]}" 2>/dev/null || find src tests bench -name '*.cpp' -o -name '*.h')
fi
status=0
for f in "${files[@]}"; do
  [[ -f $f ]] || continue
  if ! diff_text=$(clang-format --style=file "$f" | diff -u "$f" -); then
    echo "check-format: $f is not formatted (clang-format -i $f):"
    echo "$diff_text" | head -40
    status=1
  fi
done
exit $status
