#!/usr/bin/env python3
"""The structure of src/, checked: prints nothing and exits 0 when it holds.

1. Layers: a folder of src/ is a layer, LAYERS below is their order, bottom first (the one
   place it is declared; docs/ARCHITECTURE.md's layer table must list the same folders in the
   same order). A file may include its own layer and the layers below it, never one above.
   A subfolder (strategies/recv, session/roles) belongs to its folder's layer.
2. Sizes: no file of src/ over MAX_FILE_LINES lines, no function over MAX_FUNCTION_LINES
   (from its first line to its closing brace), but for functions whose comment says they are
   a "(declarative table)": one row per line, nothing to split.

    python3 scripts/check_structure.py [REPO]   # REPO: the checkout (default: this script's)

Exit 1 with one line per finding ("src/x.cpp:12: ..."); exit 2 when REPO is not a checkout.
"""
import pathlib
import re
import sys

LAYERS = [
    "core",        # clocks, errors, the message and its pattern, units, files
    "net",         # sockets, the data path's system calls, network namespaces
    "metrics",     # perf events, CPU accounting, histograms, TCP_INFO, the profile's sampler
    "strategies",  # send strategies; strategies/recv/: receive strategies
    "params",      # TestParams and the parameter table
    "wire",        # the protocol's header and frames, authentication
    "results",     # every figure as plain data, its columns and JSON
    "machine",     # facts about this machine: environment, probe
    "session",     # one test: client, server, test session, window, meters; session/roles/
    "output",      # one run's writers: table, CSV, JSON, live lines
    "report",      # a sweep's report: summary, answers, plots, report.md
    "sweep",       # a grid of runs: plan, topology, child processes, progress
    "cli",         # the command line's options (CLI11)
    "main",        # src/main.cpp
]
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
TABLE_MARK = "(declarative table)"

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
CONTROL = re.compile(r"^(if|else|for|while|switch|do|try|catch|namespace|class|struct|union|enum|extern)\b")


def layer_of(relative: str) -> str:
    """The layer of a path below src/ ("session/roles/sender.cpp" -> "session")."""
    first = relative.split("/", 1)[0]
    return "main" if first == "main.cpp" else first


def check_includes(src: pathlib.Path, findings: list) -> None:
    rank = {name: i for i, name in enumerate(LAYERS)}
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp", ".in") or not path.is_file():
            continue
        rel = path.relative_to(src).as_posix()
        own = layer_of(rel)
        if own not in rank:
            findings.append(f"src/{rel}:1: folder '{own}' is no layer (scripts/check_structure.py LAYERS)")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = layer_of(match.group(1))
            if target not in rank:
                continue  # a system or generated header without a layer
            if rank[target] > rank[own]:
                findings.append(f"src/{rel}:{number}: {own}/ includes {match.group(1)}, a layer above it ({target}/)")


def strip_code(text: str) -> list:
    """The lines with comments, string and character literals blanked, so braces count true."""
    out, i, n = [], 0, len(text)
    buf = []
    state = None  # None, "line", "block", '"', "'", "raw"
    raw_end = ""
    while i < n:
        c = text[i]
        if state is None:
            if text.startswith("//", i):
                state = "line"
                i += 2
                continue
            if text.startswith("/*", i):
                state = "block"
                i += 2
                continue
            m = re.match(r'R"([^(\s]*)\(', text[i:i + 20])
            if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                state, raw_end = "raw", ")" + m.group(1) + '"'
                buf.append(" ")
                i += len(m.group(0))
                continue
            if c == "'" and i > 0 and text[i - 1].isalnum():
                buf.append(c)  # a digit separator (10'000), not a character literal
                i += 1
                continue
            if c in "\"'":
                state = c
                buf.append(" ")
                i += 1
                continue
            buf.append(c)
        elif state == "line":
            if c == "\n":
                state = None
                buf.append(c)
        elif state == "block":
            if text.startswith("*/", i):
                state = None
                i += 2
                continue
            if c == "\n":
                buf.append(c)
        elif state == "raw":
            if text.startswith(raw_end, i):
                state = None
                i += len(raw_end)
                continue
            if c == "\n":
                buf.append(c)
        else:  # inside a quoted literal
            if c == "\\":
                i += 2
                continue
            if c == state:
                state = None
            elif c == "\n":
                buf.append(c)
        i += 1
    return "".join(buf).split("\n")


def function_header(code: list, open_line: int) -> int:
    """The first line of the statement whose brace opens on `open_line`."""
    start = open_line
    while start > 0:
        previous = code[start - 1].strip()
        if previous == "" or previous.endswith((";", "{", "}")) or previous.startswith("#") or re.match(
                r"^(public|private|protected):$", previous):
            break
        start -= 1
    return start


def check_functions(path: pathlib.Path, rel: str, findings: list) -> None:
    source = path.read_text().split("\n")
    code = strip_code(path.read_text())
    opens = []  # (line, column) of each open brace
    for number, line in enumerate(code):
        for column, c in enumerate(line):
            if c == "{":
                opens.append(number)
            elif c == "}" and opens:
                begin = opens.pop()
                if line.strip() != "}" or begin == number:
                    continue  # a function's body ends on a line of its own
                start = function_header(code, begin)
                header = " ".join(code[k].strip() for k in range(start, begin + 1))
                if "(" not in header or header.startswith("}") or CONTROL.match(header) or "=" in header.split("(")[0]:
                    continue
                length = number - start + 1
                if length <= MAX_FUNCTION_LINES:
                    continue
                comment = []
                k = start - 1
                while k >= 0 and source[k].strip().startswith("//"):
                    comment.append(source[k])
                    k -= 1
                if any(TABLE_MARK in c for c in comment):
                    continue
                name = re.sub(r"\s+", " ", header.split("(")[0]).strip().split(" ")[-1]
                findings.append(f"src/{rel}:{start + 1}: function {name} is {length} lines (at most {MAX_FUNCTION_LINES})")


def check_sizes(src: pathlib.Path, findings: list) -> None:
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp") or not path.is_file():
            continue
        rel = path.relative_to(src).as_posix()
        lines = path.read_text().count("\n")
        if lines > MAX_FILE_LINES:
            findings.append(f"src/{rel}:1: {lines} lines (at most {MAX_FILE_LINES})")
        check_functions(path, rel, findings)


def check_architecture_doc(repo: pathlib.Path, findings: list) -> None:
    """docs/ARCHITECTURE.md's layer table (its "## Layers" section) names the folders in LAYERS' order."""
    doc = repo / "docs" / "ARCHITECTURE.md"
    if not doc.is_file():
        findings.append("docs/ARCHITECTURE.md:1: missing")
        return
    named = []
    section = ""
    for line in doc.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        if section != "Layers":
            continue
        m = re.match(r"^\|\s*`(\w+)/`", line) or re.match(r"^\|\s*`(main)\.cpp`", line)
        if m and m.group(1) not in named:
            named.append(m.group(1))
    if named != LAYERS:
        findings.append(f"docs/ARCHITECTURE.md:1: its layer table lists {named}, "
                        f"scripts/check_structure.py LAYERS is {LAYERS}")


def main() -> int:
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    src = repo / "src"
    if not src.is_dir():
        print(f"check_structure: {repo} has no src/", file=sys.stderr)
        return 2
    findings = []
    check_includes(src, findings)
    check_sizes(src, findings)
    check_architecture_doc(repo, findings)
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
