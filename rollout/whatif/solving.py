"""Solve a what-if plan from a start plan (the base plan, or a neighbouring sweep point's).

The plan model of `rollout plan`, started from the start plan when it meets every limit, then
the ties broken toward it: with the plan's objective held at the value found, the schools
(and upgrades) that stay as in the start are maximised. So a plan of equal objective never
moves a school (the same idea as the spring re-plan's churn rule, with a weight below the
objective's resolution: no number of stays is worth one unit of real objective), and a school
moves only when the move gains or the start breaks a limit of the scenario.

The two steps are solved one after the other rather than as one objective (objective x
(stays + 1) + stays): 660 schools, two more coaches, 30 s under load: the one objective found
nothing better than the base plan (bound 0.087 % above it), the two steps a plan 80.5 points
better at 0.0001 % gap (docs/benchmarks.md).

When the start meets every limit it is the search's first plan, and the result is never worse
than it: a solve that ends no better returns the start itself, and says so in its stats.
"""
from __future__ import annotations

import dataclasses
import time

from ortools.sat.python import cp_model

from rollout.checking.check import check_plan
from rollout.errors import NoPlanPossible, SolverGaveUpError
from rollout.planning.facts import PlanningFacts
from rollout.planning.greedy import greedy_plan
from rollout.planning.model import PlanModel, add_hint, build_model, read_assignments, read_upgrades
from rollout.planning.objectives import objective_units, objective_value
from rollout.planning.plan import Plan
from rollout.planning.polish import Incumbent, incumbent_of, polish_plan
from rollout.planning.solve import (
    RESUME_SECONDS,
    SolveWatch,
    latest_upgrade_terms,
    proving_search_first,
    resume_proof,
    search,
)

# Share of a solve's time kept for the second step (fewest moves at the objective found): it
# frees only the moved schools, so it takes a fraction of a second at 95 schools and about a
# second at 660; it may also use what the first step leaves.
TIE_SHARE = 0.1
# Share of the first step's time for the polish, when the proof is not done by then. Less than
# `rollout plan`'s 0.4: started from the start plan, the search always has a plan, so it stops
# at this point whatever its progress, and the sample's proofs come late in the share (pure
# readiness: proven in 3.7 s of a 12.8 s step, not by its 60 % point under load).
POLISH_SHARE = 0.25
MIN_STEP_SECONDS = 0.5
KEPT_START = "kept_start"  # stats: why the start plan is the result ("no better", "worse")


def stay_literals(m: PlanModel, start: Plan) -> list:
    """One literal per school in its start cohort and per upgrade chosen (or not) as in the
    start (in any term: the term is set after the solve)."""
    stays = [m.assign[s, c] for s, c in sorted(start.cohort_of.items()) if (s, c) in m.assign]
    for upgrade_id, terms in sorted(m.upgrade_done.items()):
        as_start = m.model.new_bool_var(f"upgrade_as_start[{upgrade_id}]")
        done = sum(terms.values())
        m.model.add(as_start == (done if upgrade_id in start.upgrades else 1 - done))
        stays.append(as_start)
    return stays


def own_objective(m: PlanModel):
    """The plan model's objective as an expression, in its integer units."""
    proto = m.model.proto.objective
    sign = -1 if proto.scaling_factor < 0 else 1  # a maximisation is stored negated
    return sum(sign * c * m.model.get_int_var_from_proto_index(v)
               for v, c in zip(proto.vars, proto.coeffs)) + round(sign * proto.offset)


def moves(start: Plan, cohort_of: dict[str, int]) -> int:
    return sum(cohort_of.get(s) != c for s, c in start.cohort_of.items())


