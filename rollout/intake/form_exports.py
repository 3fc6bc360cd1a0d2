"""Online-form exports: one row per respondent under a header row, items as columns. Finds
the header row, matches its headers to the school, role, respondent, timestamp and rubric item
columns, and reads the sheet into one Block.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from openpyxl.utils import get_column_letter

from rollout.errors import FILE_READ, Note, Problems
from rollout.intake.answers import blank_cells, parse_levels
from rollout.intake.blocks import FORM, Block, place
from rollout.intake.respondent_identity import identity_columns, respondent_identity
from rollout.intake.respondents import ROLE_ALIASES
from rollout.intake.rubric import Rubric
from rollout.intake.school_matching import names_a_school
from rollout.intake.tables import describe, is_blank, normalise_header

# Each list in order of preference: where a sheet has two such columns, the first listed is
# used, the same on every run (never an order taken from a set).
SCHOOL_ID_HEADERS = ("school id", "schoolid", "school code")
SCHOOL_NAME_HEADERS = ("school", "school name", "name of school", "your school")
ROLE_HEADERS = ("role", "your role", "respondent role")
MIN_ITEM_HEADERS = 2  # a header row found by its items names at least this many
VALUES_LOOKED_AT = 50  # distinct values of a column tried when finding it by its values
MOST = 0.5  # ... more than this share of them must be school names (or role words)
TIMESTAMP_HEADERS = ("timestamp", "submitted", "submitted at", "submission time", "date",
                     "recordeddate", "end date")


def find_header_row(cells: list[list], items: "ItemHeaders | None" = None,
                    search_rows: int = 10) -> int | None:
    """The row of a school and a role header; else (a form with headers of its own, such as
    'Which school do you work at?') the first row naming rubric items, whose school and role
    columns form_sheet then finds by their values."""
    for r, row in enumerate(cells[:search_rows]):
        headers = {normalise_header(v) for v in row}
        if headers & set(ROLE_HEADERS) and headers & set(SCHOOL_ID_HEADERS + SCHOOL_NAME_HEADERS):
            return r
    if items is None:
        return None
    wanted = min(MIN_ITEM_HEADERS, len(items.by_id))
    return next((r for r, row in enumerate(cells[:search_rows])
                 if sum(items.match(v) is not None for v in row if not is_blank(v)) >= wanted),
                None)


def merged_header(merged, header_row: int, cells, file: str, sheet: str,
                  problems: Problems) -> bool:
    """Merged cells in the header row hide which column is which: report them."""
    bad = False
    for (r0, c0), (r1, c1) in merged:
        if r0 <= header_row <= r1 and c1 > c0:
            bad = True
            text = cells[r0][c0] if r0 < len(cells) and c0 < len(cells[r0]) else ""
            span = f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
            problems.add(file, f"header cells {span} are merged (found {describe(text)} over "
                         f"{c1 - c0 + 1} columns); unmerge them so that every column has its "
                         "own header", sheet, header_row + 1, get_column_letter(c0 + 1))
    return bad


def form_sheet(cells, header_row, file, sheet, rubric: Rubric, problems, notes,
               kind: str = "online form export", header_rows: int = 1,
               schools: frozenset[str] = frozenset()):
    """An online-form export: one row per respondent, items as columns. `kind` and
    `header_rows` (ending at `header_row`) only name the layout in the notes. A school or role
    column no header names is found by its values (`schools`: school_keys)."""
    header = [str(h).strip() if not is_blank(h) else "" for h in cells[header_row]]
    width = len(header)
    body = np.empty((len(cells) - header_row - 1, width), dtype=object)
    body[:] = cells[header_row + 1:]  # calamine and CSV rows are all as wide as the header
    rows = np.arange(len(body)) + header_row + 2
    by_name = {normalise_header(h): i for i, h in enumerate(header)}

    def col(names) -> int | None:
        return next((by_name[n] for n in names if n in by_name), None)

    def label(index: int) -> str:
        return f"{get_column_letter(index + 1)} ({header[index]})"

    id_col, name_col = col(SCHOOL_ID_HEADERS), col(SCHOOL_NAME_HEADERS)
    role_col, time_col = col(ROLE_HEADERS), col(TIMESTAMP_HEADERS)
    identity_cols = identity_columns(by_name)
    items = ItemHeaders(rubric)
    item_cols = {i: item for i, h in enumerate(header) if (item := items.match(h))}
    if not item_cols:
        problems.add(file, "no column header names a rubric item (expected headers such as "
                     f"'{rubric.items()[0][1].id}' or the item's text)", sheet, header_row + 1)
        return
    all_item_cols = list(item_cols)
    item_cols, merged_labels = merge_section_repeats(item_cols, body, label, notes,
                                                     place(file, sheet))
    if report_repeated_items(item_cols, file, sheet, header_row + 1, label, problems):
        return
    taken = {time_col, *identity_cols.values(), *all_item_cols} - {None}
    if id_col is None and name_col is None:
        name_col = column_by_values(body, taken, lambda v: names_a_school(v, schools))
        found_by_values(name_col, "school", label, notes, place(file, sheet))
    if role_col is None:
        role_col = column_by_values(body, taken | {name_col}, lambda v: role_word(v, rubric))
        found_by_values(role_col, "role", label, notes, place(file, sheet))
    if report_missing_columns(id_col, name_col, role_col, header, file, sheet, header_row,
                              problems):
        return
    used = {id_col, name_col, role_col, time_col, *identity_cols.values(), *all_item_cols}
    ignored = [h for i, h in enumerate(header) if i not in used and h]
    if ignored:
        notes.append(f"{place(file, sheet)}: ignored column(s) that are not rubric items: "
                     f"{', '.join(ignored)}")
    school_col = np.full(len(body), id_col if id_col is not None else name_col)
    if id_col is not None and name_col is not None:  # a blank id falls back to the name
        school_col[blank_cells(body[:, id_col])] = name_col
    school = body[np.arange(len(body)), school_col]
    school_label = np.array([label(c) for c in range(width)], dtype=object)[school_col]
    none = np.full(len(body), None, dtype=object)
    columns = list(item_cols)
    levels, answered, bad = parse_levels(body[:, columns], rubric, list(item_cols.values()))
    block = Block(FORM, np.full(len(body), file, dtype=object),
                np.full(len(body), sheet, dtype=object), rows, school, body[:, role_col],
                respondent_identity(body, identity_cols),
                body[:, time_col] if time_col is not None else none,
                list(item_cols.values()), levels, answered, bad,
                {"school": (rows, school_label),
                 "role": (rows, np.full(len(body), label(role_col), dtype=object))},
                None, [merged_labels.get(c) or label(c) for c in columns])
    notes.append(layout_note(block, file, sheet, kind, header_rows,
                             header_row + 1 - header_rows))
    yield block


def column_by_values(body: np.ndarray, taken: set, means) -> int | None:
    """The column whose values `mean` something (a school, a role word): of the columns not
    `taken` with more than MOST of their distinct values meaning it, the one with the most
    such values (a column of one school code, such as Progress 100, loses to the schools), then
    the largest share, then the leftmost."""
    best, best_key = None, (0, MOST)
    for c in range(body.shape[1]):
        if c in taken:
            continue
        values = list(dict.fromkeys(v for v in body[:, c] if not is_blank(v)))[:VALUES_LOOKED_AT]
        meaning = sum(map(bool, map(means, values)))
        key = (meaning, meaning / len(values) if values else 0.0)
        if key[1] > MOST and key > best_key:
            best, best_key = c, key
    return best


def role_word(value, rubric: Rubric) -> bool:
    text = normalise_header(value) if not is_blank(value) else ""
    return text in ROLE_ALIASES or text in rubric.roles


def found_by_values(column: int | None, what: str, label, notes: list[str], where: str) -> None:
    if column is not None:
        notes.append(f"{where}: the {what} column is {label(column)}, found by its values (no "
                     "header names it)")


def report_missing_columns(id_col, name_col, role_col, header: list[str], file, sheet,
                           header_row: int, problems: Problems) -> bool:
    """No school or no role column, by header or by values: say which, with the headers."""
    missing = [what for what, found in (("school", id_col is not None or name_col is not None),
                                        ("role", role_col is not None)) if not found]
    if not missing:
        return False
    accepted = {"school": "School ID, School or School Name", "role": "Role or Your Role"}
    values = {"school": "school names or ids", "role": "role words (principal, teacher, ...)"}
    seen = ", ".join(repr(h) for h in header if h)
    problems.add(file, " and ".join(f"no {what} column" for what in missing)
                 + ": " + "; ".join(f"no header is {accepted[what]} and no column holds "
                                    f"{values[what]}" for what in missing)
                 + f" (headers: {seen})", sheet, header_row + 1)
    return True


LAYOUT_MARK = ": read as "  # the layout notes' mark (the terminal counts them when many)


def layout_note(block: Block, file: str, sheet: str | None, kind: str, header_rows: int,
                first_header_row: int) -> str:
    """Which layout a sheet was read as, so that a misread export shows in the notes."""
    people = block.answered.any(axis=1) | ~blank_cells(block.school) | ~blank_cells(block.role)
    count = int(people.sum())
    titles = (f", below {first_header_row} title row{'s' if first_header_row != 1 else ''}"
              if first_header_row else "")
    rows = f"{header_rows} header row{'s' if header_rows != 1 else ''}"
    return Note(f"{place(file, sheet)}{LAYOUT_MARK}{kind}, {rows}{titles}, "
                f"{count} respondent{'s' if count != 1 else ''}", FILE_READ)


class ItemHeaders:
    """Matches a column header to an item: 'INS1', 'INS1 - Principal leadership', the item's
    text, a form grid question 'Rate your school [item text]' or a matrix statement 'Rate
    your school - item text'."""

    def __init__(self, rubric: Rubric):
        self.by_text = {normalise_header(item.text): item.id for _, item in rubric.items()}
        self.by_id = {item.id.upper(): item.id for _, item in rubric.items()}
        ids = sorted(map(re.escape, self.by_id), key=len, reverse=True)
        self.leading_id = re.compile(rf"^({'|'.join(ids)})(?:$|[\s.:)\-])", re.IGNORECASE)

    def match(self, header: str) -> str | None:
        text = str(header or "").strip()
        lead = self.leading_id.match(text)
        if lead:
            return self.by_id[lead.group(1).upper()]
        grid = re.search(r"\[([^\]]+)\]\s*$", text)
        return self.by_text.get(normalise_header(text)) or (
            self.by_text.get(normalise_header(grid.group(1))) if grid else None) or (
            self.statement(text))

    def statement(self, text: str) -> str | None:
        """A matrix statement after its title, as Qualtrics writes it: 'Title - statement'
        (the statement is the item's text or id)."""
        if " - " not in text:
            return None
        tail = text.rsplit(" - ", 1)[1].strip()
        return self.by_text.get(normalise_header(tail)) or self.by_id.get(tail.upper())


