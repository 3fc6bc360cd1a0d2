"""Shared look of our workbooks (XlsxWriter): formats, titles, tables, widths, print set-up.

Every cell goes through `Sheet.put`, which writes text with `write_string` after `safe_text`:
text from the inputs can never become a formula, whatever it starts with.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from rollout.safe import header_text, safe_text

NAVY = "#1F3864"
GREY_TEXT = "#595959"
BORDER_GREY = "#BFBFBF"
LINK_BLUE = "#0563C1"
COHORT_COLOURS = ["#2E75B6", "#70AD47", "#ED7D31", "#7030A0", "#C00000", "#00B0F0",
                  "#BF8F00", "#548235", "#843C0C", "#FF66CC"]
SERIES_COLOURS = ["#1F3864", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47"]
GOOD, MIDDLE, BAD = "#63BE7B", "#FFEB84", "#F8696B"
ONE_DECIMAL, TWO_DECIMALS, PCT, THOUSANDS = "0.0", "0.00", "0%", "#,##0"
FONT = "Calibri"
CHAR_PX = 7  # pixels per character of column width in Calibri 11


def cohort_colour(number: int) -> str:
    return COHORT_COLOURS[(number - 1) % len(COHORT_COLOURS)]


@dataclass
class Column:
    """One column of a table: its header, number format, width rule and wrapping."""

    header: str
    num_format: str | None = None
    width: float | None = None  # fixed width; None = fit the content
    max_width: float = 40
    wrap: bool = False
    align: str | None = None  # "left" keeps mixed numbers and text in one line


class Book:
    """An XlsxWriter workbook with a cache of formats (each distinct format is made once)."""

    def __init__(self, path: Path, title: str, subject: str, prepared: str):
        self.path = Path(path)
        self.buffer = io.BytesIO()
        self.has_file_links = False
        # Strings are never read as formulas, numbers or links, whatever they start with.
        self.wb = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "nan_inf_to_errors": False})
        self.wb.set_properties({"title": safe_text(title)[:250], "subject": safe_text(subject),
                                "author": "rollout", "comments": "Written by rollout",
                                "created": document_date(prepared)})
        self.wb.formats[0].set_font_name(FONT)
        self._formats: dict[tuple, object] = {}

    def fmt(self, **props):
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format({"font_name": FONT, **props})
        return self._formats[key]

    def sheet(self, name: str, tab_colour: str | None = None) -> "Sheet":
        ws = self.wb.add_worksheet(name)
        if tab_colour:
            ws.set_tab_color(tab_colour)
        return Sheet(self, ws)

    def close(self) -> None:
        self.wb.close()
        data = self.buffer.getvalue()
        if self.has_file_links:
            data = forward_slash_links(data)
        self.path.write_bytes(data)


def document_date(prepared: str) -> dt.datetime:
    """The workbook's created (and modified) date: midnight UTC of the day the plan was
    prepared, the date its sheets print. XlsxWriter would stamp the clock's time, and the same
    inputs must give the same bytes (its zip entries already carry a fixed time)."""
    return dt.datetime.combine(dt.date.fromisoformat(prepared), dt.time(), dt.timezone.utc)


def forward_slash_links(data: bytes) -> bytes:
    """XlsxWriter writes relative file links with Windows backslashes ('schools\\x.xlsx');
    a relationship target is a URI, and LibreOffice, Excel for Mac and Linux need '/'."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename.endswith(".rels") and b"hyperlink" in part:
                part = RELATIVE_TARGET.sub(lambda m: m.group(0).replace(b"\\", b"/"), part)
            target.writestr(item, part)
    return out.getvalue()


RELATIVE_TARGET = re.compile(rb'Target="(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^"]*"')


