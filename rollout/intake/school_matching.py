"""Which district school a survey's school cell means: its school_id, or its name matched
loosely (abbreviations spelt out, then fuzzy with rapidfuzz). Fuzzy matches are noted once.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from rollout.domain import District
from rollout.errors import LEFT_OUT, NAME_MATCHED, Note, Problems
from rollout.intake.blocks import Block, also_rows, group_failures, lookup_each, place, row_list
from rollout.intake.tables import is_blank

NAME_MATCH_CUTOFF = 88  # rapidfuzz score (0-100) a school name must reach to be accepted
NAME_MATCH_MARGIN = 4   # ... and by how much it must beat the runner-up
# Below this score a name is like no school at all (e.g. Central Office): the error then says
# how to leave such respondents out.
NO_SCHOOL_BELOW = 75
NAME_ABBREVIATIONS = {"elem": "elementary", "es": "elementary", "ms": "middle", "hs": "high",
                      "mid": "middle", "sch": "school", "st": "saint"}
ABBREVIATION = re.compile(rf"\b({'|'.join(NAME_ABBREVIATIONS)})\b\.?")


class SchoolMatcher:
    """Finds the school a survey row means: by school_id ('ES001' or 'ES001 - Oak Elementary'),
    else by name with fuzzy matching. `ignore`: names that are no school (settings.yaml's
    surveys.ignore_schools, e.g. Central Office), whose respondents are left out."""

    def __init__(self, district: District, ignore: list[str] | tuple[str, ...] = (),
                 in_surveys: bool = False):
        self.ignore = {simplify_name(name): name for name in ignore}
        self.in_surveys = in_surveys  # a name like no school: say how to leave it out
        self.ids = {s.school_id.lower(): s.school_id for s in district.schools}
        self.names = {s.school_id: simplify_name(s.school_name) for s in district.schools}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for sid, name in self.names.items():
            self.by_name[name].append(sid)
        self.display = {s.school_id: s.school_name for s in district.schools}
        self.fuzzy: dict[str, str] = {}  # typed name -> how it was matched, noted once
        self.notes: list[str] = []

    def lookup(self, key: str) -> tuple[str | None, str | None]:
        """(school_id, None) or (None, why not)."""
        if key.endswith(".0") and key[:-2].isdigit():
            key = key[:-2]  # a numeric school code read back as a float
        if key.lower() in self.ids:
            return self.ids[key.lower()], None
        prefix = re.match(r"^(\S+)\s+-\s+", key)
        if prefix and prefix.group(1).lower() in self.ids:
            return self.ids[prefix.group(1).lower()], None
        wanted = simplify_name(key)
        exact = self.by_name.get(wanted, [])
        if len(exact) == 1:
            sid = exact[0]
            if plain(key) != plain(self.display[sid]):  # a short or abbreviated name (#26)
                self.fuzzy[key] = f"school name '{key}' was matched to {self.display[sid]} ({sid})"
            return sid, None
        matches = process.extract(wanted, self.names, scorer=fuzz.token_sort_ratio, limit=3)
        candidates = ", ".join(f"{self.display[m[2]]} ({m[2]})" for m in matches)
        if matches and matches[0][1] >= NAME_MATCH_CUTOFF and (
                len(matches) == 1 or matches[0][1] - matches[1][1] >= NAME_MATCH_MARGIN):
            sid = matches[0][2]
            self.fuzzy[key] = f"school name '{key}' was matched to {self.display[sid]} ({sid})"
            return sid, None
        if matches and matches[0][1] >= NAME_MATCH_CUTOFF:
            return None, f"school '{key}' is ambiguous; closest: {candidates}"
        if self.in_surveys and (not matches or matches[0][1] < NO_SCHOOL_BELOW):
            return None, (f"unknown school '{key}'; closest: {candidates}. If '{key}' is no "
                          f"school, leave its respondents out with surveys: {{ignore_schools: "
                          f"[{key}]}} in settings.yaml")
        return None, f"unknown school '{key}'; closest: {candidates}"

    def resolve_cells(self, block: Block, problems: Problems) -> np.ndarray:
        """school_id per respondent (None where unknown), each distinct value looked up once."""
        why: dict[Any, str] = {}

        def school_of(value) -> str | None:
            if is_blank(value):
                why[""] = "school is empty"
                return None
            sid, reason = self.lookup(str(value).strip())
            if reason:
                why[value] = reason
            return sid

        ids = lookup_each(block.school, school_of)
        for value, indices in group_failures(block, block.school, pd.isna(ids)):
            block.problem(problems, indices[0], "school", why[value] + also_rows(block, indices))
        fuzzy = lookup_each(block.school, lambda v: self.fuzzy.pop(str(v).strip(), None)
                            if not is_blank(v) else None)
        for note in dict.fromkeys(fuzzy[pd.notna(fuzzy)]):  # where each name first appears
            i = int(np.flatnonzero(fuzzy == note)[0])
            self.notes.append(Note(f"{place(block.files[i], block.sheets[i])}, row "
                                   f"{block.locate(i, 'school')[0]}: {note}", NAME_MATCHED))
        return ids

    def left_out(self, block: Block) -> np.ndarray:
        """Respondents whose school is a name to ignore (e.g. Central Office): noted as left
        out, one note per name in each file and sheet."""
        if not self.ignore:
            return np.zeros(len(block.rows), dtype=bool)
        named = lookup_each(block.school, lambda v: None if is_blank(v) else
                            self.ignore.get(simplify_name(str(v).strip())))
        ignored = pd.notna(named)
        for value, indices in group_failures(block, named, ignored):
            rows = [block.locate(i, "school")[0] for i in indices]
            self.notes.append(Note(
                f"{place(block.files[indices[0]], block.sheets[indices[0]])}: {len(indices)} "
                f"respondent{'s' if len(indices) != 1 else ''} of '{value}' left out (settings "
                f"surveys.ignore_schools), row(s) {row_list(rows)}", LEFT_OUT))
        return ignored


def plain(name: str) -> str:
    """A name as typed, with case and spacing alike (what counts as an exact match)."""
    return " ".join(name.split()).casefold()


def school_keys(district: District) -> frozenset[str]:
    """Every school's id (lower case) and simplified name: enough to tell a column of school
    names or ids by its values, in a process that has no district (see names_a_school)."""
    return frozenset([s.school_id.lower() for s in district.schools]
                     + [simplify_name(s.school_name) for s in district.schools])


def names_a_school(value: Any, keys: frozenset[str]) -> bool:
    """Does a cell name a school of `keys` exactly (id, 'id - name', or simplified name)?"""
    if is_blank(value):
        return False
    text = str(value).strip()
    text = text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text
    prefix = re.match(r"^(\S+)\s+-\s+", text)
    return (text.lower() in keys or simplify_name(text) in keys
            or bool(prefix and prefix.group(1).lower() in keys))


def simplify_name(name: str) -> str:
    """Lower case, abbreviations spelt out, punctuation and the word 'school' dropped: 'Oak
    Elem. Sch.' and 'Oak Elementary School' are the same name."""
    text = ABBREVIATION.sub(lambda m: NAME_ABBREVIATIONS[m.group(1)],
                            re.sub(r"[^\w\s.]", " ", str(name).lower()))
    return " ".join(w for w in text.replace(".", " ").split() if w != "school")
