"""Read survey responses, whatever layout a district hands us, into one table of respondents.

Layouts are detected per sheet: our own template workbooks (template.py; each filled role
sheet is one respondent) and online-form exports (one row per respondent, items as columns,
answers such as "3 - Developing" or 3), in .xlsx, .xlsm or .csv files.

Speed: each file is read with calamine and its answers parsed at once (each distinct answer
text is understood once, then spread back over the sheet with numpy); large folders are read by
a pool of processes, one file each. The rest works on whole columns. Only bad cells are visited
one by one, to report them with file, sheet, row and column.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import multiprocessing
import os
import re
import zipfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from defusedxml import ElementTree
from openpyxl.utils import get_column_letter
from python_calamine import SheetVisibleEnum
from rapidfuzz import fuzz, process

from rollout.domain import District
from rollout.errors import Problem, Problems
from rollout.intake.layouts import ANSWER_HEADER, LISTS_SHEET, find_layout
from rollout.intake.rubric import Rubric
from rollout.intake.tables import (
    EXCEL_SUFFIXES,
    describe,
    is_blank,
    normalise_header,
    open_workbook,
)

SURVEY_SUFFIXES = EXCEL_SUFFIXES | {".csv", ".xls"}
SCHOOL_ID_HEADERS = {"school id", "schoolid", "school code"}
SCHOOL_NAME_HEADERS = {"school", "school name", "name of school", "your school"}
ROLE_HEADERS = {"role", "your role", "respondent role"}
TIMESTAMP_HEADERS = {"timestamp", "submitted", "submitted at", "submission time", "date"}
RESPONDENT_HEADERS = {"respondent", "respondent id", "email", "email address", "name",
                      "your name", "your email"}
ROLE_ALIASES = {"principal": "principal", "assistant principal": "principal",
                "administrator": "principal", "teacher": "teacher", "teachers": "teacher",
                "classroom teacher": "teacher", "technology": "technology",
                "tech": "technology", "it": "technology", "technology staff": "technology",
                "technology specialist": "technology", "media specialist": "technology"}
NAME_MATCH_CUTOFF = 88  # rapidfuzz score (0-100) a school name must reach to be accepted
NAME_MATCH_MARGIN = 4   # ... and by how much it must beat the runner-up
NAME_ABBREVIATIONS = {"elem": "elementary", "es": "elementary", "ms": "middle", "hs": "high",
                      "mid": "middle", "sch": "school", "st": "saint"}
ABBREVIATION = re.compile(rf"\b({'|'.join(NAME_ABBREVIATIONS)})\b\.?")
LEADING_LEVEL = re.compile(r"^(\d+)(?:\.0+)?(?:$|\s|[-:)]|\.(?!\d))")  # '3 - x', not '2.5'
FORM, TEMPLATE = "form export", "template"
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
PARALLEL_BYTES = 4_000_000  # below this much survey data, one process reads faster,
PARALLEL_FILE_BYTES = 100_000  # ... and when files are small on average (a process per file)


@dataclass
class SurveyResponses:
    """One row per respondent. `levels` holds their answers (one column per rubric item, NaN
    where not answered) aligned with `respondents` by index. Used only to pool per school."""

    respondents: pd.DataFrame  # school_id, role, file, sheet, row, layout, person, timestamp
    levels: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # files read per layout

    def answers(self) -> pd.DataFrame:
        """Long form: one row per respondent and answered item."""
        long = self.levels.rename_axis("respondent").reset_index().melt(
            id_vars="respondent", var_name="item_id", value_name="level").dropna()
        people = self.respondents[["school_id", "role"]]
        return long.join(people, on="respondent")[["respondent", "school_id", "role", "item_id",
                                                   "level"]].reset_index(drop=True)

    def summary(self) -> str:
        layouts = ", ".join(f"{n} {kind} file{'s' if n != 1 else ''}"
                            for kind, n in sorted(self.files.items()))
        return (f"Surveys: {len(self.respondents):,} respondents at "
                f"{self.respondents['school_id'].nunique():,} schools from {layouts or 'no files'}")


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


@dataclass
class FileRead:
    """What one file yielded; made in a worker process for large folders."""

    blocks: list[Block] = field(default_factory=list)
    templates: list[TemplateSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def place(file: str, sheet: str | None) -> str:
    return f"{file}, sheet '{sheet}'" if sheet else str(file)


def read_surveys(folder: Path, rubric: Rubric, district: District, problems: Problems,
                 workers: int | None = None) -> SurveyResponses:
    """Every survey file in `folder`, checked together; problems are collected, not raised
    (in file order, then row order). `workers`: processes reading files (default: one per CPU
    for large folders)."""
    notes: list[str] = []
    found: list[Problem] = []
    blocks, files = read_folder(folder, rubric, workers, found, notes)
    matcher = SchoolMatcher(district)
    cell_problems = Problems()
    parsed = [parse_block(block, rubric, matcher, cell_problems, notes) for block in blocks]
    found.extend(cell_problems.items)
    item_ids = [item.id for _, item in rubric.items()]
    respondents = (pd.concat([p[0] for p in parsed], ignore_index=True) if parsed
                   else pd.DataFrame(columns=RESPONDENT_COLUMNS))
    levels = pd.DataFrame(np.vstack([p[1] for p in parsed]) if parsed
                          else np.empty((0, len(item_ids))), columns=item_ids)
    keep = latest_submissions(respondents, notes)
    respondents, levels = (respondents[keep].reset_index(drop=True),
                           levels[keep].reset_index(drop=True))
    problems.items.extend(sorted(found, key=lambda p: (p.file, p.sheet or "", p.row or 0)))
    if len(respondents):
        report_schools_without_answers(district, respondents, folder, problems)
    elif not found:  # e.g. only templates nobody filled in
        problems.add(folder, "no survey answers were found in any file")
    notes.extend(matcher.notes)
    return SurveyResponses(respondents, levels, notes, files)


def read_folder(folder: Path, rubric: Rubric, workers: int | None, found: list[Problem],
                notes: list[str]) -> tuple[list[Block], dict[str, int]]:
    """Blocks of every file (all template sheets as one block) and files read per layout."""
    paths = sorted(p for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(("~$", ".")))
    if not paths:
        found.append(Problem(str(folder), "holds no survey files (.xlsx, .xlsm or .csv "
                             "expected)"))
    files: dict[str, int] = defaultdict(int)
    blocks, templates = [], []
    paths = skip_copies(paths, notes)
    for path, result in zip(paths, read_files(paths, rubric, workers)):
        found.extend(result.problems)
        notes.extend(result.notes)
        blocks.extend(result.blocks)
        templates.extend(result.templates)
        layouts = {b.layout for b in result.blocks} | ({TEMPLATE} if result.templates else set())
        for layout in layouts:
            files[layout + (" (csv)" if path.suffix.lower() == ".csv" else "")] += 1
    if templates:
        blocks.append(template_block(templates, rubric))
    return blocks, dict(files)


RESPONDENT_COLUMNS = ["school_id", "role", "file", "sheet", "row", "layout", "person",
                      "timestamp"]


def read_files(paths: list[Path], rubric: Rubric, workers: int | None) -> list[FileRead]:
    """FileRead per path, in order; in parallel when there is enough to read."""
    if workers is None:
        size = sum(p.stat().st_size for p in paths)
        large = size >= PARALLEL_BYTES and size >= PARALLEL_FILE_BYTES * len(paths)
        workers = min(os.cpu_count() or 1, len(paths)) if large else 1
    if workers <= 1:
        return [read_file(path, rubric) for path in paths]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(read_file, paths, [rubric] * len(paths),
                             chunksize=max(1, len(paths) // (workers * 4))))


def skip_copies(paths: list[Path], notes: list[str]) -> list[Path]:
    """A file saved twice under two names is read once (same size, then same bytes)."""
    by_size: dict[int, list[Path]] = defaultdict(list)
    for path in paths:
        by_size[path.stat().st_size].append(path)
    seen: dict[str, Path] = {}
    keep = []
    for path in paths:
        if path.stat().st_size and len(by_size[path.stat().st_size]) > 1:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                notes.append(f"{path}: an exact copy of {seen[digest].name}; read only once")
                continue
            seen[digest] = path
        keep.append(path)
    return keep


# ---- files and layouts ------------------------------------------------------------------------

def read_file(path: Path, rubric: Rubric) -> FileRead:
    """Every survey sheet of one file: a Block per form-export sheet, a TemplateSheet per
    filled template sheet."""
    result = FileRead()
    problems = Problems()
    if path.suffix.lower() not in SURVEY_SUFFIXES:
        problems.add(path, f"is not a survey file (.xlsx, .xlsm or .csv expected, found "
                     f"'{path.suffix}')")
    elif path.stat().st_size == 0:
        problems.add(path, "is empty (0 bytes); export or save the survey again")
    else:
        sheets = list(read_cells(path, problems, result.notes))
        found = unused = 0
        for sheet, cells, merged in sheets:
            layout = find_layout(cells)
            if layout is not None:
                found += 1
                answers = template_sheet(cells, layout, str(path), sheet, rubric, problems)
                if answers is None:
                    unused += 1
                else:
                    result.templates.append(answers)
                continue
            header_row = find_header_row(cells)
            if header_row is None:
                continue
            found += 1
            if not merged_header(merged, header_row, cells, str(path), sheet, problems):
                result.blocks.extend(form_sheet(cells, header_row, str(path), sheet, rubric,
                                                problems, result.notes))
        if sheets and not found:
            problems.add(path, "has no recognisable survey: no sheet has a header row with a "
                         "school column (school_id or school name) and a role column, and none "
                         "is a rollout survey template")
        elif found and unused == found:
            result.notes.append(f"{path}: a survey template with no answers filled in; skipped")
    result.problems = problems.items
    return result


def read_cells(path: Path, problems: Problems, notes: list[str]):
    """Yield (sheet name, rows of cells, merged ranges) for every sheet of a file."""
    if path.suffix.lower() == ".csv":
        frame = read_csv_cells(path, problems, notes)
        if frame is not None:
            yield None, frame.values.tolist(), []
        return
    workbook = open_workbook(path, problems)
    if workbook is None:
        return
    hidden = {m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    for name in workbook.sheet_names:
        if name == LISTS_SHEET and name in hidden:
            continue  # our templates' dropdown choices
        sheet = workbook.get_sheet_by_name(name)
        yield name, sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []


def read_csv_cells(path: Path, problems: Problems, notes: list[str]) -> pd.DataFrame | None:
    raw = path.read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
        notes.append(f"{path}: not UTF-8; read as Windows-1252 (check accented school names)")
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return pd.read_csv(path, header=None, dtype=object, keep_default_na=False,
                           encoding=encoding, sep=delimiter, encoding_errors="replace")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.add(path, f"cannot be read as CSV ({str(exc).splitlines()[0]})")
        return None


def modified_time(path: Path) -> pd.Timestamp:
    """When a workbook was last saved (its own record, which survives e-mailing), else the
    file's time."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("docProps/core.xml"))
        stamp = root.find("{http://purl.org/dc/terms/}modified")
        if stamp is not None and stamp.text:
            return pd.Timestamp(stamp.text).tz_localize(None)
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        pass
    return pd.Timestamp(path.stat().st_mtime, unit="s")


