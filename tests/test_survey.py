"""Survey intake: every layout a district hands us, school matching, duplicate submissions."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from rollout.errors import Problems
from rollout.intake.survey import read_surveys
from rollout.outputs.survey_templates import survey_workbook
from rollout.pipeline import plan_district
from rollout.processes import START_METHOD_VARIABLE
from tests.factory import write_district_folder
from tests.survey_kit import (
    FORM_HEADER,
    form_rows,
    levels_of,
    messages,
    read,
    tiny_district,
    tiny_rubric,
    write_form,
)


@pytest.fixture
def rubric(tmp_path):
    return tiny_rubric(tmp_path)


def test_form_export_reads_text_and_bare_numbers(tmp_path, rubric):
    write_form(tmp_path / "s" / "form.xlsx", form_rows())
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    got = levels_of(responses)
    assert got[("A", "principal", 2)] == {"NET": 4, "DEV": 3, "LEAD": 4, "PRAC": 3, "VISIT": 2}
    assert got[("A", "technology", 3)] == {"NET": 2, "DEV": 3}
    assert got[("A", "teacher", 5)] == {"LEAD": 2, "PRAC": 2}  # 'Developing' is level 2
    assert responses.files == {"form export": 1}
    assert responses.summary() == "Surveys: 6 respondents at 3 schools from 1 form export file"


def test_csv_and_xlsm_read_the_same_as_xlsx(tmp_path, rubric):
    write_form(tmp_path / "x" / "form.xlsx", form_rows())
    write_form(tmp_path / "c" / "form.csv", form_rows())
    write_form(tmp_path / "m" / "form.xlsm", form_rows())
    read_back = {kind: read(tmp_path / kind, rubric) for kind in "xcm"}
    assert all(not problems for _, problems in read_back.values())
    reference = levels_of(read_back["x"][0])
    assert levels_of(read_back["c"][0]) == reference
    assert levels_of(read_back["m"][0]) == reference
    assert read_back["c"][0].files == {"form export (csv)": 1}
    assert read_back["c"][0].summary().endswith("from 1 form export file (CSV)")


def test_semicolon_csv_in_windows_encoding(tmp_path, rubric):
    rows = form_rows()
    rows[4][2] = "Bêta Middle School"
    lines = [";".join(FORM_HEADER)] + [";".join("" if v is None else str(v) for v in row)
                                       for row in rows]
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "export.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    district = tiny_district(B={"school_name": "Bêta Middle School"})
    responses, problems = read(tmp_path / "s", rubric, district)
    assert not problems, messages(problems)
    assert len(responses.respondents) == 6 and responses.respondents.iloc[4]["school_id"] == "B"
    assert any("not UTF-8; read as Windows-1252" in n for n in responses.notes)


def test_extra_columns_are_ignored_with_a_note(tmp_path, rubric):
    header = FORM_HEADER + ["Comments", "Score"]
    rows = [row + ["great school", 99] for row in form_rows()]
    path = write_form(tmp_path / "s" / "form.xlsx", rows, header)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems
    assert f"{path}, sheet 'Form Responses 1': ignored column(s) that are not rubric items: " \
           "Comments, Score" in responses.notes


def test_header_may_sit_below_a_title_and_items_may_be_named_by_text(tmp_path, rubric):
    header = ["Submitted", "Your role", "School name", "NET question", "DEV", "LEAD question",
              "Rate your school [PRAC question]"]
    rows = [[None, "principal", "Alpha Elementary School", 1, 2, 3, 4]]
    wb = Workbook()
    ws = wb.active
    ws.append(["Readiness survey 2027 (export)"])
    ws.append([])
    ws.append(header)
    for row in rows + [["", "teacher", "Beta Middle School", None, None, 2, 2],
                       ["", "principal", "Cedar Grove High School", 1, 1, 1, 1]]:
        ws.append(row)
    (tmp_path / "s").mkdir()
    wb.save(tmp_path / "s" / "titled.xlsx")
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    assert levels_of(responses)[("A", "principal", 4)] == {"NET": 1, "DEV": 2, "LEAD": 3,
                                                           "PRAC": 4}


def test_many_files_and_both_layouts_in_one_folder(tmp_path, rubric):
    folder = tmp_path / "s"
    rows = form_rows()
    write_form(folder / "export_1.xlsx", rows[:3])
    write_form(folder / "export_2.csv", rows[3:5])
    district = tiny_district()
    book = survey_workbook(rubric, list(district.schools), school=district.school_by_id["C"])
    for row in book["Principal"].iter_rows(min_row=9):
        if row[0].value:
            row[3].value = "4 - Target"
    book.save(folder / "C_principal.xlsx")
    responses, problems = read(folder, rubric)
    assert not problems, messages(problems)
    assert responses.files == {"form export": 1, "form export (csv)": 1, "template": 1}
    # a layout's CSV files counted with it, not as a layout of their own
    assert responses.summary().endswith("from 2 form export files (1 CSV), 1 template file")
    counts = responses.respondents.groupby("school_id").size().to_dict()
    assert counts == {"A": 4, "B": 1, "C": 1}
    c = responses.levels[responses.respondents["school_id"] == "C"].iloc[0]
    assert c.tolist() == [4.0] * 5


@pytest.mark.parametrize("typed, school_id, noted", [
    ("alpha elementary school", "A", False), ("  Alpha   Elementary School ", "A", False),
    ("Alpha Elem.", "A", True), ("Alpha Elem. Sch.", "A", True), ("Beta MS", "B", True),
    ("b", "B", False), ("C - Cedar Grove High School", "C", False),
])
def test_school_names_match_despite_case_spacing_and_abbreviations(tmp_path, rubric, typed,
                                                                   school_id, noted):
    rows = form_rows() + [["2027-03-09", "new@x", typed, "Teacher", None, None, 3, 3, None]]
    write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    assert responses.respondents.iloc[-1]["school_id"] == school_id
    # Case and spacing are the same name; a short or abbreviated one is noted once (#26).
    said = [n for n in responses.notes if f"school name '{typed}' was matched" in n]
    assert len(said) == (1 if noted else 0)


def test_a_misspelt_name_is_matched_with_a_note(tmp_path, rubric):
    rows = form_rows()
    rows[4][2] = "Beta Midle School"
    rows.append(["2027-03-09", "t@b", "Beta Midle School", "Teacher", None, None, 3, 3, None])
    path = write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    assert list(responses.respondents["school_id"][[4, 6]]) == ["B", "B"]
    assert [n for n in responses.notes if "matched" in n] == [
        f"{path}, sheet 'Form Responses 1', row 6: school name 'Beta Midle School' was matched "
        "to Beta Middle School (B)"]


def test_an_ambiguous_name_is_an_error_listing_the_candidates(tmp_path, rubric):
    district = tiny_district(C={"school_name": "Alpha Elementary School North"},
                             B={"school_name": "Alpha Elementary School South"})
    rows = form_rows()
    rows[4][2] = "Alpha Elementary School Nort South"
    write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric, district)
    (found,) = [m for m in messages(problems) if "is ambiguous" in m]
    assert "row 6, column C (School): school 'Alpha Elementary School Nort South' is " \
           "ambiguous; closest: " in found
    assert "Alpha Elementary School North (C)" in found and "(B)" in found


def test_duplicate_submission_keeps_the_latest(tmp_path, rubric):
    rows = form_rows()
    again = list(rows[0])
    again[0], again[4] = "2027-03-05 08:00", 1  # the same principal, later, changed NET
    rows.insert(0, again)  # file order must not matter: the timestamp decides
    path = write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems
    principal = responses.respondents.query("school_id == 'A' and role == 'principal'")
    assert list(principal["row"]) == [2]
    assert responses.levels.loc[principal.index[0], "NET"] == 1
    assert f"{path}, sheet 'Form Responses 1', row 3: an earlier submission by the same " \
           "respondent for A (principal); the latest one is kept" in responses.notes


def test_duplicate_template_returns_keep_the_last_saved(tmp_path, rubric):
    district = tiny_district()
    folder = tmp_path / "s"
    folder.mkdir()
    book = survey_workbook(rubric, list(district.schools), school=district.school_by_id["B"])
    ws = book["Principal"]
    ws["D6"] = "Pat@B"
    for level, name, when in ((2, "first.xlsx", "2027-03-01T10:00:00"),
                              (3, "second.xlsx", "2027-03-09T10:00:00")):
        for row in ws.iter_rows(min_row=9):
            if row[0].value:
                row[3].value = f"{level} - x"
        book.save(folder / name)
        set_saved_time(folder / name, when)
    responses, _ = read(folder, rubric)
    kept = responses.respondents[responses.respondents["school_id"] == "B"]
    assert list(kept["file"]) == [str(folder / "second.xlsx")]
    assert responses.levels.loc[kept.index[0], "NET"] == 3
    assert any("first.xlsx, sheet 'Principal', row 5: an earlier submission" in n
               for n in responses.notes)


def set_saved_time(path, when: str) -> None:
    """Rewrite docProps/core.xml's modified time, as Excel does when a respondent saves."""
    import re
    import zipfile
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    core = parts["docProps/core.xml"].decode()
    parts["docProps/core.xml"] = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{when}Z",
                                        core).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_an_exact_copy_of_a_file_is_read_once(tmp_path, rubric):
    path = write_form(tmp_path / "s" / "form.xlsx", form_rows())
    shutil.copyfile(path, tmp_path / "s" / "form (1).xlsx")
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems and len(responses.respondents) == 6
    assert responses.notes == [f"{path}: an exact copy of form (1).xlsx; read only once",
                               f"{tmp_path / 's' / 'form (1).xlsx'}, sheet 'Form Responses 1': "
                               "read as online form export, 1 header row, 6 respondents"]


