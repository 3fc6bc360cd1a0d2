"""Read worksheets into tables that remember where every cell came from.

Reading uses python-calamine (fast, read-only, refuses what is not a workbook); typed column
access collects problems with file, sheet, row and column instead of stopping at the first.
"""
from __future__ import annotations

import datetime as dt
import math
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from rollout.errors import Problems

# Every spreadsheet format calamine reads: districts download .xls from older survey sites,
# save .ods from LibreOffice and .xlsb from Excel; all read as downloaded (#15).
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
SPREADSHEET_KINDS = ".xlsx, .xlsm, .xlsb, .xls, .ods"


@dataclass
class Table:
    """One sheet: a header row and the data rows below it (blank rows dropped)."""

    file: str
    sheet: str
    header: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]  # the Excel row number of each data row

    def column_index(self, name: str) -> int | None:
        wanted = normalise_header(name)
        for i, h in enumerate(self.header):
            if normalise_header(h) == wanted:
                return i
        return None

    def column_label(self, index: int) -> str:
        return f"{get_column_letter(index + 1)} ({self.header[index]})"

    def require_columns(self, names: list[str], problems: Problems) -> bool:
        missing = [n for n in names if self.column_index(n) is None]
        for name in missing:
            found = ", ".join(h for h in self.header if h) or "no headers"
            problems.add(self.file, f"required column '{name}' is missing (found: {found})",
                         self.sheet, 1)
        return not missing

    def values(self, name: str) -> list[Any]:
        index = self.column_index(name)
        if index is None:
            return [None] * len(self.rows)
        return [row[index] if index < len(row) else None for row in self.rows]

    def filled(self, name: str) -> list[bool]:
        """Whether each row has a value in the column (all False when there is no column)."""
        index = self.column_index(name)
        return [index is not None and index < len(row) and not is_blank(row[index])
                for row in self.rows]

    def parse(self, name: str, convert: Callable[[Any], Any], problems: Problems,
              required: bool = True) -> list[Any]:
        """Convert every cell of a column; bad cells become problems and None."""
        index = self.column_index(name)
        if index is None:
            return [None] * len(self.rows)
        out = []
        for row, excel_row in zip(self.rows, self.row_numbers):
            raw = row[index] if index < len(row) else None
            if is_blank(raw):
                if required:
                    problems.add(self.file, "is empty; a value is required", self.sheet, excel_row,
                                 self.column_label(index))
                out.append(None)
                continue
            try:
                out.append(convert(raw))
            except ValueError as exc:
                problems.add(self.file, f"{exc} (found {describe(raw)})", self.sheet, excel_row,
                             self.column_label(index))
                out.append(None)
        return out


