"""The district's decisions (issue 23; the planning studio's pins build on them): one test per
hard rule on a tiny district: the solver respects it, it changes the plan, the independent
checker catches a plan that breaks it, and a school that keeps its cohort keeps it."""
from __future__ import annotations

import dataclasses
import random

import pytest

from rollout.checking.check import (
    PlanUnderCheck,
    check_plan,
    compute_usage,
    district_decisions_held,
    locked_preferences_held,
)
from rollout.domain import Decisions, KeepOut, NoLaunch, Pin
from rollout.explain import school_reasons
from rollout.planning import constraints
from rollout.planning.constraints import allowed_cohorts
from rollout.planning.solve import solve_plan
from tests.factory import facts, school
from tests.test_checker_property import random_instance

BY = "the scenario 'Test'"


def three_terms(**kw):
    """A and B want the first group (higher need); C is the least urgent."""
    return facts([school("A"), school("B"), school("C")], terms=("T1", "T2", "T3"),
                 need={"A": 90.0, "B": 80.0, "C": 10.0},
                 cohorts=[{"name": "Group 1", "launch_term": "T1"},
                          {"name": "Group 2", "launch_term": "T2"},
                          {"name": "Group 3", "launch_term": "T3"}], **kw)


def decided(f, **decisions):
    return dataclasses.replace(f, decisions=Decisions(**decisions))


def rules_broken(f, cohort_of):
    return {v.rule for v in check_plan(f, cohort_of)}


def test_every_decision_rule_is_a_named_hard_rule():
    for rule in constraints.DECISION_RULES:
        assert rule.__doc__.startswith("Hard: ")
    assert constraints.decisions_allow in constraints.DOMAIN_RULES


def test_pinned_school_is_where_the_district_put_it():
    f = three_terms()
    assert solve_plan(f).cohort_of["A"] == 1
    f = decided(f, pins=(Pin("A", 3, BY),))
    assert allowed_cohorts(f, "A") == [3]
    plan = solve_plan(f)
    assert plan.cohort_of["A"] == 3
    assert check_plan(f, plan.cohort_of) == []
    assert rules_broken(f, {"A": 1, "B": 1, "C": 1}) == {"District decision"}
    # Explained as the district's decision, never as the school's choice.
    assert school_reasons(f, plan.cohort_of)["A"] == "Placed in Group 3 by the scenario 'Test'."


def test_kept_out_school_is_in_none_of_those_cohorts():
    f = decided(three_terms(), keep_outs=(KeepOut("A", (1, 2), BY),))
    assert allowed_cohorts(f, "A") == [3]
    plan = solve_plan(f)
    assert plan.cohort_of["A"] == 3
    assert check_plan(f, plan.cohort_of) == []
    assert rules_broken(f, {"A": 2, "B": 1, "C": 1}) == {"District decision"}
    reason = school_reasons(f, plan.cohort_of)["A"]
    assert "must stay out of Group 2 by the scenario 'Test'" in reason


def test_nothing_launches_in_a_closed_term_and_its_cohort_has_no_minimum():
    f = three_terms(cohort_size={"min": 1, "max": 10})
    f = decided(f, no_launch=(NoLaunch(1, BY),))  # T2: Group 2's term
    plan = solve_plan(f)
    assert 2 not in plan.cohort_of.values()
    assert check_plan(f, plan.cohort_of) == []  # Group 2 empty, below the minimum of 1: fine
    assert rules_broken(f, {"A": 1, "B": 2, "C": 3}) == {"District decision"}
    assert rules_broken(three_terms(cohort_size={"min": 1, "max": 10}),
                        {"A": 1, "B": 1, "C": 3}) == {"Cohort size"}


def test_a_school_that_launched_keeps_its_cohort_whatever_is_decided():
    f = three_terms(current_term="T2", previous={"A": 1, "B": 2, "C": 3})
    f = decided(f, pins=(Pin("A", 3, BY),), keep_outs=(KeepOut("B", (2,), BY),))
    assert allowed_cohorts(f, "A") == [1]  # Group 1 launched in T1: history
    plan = solve_plan(f)
    assert plan.cohort_of["A"] == 1 and plan.cohort_of["B"] == 3
    assert check_plan(f, plan.cohort_of) == []


def test_no_decisions_change_nothing():
    f = three_terms()
    assert not f.decisions
    assert decided(f) == f


@pytest.mark.parametrize("seed", range(8))
def test_model_and_checker_agree_on_every_decision(seed):
    """Random pins, keep-outs and closed terms, some on schools that keep a launched cohort:
    for every school and cohort, the model allows it exactly when the checker finds no broken
    decision (and with the pins, a locked school's lock gives way on both sides)."""
    rng = random.Random(seed)
    f = random_instance(seed)
    ids = [s.school_id for s in f.schools]
    cohorts = [c.number for c in f.cohorts]
    f = dataclasses.replace(f, current_term=f.launch_term_of(2), previous={
        sid: rng.choice(cohorts) for sid in ids})
    pins = tuple(Pin(sid, rng.choice(cohorts), BY) for sid in sorted(rng.sample(ids, 2)))
    keep_outs = tuple(KeepOut(sid, tuple(sorted(rng.sample(cohorts, 2))), BY)
                      for sid in sorted(rng.sample(ids, 3)))
    no_launch = (NoLaunch(f.launch_term_of(rng.choice(cohorts[1:])), BY),)
    f = decided(f, pins=pins, keep_outs=keep_outs, no_launch=no_launch)
    plan = {sid: 1 for sid in ids}
    usage = compute_usage(f, plan)
    for sid in ids:
        for c in cohorts:
            trial = dict(plan, **{sid: c})
            broken = district_decisions_held(PlanUnderCheck(f, trial, {}, usage, schools=[sid]))
            assert (not broken) == constraints.decisions_allow(f, sid, c), (sid, c, broken)
            locked = locked_preferences_held(PlanUnderCheck(f, trial, {}, usage, schools=[sid]))
            assert (not locked) == constraints.locked_preference(f, sid, c) \
                or f.kept_cohort(sid) is not None, (sid, c)
