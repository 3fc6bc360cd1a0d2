"""The cause of "no plan" first (issue 26, item 4): before solving, a school whose own link
cannot carry it and coaching that cannot cover the launches are each named in one sentence
with the figure that would do (exit 2, nothing written, the solver never runs); the diagnosis
after solving names each link once, with one figure, and speaks of an earlier upgrade only
where the Upgrades sheet has one."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

import rollout.pipeline
from rollout.checking.check import check_plan
from rollout.errors import InfeasiblePlanError
from rollout.explain import diagnose_infeasible, solve_or_diagnose
from rollout.planning.facts import facts_from_inputs
from rollout.planning.sizing import coaching_hint, sizing_problems
from rollout.scoring.inputs import load_inputs
from tests.factory import facts, school, write_district_folder
from tests.test_cli import run

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def tiny_link(tmp_path_factory) -> Path:
    """The sample's first spring with ES038's own link at 5 Mbps (its 669 students need 67
    Mbps before launch and 669 Mbps once launched)."""
    folder = tmp_path_factory.mktemp("tiny_link") / "district"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("year2", "scenarios"))
    wb = load_workbook(folder / "district.xlsx")
    ws = wb["Schools"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "ES038")
    row[header.index("link_mbps")].value = 5
    wb.save(folder / "district.xlsx")
    return folder


def test_a_school_link_too_small_is_one_sentence_before_the_solver(tiny_link, tmp_path,
                                                                   monkeypatch):
    def no_solve(*args, **kwargs):
        raise AssertionError("the solver ran")

    monkeypatch.setattr(rollout.pipeline, "solve_or_diagnose", no_solve)
    result = run(["plan", str(tiny_link), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    problems = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert problems == [
        "  - district.xlsx, sheet 'Schools', column link_mbps: ES038's own link (5 Mbps) cannot "
        "carry its baseline or its launch in any term: its 669 students need 669 Mbps once "
        "launched (67 Mbps before): raise it to at least 669 Mbps, or add an upgrade for it to "
        "the Upgrades sheet"]
    assert not (tmp_path / "out").exists()


def test_the_figure_given_for_a_link_makes_a_plan_possible(tmp_path):
    small = write_district_folder(tmp_path / "d", schools=[
        ["S1", "Alpha Elementary", "ES", "North", "Ridge HS", 400, 25, 400, 60, 40, "HUB", 100],
        ["S2", "Beta Middle", "MS", "North", "Ridge HS", 600, 40, 300, 30, 70, "HUB", 1000],
        ["S3", "Ridge High", "HS", "South", "Ridge HS", 900, 60, 900, 20, 80, "HUB", 1000]])
    problems = sizing_problems(facts_from_inputs(load_inputs(small))).items
    assert len(problems) == 2 and problems[0].sheet == "Schools"  # and the launch rate
    assert "S1's own link (100 Mbps) cannot carry its launch in any term" in problems[0].message
    figure = int(re.search(r"raise it to at least ([\d,]+) Mbps", problems[0].message)[1]
                 .replace(",", ""))
    assert figure == 400  # 400 students at 1,000 kbps each once launched
    fixed = write_district_folder(tmp_path / "fixed", schools=[
        ["S1", "Alpha Elementary", "ES", "North", "Ridge HS", 400, 25, 400, 60, 40, "HUB", figure],
        ["S2", "Beta Middle", "MS", "North", "Ridge HS", 600, 40, 300, 30, 70, "HUB", 1000],
        ["S3", "Ridge High", "HS", "South", "Ridge HS", 900, 60, 900, 20, 80, "HUB", 1000]])
    f = facts_from_inputs(load_inputs(fixed))
    assert not sizing_problems(f)
    plan = solve_or_diagnose(f, 10)
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []


def test_too_few_coaches_is_one_sentence_with_a_sizing_hint(tmp_path, monkeypatch):
    # 25, 40 and 60 teachers at 10 per coach need 2.5 + 4 + 6 = 12.5 FTE at launch; the two
    # terms have 2 coaches each.
    district = write_district_folder(tmp_path / "d", terms=[["term", "coaches_fte"], ["T1", 2],
                                                             ["T2", 2]])
    monkeypatch.setattr(rollout.pipeline, "solve_or_diagnose", lambda *a, **k: 1 / 0)
    result = run(["plan", str(district), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    problems = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1
    assert problems[0].startswith("  - district.xlsx, sheet 'Terms', column coaches_fte: "
                                  "Coaching cannot cover the launches in the cohorts allowed")
    assert "need at least 12.5 FTE-terms" in problems[0] and "has 4.0" in problems[0]
    assert ("at least 4.25 more coaches (FTE) in each of those 2 terms on average"
            in problems[0])
    assert "For scale: 3 schools in 2 cohorts" in problems[0]
    assert not (tmp_path / "out").exists()


def test_sizing_hint_says_what_the_schools_need_in_coaches():
    # Four schools of 10 teachers (1 FTE each at launch) in two cohorts: two launch each term.
    f = facts([school(s) for s in "ABCD"], coaches=[1.0, 1.0])
    assert coaching_hint(f).startswith(
        "For scale: 4 schools in 2 cohorts (about 2 a cohort), spread evenly, need about 2.0 "
        "coaches (FTE) in T1, their busiest term against the coaches it has (1): about 1.0 more "
        "in that term, the peak of an even spread. ")


def test_a_district_that_fits_passes_the_sizing_check():
    f = facts([school(s) for s in "ABCD"], coaches=[2.0, 2.0])
    assert not sizing_problems(f)


def test_diagnosis_names_each_link_once_without_an_upgrade_that_is_not_there(tiny_link):
    f = facts_from_inputs(load_inputs(tiny_link))
    error = diagnose_infeasible(f, 20)
    text = error.user_message()
    assert "earlier upgrade" not in text and "Upgrades sheet" not in text
    about_es038 = [line for line in text.splitlines() if "ES038" in line]
    assert len(about_es038) == 2, text  # one limit in conflict, one change that would do
    assert about_es038[1] == "  - +664 Mbps on link ES038 from 2027 Fall"


def test_diagnosis_offers_an_earlier_upgrade_only_where_there_is_one():
    # A's own link (10 Mbps) carries its baseline (10 Mbps) but not its launch (100 Mbps)
    # until its upgrade, which cannot be done before T3: T2's launch waits for it.
    a = school("A", link_mbps=10)
    f = facts([a], terms=("T1", "T2", "T3"), coaches=100.0,
              cohorts=[{"name": "Group 1", "launch_term": "T1"},
                       {"name": "Group 2", "launch_term": "T2"}],
              upgrades=[("U1", "A", 100, 1000, 2)])
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(f)
    text = caught.value.user_message()
    assert "(or an upgrade of it from the Upgrades sheet done earlier)" in text
    assert sum("on link A from" in line for line in text.splitlines()) == 1


def test_school_links_too_small_at_setdas_goal_name_the_launch_rate_setting(tmp_path):
    # S1's 400 students at the default 1,000 kbps (SETDA's goal) need 400 Mbps; its link has
    # 100, which carries 250 kbps each.
    rows = [["S1", "Alpha Elementary", "ES", "North", "Ridge HS", 400, 25, 400, 60, 40, "HUB", 100],
            ["S2", "Beta Middle", "MS", "North", "Ridge HS", 600, 40, 300, 30, 70, "HUB", 1000],
            ["S3", "Ridge High", "HS", "South", "Ridge HS", 900, 60, 900, 20, 80, "HUB", 1000]]
    problems = sizing_problems(facts_from_inputs(load_inputs(
        write_district_folder(tmp_path / "d", schools=rows)))).items
    lever = [p for p in problems if p.file == "settings.yaml"]
    assert len(lever) == 1, problems
    assert lever[0].message.startswith(
        "bandwidth.launch_kbps_per_student is 1,000 kbps per student, SETDA's goal of 1 Gbps "
        "per 1,000 students, not what a district's links must have: at that rate 1 school link "
        "cannot carry the launch (S1); at 250 kbps per student or less")
    rate = int(re.search(r"at ([\d,]+) kbps per student or less", lever[0].message)[1])
    lowered = write_district_folder(tmp_path / "lowered", schools=rows, settings_patch={
        "bandwidth": {"launch_kbps_per_student": rate}})
    f = facts_from_inputs(load_inputs(lowered))
    assert not sizing_problems(f)  # the rate named is enough for every school's own link
    plan = solve_or_diagnose(f, 10)
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []


def many_schools_few_coaches():
    """12 schools of 10 teachers (1 coach each at launch, 10 per coach) in 3 cohorts over 4
    terms with 2 coaches a term; a school's load: planning 0.5, launch 1, support 0.5."""
    return facts([school(f"S{i:02}") for i in range(12)], terms=("T1", "T2", "T3", "T4"),
                 coaches=2.0, cohorts=[{"name": f"Group {n}", "launch_term": f"T{n + 1}"}
                                       for n in (1, 2, 3)],
                 coaching={"load_profile": {-1: 0.5, 0: 1.0, 1: 0.5}},
                 cohort_size={"min": 1, "max": 12})


