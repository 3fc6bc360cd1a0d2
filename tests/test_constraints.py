"""One test per planning rule on a tiny hand-made district: the solver respects the rule, the
rule changes the plan, and the independent checker catches a plan that breaks it."""
from __future__ import annotations

import pytest

from rollout.checking.check import check_plan
from rollout.domain import CapacityChange, NetworkNode
from rollout.errors import InfeasiblePlanError
from rollout.explain import solve_or_diagnose
from rollout.planning.constraints import allowed_cohorts
from rollout.planning.solve import solve_plan
from tests.factory import facts, school


def rules_broken(f, cohort_of):
    return {v.rule for v in check_plan(f, cohort_of)}


def test_every_school_in_exactly_one_cohort():
    f = facts([school("A"), school("B"), school("C")])
    plan = solve_plan(f)
    assert set(plan.cohort_of) == {"A", "B", "C"}
    assert check_plan(f, plan.cohort_of) == []
    assert rules_broken(f, {"A": 1, "B": 2}) == {"One cohort per school"}
    assert rules_broken(f, {"A": 1, "B": 2, "C": 3}) == {"One cohort per school"}


def test_cohort_size_limits():
    # Everyone would rather launch first; max 2 per cohort pushes one school later.
    f = facts([school("A"), school("B"), school("C")], cohort_size={"min": 1, "max": 2})
    plan = solve_plan(f)
    sizes = sorted(list(plan.cohort_of.values()).count(c) for c in (1, 2))
    assert sizes == [1, 2]
    assert check_plan(f, plan.cohort_of) == []
    assert rules_broken(f, {"A": 1, "B": 1, "C": 1}) == {"Cohort size"}


def test_coaching_capacity_per_term():
    # Each school needs 1 FTE at launch (10 teachers / 10 per coach); only 1 coach per term.
    f = facts([school("A"), school("B")], coaches=1.0)
    plan = solve_plan(f)
    assert sorted(plan.cohort_of.values()) == [1, 2]
    assert check_plan(f, plan.cohort_of) == []
    violations = check_plan(f, {"A": 1, "B": 1})
    assert [v.rule for v in violations] == ["Coaching capacity"]
    assert "T1 would need 2.00 FTE of 1 available" in violations[0].message


def test_coaching_follows_the_load_profile():
    # Planning (offset -1) costs half an FTE: B launching in T2 loads T1 with 0.5 FTE on top
    # of A's launch (1.0), so 1.5 coaches are needed in T1, not 1.0.
    profile = {"load_profile": {-1: 0.5, 0: 1.0}}
    f = facts([school("A"), school("B")], coaching=profile, coaches=[1.5, 1.0])
    plan = solve_plan(f)
    assert sorted(plan.cohort_of.values()) == [1, 2]
    assert check_plan(f, plan.cohort_of) == []
    tight = facts([school("A"), school("B")], coaching=profile, coaches=[1.4, 1.0])
    assert "T1 would need 1.50 FTE" in check_plan(tight, {"A": 1, "B": 2})[0].message
    with pytest.raises(InfeasiblePlanError, match=r"\+0.10 coaching FTE in T1"):
        solve_or_diagnose(tight)


def test_link_capacity_with_capacity_plan():
    # Hub carries 1,100 Mbps in T1: one launched school (1,000) plus one at baseline (100).
    # The capacity plan raises it in T2 so both fit then.
    nodes = [NetworkNode("HUB", None, 1100)]
    f = facts([school("A", students=1000), school("B", students=1000)], nodes=nodes,
              capacity_plan=[CapacityChange("HUB", 1, 2000)])
    plan = solve_plan(f)
    assert sorted(plan.cohort_of.values()) == [1, 2]
    assert check_plan(f, plan.cohort_of) == []
    violations = check_plan(f, {"A": 1, "B": 1})
    assert {v.rule for v in violations} == {"Link capacity"}
    assert "HUB" in violations[0].message and "2,000 Mbps of 1,100" in violations[0].message


def test_school_own_link_limits_its_launch():
    f = facts([school("A", students=1000, link_mbps=500)], nodes=[NetworkNode("HUB", None, 1e6)],
              capacity_plan=[CapacityChange("A", 1, 1000)])
    assert solve_plan(f).cohort_of == {"A": 2}
    assert rules_broken(f, {"A": 1}) == {"Link capacity"}


def test_readiness_gate_for_first_cohort():
    f = facts([school("A"), school("B")], readiness={"A": 80.0, "B": 40.0},
              need={"A": 0.0, "B": 100.0}, readiness_gate=50, need_weight=1.0)
    assert allowed_cohorts(f, "B") == [2]
    plan = solve_plan(f)
    assert plan.cohort_of["B"] == 2  # B has the higher priority but is not ready
    assert rules_broken(f, {"A": 1, "B": 1}) == {"Readiness gate"}


def test_locked_preference_is_binding():
    f = facts([school("A"), school("B")], preferences=[("A", 2, True)])
    plan = solve_plan(f)
    assert plan.cohort_of["A"] == 2
    assert rules_broken(f, {"A": 1, "B": 1}) == {"Locked preference"}


def test_unlocked_preference_is_honoured_when_cheap():
    # A's priority pulls it to Group 1 (worth 50 points); its choice of Group 2 is worth 60.
    f = facts([school("A")], preferences=[("A", 2, False)], preference_weight=60)
    assert solve_plan(f).cohort_of == {"A": 2}
    f = facts([school("A")], preferences=[("A", 2, False)], preference_weight=40)
    assert solve_plan(f).cohort_of == {"A": 1}


def test_higher_priority_launches_first():
    f = facts([school("A"), school("B")], readiness={"A": 90.0, "B": 20.0},
              need={"A": 50.0, "B": 50.0}, cohort_size={"min": 1, "max": 1}, need_weight=0.0)
    assert solve_plan(f).cohort_of == {"A": 1, "B": 2}
    f = facts([school("A"), school("B")], readiness={"A": 90.0, "B": 20.0},
              need={"A": 10.0, "B": 95.0}, cohort_size={"min": 1, "max": 1}, need_weight=1.0)
    assert solve_plan(f).cohort_of == {"A": 2, "B": 1}


def test_infeasible_limits_name_the_conflict_and_the_relaxation():
    # Two schools, each needs 1 FTE at launch, but only 1 coach in T2 and max 1 per cohort:
    # whoever launches in T2 is fine... make T1 impossible too, so one FTE is missing.
    f = facts([school("A"), school("B")], coaches=[0.0, 1.0], cohort_size={"min": 1, "max": 1})
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(f)
    text = caught.value.user_message()
    assert "coaching FTE in T1" in text
    assert "+1.00 coaching FTE in T1" in text