def find_header_row(cells: list[list], search_rows: int = 10) -> int | None:
    for r, row in enumerate(cells[:search_rows]):
        headers = {normalise_header(v) for v in row}
        if headers & ROLE_HEADERS and headers & (SCHOOL_ID_HEADERS | SCHOOL_NAME_HEADERS):
            return r
    return None


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


def form_sheet(cells, header_row, file, sheet, rubric: Rubric, problems, notes):
    """An online-form export: one row per respondent, items as columns."""
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
    role_col, time_col, person_col = (col(ROLE_HEADERS), col(TIMESTAMP_HEADERS),
                                      col(RESPONDENT_HEADERS))
    items = ItemHeaders(rubric)
    item_cols = {i: item for i, h in enumerate(header) if (item := items.match(h))}
    if not item_cols:
        problems.add(file, "no column header names a rubric item (expected headers such as "
                     f"'{rubric.items()[0][1].id}' or the item's text)", sheet, header_row + 1)
        return
    if report_repeated_items(item_cols, file, sheet, header_row + 1, label, problems):
        return
    used = {id_col, name_col, role_col, time_col, person_col, *item_cols}
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
    levels, answered, bad = parse_levels(body[:, columns], rubric)
    yield Block(FORM, np.full(len(body), file, dtype=object),
                np.full(len(body), sheet, dtype=object), rows, school, body[:, role_col],
                body[:, person_col] if person_col is not None else none,
                body[:, time_col] if time_col is not None else none,
                list(item_cols.values()), levels, answered, bad,
                {"school": (rows, school_label),
                 "role": (rows, np.full(len(body), label(role_col), dtype=object))},
                None, [label(c) for c in columns])


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
    two submissions compete (see latest_submissions)."""
    item_ids = [item.id for _, item in rubric.items()]
    position = {item_id: j for j, item_id in enumerate(item_ids)}
    raw = np.full((len(sheets), len(item_ids)), None, dtype=object)
    answer_rows = np.zeros((len(sheets), len(item_ids)), dtype=int)
    for i, sheet in enumerate(sheets):
        for item_id, (value, row) in sheet.answers.items():
            raw[i, position[item_id]], answer_rows[i, position[item_id]] = value, row
    levels, answered, bad = parse_levels(raw, rubric)

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


class ItemHeaders:
    """Matches a column header to an item: 'INS1', 'INS1 - Principal leadership', the item's
    text, or a form grid question 'Rate your school [item text]'."""

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
            self.by_text.get(normalise_header(grid.group(1))) if grid else None)


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


# ---- answers ----------------------------------------------------------------------------------

def parse_levels(values: np.ndarray, rubric: Rubric
                 ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, Any]]]:
    """Answers as levels of the rubric scale: 3, '3', '3 - Advanced' or 'Advanced'. Each
    distinct cell value is understood once. Returns levels (NaN where blank or bad), which
    cells were answered, and the bad cells as (row index, column index, raw value)."""
    shape = values.shape
    flat = values.ravel()
    codes, uniques = pd.factorize(flat, use_na_sentinel=True)  # None/NaN -> -1
    meaning = [level_of(v, rubric) for v in uniques] + [(np.nan, False)]  # [-1]: blank
    level = np.array([m[0] for m in meaning], dtype=float)[codes]
    answered = np.array([m[1] for m in meaning], dtype=bool)[codes]
    for k, value in enumerate(uniques):  # TRUE/FALSE and 1/0 share a code: tell them apart
        if not isinstance(value, str) and value in (0, 1):
            spots = np.flatnonzero(codes == k)
            is_bool = pd.Series(flat[spots], dtype=object).map(type).to_numpy() == bool
            level[spots] = np.where(is_bool, np.nan, level_of(float(value), rubric)[0])
    bad_spots = np.flatnonzero(answered & np.isnan(level))
    bad = [(int(k) // shape[1], int(k) % shape[1], flat[k]) for k in bad_spots]
    return level.reshape(shape), answered.reshape(shape), bad


def level_of(value: Any, rubric: Rubric) -> tuple[float, bool]:
    """(level or NaN, whether anything was answered) for one cell value."""
    if isinstance(value, str):
        text = value.translate(DASHES).strip().lower()
        if not text:
            return np.nan, False
        number = LEADING_LEVEL.match(text)
        if number:
            level = int(number.group(1))
        else:
            names = {name.lower(): lv for lv, name in rubric.scale.items()}
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


def level_problem(raw: Any, rubric: Rubric) -> str:
    found = describe(raw)
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        found += "; Excel may have turned a typed answer into a date: format the column as text"
    return (f"answer must be a level {rubric.low}-{rubric.high} of the rubric scale (found "
            f"{found})")


# ---- respondents ------------------------------------------------------------------------------

def parse_block(block: Block, rubric: Rubric, matcher: "SchoolMatcher",
                problems: Problems, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Respondents of a block (school, role, ...) and their levels on every rubric item."""
    has_answers = block.answered.any(axis=1)
    empty_row = ~has_answers & blank_cells(block.school) & blank_cells(block.role)
    block = subset(block, ~empty_row)
    has_answers = has_answers[~empty_row]
    school_ids = matcher.resolve_cells(block, problems)
    roles = parse_roles(block, rubric, problems)
    for i, j, raw in block.bad:
        block.problem(problems, i, j, level_problem(raw, rubric))
    known = pd.notna(school_ids) & pd.notna(roles)
    for where, indices in block.places(~has_answers & known).items():
        notes.append(f"{where}: {len(indices)} respondent(s) answered no rubric item "
                     f"(row(s) {row_list(block.rows[indices])}); not counted")
    keep = has_answers & known
    asked = asked_matrix(roles, block.item_ids, rubric)
    not_asked = block.answered & ~asked & keep[:, None]
    for where, indices in block.places(not_asked.any(axis=1)).items():
        items = sorted({block.item_ids[j] for j in np.nonzero(not_asked[indices])[1]})
        notes.append(f"{where}: {int(not_asked[indices].sum())} answer(s) to items the rubric "
                     f"does not ask of that role ({', '.join(items)}) were ignored")
    report_required(block, rubric, asked, keep, notes)
    full = np.full((len(block.rows), len(rubric.items())), np.nan)
    position = {item.id: k for k, (_, item) in enumerate(rubric.items())}
    full[:, [position[i] for i in block.item_ids]] = np.where(asked, block.levels, np.nan)
    person = pd.Series(block.person, dtype=object).astype("string").str.strip().str.lower()
    respondents = pd.DataFrame({
        "school_id": school_ids, "role": roles, "file": block.files, "sheet": block.sheets,
        "row": block.rows, "layout": block.layout,
        "person": person.where(person != "").to_numpy(dtype=object, na_value=None),
        "timestamp": block.timestamp})
    return respondents[keep].reset_index(drop=True), full[keep]


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


