"""What district.xlsx holds, sheet by sheet and column by column: names, units, one line of help,
which dropdown a column gets, and the marks of the help row and of example rows. The reader
(`intake/district.py`) and the writer of the blank workbook (`outputs/district_template.py`,
`rollout init` and `rollout template --kind district`) both take them from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The row right under the headers may hold one line of help per column; the reader skips it.
HELP_MARK = "Help:"
# Example rows start with this in their first cell; the reader refuses them if left in.
EXAMPLE_MARK = "EXAMPLE"

# Dropdown kinds a column can get (see outputs/district_template.py for the lists).
LEVELS_LIST, SCHOOL_IDS, TERMS, STATUSES, COHORTS, NODES, YES_NO = (
    "levels", "school ids", "terms", "statuses", "cohorts", "nodes", "yes/no")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    help: str              # units first, then what it means, in one line
    required: bool = True
    dropdown: str | None = None
    percent: bool = False  # 0-100, the cell formatted as percent in the blank workbook
    width: float = 14


@dataclass(frozen=True)
class SheetSpec:
    name: str
    purpose: str
    columns: tuple[ColumnSpec, ...]
    required: bool = True
    examples: tuple[tuple[Any, ...], ...] = ()

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


C = ColumnSpec
SCHOOLS = SheetSpec("Schools", "One row per school.", (
    C("school_id", "Text, unique: the school's own code (e.g. E01, or its NCES id).", width=14),
    C("school_name", "Text: the school's name as people write it.", width=30),
    C("level", "ES, MS, HS or Other (a K-8 or 6-12 school: Other).", dropdown=LEVELS_LIST,
      width=9),
    C("region", "Text: the district's region or area (used to balance cohorts)."),
    C("feeder", "Text: the feeder pattern, named after its high school."),
    C("students", "Count: students enrolled (headcount)."),
    C("teachers", "Count: classroom teachers as people (headcount, not FTE); coaches "
      "guide people."),
    C("devices", "Count: devices students use (laptops, Chromebooks, tablets); not staff "
      "computers."),
    C("frl_pct", "Percent 0-100: students eligible for free or reduced-price lunch.",
      percent=True),
    C("proficiency_pct", "Percent 0-100: students proficient on the state test.", percent=True),
    C("network_node", "A node of the Network sheet: where the school's own link connects.",
      dropdown=NODES),
    C("link_mbps", "Mbps: capacity of the school's own link to its network node."),
    C("tech_staff", "FTE, optional: technology specialists supporting the school's devices "
      "(the rubric asks for 1 per 500 devices).", required=False),
), examples=(
    ("EXAMPLE-E01", "Oak Elementary School", "ES", "North", "Ridge HS", 450, 28, 150, 0.62,
     0.48, "EXAMPLE-HUB", 500, 1),
))
NETWORK = SheetSpec("Network", "The network as a tree: the root (blank parent) is the "
                    "Internet connection.", (
    C("node", "Text, unique: a hub, switch or the Internet connection.", width=18),
    C("parent", "A node of this sheet the link goes up to; blank for the Internet "
      "connection.", required=False, dropdown=NODES, width=18),
    C("capacity_mbps", "Mbps: capacity of the link from this node to its parent."),
), examples=(("EXAMPLE-INTERNET", None, 10000), ("EXAMPLE-HUB", "EXAMPLE-INTERNET", 5000)))
TERMS_SHEET = SheetSpec("Terms", "The terms in time order, written alike (e.g. 2027 Fall).", (
    C("term", "Text: the term, e.g. 2027 Fall; list them in time order.", width=16),
    C("coaches_fte", "FTE: coaches available in the term."),
    C("upgrade_crews", "Count, optional: upgrades that can complete in the term.",
      required=False),
), examples=(("EXAMPLE 2027 Fall", 6, 2), ("EXAMPLE 2028 Spring", 6, 2)))
CAPACITY_PLAN = SheetSpec("Capacity plan", "Optional: network upgrades already funded.", (
    C("link", "A school_id (its own link) or a Network node.", width=18),
    C("term", "A term of the Terms sheet: from then on the link has the new capacity.",
      dropdown=TERMS, width=16),
    C("capacity_mbps", "Mbps: the link's capacity from that term on."),
), required=False)
PREFERENCES = SheetSpec("Preferences", "Optional: the cohort a school chose for itself.", (
    C("school_id", "A school_id of the Schools sheet (or the school's name).",
      dropdown=SCHOOL_IDS, width=16),
    C("preferred_cohort", "A cohort number or name from settings.yaml.", dropdown=COHORTS,
      width=16),
    C("locked", "yes = the choice is binding; blank or no = honoured where limits allow.",
      required=False, dropdown=YES_NO, width=10),
), required=False)
UPGRADES = SheetSpec("Upgrades", "Optional: possible upgrades the plan may choose.", (
    C("upgrade", "Text, unique: a name for the upgrade.", width=18),
    C("link", "A school_id (its own link) or a Network node.", width=18),
    C("new_capacity_mbps", "Mbps: the link's capacity once upgraded."),
    C("cost", "Dollars: what the upgrade costs."),
    C("lead_terms", "Terms: the earliest it can complete, counted from the first term."),
), required=False)
LAUNCHES = SheetSpec("Launches", "Optional, each spring after the first: what really "
                     "happened.", (
    C("school_id", "A school_id of the Schools sheet (or the school's name).",
      dropdown=SCHOOL_IDS, width=16),
    C("status", "launched, delayed, paused or withdrawn.", dropdown=STATUSES, width=12),
    C("term", "A term of the Terms sheet: when it launched, or from when it holds.",
      required=False, dropdown=TERMS, width=16),
    C("note", "Text for central office only (never shown to principals or the public).",
      required=False, width=40),
), required=False)

DISTRICT_SHEETS = (SCHOOLS, NETWORK, TERMS_SHEET, CAPACITY_PLAN, PREFERENCES, UPGRADES, LAUNCHES)
SHEET_BY_NAME = {s.name: s for s in DISTRICT_SHEETS}
PERCENT_COLUMNS = tuple(c.name for c in SCHOOLS.columns if c.percent)


def is_help_row(row: list[Any]) -> bool:
    return bool(row) and isinstance(row[0], str) and row[0].strip().startswith(HELP_MARK)


def is_example_row(row: list[Any]) -> bool:
    return bool(row) and isinstance(row[0], str) and row[0].strip().upper().startswith(
        EXAMPLE_MARK)


def help_text(column: ColumnSpec, first: bool) -> str:
    """The help row's text for a column; the first column's carries the mark."""
    return f"{HELP_MARK} {column.help}" if first else column.help
