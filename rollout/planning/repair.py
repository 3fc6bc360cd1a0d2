"""Repair a start plan that breaks a rule: the nearest plan that keeps every rule.

A re-plan around the district's decisions starts from the board's plan, but a pin or a
keep-out makes that plan break a rule (the pinned school is not in its group; its new group
is over its size, a link over its capacity). An invalid start plan costs the search more than
it helps (docs/benchmarks.md), and solving without one is a full solve. The repair finds the
plan that keeps every rule with the fewest schools (and upgrades) changed from the start: a
short search of the plan model itself (every hard rule, the decisions included) whose only
aim is to stay; then the cohorts it touched are re-solved for the best plan (a polish
window). That plan is the full search's first plan, near the board's in value
(docs/benchmarks.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rollout.planning.facts import PlanningFacts
from rollout.planning.model import PlanModel, add_hint, make_solver
from rollout.planning.polish import Incumbent, Window, incumbent_of


def stay_literals(m: PlanModel, cohort_of: dict[str, int],
                  upgrades: dict[str, int]) -> list[tuple[int, int]]:
    """(variable index, 1 or 0) for each decision as in the start plan: a school in its start
    cohort (none when the decisions rule that cohort out), an upgrade done in its start term,
    an upgrade the start does not choose never done."""
    stays = [(m.assign[s, c].index, 1) for s, c in sorted(cohort_of.items())
             if (s, c) in m.assign]
    for upgrade_id, terms in sorted(m.upgrade_done.items()):
        for term, var in sorted(terms.items()):
            stays.append((var.index, 1 if upgrades.get(upgrade_id) == term else 0))
    return stays


def nearest_valid_plan(m: PlanModel, facts: PlanningFacts, cohort_of: dict[str, int],
                       upgrades: dict[str, int] | None, seconds: float,
                       workers: int | None = None) -> Incumbent | None:
    """The plan that keeps every rule and changes the fewest decisions of `cohort_of` (and
    `upgrades`), found within `seconds` (not always proven the nearest); None when no plan
    was found. `m`'s own model is left as it was (the repair solves a copy), and the plan
    comes back with its value in `m`'s objective."""
    upgrades = upgrades or {}
    model = m.model.clone()
    model.clear_hints()
    add_hint(m, cohort_of, upgrades, model=model)
    changed = []  # 1 for each decision changed: a 1 left at 0, or a 0 set to 1
    for index, value in stay_literals(m, cohort_of, upgrades):
        var = model.get_bool_var_from_proto_index(index)
        changed.append(~var if value else var)
    model.minimize(sum(changed))
    solver = make_solver(facts, seconds, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    plan = incumbent_of(solver, m)
    return Incumbent(plan.cohort_of, plan.upgrades, round(own_value(m, solver)))


def own_value(m: PlanModel, solver: cp_model.CpSolver) -> float:
    """The value of the solver's plan in `m`'s own objective (the repair solved another)."""
    proto = m.model.proto.objective
    total = sum(c * solver.value(m.model.get_int_var_from_proto_index(v))
                for v, c in zip(proto.vars, proto.coeffs)) + proto.offset
    return total * (proto.scaling_factor or 1)


@dataclass(frozen=True)
class BoardPlan:
    """Where a re-plan around the district's decisions starts: the board's plan (the solver's
    last plan with the planner's moves by hand)."""

    cohort_of: dict[str, int]
    upgrades: dict[str, int] = field(default_factory=dict)


def touched_cohorts(before: dict[str, int], after: dict[str, int]) -> Window:
    """The cohorts a repair moved schools out of or into, as one polish window."""
    touched = {c for s in before if before[s] != after.get(s)
               for c in (before[s], after.get(s)) if c is not None}
    return Window(tuple(sorted(touched)))
