"""The full scheduler's rules (issue 5), each on a tiny district: the solver respects the
rule, the rule changes the plan, and the independent checker catches a plan that breaks it."""
from __future__ import annotations

import dataclasses

import pytest

from rollout.checking.check import check_plan
from rollout.domain import NetworkNode
from rollout.errors import InfeasiblePlanError
from rollout.explain import school_reasons, solve_or_diagnose
from rollout.planning.constraints import allowed_cohorts
from rollout.planning.objectives import objective_value
from rollout.planning.solve import solve_plan
from tests.factory import facts, school

THREE_TERMS = ("T1", "T2", "T3")
THREE_COHORTS = [{"name": "G1", "launch_term": "T1"}, {"name": "G2", "launch_term": "T2"},
                 {"name": "G3", "launch_term": "T3"}]


def broken(f, cohort_of, upgrades=None):
    return {v.rule for v in check_plan(f, cohort_of, upgrades)}


def hub_limited(**kw):
    """Two schools of 1,000 students behind a hub that carries only one launched school
    (1,000 + 100 Mbps); an optional upgrade can raise it."""
    nodes = [NetworkNode("HUB", None, 1100)]
    return facts([school("A", students=1000), school("B", students=1000)], nodes=nodes,
                 terms=THREE_TERMS, cohorts=THREE_COHORTS, capacity_plan=kw.pop("plan", ()),
                 **kw)


def test_chosen_upgrade_lets_schools_launch_earlier():
    without = solve_plan(hub_limited(plan=[_change("HUB", 2, 2000)]))
    assert sorted(without.cohort_of.values()) == [1, 3]
    f = hub_limited(plan=[_change("HUB", 2, 2000)], upgrades=[("U1", "HUB", 2000, 5000, 1)])
    plan = solve_plan(f)
    assert sorted(plan.cohort_of.values()) == [1, 2]
    assert plan.upgrades == {"U1": 1}
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []
    assert broken(f, plan.cohort_of, {}) == {"Link capacity"}


def _change(link, term, mbps):
    from rollout.domain import CapacityChange
    return CapacityChange(link, term, mbps)


def test_upgrade_lead_time():
    f = hub_limited(plan=[_change("HUB", 2, 2000)], upgrades=[("U1", "HUB", 2000, 5000, 2)])
    plan = solve_plan(f)
    assert plan.upgrades == {} and sorted(plan.cohort_of.values()) == [1, 3]
    assert "Upgrades" in broken(f, {"A": 1, "B": 2}, {"U1": 1})


def test_upgrade_crews_per_term():
    nodes = [NetworkNode("CORE", None, 1e6), NetworkNode("H1", "CORE", 1100),
             NetworkNode("H2", "CORE", 1100)]
    schools = [school(s, students=1000, node=n) for s, n in
               (("A", "H1"), ("B", "H1"), ("C", "H2"), ("D", "H2"))]
    upgrades = [("U1", "H1", 2000, 100, 1), ("U2", "H2", 2000, 100, 1)]
    kwargs = dict(nodes=nodes, terms=THREE_TERMS, cohorts=THREE_COHORTS,
                  capacity_plan=[_change("H1", 2, 2000), _change("H2", 2, 2000)],
                  upgrades=upgrades)
    free = solve_plan(facts(schools, **kwargs))
    assert free.upgrades == {"U1": 1, "U2": 1}
    f = facts(schools, crews=[0, 1, 1], **kwargs)
    plan = solve_plan(f)
    assert len(plan.upgrades) == 1
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []
    assert "Upgrades" in broken(f, free.cohort_of, free.upgrades)


def test_upgrade_budget():
    f = hub_limited(plan=[_change("HUB", 2, 2000)], upgrades=[("U1", "HUB", 2000, 5000, 1)],
                    upgrade_budget=4000)
    plan = solve_plan(f)
    assert plan.upgrades == {}
    assert "Upgrades" in broken(f, {"A": 1, "B": 2}, {"U1": 1})


