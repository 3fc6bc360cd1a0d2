"""The CLI as a user meets it: `rollout plan` and `rollout check`, good input and bad."""
from __future__ import annotations

import csv
import subprocess
import sys

import click
from click.testing import CliRunner
from openpyxl import load_workbook

from rollout.cli import main
from tests.factory import default_school_rows, write_district_folder


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def as_user(args):
    """Calls rollout's real entry point, so exit codes and messages are what a user sees."""
    sys.argv = ["rollout", *args]
    main()


def run(args):
    return CliRunner().invoke(as_user, args, catch_exceptions=False)


def test_plan_writes_every_output_and_check_passes(tmp_path):
    district = write_district_folder(tmp_path / "d")
    out = tmp_path / "out"
    result = run(["plan", str(district), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Plan: the best possible plan (proven)" in result.output
    assert "objective" not in result.output and "bound" not in result.output
    assert {p.name for p in out.iterdir()} == {"dashboard.xlsx", "plan.csv", "upgrades.csv",
                                               "changes.csv", "history.csv", "schools",
                                               "site", "site-source.json"}  # the website: #16
    assert sorted(p.name for p in (out / "schools").iterdir()) == ["S1.xlsx", "S2.xlsx",
                                                                   "S3.xlsx"]
    rows = list(csv.DictReader((out / "plan.csv").open()))
    assert [r["school_id"] for r in rows] == ["S1", "S2", "S3"]
    assert list(rows[0])[:12] == ["school_id", "school_name", "cohort", "launch_term",
                                  "infrastructure", "technology", "instructional", "readiness",
                                  "need", "priority", "preferred_cohort", "reasons"]
    wb = load_workbook(out / "dashboard.xlsx")
    assert {"Overview", "Schools", "Cohorts", "Capacity", "Settings"} <= set(wb.sheetnames)
    checked = run(["check", str(district), str(out / "plan.csv")])
    assert checked.exit_code == 0 and "The plan meets every rule." in checked.output


def test_check_reports_a_broken_plan_with_exit_1(tmp_path):
    district = write_district_folder(tmp_path / "d", settings_patch={
        "cohort_size": {"min": 0, "max": 1}, "cohorts": [
            {"name": "Group 1", "launch_term": "T1"}, {"name": "Group 2", "launch_term": "T2"},
            {"name": "Group 3", "launch_term": "T3"}]},
        terms=[["term", "coaches_fte"], ["T1", 20], ["T2", 20], ["T3", 20]])
    plan = tmp_path / "plan.csv"
    plan.write_text("school_id,cohort\nS1,1\nS2,1\nS3,1\n")
    result = run(["check", str(district), str(plan)])
    assert result.exit_code == 1
    assert "Group 1 would have 3 schools, above the maximum of 1" in result.output


def test_same_inputs_give_byte_identical_plan(tmp_path):
    district = write_district_folder(tmp_path / "d")
    for name in ("a", "b"):
        assert run(["plan", str(district), "--out", str(tmp_path / name)]).exit_code == 0
    assert (tmp_path / "a" / "plan.csv").read_bytes() == (tmp_path / "b" / "plan.csv").read_bytes()


def assert_input_error(tmp_path, district, *expected):
    out = tmp_path / "out"
    result = run(["plan", str(district), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "nothing was written" in result.output
    for text in expected:
        assert text in result.output, result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_missing_sheet(tmp_path):
    district = write_district_folder(tmp_path / "d")
    wb = load_workbook(district / "district.xlsx")
    del wb["Terms"]
    wb.save(district / "district.xlsx")
    assert_input_error(tmp_path, district, "district.xlsx, sheet 'Terms': required sheet 'Terms' "
                       "is missing")


def test_missing_column(tmp_path):
    rows = [r[:5] + r[6:] for r in default_school_rows()]
    district = write_district_folder(tmp_path / "d", schools=rows)
    wb = load_workbook(district / "district.xlsx")
    wb["Schools"].delete_cols(6)
    wb.save(district / "district.xlsx")
    assert_input_error(tmp_path, district, "sheet 'Schools', row 1: required column 'students' "
                       "is missing")


def test_duplicate_school_id_and_bad_cells_are_all_reported(tmp_path):
    rows = default_school_rows()
    rows[1][0] = "S1"
    rows[2][8] = 140  # frl_pct out of range
    rows[2][5] = "many"
    district = write_district_folder(tmp_path / "d", schools=rows)
    assert_input_error(
        tmp_path, district,
        "sheet 'Schools', row 3, column A (school_id): duplicate school_id 'S1' (first seen in "
        "row 2)",
        "row 4, column I (frl_pct): expected a number between 0 and 100 (found 140)",
        "row 4, column F (students): expected a number (found 'many')")


def test_network_that_is_not_a_tree(tmp_path):
    network = [["node", "parent", "capacity_mbps"], ["CORE", None, 1000], ["HUB", "EDGE", 500],
               ["EDGE", "HUB", 500]]
    district = write_district_folder(tmp_path / "d", network=network)
    assert_input_error(tmp_path, district, "sheet 'Network', column parent: the network is not "
                       "a tree: it has a loop through")


def test_two_roots_is_not_a_tree(tmp_path):
    network = [["node", "parent", "capacity_mbps"], ["CORE", None, 1000], ["HUB", None, 500]]
    district = write_district_folder(tmp_path / "d", network=network)
    assert_input_error(tmp_path, district, "needs exactly one root", "found 2: CORE, HUB")


def test_file_that_is_not_excel(tmp_path):
    district = write_district_folder(tmp_path / "d")
    (district / "district.xlsx").write_text("school_id,school_name\nS1,Alpha\n")
    assert_input_error(tmp_path, district, "district.xlsx: cannot be read as an Excel workbook")


def test_survey_naming_unknown_school_and_off_scale_answer(tmp_path):
    rows = [["2027-03-01", "S1", "principal", 3, 3, None, 3, None, 3, 3, 3, 3, 7, None],
            ["2027-03-01", "Zeta Academy", "teacher", 3, None, None, 3, 3, 3, 3, 3, 3, 3, None],
            ["2027-03-01", "S2", "principal", 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, None],
            ["2027-03-01", "S3", "principal", 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, None]]
    district = write_district_folder(tmp_path / "d", survey_rows=rows)
    assert_input_error(
        tmp_path, district,
        "responses.xlsx, sheet 'Responses', row 2, column M (INS4): answer must be a level 1-4 "
        "of the rubric scale (found 7)",
        "row 3, column B (school_id): unknown school 'Zeta Academy'; closest:")


def test_settings_errors_name_the_yaml_path(tmp_path):
    district = write_district_folder(tmp_path / "d", settings_patch={
        "need_weight": 3, "coaching": {"teachers_per_coach": 10, "load_profile": {0: 1.0},
                                       "coach_hours": 5}})
    assert_input_error(tmp_path, district,
                       "setting 'need_weight': must be 1 or less (found 3)",
                       "setting 'coaching.coach_hours': unknown setting")


def test_infeasible_limits_exit_2_with_relaxation(tmp_path):
    # 2.5, 4 and 6 FTE at launch: 13 coaches in all cover 12.5 (the sizing check passes), but
    # no split of the three schools fits 5 in T1 and 8 in T2.
    district = write_district_folder(tmp_path / "d", terms=[["term", "coaches_fte"], ["T1", 5],
                                                             ["T2", 8]])
    result = run(["plan", str(district), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "No plan can meet all the limits" in result.output
    assert "finding which limits conflict" in result.output  # said before the diagnosis runs
    assert "coaching FTE in T" in result.output
    assert "For scale: 3 schools in 2 cohorts" in result.output  # the sizing hint
    assert not (tmp_path / "out").exists()


def test_previous_outputs_survive_a_failed_run(tmp_path):
    district = write_district_folder(tmp_path / "d")
    out = tmp_path / "out"
    assert run(["plan", str(district), "--out", str(out)]).exit_code == 0
    before = (out / "plan.csv").read_bytes()
    (district / "settings.yaml").write_text("need_weight: [")
    assert run(["plan", str(district), "--out", str(out)]).exit_code == 2
    assert (out / "plan.csv").read_bytes() == before


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "rollout", "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0 and "plan" in result.stdout and "check" in result.stdout


def test_an_unexpected_failure_is_one_line_exit_3_and_writes_nothing(tmp_path, monkeypatch):
    import rollout.pipeline

    def broken(*args, **kwargs):
        raise KeyError("cohort_size")
    monkeypatch.setattr(rollout.pipeline, "write_principal_workbooks", broken)
    district, out = write_district_folder(tmp_path / "d"), tmp_path / "out"
    result = run(["plan", str(district), "--out", str(out)])
    assert result.exit_code == 3
    assert "rollout failed unexpectedly while writing workbooks: 'cohort_size'; please " \
           "report this with the command you ran" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    debug = run(["--debug", "plan", str(district), "--out", str(out)])
    assert debug.exit_code == 3 and "Traceback" in debug.output and "KeyError" in debug.output


def test_many_layout_notes_are_counted_in_the_terminal():
    from rollout.cli import terminal_notes
    layouts = [f"f{i}.xlsx: read as survey template, 1 filled role sheet (Teacher)"
               for i in range(11)] + ["f.csv: read as online form export, 1 header row, 5 "
                                      "respondents"] + [
        f"form.xlsx, sheet '{s}': read as online form export, 1 header row, 5 respondents"
        for s in ("Form Responses 1", "Form Responses 2")]
    shown = terminal_notes([*layouts, "a note"])
    assert shown == ["a note",
                     "13 survey files read: 2 as online form export, 11 as survey template "
                     "(each file's layout is listed in the dashboard's Files read sheet)"]
    assert terminal_notes([*layouts[:3], "a note"]) == ["a note", *layouts[:3]]


def test_a_group_of_one_school_is_said_in_the_singular(tmp_path):
    # Three schools in two cohorts of at most two: one cohort holds one school.
    district = write_district_folder(tmp_path / "d", settings_patch={
        "cohort_size": {"min": 1, "max": 2}})
    result = run(["plan", str(district), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    groups = [line for line in result.output.splitlines() if line.startswith("  Group ")]
    assert len(groups) == 2 and any(": 1 school, launch" in line for line in groups), groups
    assert not any(": 1 schools" in line for line in groups)


def test_the_terminal_counts_every_kind_of_change_since_last_year():
    from rollout.cli import changes_line

    changes = [{"change": k} for k in ("moved earlier", "moved later", "new school", "delayed",
                                       "launched early", "withdrawn")]
    assert changes_line(changes) == ("2 schools moved, 1 new, 0 closed, 1 delayed, "
                                     "1 launched early")
    assert changes_line([{"change": "launched late"}]) == \
        "0 schools moved, 0 new, 0 closed, 0 delayed, 1 launched late"
