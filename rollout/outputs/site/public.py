"""The public records of a plan, read from its output folder through a whitelist of columns.

plan.csv and history.csv also hold what must never be published (priority, need, reasons,
preferred cohort, survey coverage, respondents, role gaps). Only the columns named here are
read into `PublicSchool` and `Season`; the domain scores only when the district publishes them.
The pages and plan-public.csv are made from these records alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rollout.csvfiles import read_csv
from rollout.errors import Problems
from rollout.outputs.site.i18n import N_
from rollout.outputs.site.reasons import Move, read_moves
from rollout.outputs.site.source import SiteSource, read_site_source
from rollout.safe import restore_id, restore_text, safe_file_stem

PLAN_COLUMNS = ("school_id", "school_name", "cohort", "launch_term", "level", "region",
                "feeder")
SCORE_COLUMNS = ("infrastructure", "technology", "instructional", "readiness")
# Added to plan.csv by the Launches sheet (#19): planned, launched, delayed, paused, withdrawn.
STATUS_COLUMNS = ("status", "actual_launch_term", "status_since")
HISTORY_COLUMNS = ("season", "school_id", "cohort", "launch_term", "launched")
HOLDS = ("delayed", "paused", "withdrawn")
STAGE_TEXT = {
    "not_started": N_("Not started"), "planning": N_("Planning"), "launching": N_("Launching"),
    "support": N_("Support"), "complete": N_("Complete"), "delayed": N_("Delayed"),
    "paused": N_("Paused"), "withdrawn": N_("Withdrawn"),
}
LEVEL_TEXT = {"ES": N_("Elementary"), "MS": N_("Middle"), "HS": N_("High"), "Other": N_("Other")}
LEVEL_ORDER = ("HS", "MS", "ES", "Other")  # a feeder pattern is listed from its high school


@dataclass(frozen=True)
class PublicSchool:
    school_id: str
    name: str
    page: str                  # file name stem of its page in schools/
    cohort: int
    cohort_name: str
    launch_term: str           # when it really launched, else its cohort's launch term
    planned_launch_term: str   # its cohort's launch term
    stage: str                 # a key of STAGE_TEXT, in the current term
    level: str
    region: str
    feeder: str
    scores: tuple[float | None, ...] | None = None  # SCORE_COLUMNS, when published
    since: str = ""            # the term a pause or withdrawal holds from (a term label)


@dataclass(frozen=True)
class Season:
    """One school in one season's plan (history.csv)."""

    season: str
    school_id: str
    cohort: int | None
    launch_term: str
    launched: bool
    status: str = ""
    readiness: float | None = None  # only when scores are published


@dataclass(frozen=True)
class ProgressPoint:
    term: str
    schools: float   # share of schools launched by the end of the term
    students: float  # share of their students
    planned: bool    # the plan's future, not what happened


@dataclass
class PublicPlan:
    source: SiteSource
    schools: list[PublicSchool]          # sorted by school_id
    history: list[Season]                # in the order of the seasons
    seasons: list[str]
    moves: list[Move]                    # earlier seasons' and this one's
    progress: list[ProgressPoint]
    with_scores: bool

    @cached_property
    def taking_part(self) -> list[PublicSchool]:
        return taking_part(self.schools)

    @cached_property
    def withdrawn(self) -> int:
        return len(self.schools) - len(self.taking_part)

    def school_history(self, school_id: str) -> list[Season]:
        return self.history_by_school.get(school_id, [])

    @cached_property
    def history_by_school(self) -> dict[str, list[Season]]:
        grouped: dict[str, list[Season]] = {}
        for row in self.history:
            grouped.setdefault(row.school_id, []).append(row)
        return grouped


def read_public_plan(out_dir: Path, scores: bool, problems: Problems) -> PublicPlan | None:
    """Everything the site shows, from the output folder; None with problems when a file is
    missing or not as `rollout plan` writes it."""
    out_dir = Path(out_dir)
    source = read_site_source(out_dir, problems)
    if source is None:
        return None
    plan_rows = read_csv(out_dir / "plan.csv", list(PLAN_COLUMNS), problems,
                         "not found: run `rollout plan` first") or []
    if problems:
        return None
    schools, students = public_schools(plan_rows, source, scores, out_dir / "plan.csv", problems)
    history = read_history(out_dir / "history.csv", scores, problems)
    moves = [*source.earlier_moves,
             *(read_moves(out_dir / "changes.csv", source.current_term, problems)
               if source.replan else [])]
    if problems:
        return None
    seasons = list(dict.fromkeys(row.season for row in history))
    return PublicPlan(source, schools, history, seasons, moves,
                      progress_points(source, schools, students, history), scores)


