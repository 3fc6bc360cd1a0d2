"""What-if answers in plain words (issue 23, items 3 and 7): the short comparison a user reads,
why each school moves as its principal would be told, a scenario without a plan, the solver's
figures only on Details / --details, and progress on standard error only."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import rollout.whatif.jobs as jobs
from rollout.checking.check import check_plan
from rollout.outputs.scenarios_workbook import write_scenarios_workbook
from rollout.outputs.sweep_workbook import write_sweep_workbook
from rollout.outputs.whatif_words import (
    compact_changes,
    move_sentence,
    no_plan_text,
    progress_line,
)
from rollout.pipeline import plan_district
from rollout.planning.solve import solve_plan
from rollout.whatif.budget import TimeBudget
from rollout.whatif.compare import compare
from rollout.whatif.jobs import Progress
from rollout.whatif.moves import DECISION, Move, move_reasons
from rollout.whatif.solving import solve_from
from rollout.whatif.sweep import sweep
from tests.factory import write_district_folder
from tests.test_cli import run
from tests.test_scenarios import alike, variant

SOLVER_WORDS = re.compile(r"\b(objective|points?|bound|gap|gains)\b", re.IGNORECASE)


@pytest.fixture
def district(tmp_path):
    """Three schools, two cohorts (T1, T2) and a scenario with 3 coaches in T1 (20 before):
    two of the three schools no longer fit in Group 1."""
    folder = write_district_folder(tmp_path / "d")
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(yaml.safe_dump({"description": "Three coaches in T1",
                                     "coaches_fte": {"T1": 3}}), encoding="utf-8")
    return folder, fewer


def compare_command(district, out, *more):
    folder, fewer = district
    return run(["compare", str(folder), "--scenario", f"fewer={fewer}", "--out", str(out),
                "--limits", "0", "--time-budget", "20", *more])


# ---- the terminal -------------------------------------------------------------------------

def test_compare_prints_the_short_comparison_and_the_workbook_on_standard_output(district,
                                                                                 tmp_path):
    out = tmp_path / "out"
    result = compare_command(district, out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "By the end of T1, and what each plan needs:",
        "Base plan: 1,900 students (100%) in 3 schools (100%) launched; cohorts of 3, 0 schools",
        "  busiest coaching term 12.5 of 20.0 coaches in T1; no upgrades",
        "fewer (Three coaches in T1): 400 students (21%) in 1 school (33%) launched; cohorts of "
        "1, 2 schools",
        "  busiest coaching term 2.5 of 3.0 coaches in T1; no upgrades; 2 schools move (0 "
        "earlier, 2 later)",
        f"Workbook: {out / 'scenarios.xlsx'} (launches by term, coaching, upgrades, every "
        "school that moves and why; solver figures on its Details sheet; --details prints "
        "them)",
        f"Plans: {out / 'plans'} (base.csv and one per scenario, in plan.csv's columns)"]
    assert not SOLVER_WORDS.search(result.stdout)


def test_compare_keeps_progress_and_timing_off_standard_output(district, tmp_path):
    result = compare_command(district, tmp_path / "out")
    assert result.exit_code == 0, result.output
    err = result.stderr.splitlines()
    assert err[0] == "Reading district files, surveys and scenario files ..."
    assert err[1] == ("Solving the base plan, 1 scenario(s) within a budget of 20 s, 2 at a "
                      "time (progress every few seconds) ...")
    assert re.fullmatch(r"2 plans in [\d.]+ s \(solves [\d.]+ s of a 20 s budget, 2 at a "
                        r"time\)\.", err[-1])
    for line in result.stdout.splitlines():
        assert not line.startswith(("Reading", "Solving", "Writing", "  0 of", "2 plans in"))
    assert "Writing scenarios.xlsx, scenarios.csv and plans/ ..." in err


def test_details_prints_the_solver_figures_too(district, tmp_path):
    result = compare_command(district, tmp_path / "out", "--details")
    assert result.exit_code == 0, result.output
    assert "objective" in result.stdout and "fewer: 2 school(s) moved" in result.stdout
    assert result.stdout.splitlines()[-7] == "By the end of T1, and what each plan needs:"


def test_sweep_prints_one_line_per_need_weight_and_progress_on_standard_error(district,
                                                                              tmp_path):
    folder, _ = district
    out = tmp_path / "out"
    result = run(["sweep", str(folder), "--need-weight", "0,1", "--out", str(out),
                  "--time-budget", "20"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Early-launching schools: Group 1 (launching by T1)",
        "need_weight  mean need mean readiness            students by T1  moved",
        "          0       36.7           75.7              1,900 (100%)      0",
        "        0.5       36.7           75.7              1,900 (100%)      0  <- current "
        "setting",
        "          1       36.7           75.7              1,900 (100%)      0",
        "The curve is monotone: as need_weight rises, the early schools' mean need never falls "
        "and their mean readiness never rises.",
        f"Workbook: {out / 'sweep.xlsx'} (the trade-off charted; solver figures on its Details "
        "sheet; --details prints them)"]
    assert result.stderr.splitlines()[1] == ("Solving 3 plans (one per need_weight) within a "
                                             "budget of 20 s, 2 at a time (progress every few "
                                             "seconds) ...")
    detailed = run(["sweep", str(folder), "--need-weight", "0,1", "--out", str(out),
                    "--time-budget", "20", "--details"])
    assert "optimal" in detailed.stdout and "bound" in detailed.stdout


# ---- progress -----------------------------------------------------------------------------

def test_progress_line_says_what_is_solving_done_of_total_and_time_left():
    assert progress_line(3, 9, ["pure_need", "need_weight 0.5"], 41.2, 60) == (
        "  3 of 9 plans done, 42 s of the 60 s budget left; solving: pure_need, need_weight 0.5")
    assert progress_line(9, 9, [], -1, 60) == "  9 of 9 plans done, 0 s of the 60 s budget left"
    said = []
    progress = Progress(TimeBudget(60, 2), said.append)
    progress.announce(4)
    for key, name in enumerate(["Base plan", "more", "fewer"]):
        progress.submitted()
        progress.solving(key, name)
    progress.done(0)
    assert progress.line().startswith("  1 of 4 plans done, ")
    assert progress.line().endswith(" s of the 60 s budget left; solving: more, fewer")


def test_progress_comes_every_few_seconds_while_solving_and_changes_no_plan(monkeypatch):
    base = alike(2, coaches=(2, 2, 100), count=8)
    fewer = variant(base, {"coaches_fte": {"T1": 1}}, "fewer")
    quiet = compare(base, [fewer], workers=1, max_limits=0)
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0.01)
    real = jobs.solve_job

    def slow(*args):  # every solve takes 0.1 s at least: ticks come while it runs
        time.sleep(0.1)
        return real(*args)

    monkeypatch.setattr(jobs, "solve_job", slow)
    said = []
    loud = compare(base, [fewer], workers=1, max_limits=0, log=said.append)
    assert said[0].startswith("Solving the base plan, 1 scenario(s) within a budget of ")
    ticks = [line for line in said if re.match(r"  \d of 2 plans done, \d+ s of the ", line)]
    assert ticks  # the solves take longer than 0.01 s
    assert any("; solving: " in line for line in ticks)
    for a, b in zip(quiet.outcomes, loud.outcomes):
        assert a.plan.cohort_of == b.plan.cohort_of


# ---- why a school moves -------------------------------------------------------------------

def test_a_school_whose_place_no_longer_fits_is_told_which_limit():
    base = alike(2, coaches=(2, 2, 100), count=8)
    result = compare(base, [variant(base, {"coaches_fte": {"T1": 1}}, "fewer")], workers=1,
                     max_limits=0)
    facts = result.scenarios[0].facts
    moves = result.summaries["fewer"].moves
    from_t1 = [m for m in moves if m.base_cohort == 1]
    assert len(from_t1) == 1
    (move,) = from_t1
    assert move_sentence(facts, move) == (
        f"Moves later, to {'G2' if move.cohort == 2 else 'G3'} (T{move.cohort}): in G1 it no "
        "longer fits the scenario's limits (coaching in T1 would need 2.00 FTE of 1 available).")
    assert all(move_sentence(facts, m).startswith("Moves later, to ")
               and "no longer fits the scenario's limits (" in move_sentence(facts, m)
               for m in moves)


def test_a_school_that_now_fits_earlier_and_one_that_makes_room_are_told_so():
    base = alike(3, coaches=(2, 2, 100), count=6, cohort_size={"min": 0, "max": 2})
    plan = solve_plan(base, 10)
    more = variant(base, {"coaches_fte_delta": {"T1": 1}, "cohort_size": {"max": 3}}).facts
    found = solve_from(more, plan, 10)
    assert not check_plan(more, found.cohort_of, found.upgrades)
    sentences = {m.school_id: move_sentence(more, m) for m in
                 move_reasons(more, plan, found, base)}
    earlier = [s for s, c in found.cohort_of.items() if c < plan.cohort_of[s]]
    assert earlier
    for sid in earlier:
        cohort = found.cohort_of[sid]
        assert sentences[sid] == (f"Now fits earlier, in G{cohort} (T{cohort}): the scenario "
                                  "leaves room for it there.")
    for sid in set(sentences) - set(earlier):
        cohort = found.cohort_of[sid]
        assert sentences[sid] == (f"Moves later, to G{cohort} (T{cohort}), to make room for "
                                  "schools that now fit earlier.")


def test_a_new_weighting_of_need_and_readiness_is_named_as_the_reason():
    base = alike(3, coaches=(2, 2, 100), count=6, cohort_size={"min": 0, "max": 2})
    plan = solve_plan(base, 10)
    need = variant(base, {"need_weight": 1.0}).facts
    found = solve_from(need, plan, 10)
    moves = move_reasons(need, plan, found, base)
    assert moves
    for m in moves:
        place = f"G{m.cohort} (T{m.cohort})"
        assert move_sentence(need, m) == (
            f"Now fits earlier, in {place}: with the scenario's weighting of need and readiness "
            "it comes ahead of schools that now go later." if m.earlier else
            f"Moves later, to {place}: with the scenario's weighting of need and readiness, "
            "other schools come first.")


def test_a_school_placed_by_the_scenario_is_told_it_is_a_decision_not_a_choice():
    base = alike(0)
    by = "the scenario 'High schools a term later'"
    placed = Move("S1", 1, 3, DECISION, f"placed in G3 by {by}", f"placed in G3 by {by}")
    assert move_sentence(base, placed) == (
        "Placed in G3 by the scenario 'High schools a term later'.")
    kept = Move("S1", 1, 2, DECISION, f"kept out of G1 by {by}", f"kept out of G1 by {by}")
    assert move_sentence(base, kept) == (
        "Kept out of G1 by the scenario 'High schools a term later': now in G2 (T2).")


def test_schools_that_cannot_move_for_one_reason_are_said_once():
    assert compact_changes([
        "HS002, HS007 1 cohort later", "cannot move: HS001 stays in Group 5: there is no cohort "
        "after Group 5", "cannot move: HS013 keeps Group 1 (launched)",
        "cannot move: HS003 stays in Group 5: there is no cohort after Group 5"]) == [
        "HS002, HS007 1 cohort later",
        "cannot move (stays in Group 5: there is no cohort after Group 5): HS001, HS003",
        "cannot move: HS013 keeps Group 1 (launched)"]


# ---- a scenario without a plan ------------------------------------------------------------

def test_a_scenario_without_a_plan_names_its_own_changes_in_conflict():
    base = alike(0)
    # 8 schools of 1 coaching FTE each: 2 + 2 + 3 coaches cannot launch them all.
    none = variant(base, {"coaches_fte": {"T3": 3}}, "few coaches")
    result = compare(base, [none], workers=1, max_limits=0)
    # The limits the base has as they are are named too, but not as the scenario's changes.
    assert result.scenarios[0].message == (
        "No plan possible: the scenario's own change to coaching FTE in T3 (3 available) "
        "conflicts with coaching FTE in T1 (2 available) and coaching FTE in T2 (2 available). "
        "Any one of these would make a plan possible: +1.00 coaching FTE in T1; or +1.00 "
        "coaching FTE in T2; or +1.00 coaching FTE in T3.")
    assert no_plan_text(["coaching FTE in T1 (0 available)"], ["at most 2 schools in G2"],
                        ["+1.00 coaching FTE in T1"], "together: ") == (
        "No plan possible: the scenario's own change to coaching FTE in T1 (0 available) "
        "conflicts with at most 2 schools in G2. Any one of these would make a plan possible: "
        "+1.00 coaching FTE in T1.")
    assert no_plan_text([], ["coaching FTE in T2 (2 available)"], ["+1.00 coaching FTE in T2"],
                        "together: ", ["nothing launches in T1"]) == (
        "No plan possible: with the scenario's changes (nothing launches in T1), these limits "
        "conflict: coaching FTE in T2 (2 available). Any one of these would make a plan "
        "possible: +1.00 coaching FTE in T2.")
    assert no_plan_text(["a", "b"], [], ["together: x; y"], "together: ") == (
        "No plan possible: the scenario's own changes to a and b conflict with each other. "
        "These changes together would make a plan possible: x; y.")


# ---- the workbooks ------------------------------------------------------------------------

def sheet_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_plain_sheets_have_no_solver_words_and_details_has_them(tmp_path):
    base = alike(2, coaches=(2, 2, 100), count=8)
    comparison = compare(base, [variant(base, {"coaches_fte": {"T1": 1}}, "fewer"),
                                variant(base, {"need_weight": 1.0}, "need")],
                         workers=1, max_limits=3)
    write_scenarios_workbook(comparison, tmp_path / "scenarios.xlsx")
    write_sweep_workbook(sweep(base, [0.0, 1.0], workers=1), tmp_path / "sweep.xlsx")
    book = load_workbook(tmp_path / "scenarios.xlsx")
    for name in ("Summary", "Launches", "Cohorts", "Capacity", "Upgrades", "Moves",
                 "Binding limits", "Notes"):
        found = SOLVER_WORDS.search(sheet_text(book[name]))
        assert not found, (name, found)
    details = sheet_text(book["Details"])
    for word in ("Objective (priority points)", "Bound (no plan scores more)", "Gap to the bound",
                 "Time taken (s)", "Moves: the solver's account"):
        assert word in details
    swept = load_workbook(tmp_path / "sweep.xlsx")
    assert not SOLVER_WORDS.search(sheet_text(swept["Trade-off"]))
    assert not re.search(r"objective|bound|gap|priority points", sheet_text(swept["Notes"]),
                         re.IGNORECASE)
    assert "Gap to the bound" in sheet_text(swept["Details"])
    launches = book["Launches"]
    assert launches["A4"].value == "Students launched by the end of the term"
    assert [c.value for c in launches[5]][:4] == ["Term", "Base plan", "fewer", "need"]


# ---- the sample's second spring: decisions and a scenario without a plan -------------------

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def test_second_spring_decisions_and_a_plan_they_make_impossible_in_plain_words(tmp_path):
    plan_district(SAMPLE, tmp_path / "y1")
    tight = tmp_path / "tight.yaml"
    tight.write_text(yaml.safe_dump({
        "description": "Nothing in 2029 Fall, no more coaches", "no_launch_in": ["2029 Fall"],
        "place": [{"schools": {"school_id": "ES062"}, "cohort": "Group 5"}]}), encoding="utf-8")
    out = tmp_path / "whatif"
    result = run(["compare", str(SAMPLE / "year2"), "--previous", str(tmp_path / "y1" /
                                                                       "plan.csv"),
                  "--scenario", f"cedar={SAMPLE / 'year2' / 'scenarios' / 'cedar_in_group2.yaml'}",
                  "--scenario", f"tight={tight}", "--out", str(out), "--limits", "0"])
    assert result.exit_code == 0, result.output
    said = {line.split(" (", 1)[0]: line for line in result.stdout.splitlines()}
    assert said["tight"] == (
        "tight (Nothing in 2029 Fall, no more coaches): No plan possible: with the scenario's "
        "changes (nothing launches in 2029 Fall; ES062 placed in Group 5), these limits "
        "conflict: " + said["tight"].split("these limits conflict: ", 1)[1])
    assert "would make a plan possible: " in said["tight"]
    moves = load_workbook(out / "scenarios.xlsx")["Moves"]
    why = {moves.cell(row=r, column=1).value: moves.cell(row=r, column=7).value
           for r in range(7, moves.max_row + 1)}
    assert why["HS003"] == "Placed in Group 2 by the scenario 'Cedar High School in Group 2'."
    assert all(not SOLVER_WORDS.search(text) for text in why.values() if text)
