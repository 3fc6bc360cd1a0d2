"""Shared look of the what-if workbooks (openpyxl, with native Excel charts): cells, titles,
notes, chart styling, saving with the same bytes each time, and CSV values.

Every text cell goes through `safe_text` (scenario names, descriptions and school names come
from the user's files). The other workbooks are written with XlsxWriter (`style.py`).
"""
from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from rollout.safe import safe_text

FONT = "Calibri"
NAVY = "1F3864"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
BASE_FILL = PatternFill("solid", fgColor="DDEBF7")  # the base plan, the current need_weight
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
PCT, ONE, WHOLE, MONEY = "0.0%", "0.0", "#,##0", "$#,##0"
CHART_W, CHART_H = 15.5, 7.5  # centimetres
NOTES_WIDTH = 95
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry holds; XlsxWriter's too


# ---- cells -------------------------------------------------------------------------------

def put(ws: Worksheet, row: int, col: int, value, fmt: str | None = None, bold=False,
        fill=None, wrap=False, box=True, colour=None, size=None, italic=False):
    cell = ws.cell(row=row, column=col, value=safe_text(value))
    cell.font = Font(name=FONT, bold=bold, color=colour, size=size, italic=italic)
    if fmt:
        cell.number_format = fmt
    if fill:
        cell.fill = fill
    if box:
        cell.border = BOX
    cell.alignment = Alignment(vertical="top", wrap_text=wrap)
    return cell


def header(ws: Worksheet, row: int, col: int, texts: list[str]) -> None:
    for j, text in enumerate(texts):
        cell = put(ws, row, col + j, text, bold=True, colour="FFFFFF", fill=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def title(ws: Worksheet, text: str, subtitle: str) -> int:
    put(ws, 1, 1, text, box=False, bold=True, size=16, colour=NAVY)
    put(ws, 2, 1, subtitle, box=False, italic=True, size=10, colour="595959")
    return 4


def reading(ws: Worksheet, text: str, columns: int) -> None:
    """The one sentence under the title that says how to read the sheet's key words."""
    across(ws, 3, text, columns, bold=True, size=10, colour=NAVY)


def across(ws: Worksheet, row: int, text: str, columns: int, **style) -> None:
    """A paragraph wrapped across the first `columns` columns (set their widths first): a
    long unwrapped cell is cut off at the frozen panes, and no program sizes merged rows."""
    put(ws, row, 1, text, box=False, wrap=True, **style)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    width = sum(ws.column_dimensions[get_column_letter(j)].width or 8.43
                for j in range(1, columns + 1))
    lines = len(textwrap.wrap(text, max(20, int(width * 1.05) - 2)))
    ws.row_dimensions[row].height = 14 * lines + 4


def widths(ws: Worksheet, values: list[float]) -> None:
    for j, width in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def fit_heights(ws: Worksheet, rows) -> None:
    """Give rows with wrapped text the height it needs: neither Excel nor LibreOffice sizes
    rows of a file they open."""
    for r in rows:
        lines = 1
        for cell in ws[r]:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                per_line = max(4, int(width * (1.05 if cell.font.b else 1.15)) - 1)
                lines = max(lines, sum(max(1, len(textwrap.wrap(part, per_line)))
                                       for part in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines + 2


def page(ws: Worksheet, landscape: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "Page &P of &N"


def notes(ws: Worksheet, row: int, lines: list[str]) -> None:
    """Lines ending in ':' are headings; the others are wrapped paragraphs."""
    ws.column_dimensions["A"].width = NOTES_WIDTH
    for line in lines:
        heading_line = line.endswith(":")
        put(ws, row, 1, line, box=False, wrap=not heading_line, bold=heading_line,
            colour=NAVY if heading_line else None)
        fit_heights(ws, [row])
        row += 1


# ---- charts ------------------------------------------------------------------------------

def styled(chart, name: str, y_title: str, x_title: str | None = None, y_fmt: str | None = None):
    chart.title = name
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.width, chart.height = CHART_W, CHART_H
    chart.legend.position = "b"
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl hides axes unless told
    if y_fmt:
        chart.y_axis.number_format = y_fmt
        chart.y_axis.numFmt.sourceLinked = False
    return chart


def nice_range(values, step: float = 10, low: float = 0, high: float = 100):
    """Axis limits around the values, in whole steps, so that differences show."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return (max(low, math.floor(min(values) / step) * step - step),
            min(high, math.ceil(max(values) / step) * step + step))


# ---- files -------------------------------------------------------------------------------

def save_reproducibly(wb: Workbook, path: Path, day: dt.date) -> None:
    """Save so that the same workbook gives the same bytes. openpyxl's save stamps the clock
    into the document's modified date and into every zip entry: here the document's dates are
    the day its sheets print and the entries carry the zip epoch, as XlsxWriter's do."""
    wb.properties.created = wb.properties.modified = dt.datetime.combine(day, dt.time())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # openpyxl's save without its clock
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, ZIP_EPOCH)
            entry.compress_type, entry.external_attr = item.compress_type, item.external_attr
            target.writestr(entry, source.read(item))


def csv_value(value):
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return "" if value is None else safe_text(value)
