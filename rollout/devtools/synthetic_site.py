"""Output folders of a synthetic district, as `rollout plan` writes them, without solving a
plan: the site's benchmark and tests need the files the site is built from at any size
(plan.csv with its private columns too, history.csv of two springs, changes.csv and
site-source.json)."""
from __future__ import annotations

import json
import random
from pathlib import Path

from rollout.csvfiles import write_csv
from rollout.devtools.synthetic import COHORT_LAUNCH_TERMS, TERMS, make_schools
from rollout.outputs.results import EXTRA_COLUMNS, PLAN_COLUMNS
from rollout.replan import CHANGE_COLUMNS, HISTORY_COLUMNS
from rollout.safe import safe_text

DISTRICT = "Synthetic County Schools"
REASON = ("Capacity changed, new scores (readiness 41.0 -> 52.5): staying in Group 2 would "
          "break: coaching in 2028 Fall would need 85.96 FTE of 85.5 available; link "
          "DISTRICT-CORE (district Internet access) in 2029 Fall would carry 72,518 Mbps of "
          "72,000.")


def write_output_folder(folder: Path, schools: int, seed: int = 2027,
                        current_term: str = "2028 Fall", names: dict[int, str] | None = None,
                        launches: dict[int, tuple[str, str]] | None = None) -> Path:
    """An output folder of a re-plan (the second spring) for `schools` synthetic schools.
    `names` renames schools by position; `launches` sets plan.csv's status and
    actual_launch_term columns (#19), by position: (status, actual launch term)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    roster = make_schools(rng, schools)
    for i, name in (names or {}).items():
        roster[i].school_name = name
    cohorts = len(COHORT_LAUNCH_TERMS)
    now = TERMS.index(current_term)
    launched = [n for n, term in enumerate(COHORT_LAUNCH_TERMS, start=1) if TERMS.index(term)
                < now]
    rows, history, changes = [], [], []
    for i, s in enumerate(roster):
        cohort = 1 + i * cohorts // len(roster)
        old = cohort if cohort in launched or rng.random() > 0.05 else max(
            launched[-1] + 1 if launched else 1, cohort - 1)
        scores = [round(rng.uniform(20, 95), 1) for _ in range(5)]
        rows.append([s.school_id, s.school_name, cohort, COHORT_LAUNCH_TERMS[cohort - 1],
                     *scores, round(rng.uniform(30, 80), 1), rng.choice(["", cohort, 1]),
                     f"Launches in group {cohort}: priority {scores[3]} is private.",
                     f"Group {cohort}", s.level, s.region, s.feeder, s.students, s.teachers,
                     "yes", 0.9, 7, "instructional (principal +1.2 levels)",
                     *(launches or {}).get(i, on_plan(cohort, launched)), "", current_term,
                     "received"])
        for season, told in ((TERMS[0], old), (current_term, cohort)):
            history.append([DISTRICT, season, s.school_id, s.school_name, *scores, told,
                            COHORT_LAUNCH_TERMS[told - 1],
                            *(("yes", "launched") if season == current_term and told in launched
                              else ("no", "planned"))])
        if old != cohort:
            changes.append([s.school_id, s.school_name, "moved later", old,
                            COHORT_LAUNCH_TERMS[old - 1], cohort,
                            COHORT_LAUNCH_TERMS[cohort - 1], REASON])
    write_csv(folder / "plan.csv", PLAN_COLUMNS + EXTRA_COLUMNS, cells(rows))
    write_csv(folder / "history.csv", HISTORY_COLUMNS,
              cells(sorted(history, key=lambda r: r[1] != TERMS[0])))
    write_csv(folder / "changes.csv", CHANGE_COLUMNS, cells(changes))
    source = {"format": 1, "district_name": DISTRICT, "prepared": "2028-03-15",
              "terms": TERMS, "current_term": current_term,
              "cohorts": [{"number": n, "name": f"Group {n}", "launch_term": term}
                          for n, term in enumerate(COHORT_LAUNCH_TERMS, start=1)],
              "phase_offsets": [-1, 0, 1, 2], "district_dir": str(folder), "replan": True,
              "earlier_moves": []}
    (folder / "site-source.json").write_text(json.dumps(source, indent=1) + "\n",
                                             encoding="utf-8")
    return folder


def cells(rows: list[list]) -> list[list[str]]:
    """As rollout's own CSV writers do: text made formula-safe."""
    return [[safe_text(str(c)) for c in row] for row in rows]


def on_plan(cohort: int, launched: list[int]) -> tuple[str, str]:
    """plan.csv's (status, actual_launch_term) of a school whose launch went as planned."""
    if cohort in launched:
        return "launched", COHORT_LAUNCH_TERMS[cohort - 1]
    return "planned", ""
