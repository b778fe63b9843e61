#!/usr/bin/env bash
# The Debian package end to end, after a release build (bash scripts/setup.sh test):
#   bash scripts/package-check.sh [scratch|system]
# Builds copybench_*.deb with cpack, installs it, then checks what a user gets: a short run
# with iperf's letters piped through python3 -m json.tool, the man page (man -w), the bash
# completion of `copybench run --strategy <TAB>`, and that removing it leaves no file behind.
#   scratch (default): dpkg --root into a scratch folder with a dpkg database of its own; the
#     machine's own root is not touched.
#   system (CI, as root, on a machine without copybench installed): apt-get install ./deb,
#     resolving its dependencies for real, then apt-get purge.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-scratch}
build=build/release
[[ -x $build/copybench ]] || { echo "package-check: build first (bash scripts/setup.sh test)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; exit 1; }
deb=$(ls "$work"/out/copybench_*.deb)
echo "package-check: $(basename "$deb"): depends on $(dpkg-deb -f "$deb" Depends)"

case "$mode" in
  scratch)
    root=$work/root
    mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
    touch "$root/var/lib/dpkg/status"
    # The scratch database has none of the libraries: their check is the system mode's.
    dpkg() { command dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless "$@"; }
    dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; exit 1; }
    prefix=$root/usr
    export MANPATH=$root/usr/share/man LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}
    remove() { dpkg --purge copybench >/dev/null; }
    ;;
  system)
    [[ $(id -u) == 0 ]] || { echo "package-check: system mode needs root" >&2; exit 2; }
    if command dpkg -s copybench >/dev/null 2>&1; then
      echo "package-check: copybench is installed on this machine already; not touching it" >&2
      exit 2
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
    prefix=/usr root=""
    remove() { DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq copybench >/dev/null; }
    ;;
  *) echo "usage: bash scripts/package-check.sh [scratch|system]" >&2; exit 2 ;;
esac
# What the package put on disk: after removal none of it may remain.
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|' | grep -v '/$' > "$work/files"
installed=0
cleanup_installed() { ((installed)) && remove || true; }
trap 'cleanup_installed; rm -rf "$work"' EXIT
installed=1

"$prefix/bin/copybench" run -P 2 -t 2 -l 16K --warmup 200ms -J 2>/dev/null | python3 -m json.tool > "$work/result.json"
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["parameters"]
assert r["status"] == "ok", r["error"]
assert (p["threads"], p["duration_s"], p["message_bytes"]) == (2, 2.0, 16384), p
print(f"package-check: run -P 2 -t 2 -l 16K -J: {r['receiver']['throughput_gbps']:.2f} Gbit/s received, valid JSON")
PY
man_page=$(man -w copybench)
[[ $man_page == "$root/usr/share/man/man1/copybench.1"* ]] || { echo "package-check: man -w copybench: $man_page" >&2; exit 1; }
echo "package-check: man -w copybench: $man_page"

completion=$prefix/share/bash-completion/completions/copybench
candidates=$(bash -c 'source "$1"; COMP_WORDS=(copybench run --strategy ""); COMP_CWORD=3; _copybench; echo "${COMPREPLY[*]}"' \
  _ "$completion")
for s in two-copy one-copy zero-copy; do
  [[ " $candidates " == *" $s "* ]] || { echo "package-check: --strategy <TAB> lacks $s: $candidates" >&2; exit 1; }
done
echo "package-check: copybench run --strategy <TAB>: $candidates"
[[ -f $root/usr/lib/systemd/system/copybench-server.service || -f $root/lib/systemd/system/copybench-server.service ]] ||
  { echo "package-check: no copybench-server.service" >&2; exit 1; }

remove
installed=0
left=0
while read -r f; do
  if [[ -e $root$f || -L $root$f ]]; then echo "package-check: left behind: $f" >&2; left=1; fi
done < "$work/files"
# The scratch root held nothing else: every folder the package made must be gone too.
if [[ $mode == scratch ]] && find "$root" -mindepth 1 -not -path "$root/var" -not -path "$root/var/lib*" | grep .; then
  echo "package-check: left behind in the scratch root (above)" >&2
  left=1
fi
((left == 0)) || exit 1
echo "package-check: removed, $(wc -l < "$work/files") files gone, none left behind"