def merge_section_repeats(item_cols: dict[int, str], body: np.ndarray, column_label,
                          notes: list[str], where: str) -> tuple[dict[int, str], dict[int, str]]:
    """A form with a section per role repeats the same questions in each section, and each
    respondent fills one section: an item's columns merge into its first (`body` changed in
    place) when no row fills two of them. Else they stay, and are reported as repeated.
    Returns the item columns left and the label of each merged column ('E or K (...)')."""
    columns_of: dict[str, list[int]] = defaultdict(list)
    for index, item in item_cols.items():  # dict order: the sheet's column order
        columns_of[item].append(index)
    kept, labels = dict(item_cols), {}
    for item, columns in columns_of.items():
        if len(columns) < 2:
            continue
        filled = ~blank_cells(body[:, columns])
        if (filled.sum(axis=1) > 1).any():
            continue
        chosen = np.where(filled.any(axis=1), filled.argmax(axis=1), 0)
        body[:, columns[0]] = body[np.arange(len(body)), np.array(columns)[chosen]]
        for index in columns[1:]:
            del kept[index]
        labels[columns[0]] = " or ".join(column_label(c) for c in columns)
    if labels:
        merged = ", ".join(item_cols[c] for c in labels)
        notes.append(f"{where}: item(s) {merged} are asked in several sections (one per role); "
                     "each respondent answered one section, so each item's columns read as one")
    return kept, labels


def report_repeated_items(item_cols: dict[int, str], file, sheet, header_row, column_label,
                          problems: Problems) -> bool:
    seen: dict[str, int] = {}
    repeated = False
    for index, item in item_cols.items():
        if item in seen:
            repeated = True
            problems.add(file, f"item {item} appears in two columns (also "
                         f"{column_label(seen[item])})", sheet, header_row, column_label(index))
        seen[item] = index
    return repeated
