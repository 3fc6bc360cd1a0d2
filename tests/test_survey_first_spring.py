"""#26: surveys as a new district's first spring hands them over: respondents that are no
school, form exports with their own question headers, the district's own questions with
their own answers."""
from __future__ import annotations

import pytest

from rollout.scoring.inputs import load_inputs
from tests.factory import default_survey_rows, write_district_folder, write_survey
from tests.survey_kit import (
    FORM_HEADER,
    form_rows,
    levels_of,
    messages,
    read,
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


def test_ignore_schools_is_read_from_settings_yaml(tmp_path):
    rows = [["2027-03-05", "Central Office", "principal", *[3] * 11]]
    district = write_district_folder(tmp_path / "d", settings_patch={
        "surveys": {"ignore_schools": ["Central Office"]}})
    write_survey(district / "surveys" / "responses.xlsx", default_survey_rows() + rows)
    inputs = load_inputs(district)
    assert any("1 respondent of 'Central Office' left out" in n for n in inputs.notes)