def test_coaching_sizing_says_which_figure_is_a_floor_and_which_a_peak():
    f = many_schools_few_coaches()
    [problem] = sizing_problems(f).items
    text = problem.message
    # The floor (an average over every term) and the even spread's busiest term, each said
    # as what it is, so the two figures cannot read as two answers to one question.
    assert "at least 2.50 more coaches (FTE) in each of those 4 terms on average" in text
    assert "a real plan asks more" in text
    assert ("need about 8.0 coaches (FTE) in T3, their busiest term against the coaches it has "
            "(2): about 6.0 more in that term, the peak of an even spread") in text
    # The district's settings are named as levers, with their values.
    assert "coaching.teachers_per_coach is 10; about 40 would fit the even spread" in text
    assert "coaching.load_profile is {-1: 0.5, 0: 1, 1: 0.5}" in text
    assert "cohorts are 3, launching T2 to T4" in text


def test_the_teachers_per_coach_named_fits_the_even_spread():
    f = many_schools_few_coaches()
    figure = int(re.search(r"about (\d+) would fit", sizing_problems(f).items[0].message)[1])
    fixed = facts([school(f"S{i:02}") for i in range(12)], terms=("T1", "T2", "T3", "T4"),
                  coaches=2.0, cohorts=[{"name": f"Group {n}", "launch_term": f"T{n + 1}"}
                                        for n in (1, 2, 3)],
                  coaching={"teachers_per_coach": figure,
                            "load_profile": {-1: 0.5, 0: 1.0, 1: 0.5}},
                  cohort_size={"min": 1, "max": 12})
    assert not sizing_problems(fixed)
    plan = solve_or_diagnose(fixed, 10)
    assert check_plan(fixed, plan.cohort_of, plan.upgrades) == []


def test_diagnosis_of_links_names_the_launch_rate_setting(tiny_link):
    text = diagnose_infeasible(facts_from_inputs(load_inputs(tiny_link)), 20).user_message()
    assert text.endswith("In settings.yaml, bandwidth.launch_kbps_per_student is 1,000 kbps per "
                         "student, SETDA's goal of 1 Gbps per 1,000 students, not what a "
                         "district's links must have: a lower rate asks less of every link at "
                         "launch.")
