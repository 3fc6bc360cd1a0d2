"""Terms as people type them: "Spring 2028", "2028 spring" or "2028 Sprng" for the Terms sheet's
"2028 Spring". The Terms sheet sets how a district writes its terms; a Terms row written
otherwise, or out of time order, is an error on that row, and a term elsewhere that only
differs in how it is written gets "did you mean ...?".

Terms that are not a year and a season (e.g. "T1", "Semester 1") are taken as they are.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from rollout.errors import Problems
from rollout.intake.tables import Table, as_text

# Order of the seasons within a calendar year (a winter term is its year's first).
SEASON_ORDER = {"Winter": 0, "Spring": 1, "Summer": 2, "Fall": 3, "Autumn": 3}
SEASON_MATCH_CUTOFF = 75  # rapidfuzz ratio: "Sprng" and "Fal" are seasons, "Term" is not
YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class TermName:
    year: int
    season: str
    year_first: bool

    def written(self, year_first: bool) -> str:
        return f"{self.year} {self.season}" if year_first else f"{self.season} {self.year}"

    def order(self) -> tuple[int, int]:
        return self.year, SEASON_ORDER[self.season]


def read_term_name(text: str) -> TermName | None:
    """A year and a season in either order, any case, a season misspelt a little."""
    words = [w for w in re.split(r"[\s,_/\-]+", str(text).strip()) if w]
    if len(words) != 2:
        return None
    year_first = bool(YEAR.match(words[0]))
    year, season = (words[0], words[1]) if year_first else (words[1], words[0])
    if not YEAR.match(year):
        return None
    match = process.extractOne(season.lower(), {s: s.lower() for s in SEASON_ORDER},
                               scorer=fuzz.ratio, score_cutoff=SEASON_MATCH_CUTOFF)
    return TermName(int(year), match[2], year_first) if match else None


@dataclass
class TermsSheet:
    """The Terms sheet's labels and how the district writes them; its own problems and the
    uses elsewhere of a term its malformed rows meant are reported by `report`."""

    table: Table
    labels: list[str | None]
    year_first: bool | None = None  # None: the terms are not years and seasons
    malformed: dict[str, tuple[int, str]] = field(default_factory=dict)  # meant -> (row, text)
    uses: dict[str, list[str]] = field(default_factory=dict)  # meant -> ["Capacity plan row 3"]

    def __post_init__(self):
        names = [read_term_name(label) if label else None for label in self.labels]
        styles = Counter(n.year_first for n, label in zip(names, self.labels)
                         if n and n.written(n.year_first) == label)
        if styles:
            self.year_first = styles.most_common(1)[0][0]
        self.names = names

    def meant(self, text: str) -> str | None:
        """How `text` is written in this district's style, when it reads as a year and season."""
        name = read_term_name(text)
        return name.written(self.year_first) if name and self.year_first is not None else None

    def check(self, problems: Problems) -> None:
        """Each row written like the others; every row after the one before in time."""
        index = self.table.column_index("term")
        column = self.table.column_label(index) if index is not None else "term"
        for label, row in zip(self.labels, self.table.row_numbers):
            meant = self.meant(label) if label else None
            if meant and meant != label:
                self.malformed[meant] = (row, label)
        if self.year_first is None or any(n is None for n in self.names):
            return
        previous = None
        for name, label, row in zip(self.names, self.labels, self.table.row_numbers):
            if previous and name.order() <= previous[0].order() and label != previous[1]:
                problems.add(self.table.file, f"'{label}' comes after '{previous[1]}' (row "
                             f"{previous[2]}) but is not later: list the terms in time order",
                             self.table.sheet, row, column)
            previous = (name, label, row)

    def converter(self, term_index: dict[str, int]):
        """A cell converter for a term in another sheet: the term, "did you mean ...?" for one
        written otherwise, and None (no problem here) for a term a malformed Terms row meant."""
        def convert(value) -> str | None:
            text = as_text(value)
            if text in term_index:
                return text
            meant = self.meant(text)
            if meant in self.malformed:
                return None
            if meant in term_index:
                raise ValueError(f"'{text}' is not a term of the Terms sheet: did you mean "
                                 f"{meant}?")
            raise ValueError(f"expected a term of the Terms sheet ({shown(term_index)})")
        return convert

    def note_uses(self, table: Table | None, column: str = "term") -> None:
        """Where another sheet names a term that a malformed Terms row meant."""
        if table is None:
            return
        for value, row in zip(table.values(column), table.row_numbers):
            meant = self.meant(as_text(value)) if value is not None else None
            if meant in self.malformed and as_text(value) != self.malformed[meant][1]:
                self.uses.setdefault(meant, []).append(f"{table.sheet} row {row}")

    def report(self, problems: Problems) -> None:
        """One problem per malformed Terms row, with the rows elsewhere that name its term."""
        index = self.table.column_index("term")
        column = self.table.column_label(index) if index is not None else "term"
        for meant, (row, label) in self.malformed.items():
            uses = self.uses.get(meant, [])
            used = f"; {', '.join(uses)} name{'s' if len(uses) == 1 else ''} '{meant}'" \
                if uses else ""
            problems.add(self.table.file, f"'{label}' is not written like the other terms: "
                         f"did you mean {meant}?{used}", self.table.sheet, row, column)


def shown(term_index: dict[str, int], most: int = 6) -> str:
    labels = list(term_index)
    return ", ".join(labels[:most]) + (", ..." if len(labels) > most else "")


def suggest_term(text: str, labels: list[str]) -> str | None:
    """The term of `labels` that `text` means when it is only written otherwise."""
    name = read_term_name(text)
    if name is None:
        return None
    for label in labels:
        other = read_term_name(label)
        if other and other.order() == name.order():  # Autumn is Fall
            return label
    return None