def solve_from(facts: PlanningFacts, start: Plan, time_limit: float,
               radius: int | None = None, hint: Plan | None = None,
               watch: SolveWatch | None = None) -> Plan:
    """The best plan found within `time_limit` s, ties broken toward `start`. With `radius`,
    at most that many schools leave their start cohort ('optimal' then means the best plan
    within that distance; `start` must meet the limits). `hint`: a better plan for these facts
    found before (a first try cut short), where the search begins instead of `start`. Raises
    NoPlanPossible when no plan exists, SolverGaveUpError when none was found in time.

    `watch` (the studio's progress) hears of each plan the first step finds and may stop the
    solve: the best plan by then is kept as when the time runs out (no fallback search, no
    polish, the fewest-moves step in a moment), 'feasible' unless proven."""
    began = time.perf_counter()
    stopped = watch.should_stop if watch is not None else lambda: False
    m = build_model(facts)
    own, stays = own_objective(m), stay_literals(m, start)
    valid = not check_plan(facts, start.cohort_of, start.upgrades)
    if hint is not None and not check_plan(facts, hint.cohort_of, hint.upgrades) and \
            whole_units(facts, hint) > whole_units(facts, start):
        start_hint, valid = hint, True
    else:
        start_hint = start
    if valid:  # the search's first plan (an invalid hint costs more than it helps)
        add_hint(m, start_hint.cohort_of, start_hint.upgrades)
    if radius is not None:
        kept_cohort = [m.assign[s, c] for s, c in start.cohort_of.items() if (s, c) in m.assign]
        m.model.add(sum(kept_cohort) >= len(start.cohort_of) - radius)
    built = time.perf_counter()
    # The time limit counts from the start of the job: building the model is part of it.
    deadline, first_deadline = began + time_limit, began + time_limit * (1 - TIE_SHARE)

    def left(until: float = deadline) -> float:
        return max(MIN_STEP_SECONDS, until - time.perf_counter())

    prove = proving_search_first(facts) or radius is not None
    # As in solve_plan: when the proving search is not done with only POLISH_SHARE of the
    # first step's time left, windows of neighbouring cohorts improve its plan faster than
    # the proof would (660 schools, need_weight 0 from the 0.4 plan, 40 s: 0.0075 % gap
    # without, 0.0008 % with); when the polish ends early, the proof resumes from its plan.
    # Polishing first, then proving, did worse at 660 schools (docs/benchmarks.md). Near the
    # start, the search is meant to prove: no polish.
    polish_from = left(first_deadline) * (1 - POLISH_SHARE) if prove and radius is None \
        else None
    status, solver = search(m, facts, left(first_deadline), None, prove,
                            stop_with_plan_after=polish_from, watch=watch)
    if status == cp_model.INFEASIBLE:
        raise NoPlanPossible()
    bound = solver.best_objective_bound
    best = incumbent_of(solver, m) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    ended_worse = False
    if valid and status != cp_model.OPTIMAL:
        begin = Incumbent(start_hint.cohort_of, start_hint.upgrades,
                          whole_units(facts, start_hint))
        ended_worse = best is not None and best.value < begin.value
        best = begin if best is None or ended_worse else best
    elif status == cp_model.UNKNOWN and not stopped():
        # The plan-finding search, from the greedy plan, gets the first step's time left.
        greedy = greedy_plan(facts)
        if not check_plan(facts, greedy.cohort_of, greedy.upgrades):
            add_hint(m, greedy.cohort_of, greedy.upgrades)
        status, solver = search(m, facts, left(first_deadline), None, not prove)
        bound, polish_from = min(bound, solver.best_objective_bound), None
        if status == cp_model.INFEASIBLE:
            raise NoPlanPossible()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = incumbent_of(solver, m)
    stats: dict = {}
    if best is not None and status != cp_model.OPTIMAL and polish_from is not None \
            and not stopped():
        best, stats = polish_plan(m, facts, best, left(first_deadline), stop=stopped)
        if first_deadline - time.perf_counter() > RESUME_SECONDS and not stopped():
            status, bound, best = resume_proof(m, facts, best, bound, left(first_deadline))
    units = objective_units(facts)
    found = None
    if best is not None:
        value, cohort_of, upgrades = best.value, best.cohort_of, best.upgrades
        stats.update(first_moves=moves(start, cohort_of),
                     first_seconds=round(time.perf_counter() - built, 2))
        if stats["first_moves"]:
            seconds = MIN_STEP_SECONDS if stopped() else \
                min(left(), max(MIN_STEP_SECONDS, TIE_SHARE * time_limit))
            cohort_of, upgrades, stats["ties"] = fewest_moves(
                m, facts, own, stays, value, start, cohort_of, upgrades, seconds)
            stats["moves"] = moves(start, cohort_of)
        found = Plan(cohort_of, latest_upgrade_terms(facts, cohort_of, upgrades),
                     "optimal" if status == cp_model.OPTIMAL else "feasible", value / units,
                     max(bound, value) / units, built - began, time.perf_counter() - built,
                     stats)
    if valid and not better_than(facts, found, start):
        return kept(facts, start, found, built - began, time.perf_counter() - built,
                    bound / units, ended_worse)
    if found is None and stopped():
        raise SolverGaveUpError("The search was stopped before it found a plan.")
    if found is None:
        raise SolverGaveUpError(f"The solver found no plan within {time_limit:g} s.")
    return found


