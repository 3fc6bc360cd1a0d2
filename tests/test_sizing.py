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
    assert len(problems) == 1 and problems[0].sheet == "Schools"
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
    assert "add at least 4.25 coaches (FTE) in each of those 2 terms" in problems[0]
    assert "For scale: 3 schools in 2 cohorts" in problems[0]
    assert not (tmp_path / "out").exists()


def test_sizing_hint_says_what_the_schools_need_in_coaches():
    # Four schools of 10 teachers (1 FTE each at launch) in two cohorts: two launch each term.
    f = facts([school(s) for s in "ABCD"], coaches=[1.0, 1.0])
    assert coaching_hint(f) == ("For scale: 4 schools in 2 cohorts (about 2 a cohort), spread "
                                "evenly, need about 2.0 coaches (FTE) in T1, their busiest term "
                                "against the coaches it has (1).")


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
