"""What the planning studio shows (#25), computed by the library: the board's loads (over and
full said in words), a move's breaks and changes, and survey returns per school and role."""
from __future__ import annotations

from pathlib import Path

import pytest

from rollout.checking.check import check_plan
from rollout.outputs.board_view import Load, board_view, check_move, ordinal, where_else
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
    assert [o.cohort for o in options] == [c.number for c in facts.cohorts]  # in order
    assert [o.cohort for o in options if o.current] == [plan.cohort_of[sid]]
    assert sorted(o.cohort for o in options) == [c.number for c in facts.cohorts]
    for o in (o for o in options if not o.current):
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


# ----- a board that already breaks rules, launched groups, what a move changes ------------------

def overloaded_board(facts):
    """The greedy plan with three schools moved into Group 1: coaching is over in two terms."""
    plan = greedy_plan(facts)
    board = dict(plan.cohort_of)
    for sid in sorted(s for s, c in board.items() if c != 1)[:3]:
        board[sid] = 1
    broken = check_plan(facts, board, plan.upgrades)
    assert any(v.rule == "Coaching capacity" for v in broken)
    return board, plan.upgrades, broken


def test_a_move_lists_only_what_it_breaks_more_than_the_board_does(facts):
    from rollout.checking.check import compute_usage

    board, upgrades, broken = overloaded_board(facts)
    over = {v.subject[0]: v.excess for v in broken if v.rule == "Coaching capacity"}
    terms = {facts.term_label(t): t for t in over}
    eased = worse = 0
    for sid in sorted(board):
        for cohort in range(1, len(facts.cohorts) + 1):
            option = check_move(facts, board, upgrades, sid, cohort)
            moved = compute_usage(facts, dict(board, **{sid: cohort}), upgrades).coaching
            for term, t in terms.items():
                said = [b for b in option.breaks if b.startswith(f"Coaching in {term} ")]
                excess = moved[t] - facts.district.terms[t].coaches_fte
                # listed exactly when the move makes that term's coaching worse than now
                assert bool(said) == (excess > over[t] + 1e-6), (sid, cohort, term, said)
                less = moved[t] < over[t] + facts.district.terms[t].coaches_fte - 1e-6
                # ... and what it mends or eases of that term's coaching is said too
                assert less == any(e.startswith(f"Coaching in {term} ") for e in option.eases)
                eased += less
                worse += bool(said)
    assert eased and worse  # both kinds of move were judged (the old test by wording failed)


def test_sentences_name_schools_and_round_as_the_board(facts):
    import dataclasses
    import re

    from rollout.intake.decisions import DecisionRow, district_decisions

    plan = greedy_plan(facts)
    sid = sorted(s for s, c in plan.cohort_of.items() if c == 2)[0]
    decided = dataclasses.replace(facts, decisions=district_decisions(
        [DecisionRow(sid, "x", "pin", 2, "Board asked", "2026-12-06")]))
    option = check_move(decided, plan.cohort_of, plan.upgrades, sid, 3)
    name = facts.district.school_by_id[sid].school_name
    assert f"{name} must be in Group 2 by a district decision (Board asked)." in option.breaks
    ids = set(facts.district.school_by_id)
    board, upgrades, _ = overloaded_board(facts)
    said = [b for s in sorted(board)[:20] for o in where_else(facts, board, upgrades, s)
            for b in o.breaks + o.changes] + list(board_view(facts, board, upgrades).problems)
    assert said and not [b for b in said if ids & set(re.findall(r"[A-Z]{2}\d{3}", b))]
    # figures with one decimal, as the loads table shows them (never 12.85 next to 12.9)
    assert not [b for b in said if re.search(r"\d\.\d\d", b)]
    assert not [b for b in said if "priority" in b]  # the figure is on the details line only


