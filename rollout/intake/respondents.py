"""A Block's rows as respondents: their school and role, and which of their answers count
(only items the rubric asks of their role). Bad schools, roles and answers are problems;
unanswered rows, answers to items not asked and required items left blank are notes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from rollout.errors import LEFT_OUT, Note, Problems
from rollout.intake.answers import blank_cells, level_problem
from rollout.intake.blocks import (
    FORM,
    Block,
    also_rows,
    group_failures,
    lookup_each,
    place,
    row_list,
    subset,
)
from rollout.intake.respondent_identity import person_keys
from rollout.intake.rubric import Rubric
from rollout.intake.school_matching import SchoolMatcher
from rollout.intake.tables import describe, is_blank, normalise_header

ROLE_ALIASES = {"principal": "principal", "assistant principal": "principal",
                "administrator": "principal", "teacher": "teacher", "teachers": "teacher",
                "classroom teacher": "teacher", "technology": "technology",
                "tech": "technology", "it": "technology", "technology staff": "technology",
                "technology specialist": "technology", "media specialist": "technology"}


def parse_block(block: Block, rubric: Rubric, matcher: SchoolMatcher,
                problems: Problems, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Respondents of a block (school, role, ...) and their levels on every rubric item."""
    has_answers = block.answered.any(axis=1)
    empty_row = ~has_answers & blank_cells(block.school) & blank_cells(block.role)
    block = subset(block, ~empty_row)
    has_answers = has_answers[~empty_row]
    ignored = matcher.left_out(block)
    block = subset(block, ~ignored)
    has_answers = has_answers[~ignored]
    school_ids = matcher.resolve_cells(block, problems)
    roles = parse_roles(block, rubric, problems)
    report_bad_answers(block, rubric, problems)
    known = pd.notna(school_ids) & pd.notna(roles)
    for where, indices in block.places(~has_answers & known).items():
        notes.append(Note(f"{where}: {len(indices)} respondent(s) answered no rubric item "
                          f"(row(s) {row_list(block.rows[indices])}); not counted", LEFT_OUT))
    keep = has_answers & known
    asked = asked_matrix(roles, block.item_ids, rubric)
    not_asked = block.answered & ~asked & keep[:, None]
    for where, indices in block.places(not_asked.any(axis=1)).items():
        notes.append(f"{where}: {int(not_asked[indices].sum())} answer(s) to items the rubric "
                     f"does not ask of that role were ignored: "
                     f"{not_asked_by_item(block, rubric, roles, not_asked, indices)}")
    report_required(block, rubric, asked, keep, notes)
    full = np.full((len(block.rows), len(rubric.items())), np.nan)
    position = {item.id: k for k, (_, item) in enumerate(rubric.items())}
    full[:, [position[i] for i in block.item_ids]] = np.where(asked, block.levels, np.nan)
    respondents = pd.DataFrame({
        "school_id": school_ids, "role": roles, "file": block.files, "sheet": block.sheets,
        "row": block.rows, "layout": block.layout, "person": person_keys(block.person),
        "timestamp": block.timestamp})
    return respondents[keep].reset_index(drop=True), full[keep]


def report_bad_answers(block: Block, rubric: Rubric, problems: Problems) -> None:
    """Answers that are no level: one problem per column and value in each file and sheet,
    naming the other rows (as bad schools and roles are)."""
    items = rubric.item_by_id()
    groups: dict[tuple, list[int]] = {}
    for i, j, raw in block.bad:  # type and value: 0 and FALSE are told apart
        key = (block.files[i], block.sheets[i], j, type(raw).__name__, raw)
        groups.setdefault(key, []).append(i)
    for (_, _, j, _, raw), indices in groups.items():
        block.problem(problems, indices[0], j, level_problem(raw, rubric, items[block.item_ids[j]])
                      + also_rows(block, indices))


def parse_roles(block: Block, rubric: Rubric, problems: Problems) -> np.ndarray:
    """Role per respondent (None where not a rubric role), each distinct value looked up once."""
    def role_of(value) -> str | None:
        text = normalise_header(value) if not is_blank(value) else ""
        return ROLE_ALIASES.get(text, text if text in rubric.roles else None)

    roles = lookup_each(block.role, role_of)
    for value, indices in group_failures(block, block.role, pd.isna(roles)):
        block.problem(problems, indices[0], "role", f"role must be one of "
                      f"{', '.join(rubric.roles)} (found "
                      f"{describe(value) if not is_blank(value) else 'nothing'})"
                      + also_rows(block, indices))
    return roles


def not_asked_by_item(block: Block, rubric: Rubric, roles: np.ndarray, not_asked: np.ndarray,
                      indices) -> str:
    """Each item answered by a role it is not asked of: which roles answered it, and which
    the rubric asks ('INF2 by principal, teacher (asked of technology)')."""
    items = rubric.item_by_id()
    by_item: dict[str, set[str]] = {}
    for i, j in zip(*np.nonzero(not_asked[indices])):
        by_item.setdefault(block.item_ids[j], set()).add(str(roles[indices[i]]))
    return "; ".join(f"{item_id} by {', '.join(sorted(answered))} (asked of "
                     f"{', '.join(items[item_id].roles)})"
                     for item_id, answered in sorted(by_item.items()))


def asked_matrix(roles: np.ndarray, item_ids: list[str], rubric: Rubric) -> np.ndarray:
    """respondents x items: does the rubric ask this respondent's role this item?"""
    items = rubric.item_by_id()
    table = np.array([[role in items[i].roles for i in item_ids] for role in rubric.roles]
                     + [[False] * len(item_ids)], dtype=bool).reshape(-1, len(item_ids))
    index = {role: k for k, role in enumerate(rubric.roles)}
    return table[lookup_each(roles, lambda r: index.get(r, len(rubric.roles))).astype(int)]


def report_required(block: Block, rubric: Rubric, asked, keep, notes) -> None:
    """Required items left blank: a warning; the respondent's other answers still count."""
    items = rubric.item_by_id()
    for j, item_id in enumerate(block.item_ids):
        if items[item_id].required:
            blank = keep & ~block.answered[:, j] & asked[:, j]
            for where, indices in block.places(blank).items():
                rows = [block.locate(int(i), j)[0] for i in indices]
                notes.append(f"{where}: required item {item_id} was left blank in row(s) "
                             f"{row_list(rows)}; those respondents' other answers are used")
    if block.layout == FORM and len(block.rows):
        absent = [item.id for _, item in rubric.items()
                  if item.required and item.id not in block.item_ids]
        if absent:
            notes.append(f"{place(block.files[0], block.sheets[0])}: no column for required "
                         f"item(s) {', '.join(absent)}")
