"""Solve the plan: the proving search, the fallback search for any plan, and the polish of a
plan not proven best; then each chosen upgrade moved to its real deadline."""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.checking.check import check_plan, compute_usage, upgrade_move_violations
from rollout.errors import NoPlanPossible, SolverGaveUpError
from rollout.planning.facts import PlanningFacts
from rollout.planning.greedy import greedy_plan
from rollout.planning.model import (
    PlanModel,
    add_hint,
    build_model,
    make_solver,
    tune_for_plans,
)
from rollout.planning.objectives import objective_units, objective_value
from rollout.planning.plan import Plan
from rollout.planning.polish import Incumbent, incumbent_of, polish_plan, solve_window
from rollout.planning.repair import BoardPlan, nearest_valid_plan, touched_cohorts

# Seconds a polish that ended early must leave for the proof to be resumed from its plan.
RESUME_SECONDS = 1.0
# The least time a search is given when the deadline is (nearly) reached: it returns its
# plan, if it has one, at once.
MIN_SEARCH_SECONDS = 0.05
# The most of a re-plan's time limit the repair of the board's plan may take (it usually
# takes a fraction of a second; docs/benchmarks.md).
REPAIR_SHARE = 0.2


def solve_plan(facts: PlanningFacts, time_limit: float | None = None,
               hint: dict[str, int] | None = None, workers: int | None = None,
               log=lambda message: None, watch: SolveWatch | None = None,
               replan: BoardPlan | None = None) -> Plan:
    """Solve the rollout plan; raises NoPlanPossible or SolverGaveUpError when none
    (`explain.solve_or_diagnose` says which limits conflict).

    `hint` (e.g. last year's plan) starts the search when the checker accepts it. The greedy
    plan is not a starting point: even when valid it slows the proof (1,800 schools: not
    proven in 60 s with it, 29 s without; docs/benchmarks.md). It is the fallback search's
    first plan instead, so that search always has one to improve.

    The proving search may use the whole time limit while it proves; once it has a plan and
    only `solver.polish_share` of the time is left, it stops and the rest of the time
    improves that plan a few cohorts at a time (`polish.polish_plan`); the polish ends early
    when a whole round of windows gains nothing.

    Every step counts against one deadline, the time limit from the start (building the
    model, the searches, the polish, the resumed proof and the upgrades' deadlines): the solve
    ends within about a second of its limit. A proving search without a plan when only
    polish_share of the time is left stops too, and the fallback search (from the greedy
    plan) looks for any plan in the time left.

    `replan`: a re-plan around the district's decisions from the board's plan (instead of
    `hint`). A decision makes that plan break a rule, so instead of dropping it the search
    starts from the nearest plan that keeps every rule, improved in the cohorts the repair
    touched (`repair_board_plan`), and it may end once its plan is within
    `solver.replan_within_percent` of the best possible (`replan_close_enough`;
    docs/benchmarks.md).

    `watch` (the studio's progress) hears of every plan the first search finds and may stop
    the solve: the best plan found by then is the plan (no fallback search, no more polish;
    the greedy plan when the search had none and it keeps every rule).
    """
    started = time.perf_counter()
    limit = time_limit or facts.settings.solver.time_limit_seconds
    deadline = started + limit
    m = build_model(facts)
    repaired, hinted = {}, False
    if replan is not None:
        start = repair_board_plan(m, facts, replan, started + limit * REPAIR_SHARE, workers)
        if start is not None:
            add_hint(m, start.cohort_of, start.upgrades)
            hinted = True
            repaired["start_moved"] = moved(replan.cohort_of, start.cohort_of)
            repaired["start_seconds"] = round(time.perf_counter() - started, 2)
    elif hint is not None and not check_plan(facts, hint):
        add_hint(m, hint)  # an invalid hint costs more than it helps (docs/benchmarks.md)
        hinted = True
    close_enough = replan_close_enough(facts) if replan is not None else None
    built = time.perf_counter()
    prove = proving_search_first(facts)
    # Once the proving search has a plan and only polish_share of the time is left, the polish
    # improves it faster than the proof would (10,000 schools). The plan-finding search
    # improves its own plans all along (hard feeder cohesion, sample district, 30 s:
    # 12,141-12,154 alone, 12,134.0 stopped and polished), so it keeps the whole limit.
    polish_from = (max(0.0, limit * (1 - facts.settings.solver.polish_share) - (built - started))
                   if prove else None)
    status, solver = search(m, facts, seconds_until(deadline), workers, prove,
                            stop_with_plan_after=polish_from, or_without_plan=True, watch=watch,
                            close_enough=close_enough)
    bound, fallback = solver.best_objective_bound, status == cp_model.UNKNOWN
    near_enough = close_enough is not None and status == cp_model.FEASIBLE and \
        within_gap(solver.objective_value, bound, close_enough.share)
    stopped = watch is not None and watch.should_stop()
    if fallback and not stopped:
        # The proving search finds plans only as its bound comes down to them; when it has
        # none by then, the other search gets the time left to find one.
        if not hinted:  # a second hint of the same variables makes the model invalid
            hint_greedy_plan(m, facts)
        status, solver = search(m, facts, seconds_until(deadline), workers, not prove)
        bound = min(bound, solver.best_objective_bound)
    if status == cp_model.INFEASIBLE or any(not m.by_school[s] for s in m.by_school):
        raise NoPlanPossible()
    stats = {"variables": len(m.model.proto.variables),
             "constraints": len(m.model.proto.constraints), "limits": len(m.limits),
             "fallback_search": fallback, **repaired}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = incumbent_of(solver, m)
    else:
        # Neither search had a plan by the limit: the greedy plan, when it keeps every rule,
        # is a plan (its gap says how far from the best it may be) rather than none.
        best = greedy_incumbent(facts)
        if best is None and stopped:
            raise SolverGaveUpError("The search was stopped before it found a plan.")
        if best is None:
            raise SolverGaveUpError(
                f"The solver found no plan within {limit:g} s (with two kinds of search) and "
                "could not prove that none exists. Run again with a longer --time-limit.")
        stats["greedy_plan"] = True
        if bound < best.value:  # a search stopped before it had a bound reports 0
            bound = math.inf
    if status == cp_model.FEASIBLE and polish_from is not None and not fallback and \
            not stopped and not near_enough:
        stopping = watch.should_stop if watch is not None else lambda: False
        best, polished = polish_plan(m, facts, best, seconds_until(deadline), workers,
                                     stop=stopping)
        stats.update(polished, polish_share=facts.settings.solver.polish_share)
        left = deadline - time.perf_counter()
        # A re-plan's proof had its time already: near enough now ends it.
        near_now = CloseEnough(close_enough.share, 0.0, bound) if close_enough else None
        # The polish ended early: its time goes back to the proof (unless asked to stop).
        if left > RESUME_SECONDS and not stopping() and not (
                near_now and near_now.met(best.value, bound, 0.0)):
            status, bound, best = resume_proof(m, facts, best, bound, left, workers, near_now)
            stats["proof_resumed"] = round(left, 1)
    upgrades = latest_upgrade_terms(facts, best.cohort_of, best.upgrades)
    solved = time.perf_counter()
    units = objective_units(facts)
    return Plan(cohort_of=best.cohort_of, upgrades=upgrades,
                status="optimal" if status == cp_model.OPTIMAL else "feasible",
                objective=best.value / units,
                bound=max(bound, best.value) / units,
                build_seconds=built - started, solve_seconds=solved - built, stats=stats)


