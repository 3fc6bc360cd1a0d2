"""The district workbook to fill (`rollout init`) and the dropdowns added to a district's own
workbook (`rollout template DISTRICT_DIR --kind district`): one writer for both.

Every sheet of `intake/district_layout.py` with its headers, one line of help per column (a
help row in a new workbook, which the reader skips; header comments in a district's own
workbook, whose rows stay where they are), dropdowns for levels, school ids, network nodes,
terms, statuses and cohorts, percent columns formatted as percent, and marked example rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rollout.domain import LAUNCH_STATUSES, LEVELS
from rollout.errors import Problems
from rollout.intake.district_layout import (
    COHORTS,
    DISTRICT_SHEETS,
    LEVELS_LIST,
    NETWORK,
    NODES,
    SCHOOL_IDS,
    SCHOOLS,
    STATUSES,
    TERMS,
    TERMS_SHEET,
    YES_NO,
    SheetSpec,
    help_text,
    is_help_row,
)
from rollout.intake.school_list import SchoolList, read_school_lists
from rollout.intake.settings import load_settings
from rollout.intake.tables import normalise_header
from rollout.outputs.atomic import staged_folder
from rollout.safe import safe_text

NAVY = "1F3864"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HELP_FONT = Font(italic=True, color="404040", size=9)
HELP_FILL = PatternFill("solid", fgColor="EDEDED")
EXAMPLE_FILL = PatternFill("solid", fgColor="FCE4D6")
TO_FILL = PatternFill("solid", fgColor="FFF2CC")
SPARE_ROWS = 1000  # rows below the data that still get dropdowns and formats
DEFAULT_COHORTS = 5  # Fulton County's five roll-out groups
TERMS_AHEAD = 6  # three school years of fall and spring terms
INIT_ITEMS = ["district.xlsx", "settings.yaml", "surveys"]


@dataclass
class InitReport:
    folder: Path
    schools: int
    school_list: SchoolList | None
    first_term: str
    steps: list[str] = field(default_factory=list)


def coming_terms(today: dt.date, count: int = TERMS_AHEAD) -> list[str]:
    """Fall and spring terms from the next fall on: a plan made this winter starts then."""
    year = today.year if today.month < 6 else today.year + 1
    terms = []
    for i in range(count):
        terms.append(f"{year + (i + 1) // 2} {'Fall' if i % 2 == 0 else 'Spring'}")
    return terms


def init_district(folder: Path, school_files: list[Path] | None = None,
                  district_name: str | None = None, today: dt.date | None = None
                  ) -> InitReport:
    """Write a district folder to fill: district.xlsx, a commented settings.yaml, an empty
    surveys/ folder. Nothing is written when the folder already holds a district or a school
    list cannot be read."""
    folder = Path(folder)
    problems = Problems()
    taken = [name for name in INIT_ITEMS if (folder / name).exists()]
    if taken:
        problems.add(folder, f"already holds {', '.join(taken)}; choose a new folder (to add "
                     "dropdowns to an existing district.xlsx, use `rollout template DIR --kind "
                     "district --out NEW_DIR`)")
    schools = read_school_lists(list(school_files), problems) if school_files else None
    problems.raise_if_any()
    terms = coming_terms(today or dt.date.today())
    cohorts = [f"Group {n}" for n in range(1, DEFAULT_COHORTS + 1)]
    name = district_name or folder.resolve().name
    with staged_folder(folder, INIT_ITEMS) as staging:
        book = blank_workbook(schools, terms, cohorts)
        book.save(staging / "district.xlsx")
        (staging / "settings.yaml").write_text(settings_text(name, terms, cohorts),
                                               encoding="utf-8")
        (staging / "surveys").mkdir()
    report = InitReport(folder.resolve(), len(schools.rows) if schools else 0, schools,
                        terms[0])
    report.steps = first_steps(report)
    return report


def first_steps(report: InitReport) -> list[str]:
    schools = (f"check the {report.schools} schools read from your list and fill the yellow "
               "cells (region, feeder, devices, frl_pct, proficiency_pct, network_node, "
               "link_mbps)" if report.schools else
               "one row per school (replace the EXAMPLE row)")
    return [
        "1. district.xlsx, Network: your network from the Internet connection down "
        "(replace the EXAMPLE rows).",
        f"2. district.xlsx, Schools: {schools}. The grey row under the headers says what "
        "each column holds.",
        f"3. district.xlsx, Terms: coaches_fte for each term (the terms start {report.first_term};"
        " change them to your own).",
        "4. settings.yaml: cohorts and their launch terms, cohort_size, need_weight, coaching "
        "and bandwidth (each line says what it means).",
        "5. Send the surveys (`rollout template DIR --out surveys_to_send`), put the returned "
        "files in surveys/, then `rollout plan DIR --out OUT`.",
    ]


def blank_workbook(schools: SchoolList | None, terms: list[str], cohorts: list[str]
                   ) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    written = {}
    for spec in DISTRICT_SHEETS:
        ws = book.create_sheet(spec.name)
        write_headers(ws, spec, help_row=True)
        rows = written[spec.name] = sheet_rows(spec, schools, terms)
        for r, values in enumerate(rows, start=3):
            for c, value in enumerate(values, start=1):
                ws.cell(row=r, column=c, value=safe_text(value))
        mark_rows(ws, spec, rows, schools is not None)
        ws.freeze_panes = "B3"
        page_setup(ws, spec)
    for spec in DISTRICT_SHEETS:  # once every sheet is there: lists point at other sheets
        last = 3 + len(written[spec.name]) + SPARE_ROWS
        add_dropdowns(book[spec.name], spec, book, cohorts, first_row=3, last_row=last)
        format_percent(book[spec.name], spec, 3, last)
    book.active = 0
    book.properties.creator = "rollout"
    book.properties.title = "District data for rollout"
    return book


def page_setup(ws, spec: SheetSpec) -> None:
    """Printed landscape, one page wide, headers and help repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.oddHeader.center.text = f"District data: {spec.name}"


