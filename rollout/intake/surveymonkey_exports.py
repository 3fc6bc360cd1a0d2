"""SurveyMonkey "expanded" exports (All responses data, CSV or Excel): two header rows, then
one row per respondent. Row 1 holds the question texts, blank over the further columns of a
matrix or multiple-choice question; row 2 'Response', 'Open-Ended Response' or the statement
(option) of that column; SurveyMonkey's own columns (Respondent ID, Collector ID, Start Date,
End Date, IP Address, Email Address, First Name, Last Name, Custom Data 1) have row 2 blank.

Read as a form export whose header joins the two rows: the question for a 'Response' column,
'question - statement' for a matrix column (matched by the statement, see ItemHeaders), the row
1 text for SurveyMonkey's own columns.
"""
from __future__ import annotations

from rollout.errors import Problems
from rollout.intake.form_exports import form_sheet
from rollout.intake.rubric import Rubric
from rollout.intake.tables import is_blank, normalise_header

OWN_COLUMNS = ("respondent id", "collector id")
WHOLE_ANSWER = ("response", "open-ended response")  # row 2 under a one-column question
HEADER_ROWS = 2


def is_surveymonkey(cells: list[list]) -> bool:
    """Row 1 has SurveyMonkey's Respondent ID and Collector ID; row 2 a 'Response' column."""
    if len(cells) < HEADER_ROWS:
        return False
    first = {normalise_header(v) for v in cells[0]}
    second = {normalise_header(v) for v in cells[1]}
    return set(OWN_COLUMNS) <= first and bool(second & set(WHOLE_ANSWER))


def surveymonkey_sheet(cells, file: str, sheet: str | None, rubric: Rubric, problems: Problems,
                       notes: list[str], schools: frozenset[str] = frozenset()):
    header = joined_header(cells[0], cells[1])
    sheet_cells = [cells[0], header, *cells[HEADER_ROWS:]]  # row 2 becomes the joined header
    yield from form_sheet(sheet_cells, HEADER_ROWS - 1, file, sheet, rubric, problems, notes,
                          kind="SurveyMonkey export", header_rows=HEADER_ROWS, schools=schools)


def joined_header(questions: list, answers: list) -> list:
    """One header per column: a question's text carries over the blank cells to its right."""
    header, question = [], None
    for text, answer in zip(questions, answers):
        if not is_blank(text):
            question = str(text).strip()
        if is_blank(answer):
            header.append(text)
        elif normalise_header(answer) in WHOLE_ANSWER:
            header.append(question)
        else:
            header.append(f"{question} - {str(answer).strip()}")
    return header
