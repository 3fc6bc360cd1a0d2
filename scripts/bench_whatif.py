#!/usr/bin/env python3
"""Benchmark what-if answers: `rollout compare` and `rollout sweep` as a user runs them.

Per district (the sample, and synthetic districts generated once into a cache folder): the four
sample scenarios (two more coaches, the North hub upgraded a year earlier, pure need, pure
readiness; on a synthetic district the North hub's last committed raise two terms earlier)
and a null scenario ("nothing changes"), 5 binding limits, then the 11-point need_weight sweep,
each with its default time budget (or --compare-budget / --sweep-budget). Prints the total
seconds, each plan's status and gap, the moved counts (gains / limit), the null scenario's
moved count, the binding limits' proofs and whether the sweep is monotone.

Usage: .venv/bin/python scripts/bench_whatif.py [--sizes sample,660,1800] [--seed 1]
       [--workers 2] [--compare-budget S] [--sweep-budget S] [--cache /tmp/rollout-bench]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.devtools.synthetic import cached_district  # noqa: E402
from rollout.errors import Problems  # noqa: E402
from rollout.planning.facts import facts_from_inputs  # noqa: E402
from rollout.scoring.inputs import load_inputs  # noqa: E402
from rollout.whatif.compare import compare  # noqa: E402
from rollout.whatif.scenarios import Variant, apply_overrides, describe_changes  # noqa: E402
from rollout.whatif.sweep import sweep  # noqa: E402

SAMPLE = ROOT / "sample_data"
WEIGHTS = [round(i / 10, 1) for i in range(11)]
NULL = "null"


def north_hub_early(facts) -> dict:
    """The North hub's last committed raise two terms (a year) earlier."""
    changes = sorted((c.term_index, c.capacity_mbps) for c in facts.district.capacity_plan
                     if c.link == "NORTH-HUB")
    term, mbps = changes[-1]
    return {"description": "North hub upgraded a year earlier",
            "capacity_plan": [{"link": "NORTH-HUB", "term": facts.term_label(max(0, term - 2)),
                               "capacity_mbps": mbps}]}


def scenarios(facts) -> list[Variant]:
    patches = [("two_more_coaches", {"coaches_fte_delta": {"all": 2}}),
               ("north_hub_early", north_hub_early(facts)),
               ("pure_need", {"need_weight": 1}), ("pure_readiness", {"need_weight": 0}),
               (NULL, {"description": "nothing changes"})]
    out = []
    for name, patch in patches:
        problems = Problems()
        variant = apply_overrides(facts, patch, f"{name}.yaml", problems)
        problems.raise_if_any()
        out.append(Variant(name, variant, str(patch.get("description", "")),
                           describe_changes(facts, variant)))
    return out


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def status(plan) -> str:
    if plan is None:
        return "no plan"
    return "optimal" if plan.status == "optimal" else f"not proven, gap {plan.gap:.4%}"


def bench(name: str, folder: Path, args) -> dict:
    print(f"\n== {name}: {folder} ({load()})", flush=True)
    facts = facts_from_inputs(load_inputs(folder))
    started = time.perf_counter()
    result = compare(facts, scenarios(facts), args.compare_budget, args.workers, max_limits=5)
    compared = time.perf_counter() - started
    print(f"compare: {compared:.1f} s (budget {result.budget:g} s), {len(facts.schools)} schools")
    print(f"  {'plan':<18} {'status':<28} {'objective':>12} {'moved':>6} {'gains':>6} "
          f"{'limit':>6}  started from")
    for o in result.outcomes:
        s = result.summaries.get(o.name)
        print(f"  {o.name:<18} {status(o.plan):<28} "
              f"{o.plan.objective if o.plan else 0:>12,.1f} {s.moved if s else '-':>6} "
              f"{s.moved_to_gain if s else '-':>6} {s.moved_by_limit if s else '-':>6}  "
              f"{o.start or 'nothing'} ({o.seconds:.1f} s given, {o.took:.1f} s taken)")
        if o.name in result.notes:
            print(f"    note: {result.notes[o.name]}")
    for r in result.limits:
        proof = "proven" if r.proven else f"not proven, gap {r.gap or 0:.4%}"
        print(f"  limit {r.candidate.limit:<34} +{r.gain:>8,.1f} points  {proof} "
              f"({r.outcome.seconds:.1f} s given, {r.outcome.took:.1f} s taken); {r.buys()}")
    started = time.perf_counter()
    swept = sweep(facts, WEIGHTS, args.sweep_budget, args.workers)
    swept_seconds = time.perf_counter() - started
    print(f"sweep: {swept_seconds:.1f} s (budget {swept.budget:g} s)")
    for p in swept.points:
        early = p.early
        print(f"  need_weight {p.need_weight:<4g} {status(p.outcome.plan):<28} "
              f"need {early.mean_need if early else 0:5.1f} "
              f"readiness {early.mean_readiness if early else 0:5.1f}  "
              f"({p.outcome.seconds:.1f} s given, {p.outcome.took:.1f} s taken)"
              + (f"  (plan from {p.better_from:g})" if p.better_from is not None else ""))
    print("  monotone" if swept.monotone else "  not monotone: " +
          "; ".join(w.text() for w in swept.wobbles))
    summaries = result.summaries
    plans = [o.plan for o in result.outcomes] + [p.outcome.plan for p in swept.points]
    return {"district": name, "schools": len(facts.schools), "compare_s": compared,
            "sweep_s": swept_seconds, "total_s": compared + swept_seconds,
            "proven": sum(p is not None and p.status == "optimal" for p in plans),
            "plans": len(plans),
            "worst_gap": max((p.gap or 0.0) for p in plans if p is not None),
            "null_moved": summaries[NULL].moved if NULL in summaries else None,
            "moved": {o.name: summaries[o.name].moved for o in result.scenarios
                      if o.name in summaries},
            "limits_proven": sum(r.proven for r in result.limits), "limits": len(result.limits),
            "monotone": swept.monotone, "load": load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="sample,660,1800")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare-budget", type=float, default=None)
    parser.add_argument("--sweep-budget", type=float, default=None)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/rollout-bench"))
    args = parser.parse_args()
    rows = []
    for size in args.sizes.split(","):
        folder = SAMPLE if size == "sample" else cached_district(args.cache, int(size), args.seed)
        rows.append(bench(size, folder, args))
    print("\n| district | schools | compare s | sweep s | total s | plans proven | worst gap "
          "| null moved | moved (coaches, hub, need, readiness) | limits proven | monotone |")
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --- | --: | --- |")
    for r in rows:
        moved = ", ".join(str(r["moved"].get(n, "-")) for n in
                          ("two_more_coaches", "north_hub_early", "pure_need", "pure_readiness"))
        print(f"| {r['district']} | {r['schools']:,} | {r['compare_s']:.1f} | {r['sweep_s']:.1f} "
              f"| {r['total_s']:.1f} | {r['proven']} of {r['plans']} | {r['worst_gap']:.4%} "
              f"| {r['null_moved']} | {moved} | {r['limits_proven']} of {r['limits']} "
              f"| {'yes' if r['monotone'] else 'no'} |")
    print(f"\n({load()} at the end)")


if __name__ == "__main__":
    main()
