#!/usr/bin/env bash
# The fleet playbook against a local fleet of 3 hosts (deploy/ansible/local-fleet.sh): the
# install part twice (changed=0 the second time); all-pairs, one data path, 2 s, with h3's sshd
# stopped (its 4 pairs named failed, h1<->h2 measured); again with h3 back (only the 4 missing
# pairs measured); the fleet report with its matrix and heatmap; a run interrupted by Ctrl-C
# (fleet-run.sh) cleaned up; no server, namespace or process left. Exit 77 (a skip) without root, ansible-playbook or sshd.
#   usage: fleet_test.sh COPYBENCH SOURCE_DIR
set -euo pipefail
bin=$(readlink -f "$1") src=$(readlink -f "$2")
((EUID == 0)) || { echo "skip: needs root (network namespaces)"; exit 77; }
command -v ansible-playbook >/dev/null || { echo "skip: ansible-core is not installed"; exit 77; }
[[ -x /usr/sbin/sshd ]] || { echo "skip: openssh-server is not installed"; exit 77; }
fleet=$src/deploy/ansible/local-fleet.sh
dir=$(mktemp -d /tmp/copybench-fleet-test.XXXXXX)
out=$dir/results
trap 'bash "$fleet" down "$dir/fleet" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
playbook() {  # the playbook in the fleet's controller namespace; its output in $dir/last.log
  bash "$fleet" run "$dir/fleet" -- env ANSIBLE_NOCOLOR=1 ansible-playbook -i "$dir/fleet/inventory.ini" \
    "$src/deploy/ansible/fleet.yml" -e fleet_copybench="$bin" -e fleet_out="$out" -e fleet_duration=2s \
    -e fleet_warmup=200ms "$@" >"$dir/last.log" 2>&1
}
recap() { grep -E "^$1 +:" "$dir/last.log" || echo "$1: no recap"; }

bash "$fleet" up 3 "$dir/fleet"

# The install part twice: nothing changes the second time.
playbook --tags install || { cat "$dir/last.log"; fail "the install part failed"; }
playbook --tags install || { cat "$dir/last.log"; fail "the install part failed the second time"; }
for h in h1 h2 h3 localhost; do
  recap "$h" | grep -q "changed=0 " || { cat "$dir/last.log"; fail "the second install changed something on $h: $(recap "$h")"; }
done
playbook --tags cleanup || { cat "$dir/last.log"; fail "the cleanup failed"; }

# h3 gone: its pairs failed and named, h1<->h2 measured and kept.
bash "$fleet" sshd stop h3 "$dir/fleet"
playbook && fail "a run with an unreachable host exited 0"
python3 - "$out/fleet.json" <<'PY' || { cat "$dir/last.log"; exit 1; }
import json, sys
pairs = {(p["client"], p["server"]): p for p in json.load(open(sys.argv[1]))["pairs"]}
assert len(pairs) == 6, pairs
for (c, s), p in pairs.items():
    want = "failed" if "h3" in (c, s) else "ok"
    assert p["status"] == want, f"{c}--{s}: {p}"
    if want == "failed":
        assert "h3" in p["error"], f"{c}--{s}: the error does not name h3: {p['error']}"
PY
for p in h1--h2 h2--h1; do [[ -s $out/pairs/$p/results.json ]] || fail "$p has no results.json"; done
grep -q "h3" "$out/report.md" || fail "the fleet report does not name the failed host"

# h3 back: only the 4 missing pairs are measured.
bash "$fleet" sshd start h3 "$dir/fleet"
before=$(stat -c %Y "$out/pairs/h1--h2/results.json")
playbook || { cat "$dir/last.log"; fail "the resumed run failed"; }
grep -q "6 pairs (all-pairs), 2 measured before" "$dir/last.log" || { cat "$dir/last.log"; fail "the resumed run did not skip the 2 measured pairs"; }
[[ $(stat -c %Y "$out/pairs/h1--h2/results.json") == "$before" ]] || fail "a measured pair was measured again"
for c in h1 h2 h3; do
  for s in h1 h2 h3; do
    [[ $c == "$s" ]] && continue
    [[ -s $out/pairs/$c--$s/results.json ]] || fail "$c--$s has no results.json"
    [[ -s $out/pairs/$c--$s/runs.csv ]] || fail "$c--$s has no runs.csv"
  done
done
python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['pairs']; assert all(x['status']=='ok' for x in p), p" "$out/fleet.json"
grep -qF '| client \ server | h1 | h2 | h3 |' "$out/report.md" || fail "no host x host matrix in the report"
grep -qE '^\| h2 \| \**[0-9.]+\** \| — \| \**[0-9.]+\** \|$' "$out/report.md" || fail "the matrix's h2 row is not two measured cells around h2's own"
if command -v gnuplot >/dev/null; then
  ls "$out"/plots/fleet-throughput-*.png >/dev/null 2>&1 || fail "no throughput heatmap in $out/plots"
  grep -q '(plots/fleet-throughput-' "$out/report.md" || fail "the report does not link its heatmap"
fi
[[ -s $out/fleet-summary.csv ]] || fail "no fleet-summary.csv"
head -1 "$out/fleet-summary.csv" | grep -q "client_host,server_host" || fail "fleet-summary.csv lacks the host columns"

# Ctrl-C in the middle of a run (SIGINT to its process group, as a terminal sends it): fleet-run.sh
# runs the cleanup play, and no server is left. (A job started with & ignores SIGINT: python
# restores it and makes the run a process group of its own.)
bash "$fleet" run "$dir/fleet" -- python3 -c \
  'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp("bash", ["bash"] + sys.argv[1:])' \
  "$src/deploy/ansible/fleet-run.sh" -i "$dir/fleet/inventory.ini" -e fleet_copybench="$bin" -e fleet_out="$out" \
  -e fleet_force=true -e fleet_duration=30s -e fleet_warmup=0 >"$dir/interrupted.log" 2>&1 &
runner=$!
# The playbook takes a while to reach its first pair where ansible is slow (70 s per play seen).
for _ in $(seq 600); do pgrep -f "copybench sweep --topology remote" >/dev/null && break; sleep 0.5; done
pgrep -f "copybench sweep --topology remote" >/dev/null || { cat "$dir/interrupted.log"; fail "the interrupted run never reached its first pair"; }
kill -INT -- -"$runner"
status=0
wait "$runner" || status=$?
[[ $status == 130 ]] || { cat "$dir/interrupted.log"; fail "fleet-run.sh after Ctrl-C exited $status, not 130"; }
grep -q "was interrupted; stopping the servers" "$dir/interrupted.log" || { cat "$dir/interrupted.log"; fail "no cleanup after Ctrl-C"; }

# Nothing left on the hosts: no server, no placed file.
for ns in cbfleet-h1 cbfleet-h2 cbfleet-h3; do
  for pid in $(ip netns pids "$ns"); do
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)  # sshd is the only process a host keeps
    [[ -z $comm || $comm == sshd ]] || fail "a process is left in $ns: $comm: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  done
done
[[ ! -e $dir/fleet/remote/h1 ]] || fail "the playbook left h1's folder"
bash "$fleet" down "$dir/fleet"
ip netns list | grep -q "^cbfleet-" && fail "a fleet namespace is left"
echo "fleet: 6 pairs measured over 2 runs (one with h3 unreachable), nothing left behind"
