"""Block: the one shape both survey layouts are read into (respondents x rubric items, answers
already levels, and where each cell was), with the helpers that report a respondent's cells by
file, sheet, row and column.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from rollout.errors import Problems
from rollout.intake.layouts import ANSWER_HEADER
from rollout.intake.tables import is_blank

FORM, TEMPLATE = "form export", "template"


@dataclass
class Block:
    """Respondents of one layout in one shape: a form-export sheet, or every template sheet of
    the folder together. Answers are already levels; plain data, so it crosses processes."""

    layout: str
    files: np.ndarray       # per respondent
    sheets: np.ndarray      # per respondent (None for a CSV file)
    rows: np.ndarray        # the Excel row that stands for each respondent
    school: np.ndarray      # raw cells
    role: np.ndarray
    person: np.ndarray
    timestamp: np.ndarray
    item_ids: list[str]
    levels: np.ndarray      # respondents x items, NaN where blank or not a level
    answered: np.ndarray    # respondents x items: something was written
    bad: list[tuple[int, int, Any]]  # (respondent, item, raw cell) that is not a level
    cells: dict[str, tuple[np.ndarray, np.ndarray]]  # school/role -> (Excel row, column)
    answer_rows: np.ndarray | None  # respondents x items; None: the respondent's row
    answer_columns: list[str] | np.ndarray  # per item (forms) or per respondent (templates)

    def locate(self, i: int, what: str | int) -> tuple[int, str]:
        """(Excel row, column label) of respondent i's school, role or item answer."""
        if isinstance(what, str):
            rows, columns = self.cells[what]
            return int(rows[i]), str(columns[i])
        row = self.rows[i] if self.answer_rows is None else self.answer_rows[i, what]
        if self.layout == TEMPLATE:
            return int(row), f"{self.answer_columns[i]} ({ANSWER_HEADER}, {self.item_ids[what]})"
        return int(row), self.answer_columns[what]

    def problem(self, problems: Problems, i: int, what: str | int, message: str) -> None:
        row, column = self.locate(i, what)
        problems.add(self.files[i], message, self.sheets[i], row, column)

    def places(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """Respondents in `mask` grouped by 'file, sheet', for notes."""
        out: dict[str, list[int]] = defaultdict(list)
        for i in np.flatnonzero(mask):
            out[place(self.files[i], self.sheets[i])].append(int(i))
        return {k: np.array(v) for k, v in out.items()}


def subset(block: Block, mask: np.ndarray) -> Block:
    """The block without blank rows (`mask` False); bad cells renumbered."""
    if mask.all():
        return block
    index = np.flatnonzero(mask)
    new = {int(old): k for k, old in enumerate(index)}
    pick = dict(files=block.files, sheets=block.sheets, rows=block.rows, school=block.school,
                role=block.role, person=block.person, timestamp=block.timestamp,
                levels=block.levels, answered=block.answered)
    return Block(block.layout, **{k: v[index] for k, v in pick.items()},
                 item_ids=block.item_ids, cells={k: (r[index], c[index])
                                                 for k, (r, c) in block.cells.items()},
                 bad=[(new[i], j, raw) for i, j, raw in block.bad if i in new],
                 answer_rows=None if block.answer_rows is None else block.answer_rows[index],
                 answer_columns=block.answer_columns if block.layout == FORM
                 else block.answer_columns[index])


def place(file: str, sheet: str | None) -> str:
    return f"{file}, sheet '{sheet}'" if sheet else str(file)


def lookup_each(values: np.ndarray, convert: Callable[[Any], Any]) -> np.ndarray:
    """convert() applied once per distinct value, spread back to every row."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.array([convert(v) for v in uniques.tolist()] + [convert(None)],
                    dtype=object)[codes]


def group_failures(block: Block, raw: np.ndarray, failed: np.ndarray):
    """(value, respondent indices) per distinct failed value within each file and sheet."""
    groups: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(failed):
        value = "" if is_blank(raw[i]) else raw[i]
        groups.setdefault((block.files[i], block.sheets[i], value), []).append(int(i))
    return [(key[2], indices) for key, indices in groups.items()]


def also_rows(block: Block, indices: list[int]) -> str:
    if len(indices) == 1:
        return ""
    return f" (also rows {row_list(block.rows[indices[1:]])})"


def row_list(rows, limit: int = 10) -> str:
    rows = [int(r) for r in rows]
    text = ", ".join(map(str, rows[:limit]))
    return text + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
