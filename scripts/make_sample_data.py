#!/usr/bin/env python3
"""Regenerate sample_data/: a Fulton-like district of 95 schools (deterministic). The South
region's schools return our survey template workbooks; the North's answer an online form.
Then sample_data/year2/: the same district a spring later, re-planned from year 1's plan.

--year2-only leaves year 1 as it is (its template workbooks carry the time they were made, and
their layout as the template writer made it then) and derives year 2 from it again."""
import argparse
import shutil
import tempfile
from pathlib import Path

from rollout.devtools.sample_year2 import make_year2, name_district, name_in_spanish
from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.pipeline import plan_district

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DISTRICT_NAME = "Sample County Schools"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year2-only", action="store_true",
                        help="keep sample_data/ (year 1) and derive sample_data/year2/ again")
    args = parser.parse_args()
    rubric = load_rubric(default_rubric_path(), Problems())
    year2 = SAMPLE / "year2"
    shutil.rmtree(year2, ignore_errors=True)
    if not args.year2_only:
        summary = make_district(SAMPLE, schools=95, seed=2027, rubric=rubric,
                                template_region="South")
        name_district(SAMPLE / "settings.yaml", DISTRICT_NAME)
        name_in_spanish(SAMPLE / "settings.yaml")
        print(f"sample_data/: {summary['schools']} schools, {summary['students']:,} students")
    with tempfile.TemporaryDirectory() as tmp:
        results, _ = plan_district(SAMPLE, Path(tmp) / "out")
    for change in make_year2(SAMPLE, year2, results.plan.cohort_of, results.plan.upgrades,
                             rubric=rubric):
        print(f"sample_data/year2/: {change}")