def repair_board_plan(m: PlanModel, facts: PlanningFacts, board: BoardPlan, until: float,
                      workers: int | None) -> Incumbent | None:
    """The plan a re-plan starts from, found by `until` (a `time.perf_counter()` value): the
    board's plan when it keeps every rule; else the nearest plan that does, with the cohorts
    the repair touched re-solved for the best plan there; None when none was found."""
    if not check_plan(facts, board.cohort_of, board.upgrades):
        value = objective_value(facts, board.cohort_of, board.upgrades) * objective_units(facts)
        return Incumbent(board.cohort_of, board.upgrades, round(value))
    near = nearest_valid_plan(m, facts, board.cohort_of, board.upgrades, seconds_until(until),
                              workers)
    if near is None:
        return None
    better = solve_window(m, facts, near, touched_cohorts(board.cohort_of, near.cohort_of),
                          until, workers)
    start = better if better is not None and better.value > near.value else near
    return None if check_plan(facts, start.cohort_of, start.upgrades) else start


def moved(before: dict[str, int], after: dict[str, int]) -> int:
    """Schools whose cohort differs between two plans."""
    return sum(after.get(s) != c for s, c in before.items())


def replan_close_enough(facts: PlanningFacts) -> CloseEnough | None:
    """When a re-plan may stop short of a proof (settings `solver.replan_within_percent`,
    `solver.replan_proof_seconds`); None when it may not."""
    solver = facts.settings.solver
    if solver.replan_within_percent <= 0:
        return None
    return CloseEnough(solver.replan_within_percent / 100, solver.replan_proof_seconds)