def latest_submissions(respondents: pd.DataFrame, notes: list[str]) -> np.ndarray:
    """The same person answering twice for the same school and role: keep the latest.
    Timestamps are parsed only for those repeated submissions."""
    keep = np.ones(len(respondents), dtype=bool)
    if respondents.empty:
        return keep
    named = respondents[respondents["person"].notna()]
    repeated = named[named.duplicated(["school_id", "role", "person"], keep=False)]
    if repeated.empty:
        return keep
    stamps = repeated["timestamp"].where(repeated["layout"] != TEMPLATE,
                                         repeated["file"].map(lambda f: modified_time(Path(f))))
    order = repeated.assign(when=parse_timestamps(stamps))
    order = order.sort_values(["when", "file", "row"], na_position="first", kind="stable")
    earlier = order[order.duplicated(["school_id", "role", "person"], keep="last")]
    for _, d in earlier.sort_values(["school_id", "file", "row"]).iterrows():
        notes.append(f"{place(d['file'], d['sheet'])}, row {d['row']}: an earlier submission "
                     f"by the same respondent for {d['school_id']} ({d['role']}); the latest one "
                     "is kept")
    keep[earlier.index.to_numpy()] = False
    return keep


def parse_timestamps(values: pd.Series) -> pd.Series:
    cleaned = values.map(lambda v: None if is_blank(v) else v)
    return pd.to_datetime(cleaned, errors="coerce", format="mixed")