def test_what_a_move_changes_in_words(facts):
    plan = greedy_plan(facts)
    sid = sorted(s for s, c in plan.cohort_of.items() if c == 1)[0]
    later = check_move(facts, plan.cohort_of, plan.upgrades, sid, 3)
    term = facts.term_label(facts.launch_term_of(3))
    assert later.changes[0].startswith("Its ") and f"later: in {term} instead of" in \
        later.changes[0]
    passed = sum(facts.priorities[s] < facts.priorities[sid] for s, c in plan.cohort_of.items()
                 if s != sid and c in (1, 2))
    assert later.changes[1].startswith(f"{passed} school")
    assert "would start before it" in later.changes[1]
    rank = 1 + sum(p > facts.priorities[sid] for p in facts.priorities.values())
    assert later.details == (f"It comes {ordinal(rank)} of {len(facts.priorities)} in the order "
                             "of need and readiness.",)
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 95, 102, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "95th", "102nd", "111th"]


def launched_facts(facts):
    """The sample a spring later: Group 1 has launched (its schools were told Group 1)."""
    import dataclasses

    plan = greedy_plan(facts)
    now = facts.launch_term_of(1) + 1
    told = {s: c for s, c in plan.cohort_of.items() if c == 1}
    later = dataclasses.replace(facts, current_term=now, previous=told)
    assert later.has_launched(1) and not later.has_launched(2)
    return later, plan


def test_a_launched_group_is_never_offered(facts):
    later, plan = launched_facts(facts)
    sid = sorted(s for s, c in plan.cohort_of.items() if c == 2)[0]
    options = where_else(later, plan.cohort_of, plan.upgrades, sid)
    closed = [o for o in options if o.cohort == 1]
    assert closed[0].launched_in == later.term_label(later.launch_term_of(1))
    assert not closed[0].open and not closed[0].valid and not closed[0].breaks
    assert [o.cohort for o in options if o.open] == [3, 4, 5]


def board_session(facts=None, plan=None):
    """A studio session on the sample with a plan (the greedy one) on its board (no solver)."""
    from rollout.studio.session import Session

    session = Session(SAMPLE)
    session.read()
    if facts is not None:
        session.base_facts = facts
        session.decided()
    plan = plan or greedy_plan(session.facts)
    session.plan, session.cohort_of = plan, dict(plan.cohort_of)
    session.upgrades = dict(plan.upgrades)
    return session


def test_the_studio_refuses_a_move_into_or_out_of_a_launched_group(facts):
    from rollout.studio.pages import Pages
    from rollout.studio.session import StudioError

    later, plan = launched_facts(facts)
    session = board_session(later, plan)
    into = sorted(s for s, c in plan.cohort_of.items() if c == 2)[0]
    out_of = sorted(s for s, c in plan.cohort_of.items() if c == 1)[0]
    for sid, cohort, words in ((into, 1, "launched in"), (out_of, 3, "launched with")):
        for act in (session.check_move, session.move):
            with pytest.raises(StudioError) as refused:
                act(sid, cohort)
            assert refused.value.status == 409 and words in str(refused.value)
    assert session.steps == [] and session.cohort_of == plan.cohort_of
    page = Pages(session).home()
    assert f'id="move-{into}"' in page and f'id="move-{out_of}"' not in page
    assert f'id="school-{out_of}"' in page  # its row still shows
    assert '<option value="1"' not in page  # no Move menu offers the launched group
    school = Pages(session).school(into)
    assert "a school cannot join it now" in school and 'name="cohort" value="1"' not in school
    assert "it stays in that group" in Pages(session).school(out_of)
    assert "<option value=\"1\"" not in school  # nor the decision's menu
    with pytest.raises(StudioError) as refused:
        session.decide(into, "pin", 1, "Board asked")
    assert refused.value.status == 409 and session.decisions == {}


def fake_job(plan):
    from types import SimpleNamespace

    return SimpleNamespace(plan=plan, error=None)


