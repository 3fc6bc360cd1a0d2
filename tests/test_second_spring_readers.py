"""What principals, a Spanish-reading parent and a board member read in the sample's second
spring (issue 24, second round): every sentence true, every count the same everywhere."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.test_principal import before_launch_lines, first_page_facts


def plan_rows(folder: Path) -> dict[str, dict]:
    with (folder / "plan.csv").open(encoding="utf-8") as f:
        return {r["school_id"]: r for r in csv.DictReader(f)}


def test_every_launched_school_is_told_it_has_launched(sample_outputs):
    _, second = sample_outputs
    rows = plan_rows(second)
    launched = [sid for sid, r in rows.items() if r["actual_launch_term"]]
    assert "ES093" in launched and rows["ES093"]["status"] == "paused"
    assert "ES040" in launched and len(launched) >= 20
    for sid in launched:
        lines = before_launch_lines(second / "schools" / f"{sid}.xlsx")
        assert lines[0].startswith("Your school has launched"), (sid, lines)
        assert not any("more device" in line or "before launch reach" in line
                       or "Technology support" in line for line in lines), (sid, lines)


def test_a_busy_link_is_named_from_the_first_term_it_is_that_full(sample_outputs):
    _, second = sample_outputs
    lines = before_launch_lines(second / "schools" / "ES064.xlsx")
    busy = [line for line in lines if "% used" in line]
    assert len(busy) == 1, lines
    assert "more than 90% used from 2028 Spring on, up to 93% (928 of 1,000 Mbps)" in busy[0], busy
