"""Survey exports of other survey sites read with the same scores as the same answers in the
plain one-header-row export (tests/survey_kit.form_rows)."""
from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook

from rollout.scoring.scores import score_schools
from tests.survey_kit import form_rows, messages, read, tiny_district, tiny_rubric, write_form

MATRIX = "Rate your school"
ITEM_COLUMNS = ["NET", "DEV", "LEAD", "PRAC"]  # a matrix question; VISIT a question of its own


@pytest.fixture
def rubric(tmp_path):
    return tiny_rubric(tmp_path)


def write_rows(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        return
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


def scores_of(folder, rubric):
    responses, problems = read(folder, rubric)
    assert not problems, messages(problems)
    return score_schools(tiny_district(), rubric, responses).table, responses


def qualtrics_rows() -> list[list]:
    """form_rows() as Qualtrics writes them, plus one unfinished response.

    Format (three header rows: column ids, question texts with matrix statements as
    'Title - statement', then {"ImportId": ...}): Qualtrics' "Export data" CSV/Excel as read by
    kutils::importQualtrics ("Current Qualtrics CSV files will usually have 3 metadata rows,
    1 = name, 2 = question, 3 = ImportId", search.r-project.org/CRAN/refmans/kutils/html/
    importQualtrics.html) and qualtRics::read_survey (the second line holds the variable
    labels)."""
    own = ["StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate",
           "ResponseId", "RecipientEmail"]
    ids = own + ["Q1", "Q2"] + [f"Q3_{k}" for k in range(1, 5)] + ["Q4"]
    texts = (["Start Date", "End Date", "Response Type", "Progress", "Finished", "Recorded Date",
              "Response ID", "Recipient Email", "School", "Role"]
             + [f"{MATRIX} - {item} question" for item in ITEM_COLUMNS] + ["VISIT question"])
    imports = [json.dumps({"ImportId": i}) for i in
               ["startDate", "endDate", "status", "progress", "finished", "recordedDate",
                "_recordId", "recipientEmail", "QID1", "QID2", "QID3_1", "QID3_2", "QID3_3",
                "QID3_4", "QID4"]]
    body = [[when, when, "IP Address", 100, 1, when, f"R_{n}", email, *rest]
            for n, (when, email, *rest) in enumerate(form_rows())]
    body.append(["2027-03-04 09:00", "", "IP Address", 40, 0, "2027-03-04 09:00", "R_x",
                 "late@b", "B", "Teacher", None, None, 1, 1, None])
    return [ids, texts, imports, *body]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_qualtrics_export_scores_as_the_plain_export(tmp_path, rubric, suffix):
    write_form(tmp_path / "plain" / "form.xlsx", form_rows())
    write_rows(tmp_path / "q" / f"qualtrics{suffix}", qualtrics_rows())
    expected, _ = scores_of(tmp_path / "plain", rubric)
    got, responses = scores_of(tmp_path / "q", rubric)
    assert got.equals(expected)
    where = f"{tmp_path / 'q' / f'qualtrics{suffix}'}" + ("" if suffix == ".csv"
                                                           else ", sheet 'Sheet'")
    assert f"{where}: read as Qualtrics export, 3 header rows, 6 respondents" in responses.notes
    assert (f"{where}: 1 unfinished Qualtrics response (Finished 0 or Progress below 100) left "
            "out: row(s) 10") in responses.notes


@pytest.mark.parametrize("missing_surveys", ["plan", "stop"])
def test_qualtrics_numeric_export_is_one_error_leading_with_the_fix(tmp_path, rubric,
                                                                    missing_surveys):
    """#24 item 13: not an error per role value and per school left without answers."""
    rows = qualtrics_rows()
    for row in rows[3:]:
        row[9] = {"principal": 1, "teacher": 2, "technology": 3}[row[9].lower()]
    write_rows(tmp_path / "q" / "numeric.csv", rows)
    _, problems = read(tmp_path / "q", rubric, missing_surveys=missing_surveys)
    file = tmp_path / "q" / "numeric.csv"
    assert messages(problems)[0] == (
        f"{file}: download it again with 'Use choice text' (in Qualtrics: Data & Analysis, "
        "Export & Import, Export data): this is an export of numeric values, whose role column "
        "'Role' holds choice numbers (1, 2, 3) instead of principal, teacher or technology")
    assert len(problems.items) == 1


def test_qualtrics_numeric_export_with_a_role_question_of_its_own(tmp_path, rubric):
    rows = qualtrics_rows()
    rows[1][9] = "What is your role?"
    for row in rows[3:]:
        row[9] = {"principal": 1, "teacher": 2, "technology": 3}[row[9].lower()]
    write_rows(tmp_path / "q" / "numeric.csv", rows)
    _, problems = read(tmp_path / "q", rubric)
    assert [m.split(": ", 1)[1][:45] for m in messages(problems)] == [
        "download it again with 'Use choice text' (in "]


def surveymonkey_rows() -> list[list]:
    """form_rows() as SurveyMonkey's expanded export writes them.

    Format (row 1 question texts, blank over a matrix's further columns; row 2 'Response',
    'Open-Ended Response' or the matrix statement; SurveyMonkey's own columns first): as
    handled by the doubleheadr R package ("SurveyMonkey provides response data that contains a
    column and a second row containing column-name data", github.com/mattroumaya/doubleheadr)
    and sfirke's fix_SM_dual_row_names (row 2 values 'Response' / 'Open-Ended Response' mean
    "use the question", gist.github.com/sfirke/c26a90d13d43b2c4a4c5e5c3a8b372a5)."""
    own = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
           "Email Address", "First Name", "Last Name", "Custom Data 1"]
    questions = own + ["School", "Role", MATRIX, "", "", "", "VISIT question"]
    answers = [""] * len(own) + ["Open-Ended Response", "Response"] + [
        f"{item} question" for item in ITEM_COLUMNS] + ["Response"]
    body = [[11000 + n, 400, when, when, "10.0.0.1", email, "", "", "", *rest]
            for n, (when, email, *rest) in enumerate(form_rows())]
    return [questions, answers, *body]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_surveymonkey_export_scores_as_the_plain_export(tmp_path, rubric, suffix):
    write_form(tmp_path / "plain" / "form.xlsx", form_rows())
    write_rows(tmp_path / "m" / f"monkey{suffix}", surveymonkey_rows())
    expected, _ = scores_of(tmp_path / "plain", rubric)
    got, responses = scores_of(tmp_path / "m", rubric)
    assert got.equals(expected)
    where = f"{tmp_path / 'm' / f'monkey{suffix}'}" + ("" if suffix == ".csv"
                                                       else ", sheet 'Sheet'")
    assert f"{where}: read as SurveyMonkey export, 2 header rows, 6 respondents" in responses.notes


