"""Derive a second spring's district folder from the first (for the sample data and tests).

A year on: two terms have passed, three coaches fewer in a busy term, the South hub's upgrade
slips a term, one school closed, one opened, one was renamed, and one school changed the
cohort it asks for. Every school answered the survey again: each school's answers move a
little (most up, some down), and the schools that launched gained most in instructional
readiness. The Launches sheet records what really happened to the launches: two Group 1
schools delayed, one paused, and one Group 2 school launched a term early.
"""
from __future__ import annotations

import csv
import io
import random
import re
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml
from openpyxl import load_workbook

from rollout.domain import DELAYED, LAUNCHED, PAUSED, WITHDRAWN
from rollout.errors import Problems
from rollout.intake.layouts import find_layout
from rollout.intake.rubric import Rubric, default_rubric_path, load_rubric

CURRENT_TERM = "2028 Fall"        # 2027 Fall and 2028 Spring are history
COACH_CUT = {"2029 Spring": 3.0}  # three coaches fewer (a grant ended)
SLIPPED_LINK = "SOUTH-HUB"
NEW_SCHOOL_ID = "ES096"
CORE = "docProps/core.xml"        # a workbook's own save time (survey de-duplication reads it)

# What really happened to four launches (Launches sheet): status, term, private note.
DELAYED_NOTES = ["Principal left in January; new principal starts in June",
                 "Wireless upgrade not finished in time; the contractor finishes in the summer"]
PAUSED_NOTE = "Roof repairs closed the east wing; blended classes resume after the move back"
EARLY_NOTE = "Asked to start with Group 1: staff trained over the summer on their own time"
WITHDRAWN_NOTE = "The board merges it into its neighbour in 2029: no blended launch before then"
LAUNCH_TERM, EARLY_TERM, PAUSED_FROM = "2028 Spring", "2028 Spring", "2028 Fall"
WITHDRAWN_FROM = "2028 Fall"

# A year of practice, in the chance that an answer moves one level (per school, drawn from
# these ranges): most schools move up, some down; launched schools' instructional answers
# (coaching and a term of blended classes) rise most.
SHARE_UP = 0.75
MOVE_CHANCE = (0.05, 0.2)
LAUNCHED_INSTRUCTIONAL_CHANCE = (0.35, 0.55)
INSTRUCTIONAL = "instructional"