def test_a_new_plan_says_what_moved_and_undo_takes_it_back(facts):
    import dataclasses

    from rollout.studio.pages import Pages

    session = board_session()
    board, upgrades = dict(session.cohort_of), dict(session.upgrades)
    a, b = next((x, y) for x in sorted(s for s, c in board.items() if c == 2)
                for y in sorted(s for s, c in board.items() if c == 3)
                if not check_plan(facts, dict(board, **{x: 3, y: 2}), upgrades))
    session.move(b, 2)  # a move by hand, then a plan that also moves a
    replanned = dataclasses.replace(session.plan, cohort_of=dict(board, **{a: 3, b: 2}),
                                    status="optimal")
    session.solve_done(fake_job(replanned))
    name = facts.district.school_by_id[a].school_name
    assert [(c.school_id, c.before, c.after) for c in session.changed] == [
        (a, "Group 2", "Group 3")]
    assert session.changed[0].why  # in words
    said = session.announcement
    page = Pages(session).home()
    assert "1 school changed group" in page and f"{name}</a>: Group 2 → Group 3" in page
    assert "the best plan possible with these limits and decisions" in page
    assert "proven" not in page
    assert said[1]["changed"] == 1
    # Undo takes the plan back: the board as it was, with the move by hand
    assert 'action="/actions/undo"' in page
    assert session.undo() == ""
    assert session.cohort_of == dict(board, **{b: 2}) and session.upgrades == upgrades
    assert session.changed is None and session.status() == "changed by hand"
    assert session.undo() == b and session.cohort_of == board


def test_a_move_on_a_board_that_breaks_rules_is_announced_against_that_board(facts):
    from rollout.studio.pages import Pages

    session = board_session()
    board, upgrades, _ = overloaded_board(facts)
    session.cohort_of = dict(board)
    sid, cohort = next((s, c) for s in sorted(board) if board[s] == 1
                       for c in (2, 3) if check_move(facts, board, upgrades, s, c).valid)
    session.move(sid, cohort)
    said = Pages(session).home()
    name = facts.district.school_by_id[sid].school_name
    assert f"{name} moved to Group {cohort}; it breaks nothing the board did not break " \
        "already" in said and "every limit still holds" not in said


def test_a_plan_not_shown_best_says_how_near_it_is(facts):
    from rollout.planning.greedy import greedy_plan
    from rollout.planning.plan import Plan
    from rollout.studio.session import BEST, GOOD, Session

    session = Session(SAMPLE)
    session.inputs, session.base_facts, session.facts = object(), facts, facts
    greedy = greedy_plan(facts)
    start, upgrades = greedy.cohort_of, greedy.upgrades
    session.plan, session.cohort_of = Plan(start, upgrades, status="optimal"), dict(start)
    session.upgrades, session.plan_facts = dict(upgrades), facts
    assert session.status() == BEST
    session.plan = Plan(start, upgrades, status="feasible", objective=999.9, bound=1000.0)
    assert session.status() == f"{GOOD} (within 0.01% of the best possible)"


def second_spring_session():
    """The studio on the sample's second spring (sample_data/year2), last year's plan the
    greedy one: ES040 launched early and ES071 withdrew, both in a group still to launch."""
    from rollout.studio.session import Session

    first = greedy_plan(facts_from_inputs(load_inputs(SAMPLE)))
    inputs = load_inputs(SAMPLE / "year2")
    facts = facts_from_inputs(inputs, first.cohort_of)
    session = Session(SAMPLE / "year2")
    session.inputs, session.base_facts = inputs, facts
    session.decided()
    plan = greedy_plan(session.facts)
    assert not check_plan(session.facts, plan.cohort_of, plan.upgrades)
    session.plan, session.cohort_of = plan, dict(plan.cohort_of)
    session.upgrades = dict(plan.upgrades)
    return session


