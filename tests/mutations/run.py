#!/usr/bin/env python3
"""Mutation smoke check: every mutation in mutations.txt must be killed by its tests.

usage: run.py BUILD_DIR [NAME_REGEX]
For each mutation (or those whose name matches NAME_REGEX): change its one line, rebuild
BUILD_DIR incrementally (ninja), run its tests (ctest -R, the e2e fixtures excluded), put the
line back. A mutation is killed when its tests fail; a survivor, a mutation that no longer
applies, or one that does not build fails the run. Each file is restored even on Ctrl-C, and
the build is brought back to the unmutated source at the end. Prints one line per mutation and
a summary; exit 0 only when every mutation was killed."""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse(path):
    mutations, current = [], None
    for number, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("== "):
            current = {"name": line[3:].strip(), "line": number}
            mutations.append(current)
            continue
        key, sep, value = line.partition(": ")
        if current is None or not sep or key not in ("file", "find", "replace", "tests"):
            sys.exit(f"{path}:{number}: expected '== NAME' or 'file|find|replace|tests: VALUE', got: {line}")
        current[key] = value
    for m in mutations:
        missing = [k for k in ("file", "find", "replace", "tests") if k not in m]
        if missing:
            sys.exit(f"{path}:{m['line']}: mutation '{m['name']}' lacks {', '.join(missing)}")
    return mutations


def words(text):
    return " ".join(text.split())


def mutate(text, find, replace):
    """The text with the one line whose words are find's changed to replace (its indentation
    kept), or an error string."""
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if words(find) in words(line)]
    if len(hits) != 1:
        return None, f"its text is found {len(hits)} times, not once"
    i = hits[0]
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = indent + words(lines[i]).replace(words(find), replace)
    return "\n".join(lines), None


def run(cmd, timeout):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)


def build(build_dir):
    return run(["ninja", "-C", build_dir], 1800)


def check(m, build_dir):
    path = os.path.join(ROOT, m["file"])
    original = open(path).read()
    mutated, error = mutate(original, m["find"], m["replace"])
    if error:
        return "stale", error
    try:
        with open(path, "w") as f:
            f.write(mutated)
        built = build(build_dir)
        if built.returncode != 0:
            errors = [line for line in built.stdout.splitlines() if "error:" in line] or ["ninja failed"]
            return "unbuildable", errors[0].strip()
        tested = run(["ctest", "--test-dir", build_dir, "-R", m["tests"], "-FA", ".*", "--timeout", "300"], 3600)
        if "No tests were found" in tested.stdout:
            return "stale", f"no test matches -R '{m['tests']}'"
        failed = re.findall(r"\d+% tests passed, (\d+) tests failed out of (\d+)", tested.stdout)
        if tested.returncode != 0:
            n = f"{failed[0][0]} of {failed[0][1]}" if failed else "some"
            return "killed", f"{n} tests failed"
        return "SURVIVED", f"every test of -R '{m['tests']}' passed"
    finally:
        with open(path, "w") as f:
            f.write(original)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build_dir = os.path.abspath(sys.argv[1])
    wanted = re.compile(sys.argv[2]) if len(sys.argv) > 2 else None
    mutations = [m for m in parse(os.path.join(HERE, "mutations.txt")) if not wanted or wanted.search(m["name"])]
    started = time.monotonic()
    bad = 0
    try:
        for m in mutations:
            t0 = time.monotonic()
            verdict, why = check(m, build_dir)
            bad += verdict != "killed"
            print(f"{verdict:<11} {m['name']} ({m['file']}): {why} [{time.monotonic() - t0:.0f} s]", flush=True)
    finally:
        restored = build(build_dir)
        if restored.returncode != 0:
            print("the unmutated source did not build again:", restored.stdout[-2000:])
            bad += 1
    print(f"{len(mutations)} mutations, {len(mutations) - bad} killed, {bad} not, in {time.monotonic() - started:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
