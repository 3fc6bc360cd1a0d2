"""Answer cells as levels of the rubric scale (3, '3', '3 - Advanced' or 'Advanced'), for both
layouts. Each distinct cell value is understood once, then spread back over the sheet.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from rollout.intake.rubric import Item, Rubric
from rollout.intake.tables import describe, is_blank

LEADING_LEVEL = re.compile(r"^(\d+)(?:\.0+)?(?:$|\s|[-:)]|\.(?!\d))")  # '3 - x', not '2.5'
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})


def parse_levels(values: np.ndarray, rubric: Rubric, item_ids: list[str] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, Any]]]:
    """Answers as levels of the rubric scale: 3, '3', '3 - Advanced' or 'Advanced'; a local
    (unscored) item's column, named in `item_ids`, by its own answers ('Yes' for its level
    'Yes'). Returns levels (NaN where blank or bad), which cells were answered, and the bad
    cells as (row index, column index, raw value), in row order."""
    groups = answer_groups(rubric, item_ids or [])
    if len(groups) == 1 and not groups[0][0]:
        return parse_columns(values, rubric, scale_names(rubric))
    level = np.full(values.shape, np.nan)
    answered = np.zeros(values.shape, dtype=bool)
    bad = []
    for item_id, columns in groups:
        names = scale_names(rubric) | (own_names(rubric.item_by_id()[item_id]) if item_id
                                       else {})
        part = parse_columns(values[:, columns], rubric, names)
        level[:, columns], answered[:, columns] = part[0], part[1]
        bad += [(i, columns[j], raw) for i, j, raw in part[2]]
    return level, answered, sorted(bad, key=lambda cell: cell[:2])


def answer_groups(rubric: Rubric, item_ids: list[str]) -> list[tuple[str, list[int]]]:
    """Columns read alike: ('', scored items' columns), then (item id, [column]) for each
    local item, whose answers are its own (the scale's names too, where not its own)."""
    items = rubric.item_by_id()
    local = [j for j, i in enumerate(item_ids) if i in items and not items[i].scored]
    scored = [j for j in range(len(item_ids)) if j not in local]
    return ([("", scored)] if scored or not local else []) + [(item_ids[j], [j]) for j in local]


def scale_names(rubric: Rubric) -> dict[str, int]:
    return {name.lower(): level for level, name in rubric.scale.items()}


def own_names(item: Item) -> dict[str, int]:
    return {name.strip().lower(): level for level, name in item.levels.items()}


def parse_columns(values: np.ndarray, rubric: Rubric, names: dict[str, int]
                  ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, Any]]]:
    """parse_levels for columns whose answers share one set of `names`. Each distinct cell
    value is understood once."""
    shape = values.shape
    flat = values.ravel()
    codes, uniques = pd.factorize(flat, use_na_sentinel=True)  # None/NaN -> -1
    meaning = [level_of(v, rubric, names) for v in uniques] + [(np.nan, False)]  # [-1]: blank
    level = np.array([m[0] for m in meaning], dtype=float)[codes]
    answered = np.array([m[1] for m in meaning], dtype=bool)[codes]
    for k, value in enumerate(uniques):  # TRUE/FALSE and 1/0 share a code: tell them apart
        if not isinstance(value, str) and value in (0, 1):
            spots = np.flatnonzero(codes == k)
            is_bool = pd.Series(flat[spots], dtype=object).map(type).to_numpy() == bool
            level[spots] = np.where(is_bool, np.nan, level_of(float(value), rubric, names)[0])
    bad_spots = np.flatnonzero(answered & np.isnan(level))
    bad = [(int(k) // shape[1], int(k) % shape[1], flat[k]) for k in bad_spots]
    return level.reshape(shape), answered.reshape(shape), bad


def level_of(value: Any, rubric: Rubric, names: dict[str, int]) -> tuple[float, bool]:
    """(level or NaN, whether anything was answered) for one cell value; `names`: the answers
    by name (lower case)."""
    if isinstance(value, str):
        text = value.translate(DASHES).strip().lower()
        if not text:
            return np.nan, False
        number = LEADING_LEVEL.match(text)
        if number:
            level = int(number.group(1))
        else:
            level = names.get(text)
        return (float(level), True) if level in rubric.scale else (np.nan, True)
    if isinstance(value, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        return np.nan, True
    if isinstance(value, (int, float)) and value == value:
        return (float(value), True) if value in rubric.scale else (np.nan, True)
    return np.nan, not is_blank(value)


def blank_cells(values: np.ndarray) -> np.ndarray:
    """is_blank for every cell of an object array (each distinct value checked once)."""
    codes, uniques = pd.factorize(values.ravel(), use_na_sentinel=True)
    blank = np.array([is_blank(v) for v in uniques] + [True], dtype=bool)
    return blank[codes].reshape(values.shape)


def level_problem(raw: Any, rubric: Rubric, item: Item | None = None) -> str:
    found = describe(raw)
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        found += "; Excel may have turned a typed answer into a date: format the column as text"
    if item is not None and not item.scored:
        answers = ", ".join(f"{level} - {name}" for level, name in sorted(item.levels.items()))
        return f"answer to {item.id} must be one of its answers: {answers} (found {found})"
    return (f"answer must be a level {rubric.low}-{rubric.high} of the rubric scale (found "
            f"{found})")
