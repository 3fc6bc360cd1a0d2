"""#26: surveys as a new district's first spring hands them over: respondents that are no
school, form exports with their own question headers, the district's own questions with
their own answers."""
from __future__ import annotations

from dataclasses import replace

import pytest

from rollout.errors import NAME_MATCHED
from rollout.scoring.inputs import load_inputs
from tests.factory import default_survey_rows, write_district_folder, write_survey
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


# ----- item 9: respondents that are no school ----------------------------------------------

def central_office_rows() -> list[list]:
    return form_rows() + [
        ["2027-03-04 09:00", "d@co", "Central Office", "Director", 4, 4, 4, 4, None],
        ["2027-03-04 10:00", "e@co", "central office ", "Teacher", 3, None, 3, 3, None]]


def test_respondents_of_a_name_to_ignore_are_left_out_and_reported(tmp_path, rubric):
    path = write_form(tmp_path / "s" / "form.xlsx", central_office_rows())
    responses, problems = read(tmp_path / "s", rubric, ignore_schools=["Central Office"])
    assert not problems, messages(problems)
    assert len(responses.respondents) == len(form_rows())
    assert (f"{path}, sheet 'Form Responses 1': 2 respondents of 'Central Office' left out "
            "(settings surveys.ignore_schools), row(s) 8, 9") in responses.notes


def test_without_the_setting_they_are_unknown_schools(tmp_path, rubric):
    write_form(tmp_path / "s" / "form.xlsx", central_office_rows())
    _, problems = read(tmp_path / "s", rubric)
    assert any("unknown school 'Central Office'" in m for m in messages(problems))


def test_a_name_like_no_school_says_how_to_leave_it_out(tmp_path, rubric):
    write_form(tmp_path / "s" / "form.xlsx", central_office_rows())
    _, problems = read(tmp_path / "s", rubric)
    [central] = [m for m in messages(problems) if "'Central Office'" in m]
    assert central.endswith("If 'Central Office' is no school, leave its respondents out with "
                            "surveys: {ignore_schools: [Central Office]} in settings.yaml")


def test_a_misspelt_school_is_not_offered_as_no_school(tmp_path, rubric):
    # 'Cedar Grove' is close to Cedar Grove High School, but not close enough to be taken.
    rows = form_rows() + [["2027-03-04 09:00", "d@b", "Cedar Grove", "Principal", 3, 3, 3, 3,
                           None]]
    write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    [cedar] = messages(problems)
    assert "unknown school 'Cedar Grove'; closest: Cedar Grove High School (C)" in cedar
    assert "ignore_schools" not in cedar


def test_every_name_that_is_not_exact_is_noted_once(tmp_path, rubric):
    # "Beta Middle" and "Cedar Grove HS" are the schools' names shortened: matched, and each
    # said once in Data issues (however many rows use it); "Alpha Elementary School" is exact.
    rows = [row[:2] + [name] + row[3:] for row, name in zip(form_rows(), [
        "Alpha Elementary School", "alpha  elementary school", "Beta Middle", "Beta Middle",
        "Cedar Grove HS", "Cedar Grove HS"])]
    write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    matched = [n for n in responses.notes if n.kind == NAME_MATCHED]
    assert len(matched) == 2, matched
    assert any("school name 'Beta Middle' was matched to Beta Middle School (B)" in n
               for n in matched)
    assert any("school name 'Cedar Grove HS' was matched to Cedar Grove High School (C)" in n
               for n in matched)


def test_ignore_schools_is_read_from_settings_yaml(tmp_path):
    rows = [["2027-03-05", "Central Office", "principal", *[3] * 11]]
    district = write_district_folder(tmp_path / "d", settings_patch={
        "surveys": {"ignore_schools": ["Central Office"]}})
    write_survey(district / "surveys" / "responses.xlsx", default_survey_rows() + rows)
    inputs = load_inputs(district)
    assert any("1 respondent of 'Central Office' left out" in n for n in inputs.notes)


# ----- item 5: form exports by their contents ----------------------------------------------

QUESTION_HEADER = ["Timestamp", "Email Address", "Which school do you work at?",
                   "What is your role?", *FORM_HEADER[4:]]


def test_school_and_role_columns_are_found_by_their_values(tmp_path, rubric):
    write_form(tmp_path / "plain" / "form.xlsx", form_rows())
    path = write_form(tmp_path / "q" / "form.xlsx", form_rows(), QUESTION_HEADER)
    expected, _ = read(tmp_path / "plain", rubric)
    responses, problems = read(tmp_path / "q", rubric)
    assert not problems, messages(problems)
    assert levels_of(responses) == levels_of(expected)
    where = f"{path}, sheet 'Form Responses 1'"
    assert (f"{where}: the school column is C (Which school do you work at?), found by its "
            "values (no header names it)") in responses.notes
    assert (f"{where}: the role column is D (What is your role?), found by its values (no "
            "header names it)") in responses.notes


