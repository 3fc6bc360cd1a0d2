"""A school list the district already has (`rollout init --schools FILE`): its student
information system's export with plain headers, or the NCES Common Core of Data (CCD) files.

Plain headers: `School ID`/`School Number`, `School Name`/`School`, `Level` or `Grades`
(`K-5`), `Enrollment`/`Students`, `Teachers`. CCD: the school directory file (`NCESSCH`,
`SCH_NAME`, `LEVEL`, `GSLO`/`GSHI`; a 12-digit NCESSCH is the 7-digit LEAID and a 5-digit school
number), optionally with the membership file (one row per school, grade, race and sex; the
school's total is the row whose `TOTAL_INDICATOR` is "Education Unit Total", its
`STUDENT_COUNT`) and the staff file (`TEACHERS`, in full-time equivalents). Several files are
joined by school id: the first lists the schools, the others add what they hold.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rollout.errors import Problems
from rollout.intake.tables import (
    EXCEL_SUFFIXES,
    is_blank,
    open_workbook,
    sheet_cells,
    table_from_cells,
)

FIELDS = ("school_id", "school_name", "level", "students", "teachers")
# Headers as districts' exports and NCES write them, compared lower-case with punctuation
# as spaces. A header that starts with one of the long ELSI names counts too.
HEADERS = {
    "school_id": ["school id", "school number", "school code", "school no", "ncessch",
                  "school id nces assigned", "nces school id", "school_id", "id"],
    "school_name": ["school name", "school", "sch name", "name", "school_name"],
    "level": ["level", "school level", "school type level"],
    "grades": ["grades", "grade span", "grades served", "grade range", "grades offered"],
    "low_grade": ["gslo", "lowest grade offered", "low grade", "lowest grade"],
    "high_grade": ["gshi", "highest grade offered", "high grade", "highest grade"],
    "students": ["enrollment", "students", "enrolment", "student count", "membership",
                 "total students", "total students all grades", "member", "total enrollment"],
    "teachers": ["teachers", "teachers fte", "fte teachers", "teacher count",
                 "full time equivalent fte teachers", "classroom teachers"],
    "total_indicator": ["total indicator"],
    "student_count": ["student count"],
    "district_id": ["leaid"],
    "status": ["sy status text", "updated status text"],
}
CCD_MARKS = {"ncessch", "sch name"}
CCD_TOTAL = "education unit total"
# CCD's codes for a number it does not have: missing, not applicable, suppressed, not
# meeting NCES's standards.
CCD_MISSING = {-1, -2, -3, -9}
CLOSED = {"closed", "inactive", "future", "no longer operational"}
# CCD's LEVEL (and the numeric codes of older files): a "Secondary" school spans middle and
# high grades, so its grades decide.
CCD_LEVELS = {"elementary": "ES", "primary": "ES", "middle": "MS", "high": "HS",
              "1": "ES", "2": "MS", "3": "HS", "4": "Other", "other": "Other"}
GRADE_NAMES = {"pk": -1, "pre k": -1, "prek": -1, "p": -1, "prekindergarten": -1, "kg": 0,
               "k": 0, "tk": 0, "kindergarten": 0}
HEADER_SEARCH_ROWS = 15  # ELSI's table generator writes a few title lines above the headers
# A grade span's level: the whole span within these grades (K-5 is ES; 6-8 MS; 9-12 HS).
LEVEL_SPANS = (("ES", -1, 6), ("MS", 5, 9), ("HS", 9, 13))


@dataclass
class SchoolList:
    """The schools read from the district's own list, and what was taken from where."""

    rows: list[dict[str, Any]]
    layout: str
    mapped: dict[str, list[str]] = field(default_factory=dict)  # field -> its sources
    notes: list[str] = field(default_factory=list)

    def missing(self) -> dict[str, list[str]]:
        """Field -> the names of the schools it is still blank for."""
        out = {f: [r["school_name"] or r["school_id"] for r in self.rows if is_blank(r.get(f))]
               for f in FIELDS}
        return {f: names for f, names in out.items() if names}

    def mapped_text(self) -> str:
        return "; ".join(f"{target} from {', '.join(sources)}"
                         for target, sources in self.mapped.items())