class Sheet:
    def __init__(self, book: Book, ws):
        self.book, self.ws = book, ws
        self.widths: dict[int, float] = {}

    # ----- cells ------------------------------------------------------------------------
    def put(self, row: int, col: int, value, fmt=None) -> None:
        """Write one value by type; text is made formula-safe and written as text only."""
        ws = self.ws
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_string(row, col, "yes" if value else "no", fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, safe_text(str(value)), fmt)

    def link(self, row: int, col: int, target: str, text: str) -> None:
        """A link to a file beside this workbook; `target` is a file-safe relative path."""
        self.book.has_file_links = True
        self.ws.write_url(row, col, f"external:{target}", self.book.fmt(
            font_color=LINK_BLUE, underline=1, border=1, border_color=BORDER_GREY,
            valign="top"),
            string=safe_text(text))

    def title(self, text: str, subtitle: str | None = None, width_cols: int = 8) -> int:
        """Title in row 0, subtitle in row 1; returns the next free row (leaves one blank)."""
        self.put(0, 0, text, self.book.fmt(bold=True, font_size=16, font_color=NAVY))
        self.ws.set_row(0, 24)
        if subtitle:
            self.put(1, 0, subtitle, self.book.fmt(italic=True, font_size=10,
                                                   font_color=GREY_TEXT))
        return 3 if subtitle else 2

    def paragraph(self, row: int, col: int, text: str, width: float, fmt) -> None:
        """Wrapped text in one cell, its row as tall as the text needs."""
        self.put(row, col, text, fmt)
        self.ws.set_row(row, 15 * lines(text, width) + 3)

    def heading(self, row: int, text: str) -> None:
        self.put(row, 0, text, self.book.fmt(bold=True, font_size=12, font_color=NAVY))
        self.ws.set_row(row, 18)

    def width(self, col: int, width: float) -> None:
        """Set a column width, never narrowing what an earlier table on the sheet needed."""
        self.widths[col] = max(width, self.widths.get(col, 0))
        self.ws.set_column(col, col, self.widths[col])

    # ----- tables -----------------------------------------------------------------------
    def table(self, top: int, columns: list[Column], rows: list[list], name: str | None = None,
              left: int = 0, fit: bool = True) -> tuple[int, int]:
        """Header row at `top`, then the rows. With `name`, an Excel table with filter buttons.
        Rows holding wrapped text get the height it needs (neither Excel nor LibreOffice
        sizes them when opening a file). Returns (first data row, last data row)."""
        book = self.book
        if fit:
            self.fit(columns, rows, left)
        widths = [self.widths.get(left + j, 8.43) for j in range(len(columns))]
        header = book.fmt(bold=True, font_color="#FFFFFF", bg_color=NAVY, text_wrap=True,
                          valign="vcenter", border=1, border_color=BORDER_GREY)
        formats = [book.fmt(border=1, border_color=BORDER_GREY, valign="top",
                            **({"num_format": c.num_format} if c.num_format else {}),
                            **({"text_wrap": True} if c.wrap else {}),
                            **({"align": c.align} if c.align else {})) for c in columns]
        headers = unique_headers([c.header for c in columns])
        for j, text in enumerate(headers):
            self.put(top, left + j, text, header)
        header_lines = max(lines(c.header, w) for c, w in zip(columns, widths))
        if header_lines > 1:
            self.ws.set_row(top, 15 * header_lines + 2)
        wrapped = [j for j, c in enumerate(columns) if c.wrap]
        for i, values in enumerate(rows, start=top + 1):
            for j, value in enumerate(values):
                self.put(i, left + j, value, formats[j])
            height = max((lines(str(values[j] or ""), widths[j]) for j in wrapped), default=1)
            if height > 1:
                self.ws.set_row(i, 15 * height + 2)
        last = top + max(1, len(rows))
        if not rows:
            for j in range(len(columns)):
                self.put(top + 1, left + j, "none" if j == 0 else None, formats[j])
        if name:
            self.ws.add_table(top, left, last, left + len(columns) - 1, {
                "name": name, "style": "Table Style Light 1", "autofilter": True,
                "columns": [{"header": safe_text(h), "header_format": header, "format": f}
                            for h, f in zip(headers, formats)]})
        return top + 1, last

    def fit(self, columns: list[Column], rows: list[list], left: int = 0) -> None:
        for j, column in enumerate(columns):
            if column.width is not None:
                width = column.width
            else:
                longest = max([longest_word(column.header) + 2, len(column.header) / 2 + 2]
                              + [text_width(r[j], column.num_format) + 2 for r in rows[:2000]])
                width = min(column.max_width, max(7.0, longest))
            self.width(left + j, width)

    # ----- printing ---------------------------------------------------------------------
    def print_setup(self, header: str, date: str, repeat_rows: tuple[int, int] | None = None,
                    landscape: bool = True, one_page: bool = False) -> None:
        ws = self.ws
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(1)  # Letter; A4 users print with "fit to page" unharmed
        ws.fit_to_pages(1, 1 if one_page else 0)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.set_header(f'&L&"{FONT},Bold"{header_text(header)}&R{header_text(date)}',
                      {"margin": 0.3})
        ws.set_footer("&LPrinted &D&RPage &P of &N", {"margin": 0.3})
        if repeat_rows:
            ws.repeat_rows(*repeat_rows)


def unique_headers(headers: list[str]) -> list[str]:
    """Excel repairs a table whose column names repeat (ignoring case), as they could when
    region names from the district file meet our own headers."""
    seen: set[str] = set()
    out = []
    for header in headers:
        text, n = header.strip() or "Column", 1
        while text.lower() in seen:
            n += 1
            text = f"{header.strip() or 'Column'} ({n})"
        seen.add(text.lower())
        out.append(text)
    return out


def lines(text: str, width: float) -> int:
    """Lines a text wraps to in a column `width` characters wide (greedy word wrap with a
    slightly pessimistic line length, so that no line is cut off in Excel or LibreOffice)."""
    per_line = max(1, int(width * 1.1 - 1))
    count = 0
    for part in text.split("\n"):
        used, length = 1, 0
        for word in part.split():
            if length and length + 1 + len(word) > per_line:
                used, length = used + 1, 0
            used += (length + len(word) - 1) // per_line  # a word longer than a line breaks
            length = (length + len(word)) % per_line + (1 if length else 0)
        count += used
    return max(1, count)


def text_width(value, num_format: str | None) -> float:
    if value is None:
        return 0
    if isinstance(value, float) and num_format in (PCT,):
        return len(f"{value:.0%}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return len(f"{value:,.2f}") if num_format == TWO_DECIMALS else len(f"{value:,.1f}")
    return len(str(value)) * 1.05


def longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)

