"""`rollout sweep`: one plan per need_weight (the district's own included) and the need and
readiness of the schools each launches early, written to sweep.xlsx and sweep.csv."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rollout.errors import RolloutError
from rollout.outputs.atomic import write_atomically
from rollout.outputs.sweep_workbook import write_sweep_csv, write_sweep_workbook
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.scoring.inputs import load_inputs
from rollout.whatif.jobs import DEFAULT_TIME_LIMIT, DEFAULT_WORKERS, Outcome, SolvePool
from rollout.whatif.scenarios import derived
from rollout.whatif.summary import Group, group_of


@dataclass
class SweepPoint:
    need_weight: float
    outcome: Outcome
    current: bool                # the district's own need_weight
    early: Group | None = None   # schools of the early cohorts
    first: Group | None = None   # schools of the first cohort


@dataclass
class Sweep:
    points: list[SweepPoint]
    early_cohorts: int
    facts: PlanningFacts
    time_limit: float

    def early_names(self) -> str:
        """The early cohorts in words, e.g. 'Group 1 and Group 2 (launching by 2028 Fall)'."""
        names = [c.name for c in self.facts.cohorts[:self.early_cohorts]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        last = self.facts.term_label(self.facts.launch_term_of(self.early_cohorts))
        return f"{listed} (launching by {last})"


def parse_weights(text: str) -> list[float]:
    """'0:1:0.1' (start:stop:step, stop included) or '0,0.5,1'; each between 0 and 1."""
    try:
        if ":" in text:
            start, stop, step = (float(p) for p in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError("step must be positive and stop at least start")
            count = int(round((stop - start) / step, 9)) + 1
            if count > 101:
                raise ValueError(f"{count} points is too many (at most 101)")
            weights = [round(start + i * step, 9) for i in range(count)]
        else:
            weights = [float(p) for p in text.split(",") if p.strip()]
    except ValueError as exc:
        raise ValueError(f"'{text}' is not START:STOP:STEP or a list like 0,0.5,1 ({exc})")
    bad = [w for w in weights if not 0 <= w <= 1]
    if bad or not weights:
        raise ValueError(f"need weights must be between 0 and 1 (got {text})")
    return sorted(set(weights))


def sweep(base: PlanningFacts, weights: list[float], time_limit: float = DEFAULT_TIME_LIMIT,
          workers: int = DEFAULT_WORKERS, early_cohorts: int | None = None) -> Sweep:
    """Solve the plan for each need_weight (the district's own is always included)."""
    current = base.settings.need_weight
    weights = sorted(set(weights) | {current})
    early = early_cohorts or max(1, len(base.cohorts) // 2)
    if not 1 <= early <= len(base.cohorts):
        raise RolloutError(f"--early-cohorts must be between 1 and {len(base.cohorts)}")
    with SolvePool(time_limit, workers) as solver:
        waiting = [solver.submit(derived(base, f"need_weight {w:g}", {"need_weight": w}))
                   for w in weights]
        outcomes = [wait() for wait in waiting]
    points = []
    for w, outcome in zip(weights, outcomes):
        point = SweepPoint(w, outcome, w == current)
        if outcome.plan:
            cohort_of = outcome.plan.cohort_of
            point.early = group_of(base, sorted(s for s, c in cohort_of.items() if c <= early))
            point.first = group_of(base, sorted(s for s, c in cohort_of.items() if c == 1))
        points.append(point)
    return Sweep(points, early, base, time_limit)


def sweep_district(district_dir: Path, weights: list[float], out_dir: Path,
                   rubric: Path | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
                   workers: int = DEFAULT_WORKERS, early_cohorts: int | None = None) -> Sweep:
    """`rollout sweep`: writes sweep.xlsx and sweep.csv together at the end."""
    base = facts_from_inputs(load_inputs(Path(district_dir), rubric))
    result = sweep(base, weights, time_limit, workers, early_cohorts)
    write_atomically(Path(out_dir), {
        "sweep.xlsx": lambda path: write_sweep_workbook(result, path),
        "sweep.csv": lambda path: write_sweep_csv(result, path)})
    return result