def test_reason_names_the_upgrade_a_school_waits_for():
    f = hub_limited(plan=[_change("HUB", 2, 2000)], upgrades=[("U1", "HUB", 2000, 5000, 1)])
    plan = solve_plan(f)
    reasons = school_reasons(f, plan.cohort_of, plan.upgrades)
    later = next(s for s, c in plan.cohort_of.items() if c == 2)
    assert "link HUB" in reasons[later] and "needs upgrade U1 first, due T2" in reasons[later]


def test_need_sets_coaching_intensity():
    # A (need 100) costs 1 x (1 + 1.0) = 2 FTE at launch, B (need 0) costs 1 FTE.
    f = facts([school("A"), school("B")], need={"A": 100.0, "B": 0.0}, coaches=[2.0, 2.0],
              coaching={"need_intensity": 1.0})
    assert f.coaching_fte(f.district.school_by_id["A"], 0, 0) == pytest.approx(2.0)
    plan = solve_plan(f)
    assert sorted(plan.cohort_of.values()) == [1, 2]
    assert broken(f, {"A": 1, "B": 1}) == {"Coaching capacity"}
    same = facts([school("A"), school("B")], need={"A": 100.0, "B": 0.0}, coaches=[2.0, 2.0])
    assert check_plan(same, {"A": 1, "B": 1}) == []


def test_readiness_gates_for_later_cohorts():
    f = facts([school("A"), school("B")], readiness={"A": 80.0, "B": 40.0}, terms=THREE_TERMS,
              cohorts=THREE_COHORTS, readiness_gates={2: 50})
    assert allowed_cohorts(f, "B") == [3]
    assert solve_plan(f).cohort_of["B"] == 3
    assert broken(f, {"A": 1, "B": 2}) == {"Readiness gate"}


def test_readiness_floor():
    f = facts([school("A"), school("B")], readiness={"A": 80.0, "B": 20.0}, terms=THREE_TERMS,
              cohorts=THREE_COHORTS, readiness_floor={"below": 30, "earliest_cohort": 3})
    assert allowed_cohorts(f, "B") == [3]
    assert solve_plan(f).cohort_of == {"A": 1, "B": 3}
    assert broken(f, {"A": 1, "B": 2}) == {"Readiness floor"}


def feeder_district(**kw):
    # One feeder pattern (HS, MS, ES); priorities pull the ES first and the HS last, and at most
    # one school fits a cohort.
    schools = [school("H", level="HS", feeder="Ridge"), school("M", level="MS", feeder="Ridge"),
               school("E", level="ES", feeder="Ridge")]
    kw.setdefault("cohort_size", {"min": 0, "max": 1})
    return facts(schools, readiness={"H": 10.0, "M": 50.0, "E": 90.0}, need_weight=0.0,
                 terms=("T1", "T2", "T3", "T4"),
                 cohorts=THREE_COHORTS + [{"name": "G4", "launch_term": "T4"}], **kw)


def test_feeder_cohesion_soft_pulls_a_pattern_together():
    loose = solve_plan(feeder_district())
    assert loose.cohort_of == {"E": 1, "M": 2, "H": 3}
    f = feeder_district(feeder_cohesion={"max_spread": 1, "weight": 1000})
    assert f.feeder_patterns == {"Ridge": ["E", "H", "M"]}
    # max 1 per cohort makes a spread of 2 unavoidable; cohesion keeps it there, not 3.
    tight = solve_plan(f)
    spread = max(tight.cohort_of.values()) - min(tight.cohort_of.values())
    assert spread == 2
    assert objective_value(f, tight.cohort_of) == pytest.approx(tight.objective)


def test_feeder_cohesion_hard_is_checked():
    f = feeder_district(feeder_cohesion={"max_spread": 1, "hard": True},
                        cohort_size={"min": 0, "max": 2})
    plan = solve_plan(f)
    assert max(plan.cohort_of.values()) - min(plan.cohort_of.values()) <= 1
    assert check_plan(f, plan.cohort_of) == []
    assert broken(f, {"E": 1, "M": 2, "H": 3}) == {"Feeder cohesion"}