def public_schools(rows: list[dict], source: SiteSource, scores: bool, path: Path,
                   problems: Problems) -> tuple[list[PublicSchool], dict[str, int]]:
    """The public record of each school, and its students (only ever summed for the
    district's launched share, never shown per school)."""
    pages = page_names([restore_id(r["school_id"]) for r in rows])
    schools, students = [], {}
    for number, row in enumerate(rows, start=2):
        sid = restore_id(row["school_id"])
        try:
            cohort = source.cohort_by_number[int(row["cohort"])]
        except (ValueError, KeyError):
            problems.add(path, f"cohort {row['cohort']!r} is not a cohort of the plan",
                         row=number, column="cohort")
            continue
        status = restore_text(row.get("status")).lower()
        actual = restore_text(row.get("actual_launch_term"))
        if actual and actual not in source.term_index:
            problems.add(path, f"actual_launch_term {actual!r} is not a term of the plan",
                         row=number, column="actual_launch_term")
            continue
        launch = actual if status == "launched" and actual else cohort.launch_term
        since = restore_text(row.get("status_since"))
        schools.append(PublicSchool(
            school_id=sid, name=restore_text(row["school_name"]), page=pages[sid],
            cohort=cohort.number, cohort_name=cohort.name, launch_term=launch,
            planned_launch_term=cohort.launch_term,
            stage=stage(source, source.term_index[launch], status), level=row["level"],
            region=restore_text(row["region"]), feeder=restore_text(row["feeder"]),
            scores=tuple(number_or_none(row.get(c)) for c in SCORE_COLUMNS) if scores
            else None, since=since if since in source.term_index else ""))
        try:
            students[sid] = int(float(row.get("students") or 0))
        except ValueError:
            students[sid] = 0
    return sorted(schools, key=lambda s: s.school_id), students


def taking_part(schools: list[PublicSchool]) -> list[PublicSchool]:
    """The schools of the roll-out, as every count of the site and the dashboard has them:
    all but the withdrawn ones. A delayed school counts from its new launch term, a paused
    one from the term it launched (tests/test_second_spring_readers.py compares the counts
    with the dashboard's)."""
    return [s for s in schools if s.stage != "withdrawn"]


def stage(source: SiteSource, launch: int, status: str = "") -> str:
    """Where a school launching in term `launch` stands in the current term: a hold the
    Launches sheet records, else its phase by the coaching profile's offsets."""
    if status in HOLDS:
        return status
    offset = source.current_index - launch
    first, last = min(source.phase_offsets), max(source.phase_offsets)
    if offset < first:
        return "not_started"
    if offset < 0:
        return "planning"
    if offset == 0:
        return "launching"  # blended classes start this very term
    return "support" if offset <= last else "complete"


def page_names(school_ids: list[str]) -> dict[str, str]:
    """schools/<stem>.html for each school: its id made file-safe, unique without regard to
    case (as the principal workbooks' names)."""
    names, used = {}, set()
    for sid in school_ids:
        stem = safe_file_stem(sid)
        candidate, n = stem, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{stem}_{n}"
        used.add(candidate.lower())
        names[sid] = candidate
    return names


def read_history(path: Path, scores: bool, problems: Problems) -> list[Season]:
    if not path.exists():
        return []
    rows = read_csv(path, list(HISTORY_COLUMNS), problems, None) or []
    out = []
    for row in rows:
        try:
            cohort = int(row["cohort"])
        except ValueError:
            cohort = None
        out.append(Season(restore_text(row["season"]), restore_id(row["school_id"]), cohort,
                          restore_text(row["launch_term"]), row["launched"] == "yes",
                          restore_text(row.get("status")).lower(),
                          number_or_none(row.get("readiness")) if scores else None))
    return out


def number_or_none(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value == value else None


def progress_points(source: SiteSource, schools: list[PublicSchool], students: dict[str, int],
                    history: list[Season]) -> list[ProgressPoint]:
    """Share of schools and of students launched by the end of each term, of the schools
    taking part: the past terms as the first spring's record made after each (history.csv)
    has them (this spring's own record: plan.csv, with each school's real launch term), the
    rest as planned, from the current term to the last launch. Students are this year's
    enrolment (history.csv has none): a school closed since counts in the schools' share
    only."""
    points = []
    current = source.current_index
    part = taking_part(schools)
    seasons: dict[int, list[Season]] = {}
    for row in history:
        index = source.term_index.get(row.season)
        if index is not None and index < current and row.status != "withdrawn":
            seasons.setdefault(index, []).append(row)
    for term in range(current):
        after = [index for index in sorted(seasons) if index > term]
        if not after:  # this spring's record is the first made after the term
            points.append(share_launched(source, term, part, students, planned=False))
            continue
        rows = seasons[after[0]]
        launched = [r.school_id for r in rows if r.launched
                    and source.term_index.get(r.launch_term, term + 1) <= term]
        total = sum(students.get(r.school_id, 0) for r in rows)
        points.append(ProgressPoint(
            source.terms[term], len(launched) / len(rows),
            sum(students.get(s, 0) for s in launched) / total if total else 0.0, False))
    if not part:
        return points
    last = max(source.term_index[s.launch_term] for s in part)
    points += [share_launched(source, term, part, students, planned=True)
               for term in range(current, last + 1)]
    return points


def share_launched(source: SiteSource, term: int, part: list[PublicSchool],
                   students: dict[str, int], planned: bool) -> ProgressPoint:
    """The share of the schools taking part (and of their students) whose launch term is
    `term` or earlier."""
    going = [s for s in part if source.term_index[s.launch_term] <= term]
    total = sum(students.get(s.school_id, 0) for s in part)
    return ProgressPoint(
        source.terms[term], len(going) / len(part) if part else 0.0,
        sum(students.get(s.school_id, 0) for s in going) / total if total else 0.0, planned)
