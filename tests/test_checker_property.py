"""Random valid instances: every solved plan passes the independent checker, and the
objective recomputed from the plan alone equals the solver's."""
from __future__ import annotations

import random

import pytest

from rollout.check import check_plan
from rollout.domain import CapacityChange, NetworkNode
from rollout.errors import InfeasiblePlanError
from rollout.planning.model import solve_plan
from rollout.planning.objectives import objective_value
from tests.factory import facts, school


def random_instance(seed: int):
    rng = random.Random(seed)
    n = rng.randint(4, 12)
    nodes = [NetworkNode("CORE", None, rng.choice([3000, 6000, 1e6])),
             NetworkNode("N1", "CORE", rng.choice([2000, 4000, 1e6])),
             NetworkNode("N2", "CORE", rng.choice([2000, 4000, 1e6]))]
    schools = [school(f"S{i:02d}", students=rng.randint(100, 900), teachers=rng.randint(5, 40),
                      node=rng.choice(["N1", "N2"]), link_mbps=rng.choice([500, 1000, 10000]))
               for i in range(n)]
    ids = [s.school_id for s in schools]
    terms = ("T0", "T1", "T2", "T3")
    plan = [CapacityChange(rng.choice(ids + ["N1", "N2", "CORE"]), rng.randint(1, 3), 10000)
            for _ in range(3)]
    prefs = [(sid, rng.randint(1, 3), rng.random() < 0.3) for sid in rng.sample(ids, 2)]
    return facts(schools, readiness={s: rng.uniform(0, 100) for s in ids},
                 need={s: rng.uniform(0, 100) for s in ids}, terms=terms,
                 coaches=[rng.uniform(1, 8) for _ in terms], nodes=nodes, capacity_plan=plan,
                 preferences=prefs, readiness_gate=rng.choice([0, 30, 60]),
                 need_weight=rng.random(),
                 cohorts=[{"name": f"G{i}", "launch_term": t} for i, t in enumerate(terms[1:])],
                 cohort_size={"min": 1, "max": max(2, n // 2)},
                 coaching={"load_profile": {-1: 0.25, 0: 1.0, 1: 0.5}})


@pytest.mark.parametrize("seed", range(25))
def test_solved_plans_pass_the_checker(seed):
    f = random_instance(seed)
    try:
        plan = solve_plan(f, time_limit=10)
    except InfeasiblePlanError as exc:
        assert exc.conflicts  # infeasible is fine, but it must say why
        return
    assert check_plan(f, plan.cohort_of) == []
    assert objective_value(f, plan.cohort_of) == pytest.approx(plan.objective)
    assert plan.status == "optimal"