def sectioned_form() -> tuple[list, list[list]]:
    """form_rows() as a Google Form with a section per role: the principal section asks every
    item, the teacher section LEAD and PRAC again, the technology section NET and DEV again;
    Google Forms writes a column per question of every section, blank where the respondent's
    section did not ask it (the form's sections are chosen by the role answer)."""
    sections = {"principal": ["NET", "DEV", "LEAD", "PRAC", "VISIT"],
                "teacher": ["LEAD", "PRAC"], "technology": ["NET", "DEV"]}
    columns = [(role, item) for role, items in sections.items() for item in items]
    header = ["Timestamp", "Email Address", "School", "Role"] + [
        f"Rate your school [{item} question]" for _, item in columns]
    rows = []
    for when, email, school, role, *answers in form_rows():
        by_item = dict(zip(["NET", "DEV", "LEAD", "PRAC", "VISIT"], answers))
        rows.append([when, email, school, role] + [
            by_item[item] if section == role.lower() else None for section, item in columns])
    return header, rows


def test_google_form_with_a_section_per_role_scores_as_the_plain_export(tmp_path, rubric):
    header, rows = sectioned_form()
    write_form(tmp_path / "plain" / "form.xlsx", form_rows())
    write_form(tmp_path / "g" / "sections.xlsx", rows, header)
    expected, _ = scores_of(tmp_path / "plain", rubric)
    got, responses = scores_of(tmp_path / "g", rubric)
    assert got.equals(expected)
    assert any("item(s) NET, DEV, LEAD, PRAC are asked in several sections" in n
               for n in responses.notes)


def test_repeated_item_columns_both_filled_in_one_row_stay_an_error(tmp_path, rubric):
    header, rows = sectioned_form()
    rows[0][header.index("Rate your school [LEAD question]", 9)] = 3  # principal fills LEAD twice
    write_form(tmp_path / "g" / "sections.xlsx", rows, header)
    _, problems = read(tmp_path / "g", rubric)
    assert messages(problems) == [
        f"{tmp_path / 'g' / 'sections.xlsx'}, sheet 'Form Responses 1', row 1, column J (Rate "
        "your school [LEAD question]): item LEAD appears in two columns (also G (Rate your "
        "school [LEAD question]))"]
