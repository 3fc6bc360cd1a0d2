"""Our own template workbooks (`rollout template`), found on a sheet by intake/layouts.py: each
filled role sheet is one respondent, items as rows. The sheets of a whole folder become one
Block.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from rollout.intake.answers import parse_levels
from rollout.intake.blocks import TEMPLATE, Block
from rollout.intake.rubric import Rubric
from rollout.intake.tables import is_blank


@dataclass
class TemplateSheet:
    """One filled role sheet of a template workbook: one respondent."""

    file: str
    sheet: str
    school: Any
    role: Any
    person: Any
    answers: dict[str, tuple[Any, int]]  # item_id -> (raw answer, Excel row)
    school_cell: tuple[int, str]
    role_cell: tuple[int, str]
    answer_letter: str


def template_sheet(cells, layout, file, sheet, rubric: Rubric, problems
                   ) -> TemplateSheet | None:
    """One role sheet of our template: one respondent, items as rows. None when unused."""
    def cell(r: int, c: int) -> Any:
        return cells[r][c] if r < len(cells) and c < len(cells[r]) else None

    known = rubric.item_by_id()
    answers = {}
    for r in layout.item_rows:
        item_id, value = str(cell(r, 0)).strip(), cell(r, layout.answer_column)
        if item_id in known:
            answers[item_id] = (value, r + 1)
        elif not is_blank(value):
            problems.add(file, f"item '{item_id}' is not in the rubric; was this template made "
                         "from another rubric?", sheet, r + 1, "A (Item)")
    person = cell(*layout.person)
    if all(is_blank(v) for v, _ in answers.values()) and is_blank(person):
        return None  # a role sheet nobody filled in

    def spot(position: tuple[int, int]) -> tuple[int, str]:
        return position[0] + 1, get_column_letter(position[1] + 1)

    return TemplateSheet(file, sheet, cell(*layout.school), cell(*layout.role), person, answers,
                         spot(layout.school), spot(layout.role),
                         get_column_letter(layout.answer_column + 1))


def template_block(sheets: list[TemplateSheet], rubric: Rubric) -> Block:
    """All filled template sheets as one block over every rubric item (blank where a sheet has
    no row for the item). A template's time is the workbook's own save time, read only where
    two submissions compete (see respondent_identity.latest_submissions)."""
    item_ids = [item.id for _, item in rubric.items()]
    position = {item_id: j for j, item_id in enumerate(item_ids)}
    raw = np.full((len(sheets), len(item_ids)), None, dtype=object)
    answer_rows = np.zeros((len(sheets), len(item_ids)), dtype=int)
    for i, sheet in enumerate(sheets):
        for item_id, (value, row) in sheet.answers.items():
            raw[i, position[item_id]], answer_rows[i, position[item_id]] = value, row
    levels, answered, bad = parse_levels(raw, rubric, item_ids)

    def column(name: str) -> np.ndarray:
        return np.array([getattr(s, name) for s in sheets] + [None], dtype=object)[:-1]

    def spots(name: str) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([getattr(s, name)[0] for s in sheets]),
                np.array([getattr(s, name)[1] for s in sheets], dtype=object))

    return Block(TEMPLATE, column("file"), column("sheet"), spots("role_cell")[0],
                 column("school"), column("role"), column("person"),
                 np.full(len(sheets), None, dtype=object), item_ids, levels, answered, bad,
                 {"school": spots("school_cell"), "role": spots("role_cell")}, answer_rows,
                 column("answer_letter"))
