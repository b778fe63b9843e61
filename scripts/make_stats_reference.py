#!/usr/bin/python3
"""Writes tests/data/mannwhitneyu_reference.json: SciPy's mannwhitneyu (defaults: two-sided,
method auto, continuity correction) on fixed samples, for tests/stats_test.cpp. Run once when
cases are added (needs Debian's python3-scipy); the file is committed, the tests never run SciPy.

    /usr/bin/python3 scripts/make_stats_reference.py [OUT]
"""
import json
import pathlib
import random
import sys

import scipy
from scipy.stats import mannwhitneyu

rng = random.Random(32)  # fixed: the same cases every time
CASES = {
    "one against one": ([1.0], [2.0]),
    "one against three": ([5.0], [1.0, 2.0, 3.0]),
    "two against two, apart": ([1.0, 2.0], [3.0, 4.0]),
    "three against three, apart": ([10.1, 10.3, 10.2], [11.0, 11.5, 11.2]),
    "three against three, interleaved": ([1.0, 3.0, 5.0], [2.0, 4.0, 6.0]),
    "four against four, apart": ([30.1, 30.4, 29.9, 30.2], [27.0, 27.5, 26.9, 27.2]),
    "five against seven": ([3.1, 2.7, 4.4, 3.9, 2.2], [4.8, 5.1, 3.3, 6.0, 4.1, 5.5, 4.9]),
    "eight against twenty (exact)": ([rng.gauss(10, 1) for _ in range(8)], [rng.gauss(11, 1) for _ in range(20)]),
    "ties, small (asymptotic)": ([1.0, 2.0, 2.0, 3.0], [2.0, 3.0, 3.0, 4.0]),
    "ties across the samples": ([0.0, 0.0, 0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0, 3.0, 3.0]),
    "every value equal": ([7.0, 7.0, 7.0], [7.0, 7.0, 7.0, 7.0]),
    "identical samples": ([1.5, 2.5, 3.5, 4.5], [1.5, 2.5, 3.5, 4.5]),
    "twelve against fifteen (asymptotic)": ([rng.gauss(5, 2) for _ in range(12)], [rng.gauss(6, 2) for _ in range(15)]),
    "nine against nine, shifted": ([rng.uniform(0, 1) for _ in range(9)], [rng.uniform(0.3, 1.3) for _ in range(9)]),
    "thirty against thirty, equal": ([rng.gauss(0, 1) for _ in range(30)], [rng.gauss(0, 1) for _ in range(30)]),
}

out = []
for name, (x, y) in CASES.items():
    r = mannwhitneyu(x, y)
    out.append({"name": name, "x": x, "y": y, "u1": float(r.statistic), "p": float(r.pvalue)})
path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "tests/data/mannwhitneyu_reference.json")
path.write_text(json.dumps({"made_by": f"scipy {scipy.__version__} mannwhitneyu, two-sided, method auto",
                            "cases": out}, indent=1) + "\n")
print(f"wrote {len(out)} cases to {path}")
