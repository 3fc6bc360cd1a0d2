#!/usr/bin/env python3
"""Benchmark the main job on the sample district: read+score, solve, write; solver figures.

Usage: .venv/bin/python scripts/bench_plan.py [--district sample_data]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.pipeline import plan_district  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--district", type=Path, default=ROOT / "sample_data")
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results, t = plan_district(args.district, Path(tmp) / "out", time_limit=args.time_limit)
    plan = results.plan
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"district            {args.district.name}: {len(results.rows)} schools, "
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


if __name__ == "__main__":
    main()