def report_schools_without_answers(district: District, respondents: pd.DataFrame, folder: Path,
                                   problems: Problems) -> None:
    answered = set(respondents["school_id"])
    for school in district.schools:
        if school.school_id not in answered:
            problems.add(folder, f"school {school.school_id} ({school.school_name}) has no "
                         "survey responses; every school needs at least one (add its survey "
                         "files, or check that its name or school_id is spelled as in "
                         "district.xlsx)")


# ---- schools ----------------------------------------------------------------------------------

class SchoolMatcher:
    """Finds the school a survey row means: by school_id ('ES001' or 'ES001 - Oak Elementary'),
    else by name with fuzzy matching."""

    def __init__(self, district: District):
        self.ids = {s.school_id.lower(): s.school_id for s in district.schools}
        self.names = {s.school_id: simplify_name(s.school_name) for s in district.schools}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for sid, name in self.names.items():
            self.by_name[name].append(sid)
        self.display = {s.school_id: s.school_name for s in district.schools}
        self.fuzzy: dict[str, str] = {}  # typed name -> how it was matched, noted once
        self.notes: list[str] = []

    def lookup(self, key: str) -> tuple[str | None, str | None]:
        """(school_id, None) or (None, why not)."""
        if key.endswith(".0") and key[:-2].isdigit():
            key = key[:-2]  # a numeric school code read back as a float
        if key.lower() in self.ids:
            return self.ids[key.lower()], None
        prefix = re.match(r"^(\S+)\s+-\s+", key)
        if prefix and prefix.group(1).lower() in self.ids:
            return self.ids[prefix.group(1).lower()], None
        wanted = simplify_name(key)
        exact = self.by_name.get(wanted, [])
        if len(exact) == 1:
            return exact[0], None
        matches = process.extract(wanted, self.names, scorer=fuzz.token_sort_ratio, limit=3)
        candidates = ", ".join(f"{self.display[m[2]]} ({m[2]})" for m in matches)
        if matches and matches[0][1] >= NAME_MATCH_CUTOFF and (
                len(matches) == 1 or matches[0][1] - matches[1][1] >= NAME_MATCH_MARGIN):
            sid = matches[0][2]
            self.fuzzy[key] = f"school name '{key}' was matched to {self.display[sid]} ({sid})"
            return sid, None
        if matches and matches[0][1] >= NAME_MATCH_CUTOFF:
            return None, f"school '{key}' is ambiguous; closest: {candidates}"
        return None, f"unknown school '{key}'; closest: {candidates}"

    def resolve_cells(self, block: Block, problems: Problems) -> np.ndarray:
        """school_id per respondent (None where unknown), each distinct value looked up once."""
        why: dict[Any, str] = {}

        def school_of(value) -> str | None:
            if is_blank(value):
                why[""] = "school is empty"
                return None
            sid, reason = self.lookup(str(value).strip())
            if reason:
                why[value] = reason
            return sid

        ids = lookup_each(block.school, school_of)
        for value, indices in group_failures(block, block.school, pd.isna(ids)):
            block.problem(problems, indices[0], "school", why[value] + also_rows(block, indices))
        fuzzy = lookup_each(block.school, lambda v: self.fuzzy.pop(str(v).strip(), None)
                            if not is_blank(v) else None)
        for note in dict.fromkeys(fuzzy[pd.notna(fuzzy)]):  # where each name first appears
            i = int(np.flatnonzero(fuzzy == note)[0])
            self.notes.append(f"{place(block.files[i], block.sheets[i])}, row "
                              f"{block.locate(i, 'school')[0]}: {note}")
        return ids


def simplify_name(name: str) -> str:
    """Lower case, abbreviations spelt out, punctuation and the word 'school' dropped: 'Oak
    Elem. Sch.' and 'Oak Elementary School' are the same name."""
    text = ABBREVIATION.sub(lambda m: NAME_ABBREVIATIONS[m.group(1)],
                            re.sub(r"[^\w\s.]", " ", str(name).lower()))
    return " ".join(w for w in text.replace(".", " ").split() if w != "school")
