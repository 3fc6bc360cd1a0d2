"""#26 item 2: schools nobody answered the survey for are planned, not refused
(`missing_surveys: plan`, the default), and flagged wherever the district looks; `stop` keeps
the error. Every plan is checked with the independent checker."""
from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from rollout.errors import InputError
from rollout.pipeline import check_district_plan, plan_district
from tests.factory import default_school_rows, default_survey_rows, write_district_folder, \
    write_survey
from tests.test_principal import all_text

# Two schools in great need that nobody answered for: on need alone they would launch first.
SILENT = [["S4", "Delta Elementary", "ES", "South", "Ridge HS", 500, 30, 500, 95, 5, "HUB", 1000],
          ["S5", "Echo Middle", "MS", "South", "Ridge HS", 450, 30, 450, 90, 10, "HUB", 1000]]
GATED = {"readiness_gate": 40, "need_weight": 0.9}


def district_with_silent_schools(root, **settings):
    return write_district_folder(root, schools=default_school_rows() + SILENT,
                                 settings_patch=GATED | settings)


def plan_rows(out) -> dict[str, dict]:
    with open(out / "plan.csv", encoding="utf-8", newline="") as handle:
        return {row["school_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def silent_plan(tmp_path_factory):
    root = tmp_path_factory.mktemp("silent")
    district = district_with_silent_schools(root / "d")
    results, _ = plan_district(district, root / "out")
    return district, root / "out", results


def test_schools_without_answers_are_planned_but_never_in_the_gated_first_cohort(silent_plan):
    district, out, _ = silent_plan
    rows = plan_rows(out)
    assert set(rows) == {"S1", "S2", "S3", "S4", "S5"}
    assert check_district_plan(district, out / "plan.csv") == []  # the independent checker
    for sid in ("S4", "S5"):
        assert rows[sid]["cohort"] == "2", "a school with no answers passes no readiness gate"
        assert rows[sid]["readiness"] == "" and rows[sid]["assessable"] == "no"
        assert float(rows[sid]["need"]) >= 90  # from the Schools sheet
    assert rows["S3"]["cohort"] == "1"  # the gate still lets the ready school launch first


def test_plan_csv_flags_them_in_a_last_column(silent_plan):
    _, out, _ = silent_plan
    header = (out / "plan.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-5:] == ["status", "actual_launch_term", "status_since", "season",
                           "survey_answers"]
    assert {sid: row["survey_answers"] for sid, row in plan_rows(out).items()} == {
        "S1": "received", "S2": "received", "S3": "received", "S4": "none yet",
        "S5": "none yet"}


def test_data_issues_name_them_first_and_files_read_come_apart(silent_plan):
    _, out, _ = silent_plan
    book = load_workbook(out / "dashboard.xlsx")
    issues = [row for row in book["Data issues"].iter_rows(values_only=True)
              if isinstance(row[0], int)]
    assert [(r[1], r[2]) for r in issues[:2]] == [
        ("No survey answers yet", "S4 (Delta Elementary)"),
        ("No survey answers yet", "S5 (Echo Middle)")]
    assert not any("read as" in str(r[3]) for r in issues)
    files = " ".join(str(v) for row in book["Files read"].iter_rows(values_only=True)
                     for v in row if v)
    assert "online form export, 1 header row, 9 respondents" in files
    schools = {row[0]: row for row in book["Schools"].iter_rows(values_only=True)}
    assert schools["S4"][19].startswith("No survey answers yet: planned on its need")
    assert not str(schools["S1"][19]).startswith("No survey answers yet")


def test_principal_workbook_says_its_place_will_be_reviewed(silent_plan):
    _, out, _ = silent_plan
    assert "Its place will be reviewed when it answers" in all_text(out / "schools" / "S4.xlsx")
    assert "Its place will be reviewed" not in all_text(out / "schools" / "S1.xlsx")


def test_principal_workbook_does_not_say_an_unscored_building_needs_nothing(silent_plan):
    _, out, _ = silent_plan
    silent = all_text(out / "schools" / "S4.xlsx")
    assert "Nothing your school needs to do on its network link, devices or building" not in silent
    assert ("infrastructure items, such as wireless coverage and power for charging) can be "
            "checked once its survey is answered") in silent
    assert "Nothing your school needs to do on its network link or devices before launch" in silent
    assert "can be checked once its survey is answered" not in all_text(out / "schools" / "S1.xlsx")


def test_public_site_shows_them_like_any_other_school(silent_plan):
    _, out, _ = silent_plan
    page = (out / "site" / "schools" / "S4.html").read_text(encoding="utf-8")
    assert "Delta Elementary" in page
    assert "survey" not in page.lower().replace("surveys", "")


def test_the_terminal_names_them_first(tmp_path):
    district = district_with_silent_schools(tmp_path / "d")
    run = subprocess.run([sys.executable, "-m", "rollout", "plan", str(district), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    notes = [line for line in run.stderr.splitlines() if line.startswith("Note: ")]
    assert notes[0].startswith("Note: S4 (Delta Elementary): no survey answers yet")
    assert notes[1].startswith("Note: S5 (Echo Middle): no survey answers yet")
    assert "read as online form export" in notes[-1]


def test_missing_surveys_stop_keeps_the_error(tmp_path):
    district = district_with_silent_schools(tmp_path / "d", missing_surveys="stop")
    run = subprocess.run([sys.executable, "-m", "rollout", "plan", str(district), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    assert "Error: 2 problems in the input; nothing was written." in run.stderr
    assert "school S4 (Delta Elementary) has no survey responses" in run.stderr
    assert "school S5 (Echo Middle) has no survey responses" in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_replan_with_their_answers_moves_them_by_the_usual_rules(tmp_path):
    # Three terms, so that the spring after still has the first cohort to come.
    calendar = {"cohorts": [{"name": "Group 1", "launch_term": "T2"},
                            {"name": "Group 2", "launch_term": "T3"}],
                "district_name": "Silent district"}
    terms = [["term", "coaches_fte"], ["T1", 20], ["T2", 20], ["T3", 20]]
    first = write_district_folder(tmp_path / "first", schools=default_school_rows() + SILENT,
                                  settings_patch=GATED | calendar, terms=terms)
    plan_district(first, tmp_path / "first_out")
    told = plan_rows(tmp_path / "first_out")
    assert told["S4"]["cohort"] == told["S5"]["cohort"] == "2"  # not ready: after the gate
    district = write_district_folder(
        tmp_path / "d", schools=default_school_rows() + SILENT, terms=terms,
        settings_patch=GATED | calendar | {"current_term": "T2", "churn_weight": 0})
    answers = default_survey_rows() + [[when, sid, role, *levels] for sid in ("S4", "S5")
                                       for when, _, role, *levels in default_survey_rows()[6:]]
    write_survey(district / "surveys" / "responses.xlsx", answers)
    out = tmp_path / "out"
    previous = tmp_path / "first_out" / "plan.csv"
    plan_district(district, out, previous=previous)
    assert check_district_plan(district, out / "plan.csv", previous=previous) == []
    rows = plan_rows(out)
    assert rows["S4"]["survey_answers"] == rows["S5"]["survey_answers"] == "received"
    assert rows["S4"]["cohort"] == rows["S5"]["cohort"] == "1"  # ready now, and in great need


def test_a_school_without_answers_locked_to_the_gated_first_cohort_says_why(tmp_path):
    district = write_district_folder(
        tmp_path / "d", schools=default_school_rows() + SILENT, settings_patch=GATED,
        preferences=[["school_id", "preferred_cohort", "locked"], ["S4", 1, "yes"]])
    with pytest.raises(InputError) as error:
        plan_district(district, tmp_path / "out")
    assert [p.message for p in error.value.problems] == [
        "S4 is locked to cohort 1 but its readiness 0.0 (no survey answers yet) is below the "
        "readiness gate 40; unlock it or lower the gate"]
