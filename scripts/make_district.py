#!/usr/bin/env python3
"""Write a realistic synthetic district of any size (feeder patterns, regions, network tree,
optional upgrades, form-export surveys) for tests and benchmarks. Deterministic for a seed.

Usage: .venv/bin/python scripts/make_district.py --schools 660 --seed 1 --out /tmp/d660
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.devtools.synthetic import make_district  # noqa: E402
from rollout.errors import Problems  # noqa: E402
from rollout.intake.rubric import (
    default_rubric_path,  # noqa: E402
    load_rubric,  # noqa: E402
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, required=True, help="number of schools")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, required=True, help="district folder to write")
    parser.add_argument("--respondents", type=int, nargs=2, metavar=("LO", "HI"), default=(4, 8),
                        help="survey respondents per school, at least LO and at most HI")
    args = parser.parse_args()
    if args.schools < 5:
        parser.error("--schools must be at least 5 (one per cohort)")
    low, high = args.respondents
    if not 2 <= low <= high:
        parser.error("--respondents needs 2 <= LO <= HI (a principal and a technology lead)")
    problems = Problems()
    rubric = load_rubric(default_rubric_path(), problems)
    problems.raise_if_any()
    summary = make_district(args.out, schools=args.schools, seed=args.seed, rubric=rubric,
                            respondents=(low, high))
    print(f"{args.out}: {summary['schools']} schools, {summary['students']:,} students")


if __name__ == "__main__":
    main()
