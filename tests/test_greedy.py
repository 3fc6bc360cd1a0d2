"""The greedy baseline: highest priority first, within every limit, upgrades where they make
room, cohort minimums kept. Each plan is judged by the independent checker."""
from __future__ import annotations

import pytest

from rollout.checking.check import check_plan
from rollout.devtools.synthetic import make_district
from rollout.domain import NetworkNode
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.planning.facts import facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.planning.objectives import objective_value
from rollout.planning.solve import solve_plan
from rollout.scoring.inputs import load_inputs
from tests.factory import facts, school

THREE_TERMS = ("T1", "T2", "T3")
THREE_COHORTS = [{"name": "G1", "launch_term": "T1"}, {"name": "G2", "launch_term": "T2"},
                 {"name": "G3", "launch_term": "T3"}]


def hub_for_one(upgrades=(), **kw):
    """Three schools of 1,000 students behind a hub that carries one launched school."""
    schools = [school(s, students=1000) for s in ("A", "B", "C")]
    readiness = {"A": 90.0, "B": 80.0, "C": 70.0}
    return facts(schools, readiness=readiness, need={s: 0.0 for s in readiness},
                 nodes=[NetworkNode("HUB", None, 1300)], terms=THREE_TERMS,
                 cohorts=THREE_COHORTS, upgrades=upgrades, **kw)


def test_highest_priority_first_into_the_earliest_cohort_that_fits():
    plan = greedy_plan(hub_for_one())
    # The hub carries one launch in every term (300 Mbps baseline + 1 x 900), so only A
    # launches; B and C cannot fit anywhere and go to the last cohort (the checker says so).
    assert plan.cohort_of["A"] == 1
    assert plan.upgrades == {}
    assert check_plan(hub_for_one(), plan.cohort_of, plan.upgrades) != []


def test_greedy_chooses_the_cheapest_upgrade_that_makes_room():
    upgrades = [("BIG", "HUB", 9000, 50_000, 1), ("SMALL", "HUB", 2300, 10_000, 1),
                ("TINY", "HUB", 1500, 1_000, 0)]
    f = hub_for_one(upgrades=upgrades)
    plan = greedy_plan(f)
    # TINY is too small for a second launch and nothing else is done by T1; SMALL (cheaper
    # than BIG, both from T2) lets B launch in G2. The upgrades of a link are alternatives,
    # so nothing makes room for C: it goes to the last cohort and the checker says so.
    assert plan.upgrades == {"SMALL": 1}
    assert plan.cohort_of == {"A": 1, "B": 2, "C": 3}
    assert {v.rule for v in check_plan(f, plan.cohort_of, plan.upgrades)} == {"Link capacity"}


def test_greedy_respects_budget_and_crews():
    upgrades = [("SMALL", "HUB", 2300, 10_000, 1)]
    over_budget = hub_for_one(upgrades=upgrades, upgrade_budget=5_000)
    assert greedy_plan(over_budget).upgrades == {}
    no_crew = hub_for_one(upgrades=upgrades, crews=[1, 0, 0])
    assert greedy_plan(no_crew).upgrades == {}


def test_cohort_minimums_are_kept():
    # Four equal schools, coaching for three launches in T1: greedy alone would put three in
    # G1 and one in G2; with at least two per cohort it stops G1 at two.
    schools = [school(s, teachers=10) for s in ("A", "B", "C", "D")]
    readiness = {"A": 90.0, "B": 80.0, "C": 70.0, "D": 60.0}
    f = facts(schools, readiness=readiness, need={s: 0.0 for s in readiness},
              coaches=[3.0, 3.0], cohort_size={"min": 2, "max": 3})
    plan = greedy_plan(f)
    assert plan.cohort_of == {"A": 1, "B": 1, "C": 2, "D": 2}
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []


def test_short_cohort_filled_from_a_cohort_above_its_minimum():
    # Each launch takes 1 FTE in its term and the next. A and B fill G1, whose support in T2
    # leaves no room for a G2 launch, so C and D go to G3 and G2 is empty. Moving B to G2
    # frees T2 (its launch replaces its support) and still fits T3: the plan is valid.
    schools = [school(s, teachers=10) for s in ("A", "B", "C", "D")]
    readiness = {"A": 90.0, "B": 80.0, "C": 70.0, "D": 60.0}
    f = facts(schools, readiness=readiness, need={s: 0.0 for s in readiness},
              terms=THREE_TERMS, cohorts=THREE_COHORTS, coaches=[2.0, 2.0, 3.0],
              cohort_size={"min": 1, "max": 2},
              coaching={"teachers_per_coach": 10, "load_profile": {0: 1.0, 1: 1.0}})
    plan = greedy_plan(f)
    assert plan.cohort_of == {"A": 1, "B": 2, "C": 3, "D": 3}
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []


def test_solver_never_worse_than_a_valid_greedy_plan():
    schools = [school(f"S{i}", teachers=10 + 3 * i, students=300 + 40 * i) for i in range(8)]
    readiness = {s.school_id: 40.0 + 6 * i for i, s in enumerate(schools)}
    need = {s.school_id: 70.0 - 5 * i for i, s in enumerate(schools)}
    f = facts(schools, readiness=readiness, need=need, coaches=[9.0, 9.0],
              cohort_size={"min": 2, "max": 5})
    greedy = greedy_plan(f)
    assert check_plan(f, greedy.cohort_of, greedy.upgrades) == []
    plan = solve_plan(f, time_limit=10)
    assert plan.objective >= objective_value(f, greedy.cohort_of, greedy.upgrades) - 1e-9


@pytest.mark.parametrize("seed", [3, 11])
def test_greedy_plans_of_synthetic_districts_pass_the_checker(tmp_path, seed):
    rubric = load_rubric(default_rubric_path(), Problems())
    make_district(tmp_path, schools=120, seed=seed, rubric=rubric, respondents=(2, 3))
    f = facts_from_inputs(load_inputs(tmp_path))
    plan = greedy_plan(f)
    assert plan.upgrades, "the hubs are too small without upgrades"
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []
