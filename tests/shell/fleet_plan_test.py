#!/usr/bin/env python3
"""deploy/ansible/files/fleet_plan.py: each pattern's pairs, rounds in which no host is in two
measurements (or one round with concurrent), resume from fleet.json, and refusals.
usage: fleet_plan_test.py SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

PLAN = None


def plan(**spec):
    spec.setdefault("out", "/nonexistent")
    r = subprocess.run([sys.executable, PLAN, json.dumps(spec)], capture_output=True, text=True)
    return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else r.stderr)


def pairs_of(rounds):
    return [(p["client"], p["server"]) for r in rounds for p in r]


class FleetPlan(unittest.TestCase):
    hosts = ["h1", "h2", "h3", "h4"]

    def assert_no_host_twice_in_a_round(self, rounds):
        for r in rounds:
            hosts = [h for p in r for h in (p["client"], p["server"])]
            self.assertEqual(len(hosts), len(set(hosts)), r)

    def test_all_pairs_is_every_ordered_pair_once_in_rounds_of_disjoint_pairs(self):
        rc, out = plan(hosts=self.hosts, pattern="all-pairs")
        self.assertEqual(rc, 0, out)
        got = pairs_of(out["rounds"])
        self.assertEqual(sorted(got), sorted((c, s) for c in self.hosts for s in self.hosts if c != s))
        self.assertEqual(len(got), len(set(got)))
        self.assert_no_host_twice_in_a_round(out["rounds"])
        self.assertLess(len(out["rounds"]), 12, "pairs of 4 hosts share rounds")

    def test_ring_incast_and_pairs(self):
        _, ring = plan(hosts=self.hosts, pattern="ring")
        self.assertEqual(sorted(pairs_of(ring["rounds"])), [("h1", "h2"), ("h2", "h3"), ("h3", "h4"), ("h4", "h1")])
        self.assert_no_host_twice_in_a_round(ring["rounds"])
        _, incast = plan(hosts=self.hosts, pattern="incast", incast_server="h3")
        self.assertEqual(sorted(pairs_of(incast["rounds"])), [("h1", "h3"), ("h2", "h3"), ("h4", "h3")])
        self.assertEqual(len(incast["rounds"]), 3, "one server: one pair a round")
        _, listed = plan(hosts=self.hosts, pattern="pairs", pairs=[["h1", "h2"], ["h3", "h4"]])
        self.assertEqual(len(listed["rounds"]), 1, "disjoint pairs share a round")

    def test_concurrent_is_one_round_of_everything(self):
        _, out = plan(hosts=self.hosts, pattern="incast", concurrent=True)
        self.assertEqual(len(out["rounds"]), 1)
        self.assertEqual(len(out["rounds"][0]), 3)

    def test_refusals_name_the_problem(self):
        for spec, words in [({"pattern": "mesh"}, "fleet_pattern must be"),
                            ({"pattern": "pairs"}, "needs fleet_pairs"),
                            ({"pattern": "pairs", "pairs": [["h1", "h9"]]}, "'h9'"),
                            ({"pattern": "pairs", "pairs": [["h1", "h1"]]}, "against itself"),
                            ({"pattern": "incast", "incast_server": "h9"}, "'h9'")]:
            rc, err = plan(hosts=self.hosts, **spec)
            self.assertEqual(rc, 2, spec)
            self.assertIn(words, err, spec)
        rc, err = plan(hosts=["h1"], pattern="all-pairs")
        self.assertEqual(rc, 2)
        self.assertIn("2 hosts or more", err)

    def test_resume_skips_only_pairs_measured_ok_unless_forced(self):
        with tempfile.TemporaryDirectory() as out:
            for pair in ("h1--h2", "h2--h1"):
                os.makedirs(f"{out}/pairs/{pair}")
                open(f"{out}/pairs/{pair}/results.json", "w").write("{}")
            json.dump({"pairs": [{"client": "h1", "server": "h2", "status": "ok"},
                                 {"client": "h2", "server": "h1", "status": "failed"}]}, open(f"{out}/fleet.json", "w"))
            _, resumed = plan(hosts=["h1", "h2"], pattern="all-pairs", out=out)
            self.assertEqual(resumed["done"], [{"client": "h1", "server": "h2"}])
            self.assertEqual(pairs_of(resumed["rounds"]), [("h2", "h1")], "a failed pair is measured again")
            _, forced = plan(hosts=["h1", "h2"], pattern="all-pairs", out=out, force=True)
            self.assertEqual(len(pairs_of(forced["rounds"])), 2)

    def test_the_servers_lifetime_covers_the_plan(self):
        _, out = plan(hosts=["h1", "h2", "h3"], pattern="all-pairs", grid={"sizes": "1K,64K"}, reps=2,
                      duration="2s", warmup="500ms")
        self.assertEqual(out["lifetime_s"], int(6 * 2 * 2 * (2 + 0.5 + 15) + 300))


if __name__ == "__main__":
    PLAN = os.path.join(sys.argv.pop(1), "deploy/ansible/files/fleet_plan.py")
    unittest.main(verbosity=1)
