"""A plan not proven best says how far from best it may be with the digits that gap needs:
never "gap 0.00%" (issue 24, item 16), wherever a gap is shown."""
from __future__ import annotations

import pytest

from rollout.outputs.whatif_words import proof_text
from rollout.planning.plan import Plan, gap_percent


@pytest.mark.parametrize("gap, shown", [
    (0.00005, "0.005%"), (0.0000123, "0.001%"), (0.0012, "0.12%"), (0.25, "25.00%"),
    (0.0000004, "under 0.0001%"), (0.0, "under 0.0001%")])
def test_gap_has_the_digits_it_needs(gap, shown):
    assert gap_percent(gap) == shown


def test_only_a_proven_plan_shows_no_gap():
    assert gap_percent(0.0, proven=True) == "0%"


def test_status_of_a_plan_not_proven_best_shows_its_gap():
    # 10,000 schools: objective 2,000,000, bound 100 points higher is a 0.005 % gap.
    plan = Plan(cohort_of={}, status="feasible", objective=2_000_000.0, bound=2_000_100.0)
    assert "gap 0.005%" in plan.status_text()
    assert "0.00%" not in plan.status_text()


def test_what_if_workbooks_and_terminal_share_the_wording():
    assert proof_text(False, 0.00005) == "not proven, gap 0.005%"
    assert proof_text(True, 0.0) == "optimal"