def test_school_names_are_found_as_well_as_ids(tmp_path, rubric):
    rows = form_rows()
    names = {"A": "Alpha Elementary", "B": "Beta Middle School", "C": "Cedar Grove High"}
    for row in rows:
        row[2] = names[row[2]]
    write_form(tmp_path / "q" / "form.csv", rows, QUESTION_HEADER)
    responses, problems = read(tmp_path / "q", rubric)
    assert not problems, messages(problems)
    assert sorted(set(responses.respondents["school_id"])) == ["A", "B", "C"]


def test_a_column_found_by_neither_says_which_is_missing_and_the_headers(tmp_path, rubric):
    rows = [[when, email, "somewhere", "someone", *answers]
            for when, email, _, _, *answers in form_rows()]
    path = write_form(tmp_path / "q" / "form.xlsx", rows, QUESTION_HEADER)
    _, problems = read(tmp_path / "q", rubric)
    assert messages(problems) == [
        f"{path}, sheet 'Form Responses 1', row 1: no school column and no role column: no "
        "header is School ID, School or School Name and no column holds school names or ids; "
        "no header is Role or Your Role and no column holds role words (principal, teacher, "
        "...) (headers: 'Timestamp', 'Email Address', 'Which school do you work at?', 'What is "
        "your role?', 'NET - NET question', 'DEV - DEV question', 'LEAD - LEAD question', "
        "'PRAC - PRAC question', 'VISIT - VISIT question')"]


def test_only_the_missing_one_is_named(tmp_path, rubric):
    header = ["Timestamp", "Email Address", "School", "Position", *FORM_HEADER[4:]]
    rows = [[when, email, school, "staff", *answers]
            for when, email, school, _, *answers in form_rows()]
    write_form(tmp_path / "q" / "form.xlsx", rows, header)
    _, problems = read(tmp_path / "q", rubric)
    assert len(problems.items) == 1
    assert messages(problems)[0].split("row 1: ")[1].startswith(
        "no role column: no header is Role or Your Role and no column holds role words")


# ----- item 6: the district's own questions keep their own answers -------------------------

def test_a_local_question_reads_its_own_answers(tmp_path, rubric):
    rows = form_rows()
    rows[0][8], rows[4][8], rows[5][8] = "VISIT at advanced", "visit at target ", "3"
    write_form(tmp_path / "s" / "form.xlsx", rows)
    responses, problems = read(tmp_path / "s", rubric)
    assert not problems, messages(problems)
    visits = {key[0]: levels["VISIT"] for key, levels in levels_of(responses).items()
              if "VISIT" in levels}
    assert visits == {"A": 3.0, "B": 4.0, "C": 3.0}


def test_a_local_questions_wrong_answers_are_one_line_for_many_rows(tmp_path, rubric):
    rows = form_rows()
    rows[0][8] = rows[4][8] = rows[5][8] = "Si"
    path = write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    assert messages(problems) == [
        f"{path}, sheet 'Form Responses 1', row 2, column I (VISIT - VISIT question): answer to "
        "VISIT must be one of its answers: 1 - VISIT at early, 2 - VISIT at developing, 3 - "
        "VISIT at advanced, 4 - VISIT at target (found 'Si') (also rows 6, 7)"]


def test_off_scale_answers_are_grouped_too(tmp_path, rubric):
    rows = form_rows()
    rows[0][4] = rows[4][4] = "often"
    path = write_form(tmp_path / "s" / "form.xlsx", rows)
    _, problems = read(tmp_path / "s", rubric)
    assert messages(problems) == [
        f"{path}, sheet 'Form Responses 1', row 2, column E (NET - NET question): answer must "
        "be a level 1-4 of the rubric scale (found 'often') (also rows 6)"]


def test_local1_of_the_default_rubric_takes_yes(tmp_path):
    rows = default_survey_rows()
    for row in rows:
        row[-1] = "Yes" if row[2] == "principal" else None
    district = write_district_folder(tmp_path / "d", survey_rows=rows)
    inputs = load_inputs(district)
    assert inputs.scores.local_items(inputs.rubric)["LOCAL1"].to_dict() == {
        "S1": 3.0, "S2": 3.0, "S3": 3.0}


def test_the_column_naming_most_schools_wins_over_one_of_a_single_code(tmp_path, rubric):
    """Numeric school ids: a column that holds one code (a Progress of 100) is no school
    column, however early it comes."""
    district = tiny_district()
    numbered = {"A": "100", "B": "200", "C": "300"}
    district = replace(district, schools=tuple(replace(s, school_id=numbered[s.school_id])
                                               for s in district.schools))
    header = ["Progress", *QUESTION_HEADER]
    rows = [[100, when, email, numbered[school], *rest]
            for when, email, school, *rest in form_rows()]
    write_form(tmp_path / "q" / "form.xlsx", rows, header)
    responses, problems = read(tmp_path / "q", rubric, district)
    assert not problems, messages(problems)
    assert sorted(set(responses.respondents["school_id"])) == ["100", "200", "300"]
