"""Improve a plan the first search could not prove best, a few neighbouring cohorts at a time.

Each step re-solves one *window* (two or three neighbouring cohorts, sometimes only half of
the regions) with every other school kept in its cohort; the upgrades stay free. The window
is small enough for the proving search to settle it in seconds, and its plan meets every
limit because the window model is the whole plan model with some cohorts ruled out. Measured
on 10,000 schools (docs/benchmarks.md): the first search's plan gained 26 points in four pair
windows and 3 more in half a triple, where the search of the whole model had found nothing
better in the 40 s after its first plan.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.planning.facts import PlanningFacts
from rollout.planning.model import (
    add_hint,
    make_solver,
    read_assignments,
    read_upgrades,
    tune_for_plans,
)
from rollout.planning.objectives import objective_units

# A window needs its presolve and one LP at least; with less time left, stop polishing.
MIN_WINDOW_SECONDS = 0.5


@dataclass(frozen=True)
class Incumbent:
    cohort_of: dict[str, int]
    upgrades: dict[str, int]
    value: int  # the model's objective, in its integer units


@dataclass(frozen=True)
class Window:
    cohorts: tuple[int, ...]
    regions: frozenset[str] | None = None  # None: every region

    def frees(self, school, cohort_now: int, cohort: int) -> bool:
        """Whether this window lets `school` move from `cohort_now` to `cohort`."""
        return cohort_now in self.cohorts and cohort in self.cohorts and (
            self.regions is None or school.region in self.regions)


def polish_plan(m, facts: PlanningFacts, start: Incumbent, seconds: float,
                workers: int | None = None, stop=lambda: False) -> tuple[Incumbent, dict]:
    """Re-solve window after window while time lasts and a round of windows still gains
    (`stop`: asked before each window; True ends the polish with the best plan so far)."""
    deadline = time.perf_counter() + seconds
    best, gains, tried = start, {}, 0
    while True:
        before = best.value
        for stage in (pair_windows, triple_windows):
            for window in stage(facts, gains):
                if deadline - time.perf_counter() < MIN_WINDOW_SECONDS or stop():
                    return best, polish_stats(facts, start, best, tried)
                found = solve_window(m, facts, best, window, deadline, workers)
                tried += 1
                if found is not None and found.value > best.value:
                    gains[window.cohorts] = gains.get(window.cohorts, 0) + found.value - best.value
                    best = found
        if best.value == before:
            return best, polish_stats(facts, start, best, tried)


def open_cohorts(facts: PlanningFacts) -> list[int]:
    return [c.number for c in facts.cohorts if not facts.has_launched(c.number)]


def pair_windows(facts: PlanningFacts, gains: dict) -> list[Window]:
    """Every pair of neighbouring open cohorts, in cohort order (`gains`: as for triples)."""
    numbers = open_cohorts(facts)
    return [Window(tuple(numbers[i:i + 2])) for i in range(len(numbers) - 1)]


def triple_windows(facts: PlanningFacts, gains: dict[tuple[int, ...], int]) -> list[Window]:
    """Every triple of neighbouring open cohorts, those whose pairs gained most first (where
    moves paid off, longer chains of moves may too), each for one half of the regions at a
    time: a whole triple of a large district takes several times longer than its two halves
    (10,000 schools: 18 s against 7 + 3 s)."""
    numbers = open_cohorts(facts)
    triples = [tuple(numbers[i:i + 3]) for i in range(len(numbers) - 2)]

    def paid(triple):
        return -sum(gains.get(pair, 0) for pair in zip(triple, triple[1:])), triple

    regions = sorted({s.region for s in facts.schools})
    halves = [frozenset(regions[0::2]), frozenset(regions[1::2])] if len(regions) > 1 else [None]
    return [Window(t, half) for t in sorted(triples, key=paid) for half in halves]


def solve_window(m, facts: PlanningFacts, best: Incumbent, window: Window, deadline: float,
                 workers: int | None = None) -> Incumbent | None:
    """The best plan that moves schools only within `window` found by `deadline` (a
    `time.perf_counter()` value; proving search, as the first search; None if none)."""
    model = m.model.clone()
    model.clear_hints()
    add_hint(m, best.cohort_of, best.upgrades, model=model)
    school_by_id = facts.district.school_by_id
    for (sid, c), var in m.assign.items():
        now = best.cohort_of[sid]
        if c != now and not window.frees(school_by_id[sid], now, c):
            rule_out(model, var)
    seconds = deadline - time.perf_counter()  # copying a large model takes a moment
    if seconds <= 0:
        return None
    solver = make_solver(facts, seconds, workers)
    tune_for_plans(solver)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return incumbent_of(solver, m)


def incumbent_of(solver: cp_model.CpSolver, m) -> Incumbent:
    """The plan of a finished solve of m's model (or of a clone of it)."""
    return Incumbent(read_assignments(solver, m), read_upgrades(solver, m),
                     round(solver.objective_value))


def rule_out(model: cp_model.CpModel, var) -> None:
    """Fix a Boolean to 0 in its domain (no extra constraint for presolve to read)."""
    domain = model.proto.variables[var.index].domain
    domain[0], domain[1] = 0, 0


def polish_stats(facts: PlanningFacts, start: Incumbent, best: Incumbent, tried: int) -> dict:
    moved = sum(best.cohort_of[s] != c for s, c in start.cohort_of.items())
    return {"polish_windows": tried, "polish_moved": moved,
            "polish_gain": (best.value - start.value) / objective_units(facts)}
