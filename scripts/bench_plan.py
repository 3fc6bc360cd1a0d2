#!/usr/bin/env python3
"""Benchmark the planner.

Without options: the main job on the sample district (read+score, solve, write; solver
figures). With --scale (or --sizes): synthetic districts of 95, 660, 1,800 and 10,000 schools,
each generated once into a cache folder; per size, CP-SAT as the planner runs it (in a child
process, so that peak memory is per instance), the greedy baseline, and the same model as a
MIP with HiGHS under the same time limit (in a child process with a hard timeout), each plan
judged by the independent checker.

Usage: .venv/bin/python scripts/bench_plan.py [--district sample_data]
       .venv/bin/python scripts/bench_plan.py --scale [--sizes 95,660] [--time-limit 60]
"""
from __future__ import annotations

import argparse
import json
import pickle
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.checking.check import check_plan  # noqa: E402
from rollout.devtools.bench import plan_from_names, run_child  # noqa: E402
from rollout.devtools.synthetic import cached_district  # noqa: E402
from rollout.planning.facts import facts_from_inputs  # noqa: E402
from rollout.planning.greedy import greedy_plan  # noqa: E402
from rollout.planning.objectives import objective_value  # noqa: E402
from rollout.scoring.inputs import load_inputs  # noqa: E402

DEFAULT_SIZES = [95, 660, 1800, 10000]
CACHE = Path(tempfile.gettempdir()) / "rollout-bench"


def sample_district(district: Path, time_limit: float | None) -> None:
    from rollout.pipeline import plan_district

    with tempfile.TemporaryDirectory() as tmp:
        results, t = plan_district(district, Path(tmp) / "out", time_limit=time_limit)
    plan = results.plan
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"district            {district.name}: {len(results.rows)} schools, "
          f"{len(results.facts.cohorts)} cohorts, {results.facts.term_count} terms")
    print(f"model               {plan.stats['variables']} variables, "
          f"{plan.stats['constraints']} constraints, {plan.stats['limits']} limits")
    print(f"read+score seconds  {t.read_score:.2f}")
    print(f"solve seconds       {t.solve:.2f} (build {plan.build_seconds:.2f}, "
          f"search {plan.solve_seconds:.2f})")
    print(f"status              {plan.status}")
    print(f"objective           {plan.objective:,.1f}")
    print(f"bound               {plan.bound:,.1f}")
    print(f"gap                 {plan.gap:.4%}")
    print(f"write seconds       {t.write:.2f}")
    print(f"peak memory MB      {peak_mb:.0f}")


@dataclass
class SizeResult:
    schools: int
    read_seconds: float = 0.0
    cpsat: dict = field(default_factory=dict)
    cpsat_violations: int | None = None
    greedy_objective: float | None = None
    greedy_violations: int | None = None
    highs: dict = field(default_factory=dict)
    highs_violations: int | None = None


def bench_size(schools: int, args) -> SizeResult:
    folder = cached_district(args.cache, schools, args.seed, log=lambda m: print(m, flush=True))
    # Files passed to and from the children: a folder of this run's own, as other runs may
    # share the district cache.
    with tempfile.TemporaryDirectory(prefix=f"bench-{schools}-") as work:
        return bench_instance(schools, folder, Path(work), args)


def bench_instance(schools: int, folder: Path, work: Path, args) -> SizeResult:
    result = SizeResult(schools)
    started = time.perf_counter()
    facts = facts_from_inputs(load_inputs(folder))
    result.read_seconds = time.perf_counter() - started
    facts_path, model_path = work / "facts.pickle", work / "model.pb"
    facts_path.write_bytes(pickle.dumps(facts))

    cpsat_out = work / "cpsat.json"
    code, seconds = run_child(["cpsat", str(facts_path), str(cpsat_out), str(args.time_limit),
                               str(args.workers or "-"),
                               "-" if args.no_highs else str(model_path)],
                              timeout=args.time_limit + 600)
    if cpsat_out.exists():
        result.cpsat = json.loads(cpsat_out.read_text())
        if result.cpsat.get("cohort_of"):
            result.cpsat_violations = len(check_plan(facts, result.cpsat["cohort_of"],
                                                     result.cpsat["upgrades"]))
    else:
        result.cpsat = {"status": f"child failed (exit {code}) after {seconds:.0f} s"}

    greedy = greedy_plan(facts)
    result.greedy_objective = objective_value(facts, greedy.cohort_of, greedy.upgrades)
    result.greedy_violations = len(check_plan(facts, greedy.cohort_of, greedy.upgrades))

    if not args.no_highs and model_path.exists():
        result.highs, result.highs_violations = bench_highs(facts, model_path, work, args)
    return result


