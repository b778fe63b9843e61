#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root): installs what is missing, builds,
# then either runs the main job or the whole test suite.
#   bash scripts/setup.sh run           # build (release) and run the study's three strategies
#   bash scripts/setup.sh test [PRESET] # build PRESET (release, asan, tsan) and run every test
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev iproute2)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
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
    for strategy in two-copy one-copy zero-copy; do
      build/release/copybench run --strategy "$strategy" --size 64K --threads 2 --duration 3 \
        --csv build/release/results.csv
    done
    echo "setup: one row per run in build/release/results.csv"
    ;;
  test)
    install_missing
    build "$preset"
    ctest --preset "$preset"
    ;;
  *)
    echo "usage: bash scripts/setup.sh run | test [release|asan|tsan]" >&2
    exit 2
    ;;
esac
