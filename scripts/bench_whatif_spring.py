#!/usr/bin/env python3
"""Benchmark what-if in a second spring (issue 23): `rollout compare --previous` with one
scenario of each new kind (shift, place, keep_out, no_launch_in) plus the base, as a user runs
it with its default time budget.

The sample: sample_data/year2 with its scenarios/ folder, last year's plan made first. A
synthetic district: generated once (cached), planned as a first spring, then given a second
spring by the same steps as the sample's (devtools/sample_year2.make_year2: launches delayed,
paused and early in the Launches sheet); its scenarios are made from its own schools. Prints
the total seconds, each plan's status, gap and moved count, and the slowest solve.

Usage: .venv/bin/python scripts/bench_whatif_spring.py [--sizes sample,660] [--seed 1]
       [--workers 2] [--budget S] [--cache /tmp/rollout-bench]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.devtools.sample_year2 import make_year2, name_district  # noqa: E402
from rollout.devtools.synthetic import cached_district  # noqa: E402
from rollout.pipeline import plan_district  # noqa: E402
from rollout.scoring.inputs import load_inputs  # noqa: E402
from rollout.whatif.compare import compare_district  # noqa: E402

SAMPLE = ROOT / "sample_data"
SAMPLE_FILES = {"shift": "high_schools_later.yaml", "place": "cedar_in_group2.yaml",
                "no_launch_in": "no_launch_2029_fall.yaml",
                "keep_out": "two_schools_not_before_2029.yaml"}
CLOSED_TERM = "2029 Fall"  # Group 4's term, in the sample and every synthetic district


def second_spring(cache: Path, size: int, seed: int) -> tuple[Path, Path]:
    """(year-2 folder, last year's plan.csv) of a synthetic district, made once."""
    year1 = cached_district(cache, size, seed, log=print)
    year2, y1_out = cache / f"{size}-{seed}-year2", cache / f"{size}-{seed}-year1-out"
    marker = year2 / ".complete"
    if not marker.exists():
        name_district(year1 / "settings.yaml", f"Synthetic {size}")  # ties the two years
        results, _ = plan_district(year1, y1_out)
        make_year2(year1, year2, results.plan.cohort_of, results.plan.upgrades)
        marker.write_text("")
    return year2, y1_out / "plan.csv"


def synthetic_scenarios(year2: Path, previous: Path, folder: Path) -> list[tuple[str, Path]]:
    """One scenario of each kind, from the district's own schools: high schools a cohort
    later; the first school of last year's last group placed in Group 2; two schools of last
    year's Group 2 kept out of it; nothing launching in 2029 Fall (schools locked to Group 4
    placed in Group 5, and a tenth more coaches in 2030 Spring)."""
    inputs = load_inputs(year2)
    told = {r.split(",")[0]: r.split(",")[2] for r in previous.read_text().splitlines()[1:]}
    last = sorted(s for s, c in told.items() if c == "5" and s in inputs.district.school_by_id)
    second = sorted(s for s, c in told.items() if c == "2" and s in inputs.district.school_by_id
                    and s not in inputs.district.launch_by_school)
    locked = sorted(p.school_id for p in inputs.district.preferences
                    if p.locked and p.preferred_cohort == 4)
    spring = next(t for t in inputs.district.terms if t.label == "2030 Spring")
    patches = {
        "shift": {"description": "High schools a term later",
                  "shift": [{"schools": {"level": "HS"}, "cohorts": 1}]},
        "place": {"description": f"{last[0]} in Group 2",
                  "place": [{"schools": {"school_id": last[0]}, "cohort": 2}]},
        "keep_out": {"description": "Two schools not before 2029",
                     "keep_out": [{"schools": {"school_id": second[:2]}, "cohorts": [2]}]},
        "no_launch_in": {"description": f"Nothing launches in {CLOSED_TERM}",
                         "no_launch_in": [CLOSED_TERM],
                         "coaches_fte_delta": {"2030 Spring": round(spring.coaches_fte / 10)},
                         **({"place": [{"schools": {"school_id": locked}, "cohort": 5}]}
                            if locked else {})}}
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, patch in patches.items():
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(patch), encoding="utf-8")
        out.append((name, path))
    return out


def run(label: str, year2: Path, previous: Path, specs, out: Path, workers: int,
        budget: float | None) -> None:
    began = time.perf_counter()
    result = compare_district(year2, specs, out, workers=workers, budget=budget,
                              previous=previous)
    total = time.perf_counter() - began
    print(f"{label}: {total:.1f} s in all (solves {result.seconds:.1f} s of a "
          f"{result.budget:g} s budget, {workers} workers)")
    worst = 0.0
    for o in result.outcomes:
        gap = o.plan.gap if o.plan else None
        worst = max(worst, gap or 0.0)
        summary = result.summaries.get(o.name)
        moved = f", {summary.moved} moved ({summary.moved_by_decision} by its decisions)" \
            if summary and o is not result.base else ""
        print(f"  {o.name:<14} {o.status:<10} gap {'-' if gap is None else f'{gap:.4%}'}"
              f"  took {o.took:.1f} s{moved}{'  ' + o.message[:100] if o.message else ''}")
    for r in result.limits:
        worst = max(worst, r.gap or 0.0)
    print(f"  binding limits: {len(result.limits)}; worst gap {worst:.4%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="sample,660")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=None)
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "ROLLOUT_BENCH_CACHE", "/tmp/rollout-bench")))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    for size in args.sizes.split(","):
        if size == "sample":
            y1 = args.cache / "sample-year1-out"
            if not (y1 / "plan.csv").exists():
                plan_district(SAMPLE, y1)
            specs = [(k, SAMPLE / "year2" / "scenarios" / f) for k, f in SAMPLE_FILES.items()]
            run("sample, second spring", SAMPLE / "year2", y1 / "plan.csv", specs,
                args.cache / "sample-whatif", args.workers, args.budget)
        else:
            year2, previous = second_spring(args.cache, int(size), args.seed)
            specs = synthetic_scenarios(year2, previous, args.cache / f"{size}-scenarios")
            run(f"{size} schools, second spring", year2, previous, specs,
                args.cache / f"{size}-whatif", args.workers, args.budget)


if __name__ == "__main__":
    main()