def bench_highs(facts, model_path: Path, work: Path, args) -> tuple[dict, int | None]:
    """HiGHS in a child with a hard timeout: it can overrun its own time limit (in a root
    heuristic on large instances). A killed child still leaves its last incumbent."""
    out = work / "highs.json"
    grace = max(10.0, args.time_limit * 0.5)
    code, seconds = run_child(["highs", str(model_path), str(out), str(args.time_limit)],
                              timeout=args.time_limit + grace)
    highs = json.loads(out.read_text()) if out.exists() else {"status": "no solution"}
    highs["seconds"] = seconds
    if code is None:
        highs["status"] = f"killed at {seconds:.0f} s ({highs['status']})"
    elif code != 0:
        highs["status"] = f"child failed (exit {code})"
    # Seconds past its own time limit, counted from when HiGHS started (after the child read
    # and converted the model); a second of slack for starting Python and writing results.
    overrun = seconds - highs.get("setup_seconds", 0.0) - args.time_limit
    if overrun > 1:
        highs["overrun"] = overrun
    violations = None
    if highs.get("solution"):
        cohort_of, upgrades = plan_from_names(highs["solution"])
        highs["objective"] = objective_value(facts, cohort_of, upgrades)
        violations = len(check_plan(facts, cohort_of, upgrades))
    else:
        highs["objective"] = None
    return highs, violations


def number(value, spec: str = ",.1f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[SizeResult]) -> None:
    header = ["schools", "read s", "build s", "solve s", "status", "objective", "bound", "gap",
              "polish", "MB", "viol.", "greedy objective", "viol.", "HiGHS objective",
              "HiGHS status", "HiGHS s", "viol."]
    rows = []
    for r in results:
        c, h = r.cpsat, r.highs
        rows.append([f"{r.schools:,}", number(r.read_seconds, ".1f"),
                     number(c.get("build_seconds"), ".2f"), number(c.get("solve_seconds"), ".2f"),
                     c.get("status", "-"), number(c.get("objective")), number(c.get("bound")),
                     number(c.get("gap"), ".4%"), polish_text(c.get("stats", {})),
                     number(c.get("peak_mb"), ".0f"),
                     number(r.cpsat_violations, "d"), number(r.greedy_objective),
                     number(r.greedy_violations, "d"), number(h.get("objective")),
                     h.get("status", "-"), highs_seconds(h), number(r.highs_violations, "d")])
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("| " + " | ".join(str(x).rjust(w) for x, w in zip(row, widths)) + " |")


def polish_text(stats: dict) -> str:
    """Windows re-solved after the first search and the points they gained ("-": none)."""
    if not stats.get("polish_windows"):
        return "-"
    return f"{stats['polish_windows']} w, +{stats['polish_gain']:,.1f}"


def highs_seconds(h: dict) -> str:
    if "seconds" not in h:
        return "-"
    text = f"{h['seconds']:.1f}"
    return text + f" (+{h['overrun']:.0f} over)" if "overrun" in h else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--district", type=Path, default=ROOT / "sample_data")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds per solver (default: settings for the sample district, "
                        "60 with --scale)")
    parser.add_argument("--scale", action="store_true",
                        help="synthetic districts of " + ", ".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        help="comma-separated school counts (implies --scale)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help="folder for the generated districts (default %(default)s)")
    parser.add_argument("--workers", type=int, default=None,
                        help="CP-SAT workers (default: settings.solver.workers)")
    parser.add_argument("--no-highs", action="store_true", help="skip the HiGHS comparison")
    args = parser.parse_args()
    if not (args.scale or args.sizes):
        sample_district(args.district, args.time_limit)
        return
    args.sizes = args.sizes or DEFAULT_SIZES
    args.time_limit = args.time_limit or 60.0
    print(f"time limit {args.time_limit:g} s per solver; CP-SAT workers "
          f"{args.workers or 'from settings'}; seed {args.seed}; cache {args.cache}", flush=True)
    results = []
    for schools in args.sizes:
        print(f"{schools:,} schools ...", flush=True)
        results.append(bench_size(schools, args))
    print_table(results)


if __name__ == "__main__":
    main()
