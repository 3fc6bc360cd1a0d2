"""Bad survey input, one test each: the message a user reads says where and what is wrong."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

from rollout.outputs.survey_templates import survey_workbook
from tests.factory import write_district_folder
from tests.survey_kit import (
    form_rows,
    messages,
    read,
    tiny_district,
    tiny_rubric,
    write_form,
)


@pytest.fixture
def rubric(tmp_path):
    return tiny_rubric(tmp_path)


BROKEN_XLS = ("cannot be read as an Excel workbook: the file is damaged or not really an .xls "
              "file; open it in Excel and save it again, or download a survey export again from "
              "the survey site, then run again")


def problems_for(tmp_path, rubric, make) -> list[str]:
    """Surveys folder holding a good export plus whatever `make(folder)` adds."""
    folder = tmp_path / "surveys"
    write_form(folder / "good.xlsx", form_rows())
    make(folder)
    _, problems = read(folder, rubric)
    return messages(problems)


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv"])
def test_empty_file(tmp_path, rubric, name):
    found = problems_for(tmp_path, rubric, lambda f: (f / name).write_bytes(b""))
    assert found == [f"{tmp_path / 'surveys' / name}: is empty (0 bytes); export or save "
                     "the survey again"]


def test_workbook_with_no_recognisable_survey(tmp_path, rubric):
    def notes(folder):
        wb = Workbook()
        wb.active.append(["Meeting notes", "to do"])
        wb.create_sheet("Empty")
        wb.save(folder / "notes.xlsx")
    assert problems_for(tmp_path, rubric, notes) == [
        f"{tmp_path / 'surveys' / 'notes.xlsx'}: has no recognisable survey: no sheet has a "
        "header row with a school column (school_id or school name) and a role column, or "
        "with rubric item columns, and none is a rollout survey template (headers seen: "
        "'Meeting notes', 'to do')"]


def test_password_protected_file(tmp_path, rubric):
    def protected(folder):
        plain = write_form(tmp_path / "plain.xlsx", form_rows())
        with open(plain, "rb") as source, open(folder / "locked.xlsx", "wb") as target:
            OOXMLFile(source).encrypt("secret", target)
    assert problems_for(tmp_path, rubric, protected) == [
        f"{tmp_path / 'surveys' / 'locked.xlsx'}: cannot be read as an Excel workbook: it "
        "is password-protected; save an unprotected copy"]


def test_corrupt_file(tmp_path, rubric):
    def truncated(folder):
        data = write_form(tmp_path / "whole.xlsx", form_rows()).read_bytes()
        (folder / "broken.xlsx").write_bytes(data[: len(data) // 2])
    assert problems_for(tmp_path, rubric, truncated) == [
        f"{tmp_path / 'surveys' / 'broken.xlsx'}: cannot be read as an Excel workbook: the file "
        "is damaged or not really an .xlsx file; open it in Excel and save it again, or d"
        "ownload a survey export again from the survey site, then run again"]


def test_broken_xls_file_is_one_problem(tmp_path, rubric):
    """.xls files are read (#15); one that is only an OLE signature is reported as damaged."""
    found = problems_for(tmp_path, rubric,
                         lambda f: (f / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60))
    assert found == [f"{tmp_path / 'surveys' / 'old.xls'}: {BROKEN_XLS}"]


def test_other_file_types(tmp_path, rubric):
    found = problems_for(tmp_path, rubric, lambda f: (f / "answers.pdf").write_bytes(b"%PDF"))
    assert found == [f"{tmp_path / 'surveys' / 'answers.pdf'}: is not a survey file (.xlsx, "
                     ".xlsm, .xlsb, .xls, .ods or .csv expected, found '.pdf')"]


def test_merged_header_cells(tmp_path, rubric):
    def merged(folder):
        wb = Workbook()
        ws = wb.active
        ws.title = "Export"
        ws.append(["School", "Role", "NET", "", "LEAD", "PRAC"])
        ws.append(["A", "principal", 3, 3, 3, 3])
        ws.merge_cells("C1:D1")
        wb.save(folder / "merged.xlsx")
    assert problems_for(tmp_path, rubric, merged) == [
        f"{tmp_path / 'surveys' / 'merged.xlsx'}, sheet 'Export', row 1, column C: header cells "
        "C1:D1 are merged (found 'NET' over 2 columns); unmerge them so that every column has "
        "its own header"]


def test_answers_off_the_scale_and_free_text(tmp_path, rubric):
    rows = form_rows()
    rows[0][4], rows[0][5] = 5, "sometimes"
    rows[2][6], rows[4][7] = 2.5, 0
    write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    where = f"{tmp_path / 's' / 'form.xlsx'}, sheet 'Form Responses 1'"
    assert messages(problems) == [
        f"{where}, row 2, column E (NET - NET question): answer must be a level 1-4 of the "
        "rubric scale (found 5)",
        f"{where}, row 2, column F (DEV - DEV question): answer must be a level 1-4 of the "
        "rubric scale (found 'sometimes')",
        f"{where}, row 4, column G (LEAD - LEAD question): answer must be a level 1-4 of the "
        "rubric scale (found 2.5)",
        f"{where}, row 6, column H (PRAC - PRAC question): answer must be a level 1-4 of the "
        "rubric scale (found 0)"]


def test_a_date_where_a_level_should_be(tmp_path, rubric):
    rows = form_rows()
    rows[0][4] = dt.datetime(2027, 3, 4)  # '3-4' typed, turned into a date by Excel
    write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    assert messages(problems) == [
        f"{tmp_path / 's' / 'form.xlsx'}, sheet 'Form Responses 1', row 2, column E (NET - NET "
        "question): answer must be a level 1-4 of the rubric scale (found a date/time "
        "2027-03-04; Excel may have turned a typed answer into a date: format the column as "
        "text)"]


def test_true_false_is_not_a_level(tmp_path, rubric):
    rows = form_rows()
    rows[0][4] = True
    write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    assert [m.split(": ", 1)[1] for m in messages(problems)] == [
        "answer must be a level 1-4 of the rubric scale (found True)"]


def test_off_scale_answer_in_a_template_points_at_its_cell(tmp_path, rubric):
    district = tiny_district()
    book = survey_workbook(rubric, list(district.schools), school=district.school_by_id["B"])
    ws = book["Teacher"]
    ws["D10"], ws["D11"] = "7", "2 - Developing"
    folder = tmp_path / "s"
    write_form(folder / "good.xlsx", form_rows())
    book.save(folder / "B_teacher.xlsx")
    _, problems = read(folder, rubric)
    assert messages(problems) == [
        f"{folder / 'B_teacher.xlsx'}, sheet 'Teacher', row 10, column D (Your answer, LEAD): "
        "answer must be a level 1-4 of the rubric scale (found '7')"]


def test_unknown_school_lists_the_closest(tmp_path, rubric):
    rows = form_rows() + [["2027-03-09", "z@z", "Zeta Academy", "Teacher", None, None, 3, 3,
                           None], ["2027-03-09", "y@z", "Zeta Academy", "Teacher", None, None,
                                   2, 2, None]]
    write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    assert messages(problems) == [
        f"{tmp_path / 's' / 'form.xlsx'}, sheet 'Form Responses 1', row 8, column C (School): "
        "unknown school 'Zeta Academy'; closest: Alpha Elementary School (A), Cedar Grove High "
        "School (C), Beta Middle School (B). If 'Zeta Academy' is no school, leave its "
        "respondents out with surveys: {ignore_schools: [Zeta Academy]} in settings.yaml "
        "(also rows 9)"]


def test_school_and_role_left_empty(tmp_path, rubric):
    rows = form_rows() + [["2027-03-09", "z@z", None, "Teacher", None, None, 3, 3, None],
                          ["2027-03-09", "y@z", "A", "coach", None, None, 2, 2, None]]
    write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    where = f"{tmp_path / 's' / 'form.xlsx'}, sheet 'Form Responses 1'"
    assert messages(problems) == [
        f"{where}, row 8, column C (School): school is empty",
        f"{where}, row 9, column D (Role): role must be one of principal, teacher, technology "
        "(found 'coach')"]


def test_school_with_no_responses_stops_with_missing_surveys_stop(tmp_path, rubric):
    write_form(tmp_path / "s" / "form.xlsx", [r for r in form_rows() if r[2] != "C"])
    _, problems = read(tmp_path / "s", rubric, missing_surveys="stop")
    assert messages(problems) == [
        f"{tmp_path / 's'}: school C (Cedar Grove High School) has no survey responses; every "
        "school needs at least one (add its survey files, or check that its name or school_id "
        "is spelled as in district.xlsx; missing_surveys: plan in settings.yaml plans it "
        "without)"]


def test_school_with_no_responses_is_a_note_listed_first_by_default(tmp_path, rubric):
    """#26: by default (missing_surveys: plan) a school nobody answered for is no error."""
    write_form(tmp_path / "s" / "form.xlsx", [r for r in form_rows() if r[2] != "C"])
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    assert responses.notes[0].startswith("C (Cedar Grove High School): no survey answers yet; "
                                         "planned on its need")


def test_every_problem_in_every_file_is_reported_at_once(tmp_path, rubric):
    def several(folder):
        (folder / "empty.csv").write_bytes(b"")
        (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
        rows = form_rows()
        rows[1][4] = "lots"
        write_form(folder / "second.xlsx", rows[:2])
    found = problems_for(tmp_path, rubric, several)
    assert [m.split(tmp_path.name + "/surveys/")[1] for m in found] == [
        "empty.csv: is empty (0 bytes); export or save the survey again",
        f"old.xls: {BROKEN_XLS}",
        "second.xlsx, sheet 'Form Responses 1', row 3, column E (NET - NET question): answer "
        "must be a level 1-4 of the rubric scale (found 'lots')"]


def test_cli_reports_all_problems_exit_2_and_writes_nothing(tmp_path):
    district = write_district_folder(tmp_path / "d")
    surveys = district / "surveys"
    (surveys / "empty.xlsx").write_bytes(b"")
    (surveys / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    wb = Workbook()
    ws = wb.active
    ws.append(["school", "role", "INF1"])
    ws.append(["Gamma Prep", "teacher", "often"])
    wb.save(surveys / "more.xlsx")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "rollout", "plan", str(district), "--out",
                          str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert lines[0] == "Reading district files and surveys ..."
    assert lines[1] == "Error: 4 problems in the input; nothing was written."
    assert lines[2:] == [
        f"  - {surveys / 'empty.xlsx'}: is empty (0 bytes); export or save the survey again",
        f"  - {surveys / 'more.xlsx'}, sheet 'Sheet', row 2, column A (school): unknown school "
        "'Gamma Prep'; closest: Ridge High (S3), Alpha Elementary (S1), Beta Middle (S2). If "
        "'Gamma Prep' is no school, leave its respondents out with surveys: {ignore_schools: "
        "[Gamma Prep]} in settings.yaml",
        f"  - {surveys / 'more.xlsx'}, sheet 'Sheet', row 2, column C (INF1): answer must be a "
        "level 1-4 of the rubric scale (found 'often')",
        f"  - {surveys / 'old.xls'}: {BROKEN_XLS}",
        "Notes on the same files:",  # #24 item 13: notes that may explain the problems
        f"  - {surveys / 'more.xlsx'}, sheet 'Sheet': read as online form export, 1 header "
        "row, 1 respondent",
        f"  - {surveys / 'more.xlsx'}, sheet 'Sheet': no column for required item(s) INS1"]
    assert not out.exists()


def test_folder_without_any_answer_is_one_problem(tmp_path, rubric):
    district = tiny_district()
    folder = tmp_path / "s"
    folder.mkdir()
    survey_workbook(rubric, list(district.schools), role="teacher").save(folder / "blank.xlsx")
    _, problems = read(folder, rubric)
    assert messages(problems) == [f"{folder}: no survey answers were found in any file"]


def test_empty_folder_is_one_problem(tmp_path, rubric):
    (tmp_path / "s").mkdir()
    _, problems = read(tmp_path / "s", rubric)
    assert messages(problems) == [f"{tmp_path / 's'}: holds no survey files (.xlsx, .xlsm, "
                                  ".xlsb, .xls, .ods or .csv expected)"]


def test_an_unreadable_file_is_one_error_not_one_per_school_it_held(tmp_path, rubric):
    """#15: the schools a broken file covered are not each reported again as having no
    answers; one line lists the schools without answers and points at the file."""
    folder = tmp_path / "surveys"
    write_form(folder / "good.xlsx", [r for r in form_rows() if r[2] == "A"])
    data = write_form(tmp_path / "whole.xlsx", form_rows()).read_bytes()
    (folder / "broken.xlsx").write_bytes(data[: len(data) // 2])
    _, problems = read(folder, rubric, missing_surveys="stop")
    assert messages(problems) == [
        f"{folder / 'broken.xlsx'}: cannot be read as an Excel workbook: the file is damaged or "
        "not really an .xlsx file; open it in Excel and save it again, or download a survey "
        "export again from the survey site, then run again",
        f"{folder}: no responses for 2 schools (B, C); they may be in the unreadable file "
        "above (broken.xlsx)"]