def sheet_rows(spec: SheetSpec, schools: SchoolList | None, terms: list[str]) -> list[list]:
    """The rows a new workbook starts with: the district's own schools when given, the coming
    terms (coaches left to fill), and examples for the rest of the required sheets."""
    if spec is SCHOOLS and schools is not None:
        return [[row.get(c.name) for c in spec.columns] for row in schools.rows]
    if spec is TERMS_SHEET:
        return [[term, None, None] for term in terms]
    return [list(values) for values in spec.examples]


def mark_rows(ws, spec: SheetSpec, rows: list[list], from_list: bool) -> None:
    """Example rows in orange; the cells a school list left blank in yellow (to fill)."""
    for r, values in enumerate(rows, start=3):
        example = bool(spec.examples) and spec is not TERMS_SHEET and not (
            spec is SCHOOLS and from_list)
        for c, column in enumerate(spec.columns, start=1):
            cell = ws.cell(row=r, column=c)
            if example:
                cell.fill = EXAMPLE_FILL
            elif column.required and values[c - 1] is None:
                cell.fill = TO_FILL


def write_headers(ws, spec: SheetSpec, help_row: bool) -> None:
    for c, column in enumerate(spec.columns, start=1):
        head = ws.cell(row=1, column=c, value=column.name)
        head.font, head.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = max(column.width, 16)
        if help_row:
            cell = ws.cell(row=2, column=c, value=help_text(column, first=(c == 1)))
            cell.font, cell.fill = HELP_FONT, HELP_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if help_row:
        ws.row_dimensions[2].height = 64


def sheet_range(book, spec: SheetSpec, column: str) -> str | None:
    """The cells of another sheet's column a dropdown offers (rows below headers and help)."""
    if spec.name not in book.sheetnames:
        return None
    ws = book[spec.name]
    index = header_columns(ws).get(column)
    if index is None:
        return None
    first = 3 if is_help_row([ws.cell(row=2, column=1).value]) else 2
    letter = get_column_letter(index)
    last = max(ws.max_row, first) + SPARE_ROWS
    return f"'{spec.name}'!${letter}${first}:${letter}${last}"


def header_columns(ws) -> dict[str, int]:
    """Column number (1-based) of each header of row 1, by its normalised name."""
    return {normalise_header(cell.value).replace(" ", "_"): cell.column
            for cell in ws[1] if cell.value is not None}


