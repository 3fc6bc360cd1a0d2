"""Polishing a plan the first search could not prove best: windows of neighbouring cohorts
re-solved with every other school kept in place. Every polished plan is judged by the
independent checker, not by the model."""
from __future__ import annotations

import time

import pytest
from ortools.sat.python import cp_model

import rollout.planning.solve as planning
from rollout.checking.check import check_plan
from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.outputs.results import solver_notes
from rollout.planning.facts import facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.planning.model import build_model
from rollout.planning.objectives import objective_units, objective_value
from rollout.planning.polish import (
    Incumbent,
    Window,
    pair_windows,
    polish_plan,
    solve_window,
    triple_windows,
)
from rollout.planning.solve import search, solve_plan
from rollout.scoring.inputs import load_inputs


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("polish")
    make_district(folder, schools=120, seed=3, rubric=load_rubric(default_rubric_path(),
                                                                  Problems()), respondents=(2, 3))
    return facts_from_inputs(load_inputs(folder))


def greedy_start(f) -> Incumbent:
    greedy = greedy_plan(f)
    assert check_plan(f, greedy.cohort_of, greedy.upgrades) == []
    value = objective_value(f, greedy.cohort_of, greedy.upgrades) * objective_units(f)
    return Incumbent(greedy.cohort_of, greedy.upgrades, round(value))


def soon(seconds: float) -> float:
    return time.perf_counter() + seconds


def test_a_window_moves_schools_only_between_its_cohorts(district):
    start = greedy_start(district)
    found = solve_window(build_model(district), district, start, Window((2, 3)), soon(20))
    assert found is not None and found.value > start.value
    moved = {s for s, c in start.cohort_of.items() if found.cohort_of[s] != c}
    assert moved, "the greedy plan is far from the best: some exchange must pay"
    assert all({start.cohort_of[s], found.cohort_of[s]} <= {2, 3} for s in moved)
    assert check_plan(district, found.cohort_of, found.upgrades) == []
    assert found.value == round(objective_value(district, found.cohort_of, found.upgrades)
                                * objective_units(district))


def test_a_half_window_leaves_the_other_regions_alone(district):
    start = greedy_start(district)
    regions = sorted({s.region for s in district.schools})
    window = Window((1, 2, 3), frozenset(regions[:1]))
    found = solve_window(build_model(district), district, start, window, soon(20))
    region = {s.school_id: s.region for s in district.schools}
    moved = [s for s, c in start.cohort_of.items() if found.cohort_of[s] != c]
    assert moved and {region[s] for s in moved} == {regions[0]}


def test_polish_improves_the_greedy_plan_and_keeps_every_limit(district):
    start = greedy_start(district)
    best, stats = polish_plan(build_model(district), district, start, 60)
    assert best.value > start.value
    gain = (best.value - start.value) / objective_units(district)
    assert stats["polish_gain"] == pytest.approx(gain) and stats["polish_moved"] > 0
    assert check_plan(district, best.cohort_of, best.upgrades) == []
    # A round with no gain ends the polish: no window of the last round improves the result.
    for window in pair_windows(district, {}):
        again = solve_window(build_model(district), district, best, window, soon(20))
        assert again.value <= best.value


def test_triples_whose_pairs_gained_most_come_first(district):
    gains = {(1, 2): 5, (2, 3): 0, (3, 4): 40, (4, 5): 10}
    order = [w.cohorts for w in triple_windows(district, gains)]
    assert order[0] == (3, 4, 5) and order[-1] == (1, 2, 3)
    assert len(order) == 2 * 3  # each triple for each half of the regions


def test_the_first_search_stops_at_its_first_plan_once_the_time_is_up(district):
    m = build_model(district)
    status, solver = search(m, district, 30, 1, prove=False, stop_with_plan_after=0)
    assert status == cp_model.FEASIBLE  # stopped with a plan, not proven best
    status, solver = search(m, district, 30, 1, prove=False)
    assert status == cp_model.OPTIMAL


def test_solve_plan_polishes_a_plan_it_could_not_prove(district, monkeypatch):
    real_search, stops = planning.search, []

    def stop_at_the_first_plan(m, f, time_limit, workers, prove, **kw):
        stops.append(kw.get("stop_with_plan_after"))
        return real_search(m, f, time_limit, workers, prove, stop_with_plan_after=0)

    monkeypatch.setattr(planning, "search", stop_at_the_first_plan)
    plan = solve_plan(district, time_limit=30)
    # The polish ends when a round gains nothing: the proof resumes for the time left.
    # The first search stops with polish_share of the limit left, counted from the start
    # (building the model is part of the limit).
    first = 30 * (1 - district.settings.solver.polish_share)
    assert first - 2 < stops[0] <= first and stops[1:] == [None]
    assert plan.status == "feasible" and plan.stats["polish_windows"] > 0
    assert plan.stats["proof_resumed"] > 1
    assert check_plan(district, plan.cohort_of, plan.upgrades) == []
    assert plan.objective == pytest.approx(objective_value(district, plan.cohort_of,
                                                           plan.upgrades))
    assert plan.bound >= plan.objective
    note = solver_notes(plan)[0]
    assert f"at a time ({plan.stats['polish_windows']} times)" in note
    assert "so the first search resumed from that plan for the" in note


def test_polish_share_zero_leaves_the_whole_time_to_the_first_search(district, monkeypatch):
    import dataclasses

    solver_settings = district.settings.solver.model_copy(update={"polish_share": 0.0})
    f = dataclasses.replace(district, settings=district.settings.model_copy(
        update={"solver": solver_settings}))
    real_search, stops = planning.search, []

    def recording(m, f, time_limit, workers, prove, **kw):
        stops.append(kw.get("stop_with_plan_after"))
        return real_search(m, f, time_limit, workers, prove, **kw)

    monkeypatch.setattr(planning, "search", recording)
    plan = solve_plan(f, time_limit=30)
    assert 28 < stops[0] <= 30 and len(stops) == 1 and "polish_windows" not in plan.stats
    assert plan.status == "optimal"
