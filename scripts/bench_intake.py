#!/usr/bin/env python3
"""Survey intake benchmark: 10,000 schools x 10 respondents (100,000 rows, ~40 items) in 50
form-export workbooks. Prints seconds to read and to score, and peak memory.

The files are generated once into --data (slow: openpyxl writes 4.5 million cells) and reused;
the measurement runs in a fresh process so that generation does not count towards its memory.

Usage: .venv/bin/python scripts/bench_intake.py [--data DIR] [--schools N] [--files N]
"""
from __future__ import annotations

import argparse
import copy
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.errors import Problems  # noqa: E402
from rollout.intake.rubric import (  # noqa: E402
    Rubric,
    check_rubric,
    default_rubric_path,  # noqa: E402
)

RESPONDENTS = ["principal", "technology"] + ["teacher"] * 8
COPIES = 4  # each default item four times: 40 scored items and the local question


def bench_rubric() -> Rubric:
    """The default rubric with every scored item repeated (INF1a, INF1b, ...)."""
    raw = yaml.safe_load(default_rubric_path().read_text(encoding="utf-8"))
    for domain in raw["domains"].values():
        items = []
        for item in domain["items"]:
            if not item.get("scored", True):
                items.append(item)
                continue
            for k in range(COPIES):
                items.append(copy.deepcopy(item) | {"id": f"{item['id']}{'abcd'[k]}",
                                                    "text": f"{item['text']} ({k + 1})"})
        domain["items"] = items
    rubric = Rubric.model_validate(raw)
    problems = Problems()
    check_rubric(rubric, "bench rubric", problems)
    problems.raise_if_any()
    return rubric


def generate(data: Path, schools: int, files: int) -> None:
    from rollout.devtools.synthetic import (
        make_district,
        make_schools,
        write_form_exports,
    )

    rubric = bench_rubric()
    started = time.perf_counter()
    make_district(data, schools=schools, seed=11, rubric=None)
    roster = make_schools(random.Random(11), schools)  # the roster make_district wrote
    people = {s.school_id: RESPONDENTS for s in roster}
    write_form_exports(data / "surveys", random.Random(12), roster, rubric, people, files)
    print(f"generated {schools:,} schools x {len(RESPONDENTS)} respondents in {files} files "
          f"({time.perf_counter() - started:.0f} s) into {data}", file=sys.stderr)


def measure(data: Path) -> None:
    from rollout.intake.district import load_district
    from rollout.intake.settings import load_settings
    from rollout.intake.survey import read_surveys
    from rollout.scoring.scores import score_schools

    rubric = bench_rubric()
    problems = Problems()
    district = load_district(data / "district.xlsx", load_settings(data / "settings.yaml",
                                                                   problems), problems)
    problems.raise_if_any()
    before = peak_mb()
    started, cpu = time.perf_counter(), cpu_seconds()
    responses = read_surveys(data / "surveys", rubric, district, problems)
    read_seconds, read_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    problems.raise_if_any()
    started, cpu = time.perf_counter(), cpu_seconds()
    scores = score_schools(district, rubric, responses)
    score_seconds, score_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    items = len(rubric.items())
    print(f"{len(responses.respondents):,} respondents x {items} items "
          f"({len(responses.respondents) * items:,} answers), "
          f"{scores.table['assessable'].sum():,} of {len(scores.table):,} schools assessable")
    print(f"read:  {read_seconds:.2f} s ({read_cpu:.2f} s CPU over all processes)")
    print(f"score: {score_seconds:.2f} s ({score_cpu:.2f} s CPU)")
    print(f"total: {read_seconds + score_seconds:.2f} s")
    print(f"peak memory: {peak_mb():,.0f} MB (this process; {before:,.0f} MB before reading; "
          f"largest reader process {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/rollout-bench-intake"))
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(args.data)
        return
    marker = args.data / f".made-{args.schools}-{args.files}"
    if not marker.exists():
        generate(args.data, args.schools, args.files)
        marker.touch()
    subprocess.run([sys.executable, __file__, "--data", str(args.data), "--measure-only"],
                   check=True)


if __name__ == "__main__":
    main()
