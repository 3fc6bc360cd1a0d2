"""Write decisions.xlsx (the planning studio's Save, #25): the planner's pins and keep-outs in
the district folder, read back by `intake.decisions` for `rollout plan` and `rollout check`.
The district's own district.xlsx is never rewritten."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from rollout.intake.decisions import (
    DECISION_COLUMNS,
    DECISIONS_FILE,
    DECISIONS_SHEET,
    DecisionRow,
)
from rollout.outputs.atomic import write_atomically
from rollout.safe import safe_text

WIDTHS = {"school_id": 12, "school_name": 34, "decision": 10, "cohort": 8, "reason": 60,
          "decided_on": 12}


def write_decisions_file(district_dir: Path, rows: list[DecisionRow]) -> Path:
    """decisions.xlsx in the district folder, one row per decision (by school, then cohort),
    written all at once (a failure leaves the earlier file as it was)."""
    ordered = sorted(rows, key=lambda r: (r.school_id, r.decision, r.cohort))
    write_atomically(Path(district_dir), {DECISIONS_FILE: lambda path: write_rows(path, ordered)})
    return Path(district_dir) / DECISIONS_FILE


def write_rows(path: Path, rows: list[DecisionRow]) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                               "strings_to_urls": False})
    sheet = workbook.add_worksheet(DECISIONS_SHEET)
    bold = workbook.add_format({"bold": True})
    for col, name in enumerate(DECISION_COLUMNS):
        sheet.write_string(0, col, name, bold)
        sheet.set_column(col, col, WIDTHS[name])
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate([row.school_id, row.school_name, row.decision, row.cohort,
                                     row.reason, row.decided_on]):
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, safe_text(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
