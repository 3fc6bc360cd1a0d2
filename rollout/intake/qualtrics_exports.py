"""Qualtrics exports ("Download data table", CSV or Excel): three header rows, then one row
per response. Row 1 holds column ids (Qualtrics' own columns such as StartDate, Progress,
Finished, RecordedDate, ResponseId, RecipientEmail, then Q1, Q2_1 ...), row 2 the question
texts (a matrix statement as 'Matrix title - statement'), row 3 import ids such as
{"ImportId":"QID1"}.

Read as a form export whose header is row 2's texts (row 1's ids for Qualtrics' own columns,
which the identity and timestamp columns know), row 3 skipped; responses not finished are left
out with a note, as Qualtrics itself records them as incomplete.
"""
from __future__ import annotations

import re

from rollout.errors import LEFT_OUT, Note, Problems
from rollout.intake.blocks import place
from rollout.intake.form_exports import ROLE_HEADERS, form_sheet
from rollout.intake.rubric import Rubric
from rollout.intake.tables import is_blank, normalise_header

# Qualtrics' own columns (row 1 ids, as normalise_header gives them): their row 2 text is only
# a label ("Response ID", "Recorded Date"), so the id is kept as the header.
OWN_COLUMNS = ("startdate", "enddate", "status", "ipaddress", "progress",
               "duration (in seconds)", "finished", "recordeddate", "responseid",
               "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
               "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage")
IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"', re.IGNORECASE)
HEADER_ROWS = 3


def is_qualtrics(cells: list[list]) -> bool:
    """Row 1 has a ResponseId column and row 3 holds import ids."""
    if len(cells) < HEADER_ROWS:
        return False
    ids = [normalise_header(v) for v in cells[0]]
    return "responseid" in ids and any(IMPORT_ID.match(str(v or "")) for v in cells[2])


def qualtrics_sheet(cells, file: str, sheet: str | None, rubric: Rubric, problems: Problems,
                    notes: list[str], schools: frozenset[str] = frozenset()):
    """Blocks of one Qualtrics export sheet (see the module's docstring)."""
    ids = [normalise_header(v) for v in cells[0]]
    header = [cells[0][c] if ids[c] in OWN_COLUMNS or is_blank(text) else text
              for c, text in enumerate(cells[1])]
    body = [list(row) for row in cells[HEADER_ROWS:]]
    if numeric_export(header, body, file, sheet, problems):
        return
    unfinished = [HEADER_ROWS + 1 + i for i, row in enumerate(body) if not finished(row, ids)]
    for row_number in unfinished:  # a blank row is skipped without a word by the form reader
        body[row_number - HEADER_ROWS - 1] = [None] * len(header)
    if unfinished:
        notes.append(Note(f"{place(file, sheet)}: {len(unfinished)} unfinished Qualtrics "
                          f"response{'s' if len(unfinished) != 1 else ''} (Finished 0 or "
                          f"Progress below 100) left out: row(s) "
                          f"{', '.join(map(str, unfinished))}", LEFT_OUT))
    sheet_cells = [cells[0], cells[1], header, *body]  # row 3 (import ids) becomes the header
    yield from form_sheet(sheet_cells, HEADER_ROWS - 1, file, sheet, rubric, problems, notes,
                          kind="Qualtrics export", header_rows=HEADER_ROWS, schools=schools)


def finished(row: list, ids: list[str]) -> bool:
    """False for a response Qualtrics marks unfinished (Finished 0/False, Progress < 100)."""
    def cell(name: str):
        return row[ids.index(name)] if name in ids and ids.index(name) < len(row) else None

    done, progress = cell("finished"), cell("progress")
    if not is_blank(done) and str(done).strip().lower() in {"0", "0.0", "false"}:
        return False
    try:
        return is_blank(progress) or float(progress) >= 100
    except (TypeError, ValueError):
        return True


def numeric_export(header, body, file, sheet, problems: Problems) -> bool:
    """An export of numeric values: every answer, the role too, is a choice's position, which
    depends on how the survey was built, so nothing in it is guessed. One error for the sheet,
    leading with the fix (#24 item 13), instead of an error per role and per school."""
    names = [normalise_header(h) for h in header]
    column = next((names.index(n) for n in ROLE_HEADERS if n in names), None)
    if column is None:  # a question of its own, such as 'What is your role?'
        column = next((c for c, n in enumerate(names) if re.search(r"\brole\b", n)), None)
    if column is None:
        return False
    values = [row[column] for row in body if column < len(row) and not is_blank(row[column])]
    if not values or not all(str(v).strip().replace(".", "", 1).isdigit() for v in values):
        return False
    found = ", ".join(sorted({str(v).strip().removesuffix(".0") for v in values}, key=float)[:5])
    problems.add(file, "download it again with 'Use choice text' (in Qualtrics: Data & "
                 "Analysis, Export & Import, Export data): this is an export of numeric "
                 f"values, whose role column {header[column]!r} holds choice numbers ({found}) "
                 "instead of principal, teacher or technology", sheet)
    return True