def test_a_school_that_keeps_its_group_offers_no_move():
    """Launched (early) or withdrawn is judged per school, not by its group."""
    from rollout.studio.pages import Pages
    from rollout.studio.session import StudioError

    session = second_spring_session()
    facts, board = session.facts, session.cohort_of
    page = Pages(session).home()
    early = facts.term_label(facts.district.launch_by_school["ES040"].term_index)
    for sid, words in (("ES040", f"Launched in {early}: it stays in Group {board['ES040']}."),
                       ("ES071", "Withdrawn: it stays where it was.")):
        assert facts.kept_cohort(sid) is not None and not facts.has_launched(board[sid])
        assert f'id="move-{sid}"' not in page and f'id="school-{sid}"' in page
        options = where_else(facts, board, session.upgrades, sid)
        assert [o.cohort for o in options] == [board[sid]] and not any(o.open for o in options)
        school = Pages(session).school(sid)
        assert words in school, sid
        assert 'action="/actions/move"' not in school and 'action="/actions/decide"' not in school
        with pytest.raises(StudioError):
            session.move(sid, 1 if board[sid] != 1 else 2)
    assert session.steps == [] and not check_plan(facts, session.cohort_of, session.upgrades)
    free = next(s for s in sorted(board) if facts.kept_cohort(s) is None)
    assert f'id="move-{free}"' in page


def test_what_a_move_leaves_of_a_rule_is_said_by_the_rule(facts):
    """Short of a minimum and below a gate are never "over by"; an excess that rounds away is
    "less than" the board's smallest figure, never "over by 0.0"."""
    from rollout.checking.check import Violation
    from rollout.outputs.board_view import eased_text, for_people

    short = Violation("Cohort size", "Group 5 would have 12 schools, below the minimum of 14",
                      (), (5, "min"), 2)
    assert eased_text(facts, short, 1).endswith(
        "; after the move it is still 1 school short of the minimum.")
    big = Violation("Cohort size", "Group 5 would have 25 schools, above the maximum of 22",
                    (), (5, "max"), 3)
    assert eased_text(facts, big, 2).endswith("it is still 2 schools over the maximum.")
    sid = sorted(facts.district.school_by_id)[0]
    gate = Violation("Readiness gate", f"{sid} has readiness 40.0, below the gate of 45 for "
                     "Group 1", (sid,), (sid,), 5.0)
    assert eased_text(facts, gate, 2).endswith("it is still 2.0 below the readiness gate.")
    coaching = Violation("Coaching capacity", "x", (), (2,), 1.5)
    assert eased_text(facts, coaching, 0.7).endswith("after the move it is over by 0.7 FTE.")
    assert eased_text(facts, coaching, 0.01).endswith("it is over by less than 0.1.")
    assert not [t for t in (eased_text(facts, v, 1) for v in (short, big, gate))
                if "over by" in t]
    tiny = Violation("Coaching capacity", "x", (), (2,), 0.02)
    assert for_people(facts, tiny).endswith("over by less than 0.1.")
    assert "0.0" not in for_people(facts, tiny).split("available")[1]
    assert Load("Coaching", 95.02, 95.0, "FTE").text().endswith("over by less than 0.1")
    assert Load("HUB", 10_000.3, 10_000, "Mbps").excess() == "less than 1 Mbps"
    assert Load("HUB", 10_002, 10_000, "Mbps").excess() == "2"


def test_a_new_plan_gives_the_true_reason_a_school_moved_back(facts):
    """A school moved by hand out of a group at its minimum: the new plan moves it back
    because moving it back alone is what mends that group, and says so as `rollout compare`
    does, with the group's name as written."""
    from rollout.studio.pages import Pages

    session = board_session()
    plan = session.plan
    size = facts.settings.cohort_size.min
    group = next(c.number for c in facts.cohorts
                 if sum(v == c.number for v in plan.cohort_of.values()) == size)
    sid = sorted(s for s, c in plan.cohort_of.items() if c == group)[0]
    session.move(sid, group + 1)
    assert any(v.rule == "Cohort size" for v in check_plan(facts, session.cohort_of,
                                                           session.upgrades))
    session.solve_done(fake_job(plan))
    assert not check_plan(facts, session.cohort_of, session.upgrades)
    [changed] = session.changed
    assert (changed.school_id, changed.before, changed.after) == (
        sid, f"Group {group + 1}", f"Group {group}")
    assert changed.why == (f"moving it back alone would break: Group {group} would have "
                           f"{size - 1} schools, below the minimum of {size}")
    assert changed.why in Pages(session).home()


