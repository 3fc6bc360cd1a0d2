"""`rollout compare`: the base plan and every scenario solved side by side, and the binding
limits of the base plan, written to scenarios.xlsx and scenarios.csv."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from rollout.errors import RolloutError
from rollout.outputs.atomic import write_atomically
from rollout.outputs.scenarios_workbook import write_scenarios_csv, write_scenarios_workbook
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.planning.plan import Plan
from rollout.scoring.inputs import load_inputs
from rollout.whatif.jobs import (
    DEFAULT_RADIUS,
    DEFAULT_TIME_LIMIT,
    DEFAULT_WORKERS,
    NEAR,
    POLISH,
    Outcome,
    SolvePool,
)
from rollout.whatif.limits import Candidate, LimitResult, binding_candidates, limit_result
from rollout.whatif.scenarios import Variant, derived, load_scenarios
from rollout.whatif.summary import PlanSummary, summarise

DEFAULT_MAX_LIMITS = 12
# Everything is measured against the base plan, so it may take longer than the other solves.
BASE_TIME, POLISH_TIME = 2, 1.5  # in solves' time (--time-limit)


@dataclass
class Comparison:
    base: Outcome
    scenarios: list[Outcome]
    summaries: dict[str, PlanSummary]    # by name, base included
    limits: list[LimitResult]
    limits_left_out: list[Candidate]
    time_limit: float
    radius: int
    first_plan: Plan   # the base plan as first solved, before polishing

    @property
    def base_time(self) -> float:
        return self.time_limit * BASE_TIME

    @property
    def outcomes(self) -> list[Outcome]:
        return [self.base, *self.scenarios]


def compare(base: PlanningFacts, variants: list[Variant], time_limit: float = DEFAULT_TIME_LIMIT,
            workers: int = DEFAULT_WORKERS, max_limits: int = DEFAULT_MAX_LIMITS,
            radius: int = DEFAULT_RADIUS) -> Comparison:
    """Solve the base plan and every scenario. For the binding limits: polish the base plan
    (local search, at most `radius` schools moved at a time), then re-solve near the polished
    plan with one more unit of each limit it uses (nearly) fully. These solves run alongside
    the scenarios."""
    base_variant = Variant("Base plan", base, "the district's own settings and capacities")
    with SolvePool(time_limit, workers) as pool:
        waiting_base = pool.submit(base_variant, solves=BASE_TIME)
        waiting = [pool.submit(v) for v in variants]
        first = require_plan(waiting_base())
        reference, proven, chosen, left_out, tried = first, False, [], [], []
        if max_limits:
            near = pool.submit(base_variant, first.plan.cohort_of, POLISH, radius, POLISH_TIME)()
            reference, proven = polished(first, near), near.status == "optimal"
            candidates = binding_candidates(base, reference.plan)
            chosen, left_out = candidates[:max_limits], candidates[max_limits:]
            waiting_limits = [pool.submit(derived(base, c.unit, c.patch),
                                          reference.plan.cohort_of, NEAR, radius)
                              for c in chosen]
            tried = [wait() for wait in waiting_limits]
        scenarios = [wait() for wait in waiting]
    limits = [limit_result(reference, proven, c, o) for c, o in zip(chosen, tried)]
    limits.sort(key=lambda r: (-r.gain, -r.net_steps_earlier, -r.candidate.share,
                               r.candidate.limit))
    summaries = {o.name: summarise(o.facts, o.plan, reference.plan)
                 for o in [reference, *scenarios] if o.plan is not None}
    return Comparison(reference, scenarios, summaries, limits, left_out, time_limit, radius,
                      first.plan)


def require_plan(outcome: Outcome) -> Outcome:
    if outcome.plan is None:
        raise RolloutError(f"No base plan, so nothing to compare with.\n{outcome.message}")
    return outcome


def polished(base: Outcome, near: Outcome) -> Outcome:
    """The base plan replaced by the local search's plan when that scores higher (same limits,
    same objective), so that a limit's re-solve is not credited with what the search alone
    finds. Status and bound stay those of the full problem."""
    if near.plan is None or near.plan.objective <= base.plan.objective + 1e-6:
        return base
    plan = dataclasses.replace(near.plan, status=base.plan.status, bound=base.plan.bound)
    return Outcome(base.variant, plan, plan.status, base.message)


def compare_district(district_dir: Path, specs: list[tuple[str, Path]], out_dir: Path,
                     rubric: Path | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
                     workers: int = DEFAULT_WORKERS, max_limits: int = DEFAULT_MAX_LIMITS
                     ) -> Comparison:
    """`rollout compare`: every input and scenario file is checked before anything is solved;
    scenarios.xlsx and scenarios.csv are written together at the end."""
    base = facts_from_inputs(load_inputs(Path(district_dir), rubric))
    variants = load_scenarios(base, specs)
    result = compare(base, variants, time_limit, workers, max_limits)
    write_atomically(Path(out_dir), {
        "scenarios.xlsx": lambda path: write_scenarios_workbook(result, path),
        "scenarios.csv": lambda path: write_scenarios_csv(result, path)})
    return result
