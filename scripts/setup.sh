#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root): installs what is missing, builds,
# then either runs the main job or the whole test suite.
#   bash scripts/setup.sh run           # build (release) and run the default sweep (the study's grid)
#   bash scripts/setup.sh test [PRESET] # build PRESET (release, asan, tsan) and run every test
#   bash scripts/setup.sh fuzz [SECONDS] # build the libFuzzer targets (clang) and run each SECONDS (30)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev libbenchmark-dev liburing-dev libssl-dev iproute2 gnuplot-nox
          help2man man-db python3 python3-jsonschema dpkg-dev file  # the man page; the tests of the installed tool and the package
          clang-format)  # scripts/check-format.sh

# The fleet (deploy/ansible) and its test on a local fleet: only for the test suite.
fleet_packages=(ansible-core ansible-lint openssh-server openssh-client)

install_missing() {
  local missing=() p
  for p in "${packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Installing openssh-server would start an sshd on this machine where no init system asks
    # for it (a container, CI): policy-rc.d refuses service starts during the install.
    local guard=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      guard=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" || { [[ -n $guard ]] && rm -f "$guard"; return 1; }
    [[ -n $guard ]] && rm -f "$guard"
  fi
  return 0
}

build() {
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1"
}

mode=${1:-run}
preset=${2:-release}
case "$mode" in
  run)
    install_missing
    build release
    # The study's grid: 3 strategies x 1K,4K,16K,64K x 1,2,4,8 threads x 3 repetitions, in two
    # network namespaces joined by a veth pair when root (else loopback); about 8 minutes.
    build/release/copybench sweep "${@:2}"
    ;;
  test)
    install_missing "${fleet_packages[@]}"
    build "$preset"
    ctest --preset "$preset"
    ;;
  fuzz)
    # The wire parsers (tests/fuzz). New inputs go to build/fuzz/corpus; the committed seeds in
    # tests/fuzz/corpus are only read. A crash leaves its input as build/fuzz/<target>-crash-*.
    packages+=(clang libclang-rt-14-dev)  # libFuzzer's runtime is only recommended by clang
    install_missing
    build fuzz
    for target in fuzz_header fuzz_control; do
      mkdir -p "build/fuzz/corpus/$target"
      "build/fuzz/tests/fuzz/$target" -max_total_time="${2:-30}" -max_len=65536 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="build/fuzz/$target-" "build/fuzz/corpus/$target" "tests/fuzz/corpus/${target#fuzz_}"
    done
    ;;
  *)
    echo "usage: bash scripts/setup.sh run | test [release|asan|tsan] | fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