def within_gap(value: float, bound: float, gap: float) -> bool:
    """Whether a plan's value is within `gap` (a share) of the best possible, as CP-SAT's
    relative gap limit measures it."""
    return abs(bound - value) <= gap * max(1.0, abs(value))


def seconds_until(deadline: float) -> float:
    """Seconds left until `deadline` (a `time.perf_counter()` value), at least a moment."""
    return max(MIN_SEARCH_SECONDS, deadline - time.perf_counter())


def resume_proof(m: PlanModel, facts: PlanningFacts, best: Incumbent, bound: float,
                 seconds: float, workers: int | None = None,
                 close_enough: CloseEnough | None = None) -> tuple[int, float, Incumbent]:
    """The proving search again, from the polished plan, for the time the polish left (a
    re-plan's: until near enough to the best possible, `close_enough`)."""
    m.model.clear_hints()
    add_hint(m, best.cohort_of, best.upgrades)
    status, solver = search(m, facts, seconds, workers, True, close_enough=close_enough)
    bound = min(bound, solver.best_objective_bound)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = incumbent_of(solver, m)
        if found.value >= best.value:
            return status, bound, found
    return cp_model.FEASIBLE, bound, best


def greedy_incumbent(facts: PlanningFacts) -> Incumbent | None:
    """The greedy plan as a plan of the model's, or None when it breaks a rule."""
    greedy = greedy_plan(facts)
    if check_plan(facts, greedy.cohort_of, greedy.upgrades):
        return None
    value = objective_value(facts, greedy.cohort_of, greedy.upgrades) * objective_units(facts)
    return Incumbent(greedy.cohort_of, greedy.upgrades, round(value))


def hint_greedy_plan(m: PlanModel, facts: PlanningFacts) -> None:
    """Hint the greedy plan (cohorts and upgrades) when the checker accepts it."""
    greedy = greedy_plan(facts)
    if not check_plan(facts, greedy.cohort_of, greedy.upgrades):
        add_hint(m, greedy.cohort_of, greedy.upgrades)


def proving_search_first(facts: PlanningFacts) -> bool:
    """The proving search (objective lower-bound search) proves plans best fastest, but with
    hard feeder cohesion its plans stay far from the best within a usual time limit, where
    the default search finds better ones (sample district, 30 s: 11,947.8 against 12,154.2
    points; docs/benchmarks.md)."""
    return not facts.settings.feeder_cohesion.hard


def search(m: PlanModel, facts: PlanningFacts, time_limit: float | None, workers: int | None,
           prove: bool, stop_with_plan_after: float | None = None,
           or_without_plan: bool = False, watch: SolveWatch | None = None,
           close_enough: CloseEnough | None = None) -> tuple[int, cp_model.CpSolver]:
    """One CP-SAT run: `prove` searches up from the objective bound (fastest to a proven
    optimum, but plans appear late); otherwise the default search, which finds plans early.
    With `stop_with_plan_after`, the run ends at that many seconds if it has a plan by then,
    or else at its first plan after that (`or_without_plan`: at that many seconds anyway).
    `watch` hears of each plan and may stop the run; `close_enough` ends it once its plan is
    near enough to the best possible."""
    solver = make_solver(facts, time_limit, workers)
    tune_for_plans(solver)
    solver.parameters.use_objective_lb_search = prove
    limit = solver.parameters.max_time_in_seconds
    if watch is None and close_enough is None and (
            stop_with_plan_after is None or stop_with_plan_after >= limit):
        return solver.solve(m.model), solver
    if stop_with_plan_after is not None and stop_with_plan_after >= limit:
        stop_with_plan_after = None
    stopper = StopWithPlanAfter(solver, stop_with_plan_after, or_without_plan, watch,
                                objective_units(facts), close_enough)
    try:
        return solver.solve(m.model, stopper), solver
    finally:
        stopper.finish()