def fewest_moves(m: PlanModel, facts: PlanningFacts, own, stays: list, value: int,
                 start: Plan, cohort_of: dict[str, int], upgrades: dict[str, int],
                 seconds: float):
    """The second step: the objective held at `value`, as many stays as possible, from the
    first step's plan. Only the schools that step moved may move again (back, or elsewhere)
    and the upgrades: that finds the ties (two schools of equal priority trading places) in
    a fraction of a second, where freeing every school took seconds (docs/benchmarks.md).
    Returns the plan and the step's status ('optimal': fewest moves among those schools)."""
    m.model.add(own >= value)
    for sid, c in cohort_of.items():
        if start.cohort_of.get(sid) == c and (sid, c) in m.assign:
            m.model.add(m.assign[sid, c] == 1)
    m.model.maximize(sum(stays))
    m.model.clear_hints()
    add_hint(m, cohort_of, upgrades)
    status, solver = search(m, facts, seconds, None, False)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return cohort_of, upgrades, "none"
    return read_assignments(solver, m), read_upgrades(solver, m), \
        "optimal" if status == cp_model.OPTIMAL else "feasible"


def whole_units(facts: PlanningFacts, plan: Plan) -> int:
    """The plan's objective recomputed from the plan alone, in whole objective units."""
    return round(objective_value(facts, plan.cohort_of, plan.upgrades) * objective_units(facts))


def better_than(facts: PlanningFacts, plan: Plan | None, start: Plan) -> bool:
    """Whether `plan` scores higher than `start` by at least one unit of the objective."""
    return plan is not None and whole_units(facts, plan) > whole_units(facts, start)


def kept(facts: PlanningFacts, start: Plan, found: Plan | None, build: float, solve: float,
         bound: float, ended_worse: bool = False) -> Plan:
    """The start plan as the result: the solve found nothing better (proven when the solve
    proved its own plan, which then scores the same), or its search ended worse."""
    objective = objective_value(facts, start.cohort_of, start.upgrades)
    worse = ended_worse or (found is not None
                            and whole_units(facts, found) < whole_units(facts, start))
    proven = found is not None and found.status == "optimal" and not worse
    return dataclasses.replace(
        start, status="optimal" if proven else "feasible", objective=objective,
        bound=max(objective, found.bound if found else bound), build_seconds=build,
        solve_seconds=solve, stats={KEPT_START: "worse" if worse else "no better"})


def polish(facts: PlanningFacts, start: Plan, radius: int, time_limit: float) -> Plan:
    """Local search: the best plan within `radius` moves, again from each better plan found.
    'optimal' when the last plan is proven the best within `radius` moves of itself."""
    deadline = time.monotonic() + time_limit
    best = start
    while (seconds := deadline - time.monotonic()) > MIN_STEP_SECONDS:
        found = solve_from(facts, best, seconds, radius)
        if KEPT_START in found.stats:
            return dataclasses.replace(found, stats={"polished_from": start.objective})
        best = found
    return dataclasses.replace(best, status="feasible", stats={"polished_from": start.objective})
