"""plan.csv: the plan as one row per school, sorted by school_id; read back for `check`."""
from __future__ import annotations

import csv
from pathlib import Path

from rollout.errors import Problems
from rollout.export.safe import safe_text
from rollout.results import EXTRA_COLUMNS, PLAN_COLUMNS, Results


def write_plan_csv(results: Results, path: Path) -> None:
    columns = PLAN_COLUMNS + EXTRA_COLUMNS
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in sorted(results.rows, key=lambda r: r["school_id"]):
            writer.writerow([format_cell(row[c]) for c in columns])


def format_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"
    return safe_text(str(value))


UPGRADE_COLUMNS = ["upgrade", "link", "complete_term", "cost"]


def write_upgrades_csv(results: Results, path: Path) -> None:
    """The upgrades the plan needs, with the term each must be complete by."""
    facts = results.facts
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(UPGRADE_COLUMNS)
        for upgrade_id, term in sorted(results.plan.upgrades.items()):
            upgrade = facts.district.upgrade_by_id[upgrade_id]
            writer.writerow([safe_text(upgrade_id), safe_text(upgrade.link),
                             facts.term_label(term), f"{upgrade.cost:.0f}"])


def read_upgrades_csv(path: Path, term_index: dict[str, int], problems: Problems
                      ) -> dict[str, int]:
    """upgrade id -> completion term index; an absent file means no upgrades were chosen."""
    if not path.exists():
        return {}
    chosen: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for number, record in enumerate(reader, start=2):
            term = (record.get("complete_term") or "").strip()
            if term not in term_index:
                problems.add(path, f"complete_term must be a term of the Terms sheet (found "
                             f"{term!r})", row=number, column="complete_term")
                continue
            chosen[(record.get("upgrade") or "").strip().lstrip("'")] = term_index[term]
    return chosen


def read_plan_csv(path: Path, problems: Problems) -> dict[str, int]:
    """school_id -> cohort number, as written by `rollout plan`."""
    if not path.exists():
        problems.add(path, "plan file not found")
        return {}
    cohort_of: dict[str, int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for column in ("school_id", "cohort"):
                if column not in (reader.fieldnames or []):
                    problems.add(path, f"required column '{column}' is missing", row=1)
                    return {}
            for number, record in enumerate(reader, start=2):
                sid = (record["school_id"] or "").strip().lstrip("'")
                try:
                    cohort_of[sid] = int(record["cohort"])
                except (TypeError, ValueError):
                    problems.add(path, f"cohort must be a whole number (found "
                                 f"{record['cohort']!r})", row=number, column="cohort")
    except UnicodeDecodeError:
        problems.add(path, "is not a CSV text file")
    return cohort_of
