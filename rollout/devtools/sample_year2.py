"""Derive a second spring's district folder from the first (for the sample data and tests).

A year on: two terms have passed, three coaches fewer in a busy term, the South hub's upgrade
slips a term, survey scores rise for some schools, one school closed, one opened, one was
renamed, and one school changed the cohort it asks for.
"""
from __future__ import annotations

import csv
import random
import re
import shutil
from pathlib import Path

import yaml
from openpyxl import load_workbook

CURRENT_TERM = "2028 Fall"        # 2027 Fall and 2028 Spring are history
COACH_CUT = {"2029 Spring": 3.0}  # three coaches fewer (a grant ended)
SLIPPED_LINK = "SOUTH-HUB"
NEW_SCHOOL_ID = "ES096"


def make_year2(year1: Path, year2: Path, previous_plan: dict[str, int],
               upgrades: dict[str, int] | None = None, seed: int = 2028) -> list[str]:
    """Write year2 from year1; `previous_plan` (school_id -> cohort) picks which schools can
    close or change preference without touching launched ones; last year's chosen `upgrades`
    (id -> term index) were funded, so they join the committed capacity plan. Returns what
    changed."""
    rng = random.Random(seed)
    if year2.exists():
        shutil.rmtree(year2)
    year2.mkdir(parents=True)
    shutil.copytree(year1 / "surveys", year2 / "surveys")
    later = sorted(s for s, c in previous_plan.items() if c >= 3)
    closed, renamed, new_pref = later[-1], later[0], later[len(later) // 2]
    names = school_names(year1 / "district.xlsx")
    changes = edit_district(year1 / "district.xlsx", year2 / "district.xlsx", closed, renamed,
                            new_pref, upgrades or {})
    changes += edit_settings(year1 / "settings.yaml", year2 / "settings.yaml")
    raised = sorted(rng.sample(sorted(previous_plan), 15))
    aliases = {name: sid for sid, name in names.items()} | {sid: sid for sid in names}
    renamed_to = school_names(year2 / "district.xlsx")[renamed]
    changes += edit_surveys(year2 / "surveys", raised, closed, aliases,
                            {names[renamed]: renamed_to})
    return changes


def school_names(path: Path) -> dict[str, str]:
    ws = load_workbook(path, read_only=True)["Schools"]
    return {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


def edit_district(source: Path, target: Path, closed: str, renamed: str, new_pref: str,
                  upgrades: dict[str, int]) -> list[str]:
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
    wb.save(target)
    return changes


def name_district(settings: Path, name: str) -> None:
    """Give the sample district a name (it ties the two years' history together)."""
    text = settings.read_text(encoding="utf-8")
    if "district_name:" not in text:
        settings.write_text(f"# The district's name on every output and in history.csv.\n"
                            f"district_name: {name}\n\n" + text, encoding="utf-8")


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


def edit_surveys(folder: Path, raised: list[str], closed: str, aliases: dict[str, str],
                 renames: dict[str, str]) -> list[str]:
    """A year of practice: the form answers of some schools rise one level; the closed
    school's answers are gone; the new school answers the form like its neighbours."""
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith(closed):
            path.unlink()
            continue
        wb = load_workbook(path)
        ws = wb.active
        if "Form" not in ws.title:
            continue
        header = [c.value for c in ws[1]]
        school = header.index("School")
        rows = list(ws.iter_rows(min_row=2))
        model = None
        for row in reversed(rows):
            value = str(row[school].value)
            sid = aliases.get(value)
            if sid == closed:
                ws.delete_rows(row[0].row)
                continue
            row[school].value = renames.get(value, value)
            if sid in raised:
                for cell in row[4:]:
                    cell.value = raise_level(cell.value)
            model = model or [c.value for c in row]
        for k, role in enumerate(["Principal", "Technology", "Teacher", "Teacher"]):
            new = list(model)
            new[1] = f"{role[0].lower()}{k}.{NEW_SCHOOL_ID.lower()}@district.example"
            new[2], new[3] = NEW_SCHOOL_ID, role
            ws.append(new)
        wb.save(path)
        break  # the new school answers one form
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        out = [rows[0]]
        for row in rows[1:]:
            sid = aliases.get(row[2])
            if sid == closed:
                continue
            row[2] = renames.get(row[2], row[2])
            if sid in raised:
                row = row[:4] + [str(raise_level(v) or "") for v in row[4:]]
            out.append(row)
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(out)
    return [f"survey answers rose one level at {len(raised)} schools"]


def raise_level(value):
    if value in (None, ""):
        return value
    match = re.match(r"^\s*(\d)", str(value))
    if not match:
        return value
    return min(4, int(match.group(1)) + 1)
