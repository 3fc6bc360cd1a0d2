"""Read survey responses, whatever layout a district hands us, into one table of respondents.

Layouts are detected per sheet: our own template workbooks (template_sheets.py; each filled
role sheet is one respondent) and online-form exports (form_exports.py; one row per respondent,
items as columns, answers such as "3 - Developing" or 3), in .xlsx, .xlsm, .xlsb, .xls, .ods
or .csv files.

The flow: survey_files.py reads the folder into Blocks (blocks.py; answers parsed as levels by
answers.py) -> respondents.py makes each Block's rows respondents (schools by
school_matching.py) -> respondent_identity.py keeps one submission per person -> here, one
SurveyResponses.

Speed: each file is read with calamine and its answers parsed at once (each distinct answer
text is understood once, then spread back over the sheet with numpy); large folders are read by
a pool of processes, one file each. The rest works on whole columns. Only bad cells are visited
one by one, to report them with file, sheet, row and column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rollout.domain import District
from rollout.errors import NO_ANSWERS, Note, Problem, Problems
from rollout.intake.respondent_identity import latest_submissions
from rollout.intake.respondents import parse_block
from rollout.intake.rubric import Rubric
from rollout.intake.school_matching import SchoolMatcher, school_keys
from rollout.intake.survey_files import read_folder

RESPONDENT_COLUMNS = ["school_id", "role", "file", "sheet", "row", "layout", "person",
                      "timestamp"]


@dataclass
class SurveyResponses:
    """One row per respondent. `levels` holds their answers (one column per rubric item, NaN
    where not answered) aligned with `respondents` by index. Used only to pool per school."""

    respondents: pd.DataFrame  # school_id, role, file, sheet, row, layout, person, timestamp
    levels: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # files read per layout

    def answers(self) -> pd.DataFrame:
        """Long form: one row per respondent and answered item."""
        long = self.levels.rename_axis("respondent").reset_index().melt(
            id_vars="respondent", var_name="item_id", value_name="level").dropna()
        people = self.respondents[["school_id", "role"]]
        return long.join(people, on="respondent")[["respondent", "school_id", "role", "item_id",
                                                   "level"]].reset_index(drop=True)

    def summary(self) -> str:
        """One line: respondents, schools and files per layout ("2 form export files (1 CSV)":
        a layout's CSV files are counted with it, not as a layout of their own)."""
        per_layout: dict[str, list[int]] = {}
        for kind, n in self.files.items():
            counts = per_layout.setdefault(kind.removesuffix(" (csv)"), [0, 0])
            counts[0] += n
            counts[1] += n if kind.endswith(" (csv)") else 0
        layouts = ", ".join(f"{n} {kind} file{'s' if n != 1 else ''}"
                            + ("" if not csv else " (CSV)" if csv == n else f" ({csv} CSV)")
                            for kind, (n, csv) in sorted(per_layout.items()))
        return (f"Surveys: {len(self.respondents):,} respondents at "
                f"{self.respondents['school_id'].nunique():,} schools from {layouts or 'no files'}")


def read_surveys(folder: Path, rubric: Rubric, district: District, problems: Problems,
                 workers: int | None = None, missing_surveys: str = "plan",
                 ignore_schools: list[str] | tuple[str, ...] = ()) -> SurveyResponses:
    """Every survey file in `folder`, checked together; problems are collected, not raised
    (in file order, then row order). `workers`: processes reading files (default: one per CPU
    for large folders). `missing_surveys` ("plan" or "stop") and `ignore_schools` are the
    settings of those names (settings.yaml)."""
    notes: list[str] = []
    found: list[Problem] = []
    unread: list[Path] = []
    blocks, files = read_folder(folder, rubric, workers, found, notes, unread,
                                school_keys(district))
    matcher = SchoolMatcher(district, ignore_schools, in_surveys=True)
    cell_problems = Problems()
    parsed = [parse_block(block, rubric, matcher, cell_problems, notes) for block in blocks]
    found.extend(cell_problems.items)
    item_ids = [item.id for _, item in rubric.items()]
    respondents = (pd.concat([p[0] for p in parsed], ignore_index=True) if parsed
                   else pd.DataFrame(columns=RESPONDENT_COLUMNS))
    levels = pd.DataFrame(np.vstack([p[1] for p in parsed]) if parsed
                          else np.empty((0, len(item_ids))), columns=item_ids)
    keep = latest_submissions(respondents, notes)
    respondents, levels = (respondents[keep].reset_index(drop=True),
                           levels[keep].reset_index(drop=True))
    problems.items.extend(sorted(found, key=lambda p: (p.file, p.sheet or "", p.row or 0)))
    notes.extend(matcher.notes)
    if len(respondents) and missing_surveys == "plan":
        notes[:0] = schools_without_answers(district, respondents)
    elif len(respondents):
        report_schools_without_answers(district, respondents, folder, problems, unread)
    elif not found:  # e.g. only templates nobody filled in
        problems.add(folder, "no survey answers were found in any file")
    return SurveyResponses(respondents, levels, notes, files)


def missing_schools(district: District, respondents: pd.DataFrame) -> list:
    answered = set(respondents["school_id"])
    return [s for s in district.schools if s.school_id not in answered]


def schools_without_answers(district: District, respondents: pd.DataFrame) -> list[Note]:
    """missing_surveys: plan. A school nobody answered for is planned on its need with the
    lowest readiness (scoring leaves it unassessable): a note each, listed first."""
    return [Note(f"{s.school_id} ({s.school_name}): no survey answers yet; planned on its need "
                 "(Schools sheet) as not yet ready, so it passes no readiness gate, and its "
                 "place will be reviewed when it answers (if it did answer, check that its name "
                 "or school_id is spelled in the survey files as in district.xlsx)", NO_ANSWERS)
            for s in missing_schools(district, respondents)]


def report_schools_without_answers(district: District, respondents: pd.DataFrame, folder: Path,
                                   problems: Problems, unread: list[Path]) -> None:
    """missing_surveys: stop. Each school without answers is an error; but when a file could
    not be read, its schools are not known, so one line lists them instead of one error per
    school repeating what the file's own error already says."""
    missing = missing_schools(district, respondents)
    if missing and unread:
        ids = ", ".join(s.school_id for s in missing)
        names = ", ".join(p.name for p in unread)
        problems.add(folder, f"no responses for {len(missing)} school"
                     f"{'s' if len(missing) != 1 else ''} ({ids}); they may be in the "
                     f"unreadable file{'s' if len(unread) != 1 else ''} above ({names})")
        return
    for school in missing:
        problems.add(folder, f"school {school.school_id} ({school.school_name}) has no "
                     "survey responses; every school needs at least one (add its survey "
                     "files, or check that its name or school_id is spelled as in "
                     "district.xlsx; missing_surveys: plan in settings.yaml plans it without)")