def test_answers_a_role_is_not_asked_are_ignored_with_a_note(tmp_path, rubric):
    rows = form_rows()
    rows[1][6] = 4  # the technology respondent answered LEAD, asked of principal and teacher
    write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems
    assert np.isnan(responses.levels.loc[1, "LEAD"])
    assert any(n.endswith("1 answer(s) to items the rubric does not ask of that role were "
                          "ignored: LEAD by technology (asked of principal, teacher)")
               for n in responses.notes), responses.notes


def test_required_item_left_blank_is_a_warning(tmp_path, rubric):
    rows = form_rows()
    rows[2][6] = None  # a teacher skipped the required LEAD
    path = write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems and len(responses.respondents) == 6
    assert f"{path}, sheet 'Form Responses 1': required item LEAD was left blank in row(s) 4; " \
           "those respondents' other answers are used" in responses.notes


def test_a_respondent_with_no_answers_is_not_counted(tmp_path, rubric):
    rows = form_rows() + [["2027-03-09", "x@c", "C", "Teacher", None, None, None, None, None]]
    write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems and len(responses.respondents) == 6
    assert any("1 respondent(s) answered no rubric item (row(s) 8); not counted" in n
               for n in responses.notes)


def test_answers_never_reach_the_outputs_but_warnings_do(tmp_path):
    """End to end on the default rubric: the dashboard's Data issues sheet carries the
    warnings; no output holds a respondent's e-mail or any per-person row."""
    district = write_district_folder(tmp_path / "d")
    survey = district / "surveys" / "responses.xlsx"
    wb = load_workbook(survey)
    ws = wb.active
    ws.cell(row=1, column=15, value="Email Address")
    ws.cell(row=1, column=16, value="Comments")
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=15, value=f"person{r}@secret.example")
    wb.save(survey)
    results, _ = plan_district(district, tmp_path / "out")
    issues = load_workbook(tmp_path / "out" / "dashboard.xlsx")["Data issues"]
    text = " ".join(str(c.value) for row in issues.iter_rows() for c in row if c.value)
    assert "ignored column(s) that are not rubric items: Comments" in text
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix == ".xlsx":
            book = load_workbook(path)
            cells = " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows()
                             for c in row if c.value is not None)
        elif path.is_file():
            cells = path.read_text(encoding="utf-8")
        else:
            continue
        assert "secret.example" not in cells, path


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_reading_in_parallel_gives_the_same_answers_and_problems(tmp_path, rubric, monkeypatch,
                                                                start_method):
    """The same with workers started as on Linux (fork) and as on Windows and macOS (spawn)."""
    monkeypatch.setenv(START_METHOD_VARIABLE, start_method)
    folder = tmp_path / "s"
    rows = form_rows()
    write_form(folder / "a.xlsx", rows[:2])
    write_form(folder / "b.csv", rows[2:4])
    bad = [list(r) for r in rows[4:]]
    bad[0][5] = "often"
    write_form(folder / "c.xlsx", bad)
    (folder / "d.xlsx").write_bytes(b"")
    serial, serial_problems = read_with(folder, rubric, workers=1)
    parallel, parallel_problems = read_with(folder, rubric, workers=2)
    assert messages(parallel_problems) == messages(serial_problems)
    assert len(messages(serial_problems)) == 2
    pd.testing.assert_frame_equal(parallel.respondents, serial.respondents)
    pd.testing.assert_frame_equal(parallel.levels, serial.levels)
    assert parallel.notes == serial.notes and parallel.files == serial.files


