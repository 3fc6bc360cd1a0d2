"""The survey folder's files: which to read (exact copies once), each opened with calamine or
as CSV and every sheet handed to the layout that recognises it. A large folder is read by a
pool of processes, one file each; what a file yields (FileRead) is plain data for that reason.
"""
from __future__ import annotations

import csv
import hashlib
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import SheetVisibleEnum

from rollout.errors import DUPLICATE, FILE_READ, Note, Problem, Problems
from rollout.intake.blocks import TEMPLATE, Block
from rollout.intake.form_exports import (
    LAYOUT_MARK,
    ItemHeaders,
    find_header_row,
    form_sheet,
    merged_header,
)
from rollout.intake.layouts import LISTS_SHEET, find_layout
from rollout.intake.qualtrics_exports import is_qualtrics, qualtrics_sheet
from rollout.intake.rubric import Rubric
from rollout.intake.surveymonkey_exports import is_surveymonkey, surveymonkey_sheet
from rollout.intake.tables import EXCEL_SUFFIXES, SPREADSHEET_KINDS, is_blank, open_workbook
from rollout.intake.template_sheets import TemplateSheet, template_block, template_sheet
from rollout.processes import pool_context

SURVEY_SUFFIXES = EXCEL_SUFFIXES | {".csv"}
SURVEY_KINDS = f"{SPREADSHEET_KINDS} or .csv"
PARALLEL_BYTES = 4_000_000  # below this much survey data, one process reads faster,
PARALLEL_FILE_BYTES = 100_000  # ... and when files are small on average (a process per file)


@dataclass
class FileRead:
    """What one file yielded; made in a worker process for large folders."""

    blocks: list[Block] = field(default_factory=list)
    templates: list[TemplateSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_folder(folder: Path, rubric: Rubric, workers: int | None, found: list[Problem],
                notes: list[str], unread: list[Path] | None = None,
                schools: frozenset[str] = frozenset()) -> tuple[list[Block], dict[str, int]]:
    """Blocks of every file (all template sheets as one block) and files read per layout.
    `unread` gets each file that had problems and yielded no answers at all: the schools it
    would have covered are then not known. `schools`: the district's school_keys, which
    tell a school column by its values."""
    paths = sorted(p for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(("~$", ".")))
    if not paths:
        found.append(Problem(str(folder), f"holds no survey files ({SURVEY_KINDS} "
                             "expected)"))
    files: dict[str, int] = defaultdict(int)
    blocks, templates = [], []
    paths = skip_copies(paths, notes)
    for path, result in zip(paths, read_files(paths, rubric, workers, schools)):
        found.extend(result.problems)
        notes.extend(result.notes)
        if unread is not None and result.problems and not (result.blocks or result.templates):
            unread.append(path)
        blocks.extend(result.blocks)
        templates.extend(result.templates)
        layouts = {b.layout for b in result.blocks} | ({TEMPLATE} if result.templates else set())
        for layout in layouts:
            files[layout + (" (csv)" if path.suffix.lower() == ".csv" else "")] += 1
    if templates:
        blocks.append(template_block(templates, rubric))
    return blocks, dict(files)


def read_files(paths: list[Path], rubric: Rubric, workers: int | None,
               schools: frozenset[str] = frozenset()) -> list[FileRead]:
    """FileRead per path, in order; in parallel when there is enough to read."""
    if workers is None:
        size = sum(p.stat().st_size for p in paths)
        large = size >= PARALLEL_BYTES and size >= PARALLEL_FILE_BYTES * len(paths)
        workers = min(os.cpu_count() or 1, len(paths)) if large else 1
    if workers <= 1:
        return [read_file(path, rubric, schools) for path in paths]
    with ProcessPoolExecutor(workers, mp_context=pool_context()) as pool:
        return list(pool.map(read_file, paths, [rubric] * len(paths), [schools] * len(paths),
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
                notes.append(Note(f"{path}: an exact copy of {seen[digest].name}; read only "
                                  "once", DUPLICATE))
                continue
            seen[digest] = path
        keep.append(path)
    return keep


def read_file(path: Path, rubric: Rubric, schools: frozenset[str] = frozenset()) -> FileRead:
    """Every survey sheet of one file: a Block per form-export sheet, a TemplateSheet per
    filled template sheet."""
    result = FileRead()
    problems = Problems()
    if path.suffix.lower() not in SURVEY_SUFFIXES:
        problems.add(path, f"is not a survey file ({SURVEY_KINDS} expected, found "
                     f"'{path.suffix}')")
    elif path.stat().st_size == 0:
        problems.add(path, "is empty (0 bytes); export or save the survey again")
    else:
        sheets = list(read_cells(path, problems, result.notes))
        found = unused = 0
        items = ItemHeaders(rubric)
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
            # The two-row and three-row headers come first: their second row may name a school
            # and a role column, which the one-row header search would take for the header.
            if is_qualtrics(cells):
                found += 1
                result.blocks.extend(qualtrics_sheet(cells, str(path), sheet, rubric, problems,
                                                     result.notes, schools))
                continue
            if is_surveymonkey(cells):
                found += 1
                result.blocks.extend(surveymonkey_sheet(cells, str(path), sheet, rubric,
                                                        problems, result.notes, schools))
                continue
            header_row = find_header_row(cells, items)
            if header_row is None:
                continue
            found += 1
            if not merged_header(merged, header_row, cells, str(path), sheet, problems):
                result.blocks.extend(form_sheet(cells, header_row, str(path), sheet, rubric,
                                                problems, result.notes, schools=schools))
        if result.templates:
            result.notes.append(template_note(path, result.templates))
        if sheets and not found:
            problems.add(path, "has no recognisable survey: no sheet has a header row with a "
                         "school column (school_id or school name) and a role column, or with "
                         "rubric item columns, and none is a rollout survey template"
                         + first_headers(sheets))
        elif found and unused == found:
            result.notes.append(Note(f"{path}: a survey template with no answers filled in; "
                                     "skipped", FILE_READ))
    result.problems = problems.items
    return result


def first_headers(sheets: list) -> str:
    """' (headers seen: ...)': the first filled row of the first sheet that has one."""
    for _, cells, _ in sheets:
        row = next((r for r in cells[:10] if any(not is_blank(v) for v in r)), None)
        if row:
            return f" (headers seen: {', '.join(repr(str(v)) for v in row if not is_blank(v))})"
    return ""


def template_note(path: Path, sheets: list[TemplateSheet]) -> str:
    names = ", ".join(str(s.sheet) for s in sheets)
    return Note(f"{path}{LAYOUT_MARK}survey template, {len(sheets)} filled role "
                f"sheet{'s' if len(sheets) != 1 else ''} ({names})", FILE_READ)


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