def dropdown_source(kind: str, book, cohorts: list[str]) -> str | None:
    inline = {LEVELS_LIST: LEVELS, STATUSES: LAUNCH_STATUSES, YES_NO: ["yes", "no"],
              COHORTS: cohorts}
    if kind in inline:
        items = [i for i in inline[kind] if "," not in i and '"' not in i]
        text = ",".join(items)
        return f'"{text}"' if items and len(text) <= 250 else None
    source = {SCHOOL_IDS: (SCHOOLS, "school_id"), TERMS: (TERMS_SHEET, "term"),
              NODES: (NETWORK, "node")}[kind]
    return sheet_range(book, *source)


def add_dropdowns(ws, spec: SheetSpec, book, cohorts: list[str], first_row: int,
                  last_row: int) -> int:
    """Data validation on every column of the sheet that has a list; returns how many."""
    columns = header_columns(ws)
    added = 0
    for column in spec.columns:
        index = columns.get(column.name)
        source = dropdown_source(column.dropdown, book, cohorts) if column.dropdown else None
        if index is None or source is None:
            continue
        # A school's name is also accepted where an id is asked, so only a warning there.
        lenient = column.dropdown in (SCHOOL_IDS, TERMS, COHORTS)
        rule = DataValidation(type="list", formula1=source, allow_blank=True,
                              showErrorMessage=True, showInputMessage=True,
                              errorStyle="warning" if lenient else "stop",
                              errorTitle=f"Not a {column.name}", error=column.help[:225],
                              promptTitle=column.name[:32], prompt=column.help[:250])
        letter = get_column_letter(index)
        rule.add(f"{letter}{first_row}:{letter}{last_row}")
        ws.add_data_validation(rule)
        added += 1
    return added


def format_percent(ws, spec: SheetSpec, first_row: int, last_row: int) -> None:
    """In a new workbook, percent columns show 68 % (Excel holds 0.68; the reader knows)."""
    columns = header_columns(ws)
    for column in spec.columns:
        if column.percent and column.name in columns:
            for r in range(first_row, last_row + 1):
                ws.cell(row=r, column=columns[column.name]).number_format = "0%"


# ----- rollout template DISTRICT_DIR --kind district -----------------------------------------

@dataclass
class DistrictTemplateReport:
    path: Path
    sheets_added: list[str]
    dropdowns: int


