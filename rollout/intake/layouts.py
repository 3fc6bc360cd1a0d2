"""Where things are on the survey workbooks we send out (`rollout template`), so that what we
send reads back exactly: `find_layout` recognises a sheet of our layout wherever its rows ended
up. The writer is `outputs/survey_templates.py`; both take their labels from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rollout.domain import School
from rollout.intake.rubric import Rubric

SCHOOL_LABEL = "School"
ROLE_LABEL = "Role"
PERSON_LABEL = "Your name or email"
ITEM_HEADER, QUESTION_HEADER, REQUIRED_HEADER, ANSWER_HEADER = (
    "Item", "Question", "Required", "Your answer")
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_SEARCH_ROWS = 20
LABEL_COLUMNS = 3  # meta labels sit in column B; a little slack
VALUE_OFFSET = 2  # a meta value sits two columns right of its label (in the answer column)

@dataclass(frozen=True)
class TemplateLayout:
    """Positions (0-based row, column) on one template sheet."""

    school: tuple[int, int]
    role: tuple[int, int]
    person: tuple[int, int]
    answer_column: int
    item_rows: list[int]  # rows below the header whose first cell holds an item id


def find_layout(cells: list[list[Any]]) -> TemplateLayout | None:
    """The template layout of a sheet, or None when the sheet is not one of our templates:
    the labels School, Role and Your name or email (their values two cells to the right) above
    a header row that starts with Item and has a Your answer column."""
    wanted = {label(SCHOOL_LABEL), label(ROLE_LABEL), label(PERSON_LABEL)}
    found: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        if row and label(row[0]) == label(ITEM_HEADER):
            texts = [label(v) for v in row]
            if label(ANSWER_HEADER) not in texts or set(found) != wanted:
                return None
            items = [i for i in range(r + 1, len(cells))
                     if cells[i] and str(cells[i][0] or "").strip()]
            return TemplateLayout(found[label(SCHOOL_LABEL)], found[label(ROLE_LABEL)],
                                  found[label(PERSON_LABEL)], texts.index(label(ANSWER_HEADER)),
                                  items)
        for c, value in enumerate(row[:LABEL_COLUMNS]):
            text = label(value)
            if text in wanted:
                found.setdefault(text, (r, c + VALUE_OFFSET))
    return None


def label(value: Any) -> str:
    return " ".join(str(value or "").strip().lower().rstrip(":*").split())


def school_choice(school: School) -> str:
    """How a school appears in templates and dropdowns; read back by its leading id."""
    return f"{school.school_id} - {school.school_name}"


def answer_choice(rubric: Rubric, level: int) -> str:
    return f"{level} - {rubric.level_label(level)}"
