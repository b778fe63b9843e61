#!/usr/bin/env python3
"""The fleet's measurements, scheduled in rounds (deploy/ansible/fleet.yml runs it on the controller).

usage: fleet_plan.py PLAN_JSON   with {"hosts": [...], "pattern": "pairs|all-pairs|ring|incast",
"pairs": [[client, server], ...] (pattern pairs), "incast_server": host (pattern incast; default the
first host), "concurrent": bool, "out": controller folder, "force": bool, "grid": {option: the
sweep's comma list}, "reps": N, "duration": "2s", "warmup": "500ms"}.
Prints {"rounds": [[{"client": c, "server": s}, ...], ...], "done": [pairs measured before],
"pairs": [every pair], "lifetime_s": how long the servers may live: the rounds' runs at their
duration and warm-up plus 15 s each, and 5 minutes, so that a server outlives the plan but not by
much when the controller went away (Ctrl-C) before stopping it}.
Without concurrent, a greedy round-robin: each pair goes into the first round where neither of its
hosts is busy, so no host is in two measurements at once. With concurrent, one round of all.
A pair that an earlier run measured (ok in OUT/fleet.json, its folder's results.json there) is
done (resume) unless force; a failed one is measured again."""
import json
import os
import sys


def pairs_of(spec):
    hosts, pattern = spec["hosts"], spec["pattern"]
    if len(hosts) < 2:
        raise ValueError(f"a fleet needs 2 hosts or more, the inventory's group has {len(hosts)}")
    if pattern == "all-pairs":
        return [(c, s) for c in hosts for s in hosts if c != s]
    if pattern == "ring":
        return [(hosts[i], hosts[(i + 1) % len(hosts)]) for i in range(len(hosts))]
    if pattern == "incast":
        server = spec.get("incast_server") or hosts[0]
        if server not in hosts:
            raise ValueError(f"fleet_incast_server '{server}' is not a host of the fleet")
        return [(c, server) for c in hosts if c != server]
    if pattern == "pairs":
        pairs = [tuple(p) for p in spec.get("pairs") or []]
        if not pairs:
            raise ValueError("fleet_pattern pairs needs fleet_pairs, a list of [client, server]")
        for c, s in pairs:
            for h in (c, s):
                if h not in hosts:
                    raise ValueError(f"fleet_pairs names '{h}', which is not a host of the fleet")
            if c == s:
                raise ValueError(f"fleet_pairs has '{c}' against itself")
        return pairs
    raise ValueError(f"fleet_pattern must be pairs, all-pairs, ring or incast, not '{pattern}'")


def schedule(pairs, concurrent):
    if concurrent:
        return [pairs] if pairs else []
    rounds, busy = [], []
    for c, s in pairs:
        for i, hosts in enumerate(busy):
            if c not in hosts and s not in hosts:
                rounds[i].append((c, s))
                hosts.update((c, s))
                break
        else:
            rounds.append([(c, s)])
            busy.append({c, s})
    return rounds


def seconds(text):
    """A sweep's duration text ("2s", "500ms", "1m", "2", "auto:20s", "auto") in seconds."""
    text = str(text).strip()
    if text.startswith("auto"):
        return seconds(text.partition(":")[2] or "30s")
    for unit, factor in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return float(text[: -len(unit)]) * factor
    return float(text)


def lifetime_s(spec, rounds):
    points = 1
    for value in (spec.get("grid") or {}).values():
        points *= max(1, len([v for v in str(value).split(",") if v.strip()]))
    per_run = seconds(spec.get("duration", "2s")) + seconds(spec.get("warmup", "500ms")) + 15
    return int(len(rounds) * points * int(spec.get("reps", 1)) * per_run + 300)


def main():
    spec = json.loads(sys.argv[1])
    try:
        pairs = pairs_of(spec)
    except ValueError as e:
        print(f"fleet plan: {e}", file=sys.stderr)
        return 2
    done = []
    if not spec.get("force"):
        ok = set()
        try:
            with open(os.path.join(spec["out"], "fleet.json")) as f:
                ok = {(p["client"], p["server"]) for p in json.load(f).get("pairs", []) if p.get("status") == "ok"}
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no earlier run, or an index it cannot read: measure everything
        done = [p for p in pairs
                if p in ok and os.path.exists(os.path.join(spec["out"], "pairs", f"{p[0]}--{p[1]}", "results.json"))]
    todo = [p for p in pairs if p not in done]
    rounds = [[{"client": c, "server": s} for c, s in r] for r in schedule(todo, spec.get("concurrent", False))]
    print(json.dumps({"rounds": rounds, "done": [{"client": c, "server": s} for c, s in done],
                      "pairs": [{"client": c, "server": s} for c, s in pairs],
                      "lifetime_s": lifetime_s(spec, rounds)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