def make_year2(year1: Path, year2: Path, previous_plan: dict[str, int],
               upgrades: dict[str, int] | None = None, seed: int = 2028,
               rubric: Rubric | None = None) -> list[str]:
    """Write year2 from year1; `previous_plan` (school_id -> cohort) picks which schools can
    close or change preference without touching launched ones, and which launches were
    delayed, paused or early; last year's chosen `upgrades` (id -> term index) were funded, so
    they join the committed capacity plan. Returns what changed."""
    rng = random.Random(seed)
    rubric = rubric or load_rubric(default_rubric_path(), Problems())
    if year2.exists():
        shutil.rmtree(year2)
    year2.mkdir(parents=True)
    shutil.copytree(year1 / "surveys", year2 / "surveys")
    later = sorted(s for s, c in previous_plan.items() if c >= 3)
    closed, renamed, new_pref = later[-1], later[0], later[len(later) // 2]
    launches = pick_launches(rng, previous_plan, {closed, renamed, new_pref})
    names = school_names(year1 / "district.xlsx")
    changes = edit_district(year1 / "district.xlsx", year2 / "district.xlsx", closed, renamed,
                            new_pref, upgrades or {}, launches)
    changes += edit_settings(year1 / "settings.yaml", year2 / "settings.yaml")
    aliases = {name: sid for sid, name in names.items()} | {sid: sid for sid in names}
    renamed_to = school_names(year2 / "district.xlsx")[renamed]
    not_launched = {sid for sid, status, _, _ in launches if status == DELAYED}
    launched = {s for s, c in previous_plan.items() if c == 1} - not_launched | {
        sid for sid, status, _, _ in launches if status == LAUNCHED}
    changes += edit_surveys(year2 / "surveys", rubric, launched, closed, aliases,
                            {names[renamed]: renamed_to}, seed)
    return changes


def pick_launches(rng: random.Random, previous_plan: dict[str, int], avoid: set[str]
                  ) -> list[tuple[str, str, str, str]]:
    """Two Group 1 schools delayed, one paused since the current term, one Group 2 school
    launched a term early with Group 1 and another withdrawn: (school_id, status, term,
    note)."""
    first = sorted(s for s, c in previous_plan.items() if c == 1 and s not in avoid)
    second = sorted(s for s, c in previous_plan.items() if c == 2 and s not in avoid)
    *delayed, paused = rng.sample(first, len(DELAYED_NOTES) + 1)
    early = rng.choice(second)
    withdrawn = rng.choice([sid for sid in second if sid != early])
    return ([(sid, DELAYED, LAUNCH_TERM, note) for sid, note in zip(sorted(delayed),
                                                                      DELAYED_NOTES)]
            + [(paused, PAUSED, PAUSED_FROM, PAUSED_NOTE), (early, LAUNCHED, EARLY_TERM,
                                                             EARLY_NOTE),
               (withdrawn, WITHDRAWN, WITHDRAWN_FROM, WITHDRAWN_NOTE)])


def school_names(path: Path) -> dict[str, str]:
    ws = load_workbook(path, read_only=True)["Schools"]
    return {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


def edit_district(source: Path, target: Path, closed: str, renamed: str, new_pref: str,
                  upgrades: dict[str, int], launches: list[tuple[str, str, str, str]]
                  ) -> list[str]:
    wb = load_workbook(source)
    changes = commit_upgrades(wb, upgrades)
    terms = wb["Terms"]
    for row in terms.iter_rows(min_row=2):
        if row[0].value in COACH_CUT:
            row[1].value = row[1].value - COACH_CUT[row[0].value]
            changes.append(f"{row[0].value}: {COACH_CUT[row[0].value]:g} coaches fewer")
    plan = wb["Capacity plan"]
    for row in plan.iter_rows(min_row=2):
        if row[0].value == SLIPPED_LINK and row[1].value == "2028 Fall":
            row[1].value = "2029 Spring"
            changes.append(f"{SLIPPED_LINK} upgrade slips from 2028 Fall to 2029 Spring")
    changes += one_row_per_link_and_term(plan)
    schools = wb["Schools"]
    header = [c.value for c in schools[1]]
    col = {name: i for i, name in enumerate(header)}
    template = None
    for row in list(schools.iter_rows(min_row=2)):
        sid = row[col["school_id"]].value
        if sid == renamed:
            row[col["school_name"]].value = row[col["school_name"]].value.replace(
                "Elementary School", "Elementary Academy").replace("Middle School",
                                                                   "Middle Academy")
            changes.append(f"{sid} renamed to {row[col['school_name']].value}")
        if sid == closed:
            schools.delete_rows(row[0].row)
            changes.append(f"{sid} closed")
        elif template is None and row[col["level"]].value == "ES":
            template = [c.value for c in row]
    new = list(template)
    new[col["school_id"]] = NEW_SCHOOL_ID
    new[col["school_name"]] = "Riverbend Elementary School"
    schools.append(new)
    changes.append(f"{NEW_SCHOOL_ID} (Riverbend Elementary School) opened")
    prefs = wb["Preferences"]
    existing = {r[0].value: r for r in prefs.iter_rows(min_row=2)}
    if new_pref in existing:
        existing[new_pref][1].value = 5
    else:
        prefs.append([new_pref, 5, "no"])
    for sid, row in list(existing.items()):
        if sid == closed:
            prefs.delete_rows(row[0].row)
    changes.append(f"{new_pref} now asks for Group 5")
    changes += add_launches(wb, launches)
    save_like(wb, source, target)
    return changes


def add_launches(wb, launches: list[tuple[str, str, str, str]]) -> list[str]:
    """The Launches sheet: what really happened, with central office's private notes."""
    ws = wb.create_sheet("Launches")
    ws.append(["school_id", "status", "term", "note"])
    for row in launches:
        ws.append(list(row))
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCD", (12, 12, 14, 80)):
        ws.column_dimensions[letter].width = width
    return [f"{sid} {'launched a term early, in' if status == LAUNCHED else status + ' from'} "
            f"{term}: {note} (Launches sheet)" for sid, status, term, note in launches]


def name_district(settings: Path, name: str) -> None:
    """Give the sample district a name (it ties the two years' history together)."""
    text = settings.read_text(encoding="utf-8")
    if "district_name:" not in text:
        settings.write_text(f"# The district's name on every output and in history.csv.\n"
                            f"district_name: {name}\n\n" + text, encoding="utf-8")


def one_row_per_link_and_term(sheet) -> list[str]:
    """A slipped upgrade can land in the term a funded one completes: the link then has the
    larger of the two, in one row (two rows for one link and term are an input error)."""
    rows: dict[tuple, list] = {}
    for row in sheet.iter_rows(min_row=2):
        rows.setdefault((row[0].value, row[1].value), []).append(row)
    changes = []
    for (link, term), same in rows.items():
        if len(same) < 2:
            continue
        keep = max(same, key=lambda r: r[2].value)
        for row in sorted((r for r in same if r is not keep), key=lambda r: -r[0].row):
            sheet.delete_rows(row[0].row)
        changes.append(f"{link}: two upgrades complete in {term}; the link has the larger, "
                       f"{keep[2].value:,} Mbps (one Capacity plan row)")
    return changes


SPANISH_NAMES = {**{f"Group {n}": f"Grupo {n}" for n in range(1, 6)}, "North": "Norte",
                 "South": "Sur"}


def name_in_spanish(settings: Path) -> None:
    """The public site's Spanish pages name the sample's cohorts and regions in Spanish."""
    text = settings.read_text(encoding="utf-8")
    if "\n  names:" in text:
        return
    lines = ["  # Cohort and region names as a language shows them (the others as written above",
             "  # and in district.xlsx).", "  names:", "    es:"]
    lines += [f"      {name}: {shown}" for name, shown in SPANISH_NAMES.items()]
    settings.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def commit_upgrades(wb, upgrades: dict[str, int]) -> list[str]:
    """Last spring's chosen upgrades were funded: they move from the Upgrades sheet to the
    Capacity plan, completing in the term the plan said."""
    if not upgrades or "Upgrades" not in wb.sheetnames:
        return []
    labels = [row[0] for row in wb["Terms"].iter_rows(min_row=2, values_only=True)]
    sheet, changes = wb["Upgrades"], []
    for row in reversed(list(sheet.iter_rows(min_row=2))):
        upgrade, link, capacity = row[0].value, row[1].value, row[2].value
        if upgrade in upgrades:
            term = labels[upgrades[upgrade]]
            wb["Capacity plan"].append([link, term, capacity])
            sheet.delete_rows(row[0].row)
            changes.append(f"upgrade {upgrade} ({link}) funded: committed for {term}")
    return sorted(changes)


def edit_settings(source: Path, target: Path) -> list[str]:
    text = source.read_text(encoding="utf-8")
    text = text.replace("\ncohorts:", f"\n# Spring 2028 re-plan: terms before this are history.\n"
                        f"current_term: {CURRENT_TERM}\n\ncohorts:", 1)
    if yaml.safe_load(text).get("current_term") != CURRENT_TERM:
        text += f"\ncurrent_term: {CURRENT_TERM}\n"
    target.write_text(text, encoding="utf-8")
    return [f"current_term: {CURRENT_TERM}"]


# ---- the second survey ------------------------------------------------------------------------

@dataclass
class Answer:
    """One answer of one respondent, and how to write a new level back in its own style."""

    school: str
    respondent: str   # the same for a file and its resent copy, so both move alike
    item: str
    level: int
    write: Callable[[int], None]
    counts: bool = True  # False for a submission that a later one by the same person replaces


def edit_surveys(folder: Path, rubric: Rubric, launched: set[str], closed: str,
                 aliases: dict[str, str], renames: dict[str, str], seed: int) -> list[str]:
    """Every school answered again (see resurvey) in the layout it used last year: form
    exports (.xlsx and .csv) and our template workbooks, which keep their own save time. The
    closed school's answers are gone; the new school answers the form like its neighbours."""
    scored = {item.id for _, item in rubric.items(scored_only=True) if item.weight > 0}
    answers: list[Answer] = []
    workbooks, tables, form = [], [], None
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith(closed):
            path.unlink()
            continue
        wb = load_workbook(path)
        if "Form" in wb.active.title:
            found, gone = form_answers(form_rows(wb.active), scored, rubric, closed, aliases,
                                       renames)
            for row in gone:  # bottom up
                wb.active.delete_rows(row[0].row)
            answers += found
            form = form or wb
        else:
            answers += template_answers(wb, path, scored, rubric, aliases)
        workbooks.append((path, wb))
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        found, gone = form_answers(rows, scored, rubric, closed, aliases, renames)
        answers += found
        tables.append((path, [r for r in rows if not any(r is g for g in gone)]))
    changes = resurvey(answers, rubric, launched, seed)
    if form is not None:
        add_new_school(form.active)
    for path, wb in workbooks:
        save_like(wb, path, path)
    for path, rows in tables:
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    return changes


def form_rows(ws) -> list[list]:
    """A form sheet as rows of cells (header values first)."""
    rows = [list(r) for r in ws.iter_rows()]
    return [[c.value for c in rows[0]]] + rows[1:]


def form_answers(rows: list[list], scored: set[str], rubric: Rubric, closed: str,
                 aliases: dict[str, str], renames: dict[str, str]
                 ) -> tuple[list[Answer], list[list]]:
    """The answers of a form export (rows of cells from .xlsx, of strings from .csv) and the
    closed school's rows, bottom up. Renamed schools get their new name; a person who sent the
    form twice counts once, with the later answers."""
    header = rows[0]
    cells = any(hasattr(c, "value") for row in rows[1:2] for c in row)
    school, email, stamp = header.index("School"), header.index("Email Address"), 0
    items = {j: str(h).split(" - ", 1)[0].strip() for j, h in enumerate(header)}
    matcher = name_matcher(aliases)
    latest: dict[str, str] = {}
    for row in rows[1:]:
        key = str(value_of(row[email], cells))
        latest[key] = max(latest.get(key, ""), str(value_of(row[stamp], cells)))
    answers, gone = [], []
    for row in reversed(rows[1:]):
        name = str(value_of(row[school], cells))
        sid = aliases.get(name) or matcher(name)
        if sid == closed:
            gone.append(row)
            continue
        if name in renames:
            set_value(row, school, renames[name], cells)
        person, when = str(value_of(row[email], cells)), str(value_of(row[stamp], cells))
        for j, item in items.items():
            level = level_of(value_of(row[j], cells))
            if item in scored and level is not None and sid:
                answers.append(Answer(sid, f"{person}|{when}", item, level,
                                      writer(row, j, cells, rubric), when == latest[person]))
    return answers, gone


def template_answers(wb, path: Path, scored: set[str], rubric: Rubric,
                     aliases: dict[str, str]) -> list[Answer]:
    """The answers of one returned template workbook (its filled role sheet), found where
    the intake finds them."""
    respondent = path.stem.removesuffix("_resent")
    values = workbook_values(path)
    answers = []
    for ws in wb.worksheets:
        cells = values[ws.title]
        layout = find_layout(cells)
        if layout is None:
            continue
        school = str(cells[layout.school[0]][layout.school[1]] or "")
        sid = aliases.get(school.split(" - ", 1)[0].strip())
        for r in layout.item_rows:
            cell = ws.cell(row=r + 1, column=layout.answer_column + 1)
            item, level = str(cells[r][0]).strip(), level_of(cell.value)
            if item in scored and level is not None and sid:
                answers.append(Answer(sid, f"{respondent}|{ws.title}", item, level,
                                      styled_writer(cell, rubric)))
    return answers


def workbook_values(path: Path) -> dict[str, list[list]]:
    """Each sheet's values, read without touching the workbook being edited (iterating it
    would add an empty row element for every blank row on saving)."""
    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def resurvey(answers: list[Answer], rubric: Rubric, launched: set[str], seed: int
             ) -> list[str]:
    """A year of practice: each school moves one way (up for most, down for some), each
    answer one level with the school's chance; launched schools move up, their instructional
    answers with a much larger chance. Every school moves: where chance moved none of its
    counted answers, one of them (drawn) moves. Deterministic from the seed; an answer's move
    depends only on its school, respondent and item."""
    domain = {item.id: d for d, item in rubric.items()}
    by_school: dict[str, list[Answer]] = defaultdict(list)
    for a in answers:
        by_school[a.school].append(a)
    direction = {}
    for sid, group in sorted(by_school.items()):
        rng = random.Random(f"{seed}:{sid}")
        step = 1 if sid in launched or rng.random() < SHARE_UP else -1
        chance = rng.uniform(*MOVE_CHANCE)
        teaching = rng.uniform(*LAUNCHED_INSTRUCTIONAL_CHANCE) if sid in launched else chance
        movable = [a for a in group if rubric.low <= a.level + step <= rubric.high]
        if not any(a.counts for a in movable):
            step = -step
            movable = [a for a in group if rubric.low <= a.level + step <= rubric.high]
        moving = {(a.respondent, a.item) for a in movable
                  if random.Random(f"{seed}:{sid}:{a.respondent}:{a.item}").random()
                  < (teaching if domain[a.item] == INSTRUCTIONAL else chance)}
        if not any((a.respondent, a.item) in moving for a in movable if a.counts):
            counted = sorted({(a.respondent, a.item) for a in movable if a.counts})
            moving.add(counted[rng.randrange(len(counted))])
        for a in movable:
            if (a.respondent, a.item) in moving:
                a.write(a.level + step)
        direction[sid] = step
    up = sum(step > 0 for step in direction.values())
    return [f"every school answered the survey again ({len(direction)} schools): answers "
            f"moved one level, up at {up} schools and down at {len(direction) - up}; the "
            f"{len(launched & set(direction))} schools that launched gained most in "
            "instructional readiness"]


def add_new_school(ws) -> None:
    """The new school's four respondents answer like the last respondent of the form in the
    same role (the form's rows for a role hold the items the rubric asks of it)."""
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    for k, role in enumerate(["Principal", "Technology", "Teacher", "Teacher"]):
        new = list(next(r for r in reversed(rows) if r[3] == role))
        new[1] = f"{role[0].lower()}{k}.{NEW_SCHOOL_ID.lower()}@district.example"
        new[2], new[3] = NEW_SCHOOL_ID, role
        ws.append(new)


def name_matcher(aliases: dict[str, str]) -> Callable[[str], str | None]:
    """The intake's own school-name matching, for abbreviated and misspelt names."""
    from types import SimpleNamespace

    from rollout.intake.survey import SchoolMatcher

    schools = [SimpleNamespace(school_id=sid, school_name=name)
               for name, sid in aliases.items() if name != sid]
    matcher = SchoolMatcher(SimpleNamespace(schools=schools))
    return lambda name: matcher.lookup(name)[0]


def value_of(cell, cells: bool):
    return cell.value if cells else cell


def set_value(row: list, j: int, value, cells: bool) -> None:
    if cells:
        row[j].value = value
    else:
        row[j] = value


def writer(row: list, j: int, cells: bool, rubric: Rubric) -> Callable[[int], None]:
    """Write a level as the answer was written: '3 - Advanced', or a bare number."""
    original = value_of(row[j], cells)

    def write(level: int) -> None:
        value = styled(original, level, rubric)
        set_value(row, j, value if cells else str(value), cells)
    return write


def styled_writer(cell, rubric: Rubric) -> Callable[[int], None]:
    original = cell.value

    def write(level: int) -> None:
        cell.value = styled(original, level, rubric)
    return write


def styled(original: Any, level: int, rubric: Rubric) -> Any:
    if re.match(r"^\s*\d\s*-", str(original)):
        return f"{level} - {rubric.level_label(level)}"
    return level


def level_of(value: Any) -> int | None:
    if value in (None, ""):
        return None
    match = re.match(r"^\s*(\d)\b", str(value))
    return int(match.group(1)) if match else None


def save_like(wb, source: Path, target: Path) -> None:
    """Save a workbook edited from `source` as `target` with source's own save time
    (docProps/core.xml: openpyxl would stamp the time of saving, and the intake keeps the later
    of a respondent's two files by it) and source's zip entry dates: the same bytes each run."""
    with zipfile.ZipFile(source) as old:
        infos = {info.filename: info for info in old.infolist()}
        core = old.read(CORE)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as new, zipfile.ZipFile(target, "w") as out:
        for info in new.infolist():
            like = infos.get(info.filename, infos[CORE])
            entry = zipfile.ZipInfo(info.filename, date_time=like.date_time)
            entry.compress_type, entry.external_attr = like.compress_type, like.external_attr
            entry.create_system = like.create_system
            out.writestr(entry, core if info.filename == CORE else new.read(info))