def read_with(folder, rubric, workers):
    problems = Problems()
    return read_surveys(folder, rubric, tiny_district(), problems, workers=workers), problems


@pytest.mark.parametrize("text, level", [("3", 3), ("3.0", 3), (" 2 ", 2), ("4. Target", 4),
                                         ("1-Early", 1), ("2 \u2013 Developing", 2),
                                         ("advanced", 3), ("TARGET", 4)])
def test_answer_texts_that_mean_a_level(tmp_path, rubric, text, level):
    rows = form_rows()
    rows[4][4] = text
    write_form(tmp_path / "s" / "form.csv", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    assert responses.levels.loc[4, "NET"] == level


@pytest.mark.parametrize("text", ["2.5", "30", "3rd", "Expert", "yes"])
def test_answer_texts_that_are_not_a_level(tmp_path, rubric, text):
    rows = form_rows()
    rows[4][4] = text
    write_form(tmp_path / "s" / "form.csv", rows)
    _, problems = read(tmp_path / "s", rubric)
    assert messages(problems) == [
        f"{tmp_path / 's' / 'form.csv'}, row 6, column E (NET - NET question): answer must be a "
        f"level 1-4 of the rubric scale (found '{text}')"]


def test_each_file_says_which_layout_it_was_read_as(tmp_path, rubric):
    """#15: the notes (terminal and the dashboard's Data issues sheet) name each file's layout,
    so that an export read the wrong way shows."""
    folder = tmp_path / "s"
    write_form(folder / "form.csv", form_rows()[:4])
    district = tiny_district()
    book = survey_workbook(rubric, list(district.schools), school=district.school_by_id["B"])
    book["Principal"]["D6"] = "Pat@B"
    book["Principal"]["D9"] = "3 - x"
    book.save(folder / "template.xlsx")
    responses, _ = read(folder, rubric)
    assert [n for n in responses.notes if "read as" in n] == [
        f"{folder / 'form.csv'}: read as online form export, 1 header row, 4 respondents",
        f"{folder / 'template.xlsx'}: read as survey template, 1 filled role sheet (Principal)"]
