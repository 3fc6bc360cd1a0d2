"""decisions.xlsx in the district folder (optional): the planner's own decisions, made in the
planning studio (`rollout studio`, Save) or typed in Excel, honoured by `rollout plan` and
`rollout check` as hard rules (the district's decisions of `domain.Decisions`).

Sheet `Decisions`: `school_id`, `school_name`, `decision` (pin or keep_out), `cohort` (number
or name), `reason`, `decided_on`. A pin places the school in the cohort; a keep-out keeps it out
of that cohort (one row per cohort kept out of). Every problem is reported with its row and
column.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rollout.domain import Decisions, District, KeepOut, Pin
from rollout.errors import Problems
from rollout.intake.tables import as_text, open_workbook, read_table

DECISIONS_FILE = "decisions.xlsx"
DECISIONS_SHEET = "Decisions"
DECISION_COLUMNS = ["school_id", "school_name", "decision", "cohort", "reason", "decided_on"]
REQUIRED_COLUMNS = ["school_id", "decision", "cohort", "reason"]
PIN, KEEP_OUT = "pin", "keep_out"
# Who decided, as every output says it: "placed in Group 2 by a district decision: <reason>".
BY_THE_DISTRICT = "a district decision"


@dataclass(frozen=True)
class DecisionRow:
    """One row of the Decisions sheet."""

    school_id: str
    school_name: str
    decision: str   # pin | keep_out
    cohort: int     # 1-based
    reason: str
    decided_on: str = ""  # ISO date (yyyy-mm-dd) when known


def read_decisions_file(district_dir: Path, district: District, cohort_names: list[str],
                        problems: Problems) -> list[DecisionRow]:
    """The rows of district_dir/decisions.xlsx ([] when there is no such file)."""
    path = Path(district_dir) / DECISIONS_FILE
    if not path.exists():
        return []
    workbook = open_workbook(path, problems)
    if workbook is None:
        return []
    table = read_table(workbook, str(path), DECISIONS_SHEET, problems)
    if table is None or not table.require_columns(REQUIRED_COLUMNS, problems):
        return []
    ids = table.parse("school_id", known_school(district), problems)
    kinds = table.parse("decision", decision_kind, problems)
    cohorts = table.parse("cohort", cohort_of(cohort_names), problems)
    reasons = table.parse("reason", as_text, problems)
    names = table.parse("school_name", as_text, problems, required=False)
    dates = table.parse("decided_on", date_text, problems, required=False)
    rows = [DecisionRow(*values) for values in zip(ids, names, kinds, cohorts, reasons, dates)
            if None not in (values[0], values[2], values[3], values[4])]
    rows = [DecisionRow(r.school_id, r.school_name or "", r.decision, r.cohort, r.reason,
                        r.decided_on or "") for r in rows]
    report_conflicts(table, rows, ids, problems)
    return rows


def known_school(district: District):
    ids = set(district.school_by_id)

    def convert(value) -> str:
        text = as_text(value)
        if text not in ids:
            raise ValueError("expected a school_id of the Schools sheet of district.xlsx")
        return text
    return convert


def decision_kind(value) -> str:
    text = as_text(value).strip().lower().replace(" ", "_").replace("-", "_")
    if text not in (PIN, KEEP_OUT):
        raise ValueError("expected pin or keep_out")
    return text


def cohort_of(names: list[str]):
    lowered = [n.lower() for n in names]

    def convert(value) -> int:
        text = as_text(value).strip()
        if text.isdigit() and 1 <= int(text) <= len(names):
            return int(text)
        if text.lower() in lowered:
            return lowered.index(text.lower()) + 1
        raise ValueError(f"expected a cohort number 1-{len(names)} or a cohort name from "
                         "settings.yaml")
    return convert


def date_text(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return as_text(value).strip()


def report_conflicts(table, rows: list[DecisionRow], ids: list, problems: Problems) -> None:
    """Two pins for one school, or a school pinned to a cohort it is also kept out of."""
    row_of = {}
    for sid, excel_row in zip(ids, table.row_numbers):
        row_of.setdefault(sid, []).append(excel_row)
    by_school: dict[str, list[DecisionRow]] = {}
    for row in rows:
        by_school.setdefault(row.school_id, []).append(row)
    for sid in sorted(by_school):
        pins = {r.cohort for r in by_school[sid] if r.decision == PIN}
        kept = {r.cohort for r in by_school[sid] if r.decision == KEEP_OUT}
        where = row_of[sid][-1]
        if len(pins) > 1:
            problems.add(table.file, f"{sid} is pinned to more than one cohort (rows "
                         f"{', '.join(map(str, row_of[sid]))}); keep one pin", table.sheet,
                         where, table.column_label(table.column_index("school_id")))
        if pins & kept:
            problems.add(table.file, f"{sid} is pinned to a cohort it is also kept out of",
                         table.sheet, where, table.column_label(table.column_index("cohort")))


def district_decisions(rows: list[DecisionRow]) -> Decisions:
    """The rows as the district's decisions of the plan (hard rules; `by` says who decided)."""
    pins = sorted((r for r in rows if r.decision == PIN), key=lambda r: r.school_id)
    kept: dict[str, list[DecisionRow]] = {}
    for r in rows:
        if r.decision == KEEP_OUT:
            kept.setdefault(r.school_id, []).append(r)
    return Decisions(
        tuple(Pin(r.school_id, r.cohort, f"{BY_THE_DISTRICT}: {r.reason}", r.reason)
              for r in pins),
        tuple(KeepOut(sid, tuple(sorted({r.cohort for r in kept[sid]})),
                      f"{BY_THE_DISTRICT}: {'; '.join(dict.fromkeys(r.reason for r in kept[sid]))}",
                      "; ".join(dict.fromkeys(r.reason for r in kept[sid])))
              for sid in sorted(kept)))