def make_district_template(district_dir: Path, out_dir: Path) -> DistrictTemplateReport:
    """A copy of the district's workbook with the optional sheets it lacks, dropdowns and header
    help; every cell the district filled keeps its value and place."""
    district_dir, problems = Path(district_dir), Problems()
    source = district_dir / "district.xlsx"
    if not source.is_file():
        problems.add(source, "file not found (every district folder needs a district.xlsx)")
        problems.raise_if_any()
    try:
        book = load_workbook(source, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's to fix
        problems.add(source, f"cannot be read as an .xlsx workbook ({type(exc).__name__}); "
                     "open it in Excel, save it as .xlsx and run again")
        problems.raise_if_any()
    cohorts = cohort_choices(district_dir)
    added, dropdowns = [], 0
    for spec in DISTRICT_SHEETS:
        if spec.name not in book.sheetnames:
            ws = book.create_sheet(spec.name)
            write_headers(ws, spec, help_row=True)
            ws.freeze_panes = "B3"
            page_setup(ws, spec)
            added.append(spec.name)
    for spec in DISTRICT_SHEETS:
        ws = book[spec.name]
        has_help = is_help_row([ws.cell(row=2, column=1).value])
        if spec.name not in added:
            comment_headers(ws, spec)
        first = 3 if has_help else 2
        dropdowns += add_dropdowns(ws, spec, book, cohorts, first, ws.max_row + SPARE_ROWS)
    with staged_folder(out_dir, ["district.xlsx"]) as staging:
        book.save(staging / "district.xlsx")
    return DistrictTemplateReport(Path(out_dir).resolve() / "district.xlsx", added, dropdowns)


def comment_headers(ws, spec: SheetSpec) -> None:
    """One line of help on each known header (the district's rows are not moved)."""
    columns = header_columns(ws)
    for column in spec.columns:
        index = columns.get(column.name)
        cell = ws.cell(row=1, column=index) if index else None
        if cell is not None and cell.comment is None:
            cell.comment = Comment(column.help, "rollout", width=300, height=90)


def cohort_choices(district_dir: Path) -> list[str]:
    """The cohort names of settings.yaml for the Preferences dropdown (their numbers when the
    settings cannot be read: the template must help fix a district that does not read yet)."""
    settings = load_settings(district_dir / "settings.yaml", Problems())
    if settings is None:
        return [str(n) for n in range(1, DEFAULT_COHORTS + 1)]
    return settings.cohort_names()


# ----- settings.yaml ---------------------------------------------------------------------

def settings_text(district_name: str, terms: list[str], cohorts: list[str]) -> str:
    """A settings.yaml with every choice explained (sources of the defaults in brackets)."""
    launches = terms[1:1 + len(cohorts)]
    cohort_lines = "\n".join(f"  - {{name: {name}, launch_term: {term}}}"
                             for name, term in zip(cohorts, launches))
    return SETTINGS_TEMPLATE.format(district_name=yaml_text(district_name),
                                    cohort_lines=cohort_lines, first_term=terms[0])


def yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


SETTINGS_TEMPLATE = """\
# The district's planning choices for `rollout plan`. Every number is the district's choice;
# the sources of the defaults are in brackets. Lines starting with # are explanations.

# The district's name on every output; it also ties the years' history together.
district_name: {district_name}

# The roll-out groups (cohorts) in launch order, each launching in a term of the Terms sheet
# of district.xlsx (Fulton County Schools placed its 95 schools in five groups over three
# years). A cohort may launch in the first term ({first_term}); its planning term (the -1 of
# coaching.load_profile) would then come before the plan and is not counted (a note says so).
cohorts:
{cohort_lines}

# Schools per cohort (Fulton's groups held 15 to 32 schools). min x cohorts must not exceed
# your number of schools, nor max x cohorts fall short of it.
cohort_size: {{min: 1, max: 25}}

# 0 = launch the most ready schools first, 1 = launch the schools in greatest need first
# ("Look Both Ways", question 3: surveyed districts sit at 3.3 on a 1-need to 5-readiness
# scale, so the default leans slightly to need).
need_weight: 0.4

coaching:
  # Teachers (people, as counted in the Schools sheet) one coach can guide in a school's
  # launch term (a coach guides fewer than 30 teachers).
  teachers_per_coach: 25
  # Share of that load by term relative to launch: planning (-1), launch (0), support (1, 2).
  load_profile: {{-1: 0.25, 0: 1.0, 1: 0.5, 2: 0.25}}

bandwidth:
  # SETDA: 100 Mbps per 1,000 students today, 1 Gbps per 1,000 students as the goal.
  baseline_kbps_per_student: 100
  launch_kbps_per_student: 1000

# Minimum readiness (0-100) for the first cohort: pilots go to ready schools.
readiness_gate: 55

# Honouring a school's own (unlocked) choice of cohort is worth this many priority points.
preference_weight: 10

# Money for the optional upgrades of the Upgrades sheet, in dollars (remove the # to use it).
# upgrade_budget: 500000

# A school nobody answered the survey for: plan (planned on its need as not yet ready, so it
# passes no readiness gate, and flagged until it answers) or stop (an input error).
missing_surveys: plan

# Survey files: names in the school column that are no school (their respondents are left
# out and reported), e.g. [Central Office].
surveys:
  ignore_schools: []

# Values of the Schools sheet that are reported as warnings, to check again.
warn_if:
  teachers_per_student_above: 1    # more teachers than students
  devices_per_student_above: 5     # devices are counted per student, not per staff member
  link_mbps_below: 10              # link_mbps is in Mbps: 1 Gbps is 1000

solver:
  time_limit_seconds: 30
  random_seed: 1
  workers: 1

# The public website (OUT_DIR/site/). It never shows survey answers, anything per respondent
# or per role, priority, need, the cohort a school asked for, upgrade costs or data issues.
publish:
  # Languages of the site, the first at the top of its folder (Title VI: parents get the
  # district's information in a language they understand; Spanish is the most common other).
  languages: [en, es]
  # true shows each school's infrastructure, technology, instructional and readiness scores.
  scores: false
"""