def header_key(text: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


def find_columns(header: list[str]) -> dict[str, int]:
    """Which column holds each field (exact header first, then an ELSI-style long header that
    starts with a known name)."""
    keys = [header_key(h) for h in header]
    found: dict[str, int] = {}
    for name, choices in HEADERS.items():
        wanted = [header_key(c) for c in choices]
        for i, key in enumerate(keys):
            if key in wanted:
                found[name] = i
                break
        else:
            for i, key in enumerate(keys):
                if any(key.startswith(w + " ") for w in wanted if len(w) > 6):
                    found[name] = i
                    break
    return found


def read_cells(path: Path, problems: Problems) -> list[list[Any]] | None:
    """The first sheet of a workbook, or a CSV file (UTF-8, or Windows' own encoding)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        problems.add(path, "file not found")
        return None
    if suffix in EXCEL_SUFFIXES:
        workbook = open_workbook(path, problems)
        if workbook is None:
            return None
        return sheet_cells(workbook, str(path), workbook.sheet_names[0], problems)
    if suffix not in {".csv", ".txt", ".tsv"}:
        problems.add(path, f"is not a school list: a .csv or Excel file is expected (found "
                     f"'{suffix}')")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    dialect = csv.excel_tab if suffix in {".tsv", ".txt"} and "\t" in text[:2000] else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def read_school_lists(paths: list[Path], problems: Problems) -> SchoolList | None:
    """The first file's schools, completed from the others by school id."""
    lists = [read_school_list(Path(p), problems, first=(i == 0)) for i, p in enumerate(paths)]
    if problems or not lists or lists[0] is None:
        return None
    base = lists[0]
    by_id = {str(r["school_id"]): r for r in base.rows}
    for extra, path in zip(lists[1:], paths[1:]):
        added = {f: 0 for f in FIELDS if f not in ("school_id", "school_name")}
        for row in extra.rows:
            target = by_id.get(str(row["school_id"]))
            if target is None:
                continue
            for f in added:
                if is_blank(target.get(f)) and not is_blank(row.get(f)):
                    target[f] = row[f]
                    added[f] += 1
        for target, sources in extra.mapped.items():
            if target not in ("school_id", "school_name") and added.get(target):
                base.mapped.setdefault(target, []).extend(
                    f"{source} ({Path(path).name})" for source in sources)
        base.notes += extra.notes
    return base


def read_school_list(path: Path, problems: Problems, first: bool = True) -> SchoolList | None:
    cells = read_cells(path, problems)
    if cells is None:
        return None
    start = next((i for i, row in enumerate(cells[:HEADER_SEARCH_ROWS])
                  if {"school_id", "school_name"} <= set(find_columns(
                      [str(v or "") for v in row]))), 0)
    table = table_from_cells(cells[start:], str(path), None)
    columns = find_columns(table.header)
    keys = {header_key(h) for h in table.header}
    ccd = CCD_MARKS <= keys or {"ncessch", "student count"} <= keys or \
        {"ncessch", "teachers"} <= keys
    if "school_id" not in columns or (first and "school_name" not in columns):
        needed = "a school id column (School ID, School Number or NCESSCH)" + (
            " and a school name column (School Name, School or SCH_NAME)" if first else "")
        problems.add(path, f"is not a school list we know: it needs {needed}; found "
                     f"{', '.join(h for h in table.header if h) or 'no headers'}")
        return None
    result = SchoolList([], "NCES CCD" if ccd else "school list")
    mapped_from = {"school_id": "school_id", "school_name": "school_name", "level": "level",
                   "grades": "level", "low_grade": "level", "high_grade": "level",
                   "students": "students", "student_count": "students",
                   "teachers": "teachers"}
    for name, target in mapped_from.items():
        if name in columns and not (name == "students" and "total_indicator" in columns):
            result.mapped.setdefault(target, []).append(table.header[columns[name]])
    if "total_indicator" in columns and "students" in result.mapped:
        result.mapped["students"][-1] += " of the 'Education Unit Total' rows"
    rows = select_rows(table, columns, result, path, problems)
    result.rows = unique_schools([school_row(values, columns) for values in rows], path, result)
    fte = [r["teachers"] for r in result.rows
           if isinstance(r["teachers"], float) and not r["teachers"].is_integer()]
    for row in result.rows:
        if row["teachers"] is not None:
            row["teachers"] = math.floor(row["teachers"] + 0.5)
    if fte:
        result.notes.append(f"{path.name}: teachers are full-time equivalents there (e.g. "
                            f"{fte[0]:g}); rounded to whole teachers. The Schools sheet counts "
                            "teachers as people: put your headcount where part-timers are many")
    report_levels(result, path)
    return result


def select_rows(table, columns, result: SchoolList, path: Path, problems: Problems):
    """The rows that are schools of this district: open schools, CCD membership totals."""
    rows = table.rows
    if "total_indicator" in columns:  # CCD membership: one row per grade, race and sex
        index = columns["total_indicator"]
        rows = [r for r in rows if header_key(cell(r, index)) == CCD_TOTAL]
        columns["students"] = columns.get("student_count", columns.get("students"))
    if "status" in columns:
        open_rows = [r for r in rows if header_key(cell(r, columns["status"])) not in CLOSED]
        if len(open_rows) < len(rows):
            result.notes.append(f"{path.name}: {len(rows) - len(open_rows)} closed or inactive "
                                "school(s) left out")
        rows = open_rows
    if "district_id" in columns:
        districts = sorted({str(cell(r, columns["district_id"])) for r in rows})
        if len(districts) > 1:
            problems.add(path, f"holds the schools of {len(districts)} districts (LEAID "
                         f"{', '.join(districts[:5])}{', ...' if len(districts) > 5 else ''}): "
                         "keep only your own district's rows and run again")
    return rows


def unique_schools(rows: list[dict], path: Path, result: SchoolList) -> list[dict]:
    """Rows with a school id, each id once (the first row kept)."""
    seen: dict[str, dict] = {}
    for row in rows:
        if row["school_id"] is not None:
            seen.setdefault(row["school_id"], row)
    dropped = len(rows) - len(seen)
    if dropped:
        result.notes.append(f"{path.name}: {dropped} row(s) without a school id or repeating "
                            "one were left out")
    return list(seen.values())


def cell(row: list[Any], index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None


def school_row(values: list[Any], columns: dict[str, int]) -> dict[str, Any]:
    def get(name):
        return cell(values, columns.get(name))
    level = level_of(get("level"), get("grades"), get("low_grade"), get("high_grade"))
    return {"school_id": identifier(get("school_id")), "school_name": text(get("school_name")),
            "level": level, "students": count(get("students")),
            "teachers": count(get("teachers"), whole=False),
            "grades": grade_span(get("grades"), get("low_grade"), get("high_grade"))}


def identifier(value: Any) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 12-digit NCESSCH read from Excel as a number
    return text(value)


def text(value: Any) -> str | None:
    return None if is_blank(value) else str(value).strip()


def count(value: Any, whole: bool = True) -> float | int | None:
    try:
        number = float(str(value).replace(",", "").strip()) if not is_blank(value) else None
    except ValueError:
        return None
    if number is None or number in CCD_MISSING or number < 0:
        return None
    return int(round(number)) if whole else number


def grade_number(value: Any) -> int | None:
    key = header_key(value)
    if key in GRADE_NAMES:
        return GRADE_NAMES[key]
    digits = re.sub(r"^(grade|gr|g)\s*|(st|nd|rd|th)?\s*grade$", "", key)
    return int(digits) if digits.isdigit() and int(digits) <= 13 else None


def grade_span(grades: Any, low: Any, high: Any) -> tuple[int, int] | None:
    if not is_blank(grades):
        parts = [p for p in re.split(r"\s*(?:-|–|to|through)\s*", str(grades).strip()) if p]
        numbers = [grade_number(p) for p in parts]
        if len(numbers) == 2 and None not in numbers:
            return numbers[0], numbers[1]
        if len(numbers) == 1 and numbers[0] is not None:
            return numbers[0], numbers[0]
        return None
    lo, hi = grade_number(low), grade_number(high)
    return (lo, hi) if lo is not None and hi is not None else None


def level_of(level: Any, grades: Any, low: Any, high: Any) -> str | None:
    """ES, MS, HS or Other: from a level column when it says one of those, else from the grade
    span (K-5 ES, 6-8 MS, 9-12 HS; a span across them, such as K-8, is Other)."""
    named = CCD_LEVELS.get(header_key(level).removesuffix(" school")) \
        if not is_blank(level) else None
    if named is None and not is_blank(level) and str(level).strip().upper() in {
            "ES", "MS", "HS", "OTHER"}:
        named = {"OTHER": "Other"}.get(str(level).strip().upper(), str(level).strip().upper())
    if named:
        return named
    span = grade_span(grades, low, high)
    if span is None:
        return None
    for name, first, last in LEVEL_SPANS:
        if first <= span[0] and span[1] <= last:
            return name
    return "Other"


def report_levels(result: SchoolList, path: Path) -> None:
    others = [r for r in result.rows if r["level"] == "Other" and r["grades"]]
    if others:
        names = ", ".join(f"{r['school_name']} ({show_span(r['grades'])})" for r in others[:5])
        result.notes.append(f"{path.name}: {len(others)} school(s) span levels and were set to "
                            f"Other: {names}{' ...' if len(others) > 5 else ''}; change the level "
                            "where your district counts them as ES, MS or HS")


def show_span(span: tuple[int, int]) -> str:
    def name(grade: int) -> str:
        return {-1: "PK", 0: "K"}.get(grade, str(grade))
    return f"{name(span[0])}-{name(span[1])}"
