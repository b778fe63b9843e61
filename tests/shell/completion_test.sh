#!/usr/bin/env bash
# The generated bash completion (copybench completion bash, written by the build): sourced into a
# bare bash, called as readline would with COMP_WORDS/COMP_CWORD, it completes subcommands,
# options and the registries' values.   usage: completion_test.sh COPYBENCH SCRIPT
set -euo pipefail
bin=$1 script=$2
# shellcheck source=/dev/null
source "$script"
fail=0

# complete WORD... : COMPREPLY for the last word, one per line
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _copybench
  printf '%s\n' "${COMPREPLY[@]}"
}

expect() {  # expect DESCRIPTION WANTED -- WORD...
  local what=$1 wanted=$2
  shift 3
  local got
  got=$(complete_words "$@" | sort | tr '\n' ' ')
  if [[ " $got " != *" $wanted "* ]]; then
    echo "FAIL: $what: wanted '$wanted' among: $got"
    fail=1
  fi
}

# Every send strategy the program lists in `run --help` (its registry), and nothing else first.
mapfile -t strategies < <("$bin" run --help | sed -n 's/^ *\([a-z0-9-]*\) (\([a-z]*\)): .*/\1/p')
((${#strategies[@]} >= 3)) || { echo "FAIL: no strategies parsed from run --help"; exit 1; }
got=$(complete_words copybench run --strategy "" | sort | tr '\n' ' ')
for s in "${strategies[@]}"; do
  [[ " $got " == *" $s "* ]] || { echo "FAIL: --strategy <TAB> lacks $s: $got"; fail=1; }
done
expect "-s u<TAB>" "uring-zc" -- copybench run -s u
mapfile -t receivers < <("$bin" run --help | sed -n '/--recv TEXT/,/--recv-size/s/^ *\([a-z-]*\): .*/\1/p')
((${#receivers[@]} >= 2)) || { echo "FAIL: no receive strategies parsed from run --help"; exit 1; }
for r in "${receivers[@]}"; do expect "--recv <TAB>" "$r" -- copybench client --recv ""; done

expect "subcommand" "run" -- copybench r
expect "subcommand" "sweep" -- copybench ""
expect "run's options" "--strategy" -- copybench run --str
expect "iperf's -P" "-P" -- copybench run -
expect "iperf's --parallel" "--parallel" -- copybench run --par
expect "server's --pidfile" "--pidfile" -- copybench server --pid
expect "--mode" "rr" -- copybench run --mode ""
expect "--pin" "split" -- copybench run --pin s
expect "--direction" "bidir" -- copybench run --direction b
expect "--topology" "netns" -- copybench sweep --topology ""
expect "--strategies list" "two-copy,one-copy" -- copybench sweep --strategies two-copy,o
expect "--strategies all" "all" -- copybench sweep --strategies a
expect "--modes" "stream" -- copybench sweep --modes s
if [[ -n $(complete_words copybench run --size "") ]]; then echo "FAIL: --size <TAB> offered words"; fail=1; fi
if [[ -n $(complete_words copybench run --strategy zzz) ]]; then echo "FAIL: --strategy zzz<TAB> offered words"; fail=1; fi
exit $fail
