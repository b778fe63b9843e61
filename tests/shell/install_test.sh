#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: the binary, man page, completion, docs and systemd
# unit land where the issue says, the man page comes from this build's --help, the unit names
# the installed binary and passes `systemd-analyze verify` (where systemd-analyze exists).
#   usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/usr
cmake --install "$build" --prefix "$prefix" >/dev/null
fail=0
check() { "$@" || { echo "FAIL: $*"; fail=1; }; }

for f in bin/copybench share/man/man1/copybench.1.gz share/bash-completion/completions/copybench \
         share/doc/copybench/README.md share/doc/copybench/LICENSE share/doc/copybench/METHODOLOGY.md \
         share/doc/copybench/result.schema.json share/doc/copybench/copybench.default \
         lib/systemd/system/copybench-server.service; do
  check test -s "$prefix/$f"
done

# The man page is this build's help: every option of run, iperf's letters among them.
# Compressed, as Debian's man pages are.
man_page=$prefix/share/man/man1/copybench.1.gz
check gzip -t "$man_page"
for word in '\-\-parallel' '\-\-strategy' 'two\-copy' 'uring\-zc\-fixed' '\-\-pidfile' 'EXIT STATUS' 'FILES'; do
  check zgrep -qF -- "$word" "$man_page"
done
check test "$(MANPATH=$prefix/share/man man -w copybench)" = "$man_page"
rendered=$(MANWIDTH=120 man -l "$man_page" 2>/dev/null)
check grep -q 'connections, one thread each' <<<"$rendered"

# --version: built from a git checkout, the describe of a commit of it (the build's, which an
# unbuilt commit since then may have moved on from: so the commit is looked up, not compared).
version=$("$prefix/bin/copybench" --version)
if [[ $(git -C "$source" rev-parse --show-toplevel 2>/dev/null) -ef $source ]]; then
  described=$(sed -n 's/^copybench [0-9.]* (git \(.*\))$/\1/p' <<<"$version")
  commit=$(sed -E 's/-dirty$//; s/^.*-g([0-9a-f]+)$/\1/' <<<"$described")
  check test -n "$described"
  check git -C "$source" cat-file -e "${commit:-none}^{commit}"
fi
check grep -qE '^copybench [0-9]+\.[0-9]+\.[0-9]+' <<<"$version"

unit=$prefix/lib/systemd/system/copybench-server.service
check grep -qx "ExecStart=$prefix/bin/copybench server .*" "$unit"
for line in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict Restart=on-failure AmbientCapabilities= \
            EnvironmentFile=-/etc/default/copybench; do
  check grep -qx "$line" "$unit"
done
if ! command -v systemd-analyze >/dev/null; then
  echo "skip: systemd-analyze verify (systemd-analyze is not installed)"
else
  # verify looks up Documentation=man:copybench(1) with man: the scratch prefix's page.
  if ! out=$(MANPATH=$prefix/share/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$unit" 2>&1) || [[ -n $out ]]; then
    echo "FAIL: systemd-analyze verify: $out"
    fail=1
  fi
fi
exit $fail