@pytest.fixture()
def planned_session():
    from rollout.planning.solve import solve_plan
    from rollout.studio.session import Session

    session = Session(SAMPLE)
    session.read()
    plan = solve_plan(session.facts)
    session.plan, session.cohort_of, session.upgrades = plan, dict(plan.cohort_of), \
        dict(plan.upgrades)
    session.plan_facts = session.facts  # as solve_done records it
    return session


def test_a_decision_the_board_breaks_is_never_called_the_best_plan(planned_session):
    from rollout.studio.session import BEST, BREAKS, OLDER

    s = planned_session
    assert s.status() == BEST
    sid = sorted(s.cohort_of)[0]
    other = next(c.number for c in s.facts.cohorts
                 if c.number != s.cohort_of[sid] and not s.facts.has_launched(c.number))
    s.decide(sid, "pin", other, "the board asked")
    assert s.status() == BREAKS.format(n=1)
    s.undo()
    assert s.status() == BEST  # the rules are those the plan was made with again
    keep_out = next(c.number for c in s.facts.cohorts if c.number != s.cohort_of[sid])
    s.decide(sid, "keep_out", keep_out, "not that term")
    assert s.status() == OLDER  # kept, but made before this decision


def test_nothing_changes_the_rules_while_a_plan_is_being_made(planned_session):
    import threading

    from rollout.studio.session import StudioError

    s = planned_session
    s.job = type("Running", (), {"done": threading.Event()})()  # a solve still running
    sid = sorted(s.cohort_of)[0]
    for change in (lambda: s.decide(sid, "pin", s.cohort_of[sid], "x"),
                   lambda: s.undecide(sid), lambda: s.undo(), lambda: s.read_again(),
                   lambda: s.move(sid, s.cohort_of[sid])):
        with pytest.raises(StudioError) as refused:
            change()
        assert refused.value.status == 409 and "being made" in str(refused.value)
    assert s.decisions == {}


def test_save_counts_decisions_as_saved_once_the_file_is_written(planned_session, tmp_path,
                                                                  monkeypatch):
    import shutil

    from rollout.studio import session as module

    s = planned_session
    district = tmp_path / "district"
    shutil.copytree(SAMPLE, district, ignore=shutil.ignore_patterns("year2", "scenarios"))
    s.district_dir, s.out_dir = district, tmp_path / "out"
    sid = sorted(s.cohort_of)[0]
    s.decide(sid, "pin", s.cohort_of[sid], "the board asked")
    assert s.unsaved_counts()[0] == 1
    monkeypatch.setattr(module, "SolveJob", lambda *args: None)  # the outputs are not written
    s.save()
    assert (district / "decisions.xlsx").exists()
    assert s.unsaved_counts()[0] == 0  # the file has it, whether the outputs follow or not


def test_a_link_over_its_capacity_says_by_how_much(facts):
    from rollout.checking.check import Violation
    from rollout.outputs.board_view import for_people

    link = next(l for l in facts.district.links if l not in facts.district.school_by_id)
    said = for_people(facts, Violation(
        "Link capacity", f"link {facts.district.link_label(link)} in 2029 Fall would carry "
        "72,215 Mbps of 72,000", (), (link, 3), 215.0))
    assert said.endswith("would carry 72,215 Mbps of 72,000: over by 215 Mbps."), said


def test_save_that_makes_the_boards_own_plan_keeps_what_the_last_plan_changed(planned_session):
    from types import SimpleNamespace

    from rollout.planning.plan import Plan

    s = planned_session
    s.changed, steps = ["the re-plan's list"], list(s.steps)
    s.kind, s.saving = "save", True
    same = Plan(dict(s.cohort_of), dict(s.upgrades), status="optimal")
    s.solve_done(SimpleNamespace(plan=same, error=None, stopped_by_planner=False))
    assert s.changed == ["the re-plan's list"] and s.steps == steps
    kind, values = s.take_announcement()
    assert kind == "saved" and values["changed"] is None
