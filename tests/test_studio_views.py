"""What the planning studio shows (#25), computed by the library: the board's loads (over and
full said in words), a move's breaks and changes, and survey returns per school and role."""
from __future__ import annotations

from pathlib import Path

import pytest

from rollout.checking.check import check_plan
from rollout.outputs.board_view import Load, board_view, check_move, where_else
from rollout.planning.facts import facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.scoring.inputs import load_inputs
from rollout.scoring.returns import survey_returns

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(SAMPLE)


@pytest.fixture(scope="module")
def facts(inputs):
    return facts_from_inputs(inputs)


def test_a_load_says_over_and_full_in_words():
    assert Load("Coaching", 96.0, 95.0, "FTE").text() == "Coaching: 96.0 of 95.0 FTE: over by 1.0"
    assert Load("Coaching", 96.0, 95.0, "FTE").over
    full = Load("NORTH-HUB", 9_800, 10_000, "Mbps")
    assert full.binding and not full.over and full.text().endswith(": full")
    assert Load("NORTH-HUB", 5_000, 10_000, "Mbps").text() == "NORTH-HUB: 5,000 of 10,000 Mbps"


def test_the_board_lists_every_school_once_and_what_the_plan_breaks(facts):
    plan = greedy_plan(facts)
    board = board_view(facts, plan.cohort_of, plan.upgrades, pinned={"ES038": 1})
    ids = [s.school_id for c in board.cohorts for s in c.schools]
    assert sorted(ids) == sorted(plan.cohort_of)
    assert board.school("ES038").pinned and not board.school("ES039").pinned
    assert len(board.problems) == len(check_plan(facts, plan.cohort_of, plan.upgrades))
    assert all(t.coaching.available == facts.district.terms[i].coaches_fte
               for i, t in enumerate(board.terms))


def test_where_else_gives_every_group_with_breaks_or_allowed(facts):
    plan = greedy_plan(facts)
    sid = sorted(plan.cohort_of)[0]
    options = where_else(facts, plan.cohort_of, plan.upgrades, sid)
    assert [o.cohort for o in options][0] == plan.cohort_of[sid] and options[0].current
    assert sorted(o.cohort for o in options) == [c.number for c in facts.cohorts]
    for o in options[1:]:
        moved = dict(plan.cohort_of, **{sid: o.cohort})
        assert o.valid == (not o.breaks)
        assert all(b[0].isupper() and b.endswith(".") for b in o.breaks)
        assert o.changes and "students start blended learning" in o.changes[0]
        # allowed means the checker finds nothing new in the moved plan
        if o.valid:
            before = {v.message for v in check_plan(facts, plan.cohort_of, plan.upgrades)}
            after = {v.message for v in check_plan(facts, moved, plan.upgrades)}
            assert after <= before
    stay = check_move(facts, plan.cohort_of, plan.upgrades, sid, plan.cohort_of[sid])
    assert stay.valid and stay.current and not stay.changes


def test_survey_returns_put_schools_missing_a_role_first(inputs):
    responses = inputs.responses
    dropped = responses.respondents[~((responses.respondents["school_id"] == "MS022")
                                      & (responses.respondents["role"] == "teacher"))]
    responses_without = type(responses)(dropped, responses.levels.loc[dropped.index])
    returns = survey_returns(inputs.district, inputs.rubric, responses_without)
    assert returns[0].school_id == "MS022" and returns[0].missing == ("teacher",)
    assert all(not r.missing for r in returns[1:])
    full = {r.school_id: r for r in survey_returns(inputs.district, inputs.rubric, responses)}
    assert sum(sum(r.counts) for r in full.values()) == len(responses.respondents)


def test_the_studio_catalog_holds_every_message_of_its_templates():
    from babel.messages.pofile import read_po

    from rollout.devtools.studio_catalog import CATALOG, extract

    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    assert wanted - have == set(), "run .venv/bin/python -m rollout.devtools.studio_catalog"
    assert all(m.string for m in catalog if m.id)


def test_a_what_if_keeps_the_planners_decisions(facts):
    import dataclasses

    from rollout.domain import Decisions, KeepOut, NoLaunch, Pin
    from rollout.studio.session import with_district_decisions
    from rollout.whatif.scenarios import Variant

    scenario = Decisions((Pin("ES038", 2, "the scenario 'x'"),), (), (NoLaunch(3, "x"),))
    planner = Decisions((Pin("ES038", 3, "a district decision: a"),
                         Pin("ES039", 4, "a district decision: b")),
                        (KeepOut("ES040", (1,), "a district decision: c"),))
    variant = Variant("x", dataclasses.replace(facts, decisions=scenario))
    merged = with_district_decisions(variant, planner).facts.decisions
    assert merged.pin_of("ES038").cohort == 2  # the scenario's own pin wins
    assert merged.pin_of("ES039").cohort == 4 and merged.kept_out_of("ES040") == (1,)
    assert merged.closed_terms() == (3,)
