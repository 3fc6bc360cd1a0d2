"""The CSV files the tool writes and reads back (plan.csv, upgrades.csv, changes.csv,
history.csv): one format for all of them, and one way to report a file that is not in it.

Written as UTF-8 without a byte order mark, "\\n" line endings, quoting only where a cell needs
it; read with or without the mark, since a spreadsheet app that saves the file again may add
one. Making cell text formula-safe is the caller's job (`export.safe.safe_text`): only the
caller knows which values came from inputs, and this module sits below every layer that uses it.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from rollout.errors import Problems


def read_csv(path: Path, required: list[str], problems: Problems, not_found: str | None
             ) -> list[dict] | None:
    """The rows of a CSV file, keyed by its header; None, with the reason added to problems,
    when the file is absent, is not text or lacks a required column. `not_found` is the
    message for an absent file; None means the caller has already made sure it exists."""
    if not_found is not None and not path.exists():
        problems.add(path, not_found)
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            for column in missing:
                problems.add(path, f"required column '{column}' is missing", row=1)
            return None if missing else list(reader)
    except UnicodeDecodeError:
        problems.add(path, "is not a CSV text file")
        return None


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[str]]) -> None:
    """Write the header, then each row's cells in the header's order."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