@dataclass(frozen=True)
class CloseEnough:
    """When a re-plan may stop short of a proof: its plan within `share` of the best possible
    (CP-SAT's relative gap), once `after` seconds of the search have passed (until then a
    proof that comes soon is worth the wait)."""

    share: float
    after: float
    known_bound: float = math.inf  # a bound proven by an earlier search of the same model

    def met(self, value: float, bound: float, seconds: float) -> bool:
        return seconds >= self.after and within_gap(value, min(bound, self.known_bound),
                                                    self.share)


class SolveWatch:
    """Follows a solve from outside (the studio's progress): told of each plan found, asked
    now and then whether to stop. The values are the plan's and the best possible, in the
    plan's objective units."""

    def plan_found(self, value: float, best_possible: float, seconds: float) -> None:
        """A plan was found `seconds` after the search started."""

    def should_stop(self) -> bool:
        return False


WATCH_POLL_SECONDS = 0.1  # how often a watched search asks whether to stop


class StopWithPlanAfter(cp_model.CpSolverSolutionCallback):
    """Ends a solve once it has a plan and `seconds` have passed (a timer for the plan found
    before, this callback for the first plan found after); `or_without_plan`: at `seconds`
    whether it has a plan or not. Tells `watch` of each plan and stops when it asks to.
    `close_enough`: ends the solve once its plan is near enough to the best possible (checked
    at each plan, each better bound, and once more when its waiting time is over)."""

    def __init__(self, solver: cp_model.CpSolver, seconds: float | None,
                 or_without_plan: bool = False, watch: SolveWatch | None = None,
                 units: float = 1.0, close_enough: CloseEnough | None = None):
        super().__init__()
        self.solver, self.has_plan, self.late = solver, False, False
        self.or_without_plan = or_without_plan
        self.watch, self.units, self.started = watch, units, time.perf_counter()
        self.close_enough, self.value, self.bound = close_enough, None, None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.timers = [threading.Timer(seconds, self.time_is_up)] if seconds is not None else []
        if close_enough is not None:
            solver.best_bound_callback = self.bound_found
            self.timers.append(threading.Timer(close_enough.after, self.check_close_enough))
        for timer in self.timers:
            timer.daemon = True
            timer.start()
        if watch is not None:
            threading.Thread(target=self.poll_watch, daemon=True).start()

    def finish(self) -> None:
        self.done.set()
        for timer in self.timers:
            timer.cancel()
        if self.close_enough is not None:
            self.solver.best_bound_callback = None

    def poll_watch(self) -> None:
        while not self.done.wait(WATCH_POLL_SECONDS):
            if self.watch.should_stop():
                self.solver.stop_search()
                return

    def on_solution_callback(self) -> None:
        if self.watch is not None:
            self.watch.plan_found(self.objective_value / self.units,
                                  self.best_objective_bound / self.units,
                                  time.perf_counter() - self.started)
        with self.lock:
            self.has_plan = True
            self.value, self.bound = self.objective_value, self.best_objective_bound
            if self.late:
                self.stop_search()
        self.check_close_enough()

    def bound_found(self, bound: float) -> None:
        with self.lock:
            self.bound = bound
        self.check_close_enough()

    def check_close_enough(self) -> None:
        with self.lock:
            value, bound = self.value, self.bound
        if self.close_enough is not None and value is not None and bound is not None and \
                self.close_enough.met(value, bound, time.perf_counter() - self.started):
            self.solver.stop_search()

    def time_is_up(self) -> None:
        with self.lock:
            self.late = True
            if self.has_plan or self.or_without_plan:
                self.solver.stop_search()


def latest_upgrade_terms(facts: PlanningFacts, cohort_of: dict[str, int],
                         upgrades: dict[str, int]) -> dict[str, int]:
    """Move each chosen upgrade to the latest term the plan still allows: that is its real
    deadline. Done after the solve (the cost is the same in any term) so the solver need not
    prove it; the independent checker judges each later term, on the upgrade's own link (the
    schools' loads do not depend on when an upgrade completes, so usage is measured once)."""
    chosen = dict(upgrades)
    usage = compute_usage(facts, cohort_of, chosen)
    for upgrade_id in sorted(chosen):
        for term in range(facts.term_count - 1, chosen[upgrade_id], -1):
            if not upgrade_move_violations(facts, cohort_of, chosen, usage, upgrade_id, term):
                chosen = dict(chosen, **{upgrade_id: term})
                link = facts.district.upgrade_by_id[upgrade_id].link
                usage.capacity[link] = [facts.capacity_with_upgrades(link, t, chosen)
                                        for t in range(facts.term_count)]
                break
    return chosen
