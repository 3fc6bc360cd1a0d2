"""Solve jobs: one plan per variant, in worker processes, each plan re-checked when it comes back.

A job solves the full problem as `rollout plan` does (FULL), the best plan within a few
moves of a given one (NEAR), or a local search repeating NEAR from each better plan found
(POLISH). Errors come back as a status and a message: the caller shows them beside the other
plans. `solve_job` stays a top-level function so that the process pool can pickle it.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.checking.check import check_plan
from rollout.errors import InfeasiblePlanError, SolverGaveUpError
from rollout.explain import solve_or_diagnose
from rollout.planning.facts import PlanningFacts
from rollout.planning.model import add_hint, build_model, read_assignments, read_upgrades
from rollout.planning.objectives import objective_units
from rollout.planning.plan import Plan
from rollout.planning.solve import search
from rollout.whatif.scenarios import InternalPlanError, Variant

DEFAULT_TIME_LIMIT = 2.5   # seconds per solve: 4 scenarios, the limits and a sweep in a minute
DEFAULT_WORKERS = 2
# Limits are tested by re-planning near the base plan: at most this many schools change cohort.
# Small enough for the solver to prove the best such plan in a few seconds, so that a gain is
# the limit's doing, not the luck of a longer search; large enough for a school to come forward
# and another to make room for it.
DEFAULT_RADIUS = 3
INFEASIBLE, GAVE_UP = "infeasible", "no plan in time"
FULL, NEAR, POLISH = "full", "near", "polish"


@dataclass
class Outcome:
    """A variant and its plan; without a plan, the status says why and `message` explains."""

    variant: Variant
    plan: Plan | None
    status: str
    message: str = ""

    @property
    def name(self) -> str:
        return self.variant.name

    @property
    def facts(self) -> PlanningFacts:
        return self.variant.facts


def solve_job(facts: PlanningFacts, time_limit: float, hint: dict[str, int] | None,
              mode: str = FULL, radius: int = DEFAULT_RADIUS) -> tuple[Plan | None, str, str]:
    """One solve, run in a worker process; errors come back as text (they do not pickle).
    FULL: the plan as `rollout plan` solves it. NEAR: the best plan moving at most `radius`
    schools away from `hint`. POLISH: NEAR repeated from each better plan found."""
    try:
        if mode == FULL:
            plan = solve_or_diagnose(facts, time_limit, hint=hint)
        elif mode == NEAR:
            plan = solve_near(facts, hint, radius, time_limit)
        else:
            plan = polish(facts, hint, radius, time_limit)
        return plan, plan.status, ""
    except InfeasiblePlanError as exc:
        text = "No plan can meet all these limits. In conflict: " + "; ".join(exc.conflicts)
        if exc.relaxations:
            text += ". To make a plan possible: " + "; or ".join(exc.relaxations)
        return None, INFEASIBLE, text
    except SolverGaveUpError as exc:
        return None, GAVE_UP, exc.user_message()


def polish(facts: PlanningFacts, around: dict[str, int], radius: int, time_limit: float
           ) -> Plan:
    """Local search: re-plan near the plan, move to any better plan found, and repeat. Status
    'optimal' when the last plan is proven the best within `radius` moves of itself."""
    deadline = time.monotonic() + time_limit
    best = None
    while (left := deadline - time.monotonic()) > 0.05:
        try:
            found = solve_near(facts, around, radius, left)
        except SolverGaveUpError:
            break
        if best is not None and found.objective <= best.objective + 1e-9:
            return dataclasses.replace(best, status=found.status)
        best, around = found, found.cohort_of
        if found.status != "optimal":
            break
    if best is None:
        raise SolverGaveUpError(f"The solver found no plan within {time_limit:g} s near the "
                                "base plan.")
    return dataclasses.replace(best, status="feasible")


def solve_near(facts: PlanningFacts, around: dict[str, int], radius: int, time_limit: float
               ) -> Plan:
    """The plan model plus one constraint: at most `radius` schools leave their cohort in
    `around` (which must meet the limits; it is the starting point). 'optimal' means the best
    plan within that distance."""
    m = build_model(facts)
    add_hint(m, around)
    stay = [m.assign[s, c] for s, c in around.items() if (s, c) in m.assign]
    m.model.add(sum(stay) >= len(around) - radius)
    status, solver = search(m, facts, time_limit, None, prove=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverGaveUpError(f"The solver found no plan within {time_limit:g} s near the "
                                "base plan.")
    units = objective_units(facts)
    return Plan(read_assignments(solver, m), read_upgrades(solver, m),
                "optimal" if status == cp_model.OPTIMAL else "feasible",
                solver.objective_value / units, solver.best_objective_bound / units)


class SolvePool:
    """Submits solves to `workers` processes (or runs them here when workers is 1)."""

    def __init__(self, time_limit: float, workers: int):
        self.time_limit = time_limit
        self.pool = ProcessPoolExecutor(workers) if workers > 1 else None

    def __enter__(self) -> "SolvePool":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, variant: Variant, hint: dict[str, int] | None = None, mode: str = FULL,
               radius: int = DEFAULT_RADIUS, solves: float = 1) -> Callable[[], Outcome]:
        """Start the solve (given `solves` times the time limit); the returned function waits
        for it and checks the plan."""
        job = (variant.facts, self.time_limit * solves, hint, mode, radius)
        if self.pool:
            future = self.pool.submit(solve_job, *job)
        else:
            future = Future()
            future.set_result(solve_job(*job))
        return lambda: checked(variant, *future.result())


def checked(variant: Variant, plan: Plan | None, status: str, message: str) -> Outcome:
    if plan is not None:
        broken = check_plan(variant.facts, plan.cohort_of, plan.upgrades)
        if broken:
            raise InternalPlanError(f"internal error: the plan for '{variant.name}' breaks rules "
                                    "the model should enforce: " + "; ".join(map(str, broken)))
    return Outcome(variant, plan, status, message)
