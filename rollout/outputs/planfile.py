"""plan.csv (one row per school, sorted by school_id; read back for `check`), upgrades.csv,
changes.csv and history.csv."""
from __future__ import annotations

from pathlib import Path

from rollout.csvfiles import read_csv, write_csv
from rollout.errors import Problems
from rollout.outputs.results import EXTRA_COLUMNS, PLAN_COLUMNS, Results
from rollout.replan import CHANGE_COLUMNS, HISTORY_COLUMNS
from rollout.safe import restore_id, restore_text, safe_text


def write_plan_csv(results: Results, path: Path) -> None:
    columns = PLAN_COLUMNS + EXTRA_COLUMNS
    write_csv(path, columns, ([format_cell(row[c]) for c in columns]
                              for row in sorted(results.rows, key=lambda r: r["school_id"])))


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
    rows = []
    for upgrade_id, term in sorted(results.plan.upgrades.items()):
        upgrade = facts.district.upgrade_by_id[upgrade_id]
        rows.append([safe_text(upgrade_id), safe_text(upgrade.link),
                     safe_text(facts.term_label(term)),
                     f"{upgrade.cost:.0f}"])
    write_csv(path, UPGRADE_COLUMNS, rows)


def read_upgrades_csv(path: Path, term_index: dict[str, int], problems: Problems
                      ) -> dict[str, int]:
    """upgrade id -> completion term index; an absent file means no upgrades were chosen."""
    if not path.exists():
        return {}
    chosen: dict[str, int] = {}
    for number, record in enumerate(read_csv(path, [], problems, None) or [], start=2):
        term = restore_text(record.get("complete_term"))
        if term not in term_index:
            problems.add(path, f"complete_term must be a term of the Terms sheet (found "
                         f"{term!r})", row=number, column="complete_term")
            continue
        chosen[restore_id(record.get("upgrade"))] = term_index[term]
    return chosen


def read_plan_csv(path: Path, problems: Problems) -> dict[str, int]:
    """school_id -> cohort number, as written by `rollout plan`."""
    cohort_of: dict[str, int] = {}
    rows = read_csv(path, ["school_id", "cohort"], problems, "plan file not found") or []
    for number, record in enumerate(rows, start=2):
        sid = restore_id(record["school_id"])
        try:
            cohort_of[sid] = int(record["cohort"])
        except (TypeError, ValueError):
            problems.add(path, f"cohort must be a whole number (found {record['cohort']!r})",
                         row=number, column="cohort")
    return cohort_of


def write_changes_csv(changes: list[dict], path: Path) -> None:
    write_csv(path, CHANGE_COLUMNS,
              ([safe_text(str(row[c])) for c in CHANGE_COLUMNS] for row in changes))


def write_history_csv(rows: list[dict], path: Path) -> None:
    seasons = list(dict.fromkeys(r["season"] for r in rows))  # in the order they came
    ordered = sorted(rows, key=lambda r: (seasons.index(r["season"]), r["school_id"]))
    write_csv(path, HISTORY_COLUMNS,
              ([safe_text(str(row[c])) for c in HISTORY_COLUMNS] for row in ordered))
