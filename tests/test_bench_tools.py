"""Benchmark tools: the CP-SAT model as a HiGHS MIP, and synthetic districts that plan."""
from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from rollout.checking.check import check_plan
from rollout.devtools.bench import plan_from_names, proto_to_linear, solve_with_highs
from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.planning.facts import facts_from_inputs
from rollout.planning.model import build_model, make_solver
from rollout.planning.objectives import objective_units, objective_value
from rollout.planning.solve import solve_plan
from rollout.scoring.inputs import load_inputs
from tests.factory import facts, school

pytest.importorskip("highspy")


def cpsat_optimum(model: cp_model.CpModel) -> float:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value


def assert_highs_agrees(model: cp_model.CpModel) -> None:
    result = solve_with_highs(proto_to_linear(model.proto), time_limit=10)
    assert result["status"] == "Optimal"
    assert result["objective"] == pytest.approx(cpsat_optimum(model))


def test_negated_literals_and_every_constraint_kind_convert():
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(4)]
    level = model.new_int_var(0, 7, "level")
    model.add_exactly_one([x[0], ~x[1], x[2]])
    model.add_at_most_one([~x[0], x[3]])
    model.add_bool_or([~x[2], ~x[3]])
    model.add(2 * x[0] + 3 * ~x[2] + level <= 6)
    model.add_linear_constraint(level - 4 * x[3], -2, 5)
    model.maximize(5 * x[0] + 4 * ~x[1] + 3 * x[2] + 2 * x[3] + level + 10)
    assert_highs_agrees(model)


def test_enforced_constraints_convert():
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(4)]
    level = model.new_int_var(0, 9, "level")
    model.add_implication(x[0], x[1])
    model.add_bool_and([~x[2], x[3]]).only_enforce_if([x[1], ~x[3]])
    model.add_bool_or([x[2], ~x[0]]).only_enforce_if(x[3])
    model.add_linear_constraint(level + 3 * x[2], 2, 4).only_enforce_if(x[0])
    model.add(level >= 6).only_enforce_if([~x[0], x[3]])
    model.maximize(4 * x[0] + 3 * x[2] + 2 * x[3] - x[1] + level)
    assert_highs_agrees(model)


def test_minimisation_keeps_its_sense():
    model = cp_model.CpModel()
    a, b = model.new_bool_var("a"), model.new_bool_var("b")
    model.add_bool_or([a, b])
    model.minimize(3 * a + 2 * b + 1)
    result = solve_with_highs(proto_to_linear(model.proto), time_limit=10)
    assert result["objective"] == pytest.approx(cpsat_optimum(model)) == 3


def test_highs_finds_the_cpsat_optimum_of_a_small_plan():
    schools = [school(f"S{i}", teachers=10 + 3 * i, students=300 + 40 * i) for i in range(8)]
    readiness = {s.school_id: 40.0 + 6 * i for i, s in enumerate(schools)}
    need = {s.school_id: 70.0 - 5 * i for i, s in enumerate(schools)}
    f = facts(schools, readiness=readiness, need=need, coaches=[9.0, 9.0],
              preferences=[("S1", 2, False), ("S6", 1, False)],
              cohort_size={"min": 2, "max": 5})
    m = build_model(f)
    solver = make_solver(f, time_limit=10, workers=1)
    assert solver.solve(m.model) == cp_model.OPTIMAL
    result = solve_with_highs(proto_to_linear(m.model.proto), time_limit=10)
    assert result["status"] == "Optimal"
    assert result["objective"] == pytest.approx(solver.objective_value)
    cohort_of, upgrades = plan_from_names(result["solution"])
    assert set(cohort_of) == {s.school_id for s in schools}
    assert check_plan(f, cohort_of, upgrades) == []
    assert objective_value(f, cohort_of, upgrades) == pytest.approx(
        solver.objective_value / objective_units(f))


def test_names_read_back_into_cohorts_and_upgrades():
    values = {"assign[ES001,2]": 1, "assign[HS002,1]": 1, "upgrade[U07,3]": 1,
              "feeder_low[Oak HS]": 2, "assign[MS003,4]": 0}
    assert plan_from_names(values) == ({"ES001": 2, "HS002": 1}, {"U07": 3})


def test_synthetic_district_loads_and_plans_within_the_rules(tmp_path):
    problems = Problems()
    rubric = load_rubric(default_rubric_path(), problems)
    make_district(tmp_path / "district", schools=30, seed=7, rubric=rubric, respondents=(3, 4))
    inputs = load_inputs(tmp_path / "district")
    f = facts_from_inputs(inputs)
    assert len(f.schools) == 30
    assert f.district.upgrades, "the Upgrades sheet offers upgrades"
    assert all(t.upgrade_crews for t in f.district.terms)
    assert f.settings.upgrade_budget > 0
    plan = solve_plan(f, time_limit=20)
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []


def test_synthetic_typo_only_when_the_matcher_still_finds_the_school():
    from rollout.devtools.synthetic import misspelt
    from tests.factory import school
    river = school("ES001", school_name="River Springs Elementary School")
    assert misspelt(river, [river]) == "Rier Springs Elementary School"
    # Another school already has the typed name: the slip would point at it, so no slip.
    rier = school("ES002", school_name="Rier Springs Elementary School")
    assert misspelt(river, [river, rier]) == "River Springs Elementary School"
