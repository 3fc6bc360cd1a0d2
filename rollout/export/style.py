"""Shared look of our workbooks: titles, header rows, tables, widths, print set-up."""
from __future__ import annotations

import datetime as dt

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rollout.export.safe import safe_text

NAVY = "1F3864"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=16, color=NAVY)
SUBTITLE_FONT = Font(italic=True, size=10, color="595959")
LABEL_FONT = Font(bold=True)
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
COHORT_COLOURS = ["2E75B6", "70AD47", "FFC000", "ED7D31", "7030A0", "00B0F0", "C00000",
                  "548235", "BF8F00", "843C0C"]


def cohort_colour(number: int) -> str:
    return COHORT_COLOURS[(number - 1) % len(COHORT_COLOURS)]


def put(ws: Worksheet, row: int, column: int, value, **style):
    """Write one cell; text is made formula-safe; style keywords are set on the cell."""
    cell = ws.cell(row=row, column=column, value=safe_text(value))
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def title(ws: Worksheet, text: str, subtitle: str | None = None) -> int:
    """Title in A1 (and subtitle in A2); returns the next free row."""
    put(ws, 1, 1, text, font=TITLE_FONT)
    if subtitle:
        put(ws, 2, 1, subtitle, font=SUBTITLE_FONT)
    return 4 if subtitle else 3


def write_table(ws: Worksheet, top: int, headers: list[str], rows: list[list],
                name: str | None = None, formats: dict[str, str] | None = None,
                widths: dict[str, float] | None = None) -> tuple[int, int]:
    """Header row plus data rows from `top`; an Excel table with filters when `name` is given.
    Returns (first data row, last data row)."""
    formats, widths = formats or {}, widths or {}
    for j, header in enumerate(headers, start=1):
        put(ws, top, j, header, font=HEADER_FONT, fill=HEADER_FILL,
            alignment=Alignment(wrap_text=True, vertical="center"), border=BOX)
    for i, values in enumerate(rows, start=top + 1):
        for j, value in enumerate(values, start=1):
            cell = put(ws, i, j, value, border=BOX)
            fmt = formats.get(headers[j - 1])
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str) and len(value) > 40:
                cell.alignment = WRAP
    last = top + max(1, len(rows))
    if name and rows:
        ref = f"A{top}:{get_column_letter(len(headers))}{last}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
    fit_widths(ws, headers, rows, widths)
    return top + 1, last


def fit_widths(ws: Worksheet, headers, rows, fixed: dict[str, float]) -> None:
    for j, header in enumerate(headers, start=1):
        letter = get_column_letter(j)
        if header in fixed:
            width = fixed[header]
        else:
            longest = max([len(str(header))] + [len(fmt_len(r[j - 1])) for r in rows[:500]])
            width = min(45, max(8, longest + 2))
        current = ws.column_dimensions[letter].width or 0
        ws.column_dimensions[letter].width = max(width, current if current != 13 else 0)


def fmt_len(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return "" if value is None else str(value)


def print_setup(ws: Worksheet, header_title: str, repeat_rows: str | None = None,
                landscape: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = header_title.replace("&", "&&")
    ws.oddHeader.right.text = "&D"
    ws.oddFooter.center.text = "Page &P of &N"
    if repeat_rows:
        ws.print_title_rows = repeat_rows


def today() -> str:
    return dt.date.today().isoformat()
