#!/usr/bin/env python3
"""Regenerate sample_data/: a Fulton-like district of 95 schools (deterministic). The South
region's schools return our survey template workbooks; the North's answer an online form."""
from pathlib import Path

from rollout.errors import Problems
from rollout.inputs import default_rubric_path
from rollout.rubric import load_rubric
from rollout.synthetic import make_district

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    rubric = load_rubric(default_rubric_path(), Problems())
    summary = make_district(ROOT / "sample_data", schools=95, seed=2027, rubric=rubric,
                            template_region="South")
    print(f"sample_data/: {summary['schools']} schools, {summary['students']:,} students")