def test_balance_mixes_regions():
    # Readiness would put both North schools first; balance asks for one of each region.
    schools = [school("N1", region="North"), school("N2", region="North"),
               school("S1", region="South"), school("S2", region="South")]
    ready = {"N1": 90.0, "N2": 85.0, "S1": 30.0, "S2": 20.0}
    base = dict(readiness=ready, need_weight=0.0, cohort_size={"min": 2, "max": 2})
    assert {s for s, c in solve_plan(facts(schools, **base)).cohort_of.items() if c == 1} == \
        {"N1", "N2"}
    f = facts(schools, balance={"weight": 100, "by": ["region"]}, **base)
    plan = solve_plan(f)
    first = {s for s, c in plan.cohort_of.items() if c == 1}
    assert first == {"N1", "S1"}
    assert objective_value(f, plan.cohort_of) == pytest.approx(plan.objective)


def test_diagnosis_names_a_minimal_conflict():
    # Cohort max 1 with two schools and two cohorts is fine; with no coaches in T1, one school
    # cannot launch anywhere: coaching in T1 and the cohort maximum of G2 conflict.
    f = facts([school("A"), school("B")], coaches=[0.0, 5.0], cohort_size={"min": 0, "max": 1})
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(f)
    conflicts = caught.value.conflicts
    assert any("coaching FTE in T1" in c for c in conflicts)
    assert any("at most 1 schools in Group 2" in c for c in conflicts)
    assert not any("T2" in c for c in conflicts)  # T2's coaching has room: not in the core
    text = caught.value.user_message()
    assert "+1.00 coaching FTE in T1" in text or "raise cohort_size.max to 2" in text


def test_soft_rules_justify_their_cost_naming_schools():
    from rollout.explain import soft_rule_justifications
    f = feeder_district(feeder_cohesion={"max_spread": 0, "weight": 3},
                        preferences=[("H", 1, False)])
    plan = solve_plan(f)
    found = {j.rule: j for j in soft_rule_justifications(f, plan.cohort_of, plan.upgrades)}
    assert set(found["Feeder cohesion"].schools) == {"E", "H", "M"}
    assert "Ridge feeder pattern spreads over 3 cohorts" in found["Feeder cohesion"].message
    assert plan.cohort_of["H"] != 1  # E's priority outweighs H's choice of G1
    assert found["Self-selection"].schools == ("H",)
    assert found["Self-selection"].points == f.settings.preference_weight


def test_a_plan_is_still_found_when_the_proving_search_runs_out_of_time(monkeypatch):
    """The proving search (objective lower-bound search) finds plans only late; when it ends
    without one, the planner looks for any plan before giving up."""
    from ortools.sat.python import cp_model

    import rollout.planning.solve as planning

    real_search, calls = planning.search, []

    def proving_search_finds_nothing(m, f, time_limit, workers, prove, **kw):
        calls.append(prove)
        status, solver = real_search(m, f, time_limit, workers, prove, **kw)
        return (cp_model.UNKNOWN if prove else status), solver

    monkeypatch.setattr(planning, "search", proving_search_finds_nothing)
    f = hub_limited(plan=[_change("HUB", 2, 2000)], upgrades=[("U1", "HUB", 2000, 5000, 1)])
    plan = solve_plan(f)
    assert calls == [True, False]
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []
    assert sorted(plan.cohort_of.values()) == [1, 2]
    assert plan.bound >= plan.objective


def test_a_fallback_plan_is_reported_to_the_user(monkeypatch):
    from ortools.sat.python import cp_model

    import rollout.planning.solve as planning
    from rollout.outputs.results import solver_notes

    real_search = planning.search
    monkeypatch.setattr(planning, "search", lambda m, f, t, w, prove, **kw: (
        (cp_model.UNKNOWN, real_search(m, f, t, w, prove)[1]) if prove
        else real_search(m, f, t, w, prove)))
    plan = solve_plan(hub_limited(plan=[_change("HUB", 2, 2000)]))
    assert plan.stats["fallback_search"] is True
    assert "first search found no plan" in solver_notes(plan)[0]
    monkeypatch.undo()
    assert solver_notes(solve_plan(hub_limited(plan=[_change("HUB", 2, 2000)]))) == []


