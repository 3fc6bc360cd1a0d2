"""Read survey responses (online-form exports: one row per respondent) into a tidy table.

Parsing is vectorised per column with pandas so large exports stay fast; only bad cells are
visited one by one, to report them with file, sheet, row and column.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter
from rapidfuzz import fuzz, process

from rollout.domain import District
from rollout.errors import Problems
from rollout.rubric import Rubric
from rollout.tables import EXCEL_SUFFIXES, describe, is_blank, normalise_header, open_workbook

SURVEY_SUFFIXES = EXCEL_SUFFIXES | {".csv", ".xls"}
SCHOOL_ID_HEADERS = {"school id", "schoolid", "school code"}
SCHOOL_NAME_HEADERS = {"school", "school name", "name of school", "your school"}
ROLE_HEADERS = {"role", "your role", "respondent role"}
TIMESTAMP_HEADERS = {"timestamp", "submitted", "submitted at", "submission time", "date"}
RESPONDENT_HEADERS = {"respondent", "respondent id", "email", "email address", "name"}
ROLE_ALIASES = {"principal": "principal", "assistant principal": "principal",
                "administrator": "principal", "teacher": "teacher", "teachers": "teacher",
                "technology": "technology", "tech": "technology", "it": "technology",
                "technology staff": "technology", "technology specialist": "technology",
                "media specialist": "technology"}
NAME_MATCH_CUTOFF = 88  # rapidfuzz score (0-100) a school name must reach to be accepted
NAME_MATCH_MARGIN = 4   # ... and by how much it must beat the runner-up
NAME_ABBREVIATIONS = {r"\belem\b\.?": "elementary", r"\bes\b": "elementary",
                      r"\bms\b": "middle school", r"\bhs\b": "high school",
                      r"\bmid\b\.?": "middle", r"\bsch\b\.?": "school", r"\bst\b\.?": "saint"}


@dataclass
class SurveyResponses:
    """Answers in long form, one row per respondent and item; respondents one row each."""

    answers: pd.DataFrame      # respondent, school_id, role, item_id, level
    respondents: pd.DataFrame  # respondent, school_id, role, file, sheet, row
    notes: list[str] = field(default_factory=list)


def read_surveys(folder: Path, rubric: Rubric, district: District, problems: Problems
                 ) -> SurveyResponses:
    notes: list[str] = []
    frames, people = [], []
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    if not files:
        problems.add(folder, "holds no survey files (.xlsx, .xlsm or .csv expected)")
    matcher = SchoolMatcher(district)
    for path in files:
        for answers, respondents in read_survey_file(path, rubric, matcher, problems, notes):
            frames.append(answers)
            people.append(respondents)
    answers = pd.concat(frames, ignore_index=True) if frames else empty_answers()
    respondents = pd.concat(people, ignore_index=True) if people else empty_respondents()
    respondents, answers = drop_duplicate_submissions(respondents, answers, notes)
    notes.extend(matcher.notes)
    return SurveyResponses(answers, respondents, notes)


def empty_answers() -> pd.DataFrame:
    return pd.DataFrame({"respondent": pd.Series(dtype=str), "school_id": pd.Series(dtype=str),
                         "role": pd.Series(dtype=str), "item_id": pd.Series(dtype=str),
                         "level": pd.Series(dtype=float)})


def empty_respondents() -> pd.DataFrame:
    return pd.DataFrame(columns=["respondent", "school_id", "role", "file", "sheet", "row",
                                 "timestamp", "person"])


def read_survey_file(path: Path, rubric: Rubric, matcher: "SchoolMatcher", problems: Problems,
                     notes: list[str]):
    """Yield (answers, respondents) for each survey sheet found in one file."""
    if path.suffix.lower() not in SURVEY_SUFFIXES:
        problems.add(path, f"is not a survey file (.xlsx, .xlsm or .csv expected, found "
                     f"'{path.suffix}')")
        return
    if path.stat().st_size == 0:
        problems.add(path, "is empty (0 bytes)")
        return
    sheets = list(read_cells(path, problems))
    found = False
    for sheet, cells in sheets:
        header_row = find_header_row(cells)
        if header_row is None:
            continue
        found = True
        yield read_form_sheet(cells, header_row, str(path), sheet, rubric, matcher, problems, notes)
    if sheets and not found:
        problems.add(path, "has no recognisable survey: no sheet has a header row with a school "
                     "column (school_id or school name) and a role column")


def read_cells(path: Path, problems: Problems):
    if path.suffix.lower() == ".csv":
        try:
            frame = pd.read_csv(path, header=None, dtype=object, keep_default_na=False,
                                encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            problems.add(path, f"cannot be read as CSV ({str(exc).splitlines()[0]})")
            return
        yield "csv", frame.values.tolist()
        return
    workbook = open_workbook(path, problems)
    if workbook is None:
        return
    for name in workbook.sheet_names:
        yield name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def find_header_row(cells: list[list], search_rows: int = 10) -> int | None:
    for r, row in enumerate(cells[:search_rows]):
        headers = {normalise_header(v) for v in row}
        if headers & ROLE_HEADERS and headers & (SCHOOL_ID_HEADERS | SCHOOL_NAME_HEADERS):
            return r
    return None


def item_for_header(header: str, rubric: Rubric) -> str | None:
    """Match a column header to an item: 'INS1', 'INS1 - Principal leadership', or the text."""
    text = str(header or "").strip()
    by_text = {normalise_header(item.text): item.id for _, item in rubric.items()}
    for _, item in rubric.items():
        if text.upper() == item.id.upper() or re.match(rf"^{re.escape(item.id)}\b[\s.:)\-]",
                                                       text, re.IGNORECASE):
            return item.id
    return by_text.get(normalise_header(text))


def read_form_sheet(cells, header_row, file, sheet, rubric, matcher, problems, notes):
    header = [str(h).strip() if not is_blank(h) else "" for h in cells[header_row]]
    width = len(header)
    body = [list(r) + [None] * (width - len(r)) for r in cells[header_row + 1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    frame["_row"] = np.arange(len(body)) + header_row + 2
    frame = frame[~frame.drop(columns="_row").map(is_blank).all(axis=1)]
    roles = {normalise_header(h): i for i, h in enumerate(header)}
    where = Where(file, sheet, header)

    def col(names):
        return next((roles[n] for n in names if n in roles), None)

    school_col = col(SCHOOL_ID_HEADERS) if col(SCHOOL_ID_HEADERS) is not None else col(SCHOOL_NAME_HEADERS)
    role_col, time_col, person_col = col(ROLE_HEADERS), col(TIMESTAMP_HEADERS), col(RESPONDENT_HEADERS)
    item_cols = {i: item_for_header(h, rubric) for i, h in enumerate(header)}
    item_cols = {i: item for i, item in item_cols.items() if item}
    report_repeated_items(item_cols, where, problems)
    used = {school_col, role_col, time_col, person_col, *item_cols, col(SCHOOL_NAME_HEADERS)}
    ignored = [h for i, h in enumerate(header) if i not in used and h]
    if ignored:
        notes.append(f"{file}, sheet '{sheet}': ignored column(s) that are not rubric items: "
                     f"{', '.join(ignored)}")
    schools = matcher.resolve_column(frame[school_col], frame["_row"], where, school_col, problems)
    role_values = parse_roles(frame[role_col], frame["_row"], where, role_col, rubric, problems)
    respondent = file + "|" + sheet + "|" + frame["_row"].astype(str)
    respondents = pd.DataFrame({
        "respondent": respondent.values, "school_id": schools.values, "role": role_values.values,
        "file": file, "sheet": sheet, "row": frame["_row"].values,
        "timestamp": parse_timestamps(frame[time_col]) if time_col is not None else pd.NaT,
        "person": frame[person_col].astype(str).str.strip().str.lower().values
        if person_col is not None else None})
    long = []
    for index, item_id in item_cols.items():
        levels = parse_levels(frame[index], frame["_row"], where, index, rubric, problems)
        long.append(pd.DataFrame({"respondent": respondent.values, "school_id": schools.values,
                                  "role": role_values.values, "item_id": item_id,
                                  "level": levels.values}))
    answers = pd.concat(long, ignore_index=True) if long else empty_answers()
    answers = answers.dropna(subset=["level", "school_id", "role"])
    return answers, respondents.dropna(subset=["school_id", "role"])


@dataclass(frozen=True)
class Where:
    file: str
    sheet: str
    header: list[str]

    def column(self, index: int) -> str:
        return f"{get_column_letter(index + 1)} ({self.header[index]})"


def report_repeated_items(item_cols: dict[int, str], where: Where, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for index, item in item_cols.items():
        if item in seen:
            problems.add(where.file, f"item {item} appears in two columns (also "
                         f"{where.column(seen[item])})", where.sheet, 1, where.column(index))
        seen[item] = index


def parse_levels(values: pd.Series, rows: pd.Series, where: Where, index: int, rubric: Rubric,
                 problems: Problems) -> pd.Series:
    """Answers as numbers on the rubric scale: 3, '3', '3 - Advanced' or 'Advanced'."""
    blank = values.map(is_blank)
    is_date = values.map(lambda v: isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)))
    numeric = pd.to_numeric(values.where(~is_date & ~values.map(lambda v: isinstance(v, bool))),
                            errors="coerce")
    text = values.astype(str).str.strip()
    leading = pd.to_numeric(text.str.extract(r"^(\d+)\s*(?:[-.:)]|$)")[0], errors="coerce")
    labels = {label.lower(): level for level, label in rubric.scale.items()}
    by_label = text.str.lower().map(labels)
    level = numeric.fillna(leading).fillna(by_label)
    valid = level.isin(list(rubric.scale))
    bad = ~blank & ~valid
    scale = f"{rubric.low}-{rubric.high}"
    for raw, row in zip(values[bad], rows[bad]):
        problems.add(where.file, f"answer must be a level {scale} of the rubric scale (found "
                     f"{describe(raw)})", where.sheet, int(row), where.column(index))
    return level.where(valid).astype(float)


def parse_roles(values, rows, where, index, rubric: Rubric, problems) -> pd.Series:
    text = values.map(lambda v: normalise_header(v) if not is_blank(v) else "")
    mapped = text.map(lambda t: ROLE_ALIASES.get(t, t if t in rubric.roles else None))
    for raw, row, role in zip(values, rows, mapped):
        if role is None:
            problems.add(where.file, f"role must be one of {', '.join(rubric.roles)} (found "
                         f"{describe(raw) if not is_blank(raw) else 'nothing'})", where.sheet,
                         int(row), where.column(index))
    return mapped


def parse_timestamps(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.map(lambda v: v if not is_blank(v) else None),
                          errors="coerce", format="mixed").values


def drop_duplicate_submissions(respondents: pd.DataFrame, answers: pd.DataFrame, notes):
    """The same person answering twice for the same school and role: keep the latest."""
    named = respondents.dropna(subset=["person"])
    named = named[named["person"].astype(str).str.len() > 0]
    if named.empty:
        return respondents, answers
    order = named.sort_values(["timestamp", "file", "row"], na_position="first")
    dupes = order[order.duplicated(["school_id", "role", "person"], keep="last")]
    if dupes.empty:
        return respondents, answers
    for _, d in dupes.sort_values(["school_id", "file", "row"]).iterrows():
        notes.append(f"{d['file']}, sheet '{d['sheet']}', row {d['row']}: an earlier submission "
                     f"by the same respondent for {d['school_id']} ({d['role']}); the latest one "
                     "is kept")
    drop = set(dupes["respondent"])
    return (respondents[~respondents["respondent"].isin(drop)],
            answers[~answers["respondent"].isin(drop)])


class SchoolMatcher:
    """Finds the school a survey row means: by school_id, else by name with fuzzy matching."""

    def __init__(self, district: District):
        self.ids = {s.school_id.lower(): s.school_id for s in district.schools}
        self.names = {s.school_id: simplify_name(s.school_name) for s in district.schools}
        self.display = {s.school_id: s.school_name for s in district.schools}
        self.notes: list[str] = []
        self.cache: dict[str, tuple[str | None, str | None]] = {}

    def resolve(self, raw) -> tuple[str | None, str | None]:
        """Returns (school_id, None) or (None, why not)."""
        key = str(raw).strip()
        if key not in self.cache:
            self.cache[key] = self.lookup(key)
        return self.cache[key]

    def lookup(self, key: str) -> tuple[str | None, str | None]:
        if isinstance(key, str) and key.endswith(".0") and key[:-2].isdigit():
            key = key[:-2]
        if key.lower() in self.ids:
            return self.ids[key.lower()], None
        wanted = simplify_name(key)
        exact = [sid for sid, name in self.names.items() if name == wanted]
        if len(exact) == 1:
            return exact[0], None
        matches = process.extract(wanted, self.names, scorer=fuzz.token_sort_ratio, limit=3)
        candidates = ", ".join(f"{self.display[m[2]]} ({m[2]})" for m in matches)
        if matches and matches[0][1] >= NAME_MATCH_CUTOFF and (
                len(matches) == 1 or matches[0][1] - matches[1][1] >= NAME_MATCH_MARGIN):
            sid = matches[0][2]
            self.notes.append(f"school name '{key}' was matched to {self.display[sid]} ({sid})")
            return sid, None
        if matches and matches[0][1] >= NAME_MATCH_CUTOFF:
            return None, f"school '{key}' is ambiguous; closest: {candidates}"
        return None, f"unknown school '{key}'; closest: {candidates}"

    def resolve_column(self, values, rows, where: Where, index, problems) -> pd.Series:
        out = []
        for raw, row in zip(values, rows):
            if is_blank(raw):
                problems.add(where.file, "school is empty", where.sheet, int(row),
                             where.column(index))
                out.append(None)
                continue
            sid, why = self.resolve(raw)
            if why:
                problems.add(where.file, why, where.sheet, int(row), where.column(index))
            out.append(sid)
        return pd.Series(out, index=values.index, dtype=object)


def simplify_name(name: str) -> str:
    text = re.sub(r"[^\w\s.]", " ", str(name).lower())
    for pattern, replacement in NAME_ABBREVIATIONS.items():
        text = re.sub(pattern, replacement, text)
    return " ".join(text.replace(".", " ").split())