def normalise_header(text: Any) -> str:
    return " ".join(str(text or "").strip().lower().replace("_", " ").split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def describe(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return f"a date/time {value}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


RESAVE = ("open it in Excel and save it again, or download a survey export again from the "
          "survey site, then run again")
# No sheet of a district or survey workbook comes near these; a zip part past them is damage
# or a "zip bomb" (a few KB that unpack to gigabytes).
MAX_PART_BYTES = 1_000_000_000
SUSPECT_PART_BYTES = 20_000_000
MAX_PACKING_RATIO = 200
PROLOG_BYTES = 1024


def open_workbook(path: Path, problems: Problems) -> CalamineWorkbook | None:
    """Open an Excel workbook, or record why it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        problems.add(path, f"is not an Excel workbook ({SPREADSHEET_KINDS} expected, found "
                     f"'{suffix}')")
        return None
    damage = damaged_part(path)
    if damage:
        part, sheet, what = damage
        problems.add(path, f"is damaged or not a real workbook: its part {part} {what}; "
                     f"{RESAVE}", sheet)
        return None
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for broken/protected files
        problems.add(path, f"cannot be read as an Excel workbook: {why_unreadable(exc, suffix)}")
        return None
    if not workbook.sheet_names:
        problems.add(path, f"has no sheets; {RESAVE}")
        return None
    return workbook


def damaged_part(path: Path) -> tuple[str, str | None, str] | None:
    """(part, its sheet if any, what is wrong) for the first zip part that no sound workbook
    has: one that unpacks far beyond its packed size and beyond any real sheet (a "zip bomb"),
    or XML that declares a DTD or entities (calamine would silently read such cells as
    empty). None when every part looks sound; a file that is not a zip is left to calamine."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                packed = max(info.compress_size, 1)
                if info.file_size > MAX_PART_BYTES or (
                        info.file_size > SUSPECT_PART_BYTES
                        and info.file_size / packed > MAX_PACKING_RATIO):
                    return info.filename, None, "would unpack to far more than any workbook holds"
                if info.filename.endswith((".xml", ".rels")) and declares_dtd(archive, info):
                    return (info.filename, sheet_of_part(archive, info.filename),
                            "declares a DTD or entities, which Excel never writes")
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, ValueError):
        return None
    return None


def declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A DTD can only stand in the prolog, before the root element: the first KB tells."""
    try:
        with archive.open(info) as part:
            head = part.read(PROLOG_BYTES)
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, ValueError, EOFError):
        return False  # a part that does not unpack is calamine's to report, with its sheet
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def sheet_of_part(archive: zipfile.ZipFile, part: str) -> str | None:
    """The sheet name a worksheet part belongs to (workbook.xml and its relationships)."""
    from defusedxml import ElementTree  # the workbook itself is untrusted: no DTDs

    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except Exception:  # noqa: BLE001 - a damaged index only costs the sheet name
        return None
    target = {r.get("Id"): "xl/" + r.get("Target", "").lstrip("/").removeprefix("xl/")
              for r in rels}
    for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
        rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        if target.get(rid) == part:
            return sheet.get("name")
    return None


def why_unreadable(exc: Exception, suffix: str = ".xlsx") -> str:
    text = str(exc)
    name = type(exc).__name__
    if "Password" in name or "password" in text.lower() or "encrypt" in text.lower():
        return "it is password-protected; save an unprotected copy"
    if "Zip" in name or "zip" in text.lower() or "Cfb error" in text:  # Cfb: .xls/.xlsb box
        return f"the file is damaged or not really an {suffix} file; {RESAVE}"
    detail = text.splitlines()[0] if text else name
    return f"the file is damaged: {detail}; {RESAVE}"


def read_table(workbook: CalamineWorkbook, file: str, sheet: str, problems: Problems,
               required: bool = True) -> Table | None:
    """Read a sheet whose first row is the header."""
    if sheet not in workbook.sheet_names:
        if required:
            problems.add(file, f"required sheet '{sheet}' is missing (found: "
                         f"{', '.join(workbook.sheet_names)})", sheet)
        return None
    cells = sheet_cells(workbook, file, sheet, problems)
    return None if cells is None else table_from_cells(cells, file, sheet)


def sheet_cells(workbook: CalamineWorkbook, file: str, sheet: str, problems: Problems
                ) -> list[list[Any]] | None:
    """A sheet's cells, or None with the reason recorded when the sheet's data is damaged
    (a corrupt or missing part, XML cut off or declaring entities)."""
    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # calamine raises XmlError, ZipError, CalamineError ... (terse texts)
        problems.add(file, f"this sheet cannot be read: its data in the file is damaged or "
                     f"missing; {RESAVE}", sheet)
        return None


def table_from_cells(cells: list[list[Any]], file: str, sheet: str) -> Table:
    if not cells:
        return Table(file, sheet, [], [], [])
    header = [str(h).strip() if not is_blank(h) else "" for h in cells[0]]
    rows, numbers = [], []
    for offset, row in enumerate(cells[1:], start=2):
        if all(is_blank(v) for v in row):
            continue
        rows.append([None if is_blank(v) else v for v in row])
        numbers.append(offset)
    return Table(file, sheet, header, rows, numbers)


# ---- cell converters: raise ValueError with what was expected ---------------------------------

def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # ids typed as numbers in Excel come back as floats
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError("expected text")
    return str(value).strip()


def as_number(value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ValueError("expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError("expected a number") from None


def number_between(low: float | None, high: float | None, whole: bool = False
                   ) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        number = as_number(value)
        if whole and not float(number).is_integer():
            raise ValueError("expected a whole number")
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            raise ValueError(f"expected a number {bounds}")
        return int(number) if whole else number
    return convert


def as_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1", "x"}:
        return True
    if text in {"no", "n", "false", "0", ""}:
        return False
    raise ValueError("expected yes or no")


def one_of(choices: list[str]) -> Callable[[Any], str]:
    lookup = {c.lower(): c for c in choices}

    def convert(value: Any) -> str:
        text = as_text(value)
        if text.lower() not in lookup:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return lookup[text.lower()]
    return convert