def test_hard_feeder_cohesion_starts_with_the_plan_finding_search(monkeypatch):
    import rollout.planning.solve as planning

    real_search, calls = planning.search, []

    def recording(m, f, time_limit, workers, prove, **kw):
        calls.append(prove)
        stops.append(kw.get("stop_with_plan_after"))
        return real_search(m, f, time_limit, workers, prove, **kw)

    stops = []
    monkeypatch.setattr(planning, "search", recording)
    f = feeder_district(feeder_cohesion={"max_spread": 1, "hard": True},
                        cohort_size={"min": 0, "max": 2})
    plan = solve_plan(f)
    assert calls == [False] and plan.status == "optimal"
    assert stops == [None]  # the plan-finding search keeps its whole time (no polish)
    assert check_plan(f, plan.cohort_of) == []
    solve_plan(feeder_district())
    assert calls == [False, True]


def test_only_the_fallback_search_starts_from_the_greedy_plan(monkeypatch):
    from ortools.sat.python import cp_model

    import rollout.planning.solve as planning

    real_search, hinted = planning.search, []

    def proving_search_finds_nothing(m, f, time_limit, workers, prove, **kw):
        hinted.append(len(m.model.proto.solution_hint.vars) > 0)
        status, solver = real_search(m, f, time_limit, workers, prove, **kw)
        return (cp_model.UNKNOWN if prove else status), solver

    monkeypatch.setattr(planning, "search", proving_search_finds_nothing)
    f = hub_limited(plan=[_change("HUB", 2, 2000)], upgrades=[("U1", "HUB", 2000, 5000, 1)])
    solve_plan(f)
    assert hinted == [False, True]


def test_cohort_size_relaxation_is_one_setting_value():
    # Five schools, two cohorts of at most 2: cohort_size.max is one setting, so the
    # relaxation is one new value for it, not a different one per cohort.
    f = facts([school(s) for s in "ABCDE"], cohort_size={"min": 0, "max": 2})
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(f)
    assert caught.value.relaxations == ["raise cohort_size.max to 3"]
    assert sorted(caught.value.conflicts) == ["at most 2 schools in Group 1",
                                              "at most 2 schools in Group 2"]


def test_counting_conflict_named_on_the_sample_district():
    # 95 schools cannot fit five cohorts of at most 16: the conflict is proven from the LP at
    # once (a plain search for it found none in 20 s), and 19 per cohort is enough.
    from pathlib import Path

    from rollout.planning.facts import facts_from_inputs
    from rollout.scoring.inputs import load_inputs

    inputs = load_inputs(Path(__file__).resolve().parent.parent / "sample_data")
    f = facts_from_inputs(inputs)
    tight = dataclasses.replace(f, settings=f.settings.model_copy(update={
        "cohort_size": f.settings.cohort_size.model_copy(update={"max": 16})}))
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(tight, time_limit=10)
    assert sorted(caught.value.conflicts) == [f"at most 16 schools in Group {k}"
                                              for k in range(1, 6)]
    assert caught.value.relaxations == ["raise cohort_size.max to 19"]


def test_each_limit_in_conflict_gets_its_own_relaxation():
    # No coaches in T1 and at most one school per cohort: either one coach in T1 or a second
    # place in G2 alone makes a plan possible, so both are offered, each on its own.
    f = facts([school("A"), school("B")], coaches=[0.0, 5.0], cohort_size={"min": 0, "max": 1})
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(f)
    assert sorted(caught.value.relaxations) == ["+1.00 coaching FTE in T1",
                                                "raise cohort_size.max to 2"]
    assert "Any one of these changes" in caught.value.user_message()


def test_changes_needed_together_are_listed_as_one_set():
    text = InfeasiblePlanError(["coaching FTE in T1"],
                               ["together: +1.00 coaching FTE in T1; lower cohort_size.min to 0"]
                               ).user_message()
    assert "These changes together would make a plan possible:\n" \
           "  - +1.00 coaching FTE in T1\n  - lower cohort_size.min to 0" in text
    assert "Any one of" not in text
