"""Build the CP-SAT model from the rule registries, solve it, and read the plan back."""
from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.errors import SolverGaveUpError
from rollout.planning.constraints import HARD_RULES, allowed_cohorts
from rollout.planning.facts import PlanningFacts
from rollout.planning.objectives import PRIORITY_SCALE, SOFT_RULES
from rollout.planning.plan import Plan


@dataclass
class Limit:
    """A numeric limit of the district (capacity, size) as it appears in the model."""

    kind: str       # coaching | link | cohort_max | cohort_min
    key: object     # term index, (link, term index) or cohort number
    text: str
    slack: cp_model.IntVar | None = None


class PlanModel:
    """Decision variables `assign[school_id, cohort]` plus the limits added by the rules.

    With `elastic=True` every limit gets a non-negative slack variable and the objective
    becomes "smallest total relaxation": that is how an infeasible plan is diagnosed.
    """

    def __init__(self, facts: PlanningFacts, elastic: bool = False):
        self.facts = facts
        self.elastic = elastic
        self.model = cp_model.CpModel()
        self.assign: dict[tuple[str, int], cp_model.IntVar] = {}
        self.by_school: dict[str, list[tuple[int, cp_model.IntVar]]] = {}
        self.limits: list[Limit] = []
        for school in facts.schools:
            sid = school.school_id
            self.by_school[sid] = []
            for c in allowed_cohorts(facts, sid):
                var = self.model.new_bool_var(f"assign[{sid},{c}]")
                self.assign[sid, c] = var
                self.by_school[sid].append((c, var))

    def choices(self, school_id: str) -> list[cp_model.IntVar]:
        return [v for _, v in self.by_school[school_id]]

    def launched_by(self, school_id: str, term: int):
        """1 when the school's cohort launches in or before `term`."""
        return sum(v for c, v in self.by_school[school_id]
                   if self.facts.launch_term_of(c) <= term)

    def limit(self, expr, bound: int, kind: str, key, text: str) -> None:
        limit = Limit(kind, key, text)
        if self.elastic:
            limit.slack = self.model.new_int_var(0, 10**9, f"slack[{kind},{key}]")
            self.model.add(expr <= bound + limit.slack)
        else:
            self.model.add(expr <= bound)
        self.limits.append(limit)


def build_model(facts: PlanningFacts, elastic: bool = False) -> PlanModel:
    m = PlanModel(facts, elastic)
    for rule in HARD_RULES:
        rule(m)
    if elastic:
        m.model.minimize(sum(limit.slack * slack_weight(limit) for limit in m.limits))
    else:
        m.model.maximize(sum(term for rule in SOFT_RULES for term in rule(m)))
    return m


def slack_weight(limit: Limit) -> int:
    # One school over a cohort bound counts like 1 coaching FTE or 1 Mbps, so that the
    # relaxation found is small in every unit.
    return 1000 if limit.kind in ("cohort_max", "cohort_min") else 1


def make_solver(facts: PlanningFacts, time_limit: float | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = facts.settings.solver
    solver.parameters.max_time_in_seconds = time_limit or params.time_limit_seconds
    solver.parameters.random_seed = params.random_seed
    solver.parameters.num_workers = params.workers
    return solver


def solve_plan(facts: PlanningFacts, time_limit: float | None = None) -> Plan:
    """Solve the rollout plan; raises InfeasiblePlanError or SolverGaveUpError when none."""
    started = time.perf_counter()
    m = build_model(facts)
    built = time.perf_counter()
    solver = make_solver(facts, time_limit)
    status = solver.solve(m.model)
    solved = time.perf_counter()
    if status == cp_model.INFEASIBLE or any(not m.by_school[s] for s in m.by_school):
        from rollout.explain import diagnose_infeasible
        raise diagnose_infeasible(facts, time_limit)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverGaveUpError(
            f"The solver found no plan within {solver.parameters.max_time_in_seconds:g} s and "
            "could not prove that none exists. Run again with a longer --time-limit.")
    cohort_of = {sid: next(c for c, v in pairs if solver.boolean_value(v))
                 for sid, pairs in m.by_school.items()}
    return Plan(cohort_of=cohort_of,
                status="optimal" if status == cp_model.OPTIMAL else "feasible",
                objective=solver.objective_value / PRIORITY_SCALE,
                bound=solver.best_objective_bound / PRIORITY_SCALE,
                build_seconds=built - started, solve_seconds=solved - built,
                stats={"variables": len(m.assign), "constraints": len(m.model.proto.constraints),
                       "limits": len(m.limits)})
