"""Realistic synthetic districts (feeder patterns, regions, network tree, surveys) for the
sample data, tests and benchmarks. Deterministic for a given seed.
"""
from __future__ import annotations

import csv
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook

from rollout.domain import School
from rollout.errors import Problems
from rollout.intake.layouts import answer_choice
from rollout.intake.rubric import Rubric, default_rubric_path, load_rubric
from rollout.outputs.survey_templates import sheet_title, survey_workbook

TERMS = ["2027 Fall", "2028 Spring", "2028 Fall", "2029 Spring", "2029 Fall", "2030 Spring"]
COHORT_LAUNCH_TERMS = TERMS[1:]
REGIONS = ["North", "South", "East", "West", "Central", "Northeast", "Southwest", "Northwest"]
STREET_NAMES = ["Oak", "Maple", "Cedar", "Pine", "Willow", "River", "Lake", "Hill", "Park",
                "Spring", "Meadow", "Forest", "Brook", "Ridge", "Valley", "Stone", "Mill",
                "Harbor", "Sunset", "Liberty", "Heritage", "Pioneer", "Summit", "Crossroads",
                "Magnolia", "Dogwood", "Hickory", "Chestnut", "Birch", "Laurel"]
LEVEL_SHAPE = {"ES": (700, 120, 14.5), "MS": (1100, 180, 15.5), "HS": (1700, 300, 16.5)}
BASELINE_KBPS, LAUNCH_KBPS = 100, 1000
TEACHERS_PER_COACH = 25
LOAD_PROFILE = {-1: 0.25, 0: 1.0, 1: 0.5, 2: 0.25}


@dataclass
class SyntheticSchool:
    school_id: str
    school_name: str
    level: str
    region: str
    feeder: str
    students: int
    teachers: int
    devices: int
    frl_pct: float
    proficiency_pct: float
    network_node: str
    link_mbps: float
    tech_staff: float
    latent: float  # true readiness 0-1 that drives the survey answers


def make_district(out: Path, schools: int = 95, seed: int = 2027, rubric: Rubric | None = None,
                  respondents: tuple[int, int] = (4, 8), files: int = 2,
                  template_region: str | None = None) -> dict:
    """Write district.xlsx, settings.yaml and surveys/ for a synthetic district into `out`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    roster = make_schools(rng, schools)
    nodes, plan = make_network(rng, roster)
    coaches = coaching_staff(roster)
    preferences = make_preferences(rng, roster)
    # A stream of its own, so that adding upgrades left every other sheet and survey as it was.
    upgrades = make_upgrades(random.Random(f"{seed}-upgrades"), roster, plan, preferences)
    write_district_workbook(out / "district.xlsx", roster, nodes, plan, coaches, preferences,
                            upgrades)
    write_settings(out / "settings.yaml", len(roster), upgrade_budget(upgrades))
    if rubric is not None:
        write_surveys(out / "surveys", rng, roster, rubric, respondents, files, template_region)
    return {"schools": len(roster), "students": sum(s.students for s in roster)}


def make_schools(rng: random.Random, count: int) -> list[SyntheticSchool]:
    high_schools = max(1, round(count * 0.19))
    middle = max(1, round(count * 0.20))
    elementary = count - high_schools - middle
    region_count = 2 if count < 200 else min(len(REGIONS), max(2, count // 150))
    feeders = [f"{name(rng, i)} HS" for i in range(high_schools)]
    feeder_region = {f: REGIONS[i * region_count // high_schools] for i, f in enumerate(feeders)}
    levels = ["HS"] * high_schools + ["MS"] * middle + ["ES"] * elementary
    roster = []
    for i, level in enumerate(levels):
        feeder = feeders[i % high_schools]
        region = feeder_region[feeder]
        mean, spread, ratio = LEVEL_SHAPE[level]
        students = max(250, int(rng.gauss(mean, spread)))
        frl = min(98.0, max(3.0, rng.gauss(55 if region in ("South", "East") else 35, 20)))
        proficiency = min(95.0, max(10.0, 85 - 0.6 * frl + rng.gauss(0, 8)))
        latent = min(1.0, max(0.0, rng.gauss(0.55 - 0.002 * (frl - 45), 0.18)))
        per_device = 1.0 if level != "ES" else rng.choice([1.5, 2.0, 3.0, 4.0])
        if rng.random() < 0.2:
            per_device *= 1.8
        label = "Elementary School" if level == "ES" else "Middle School"
        school_name = feeder.replace(" HS", " High School") if level == "HS" and \
            i < high_schools else f"{name(rng, i + 7)} {label}"
        roster.append(SyntheticSchool(
            school_id=f"{level}{i + 1:04d}" if count > 999 else f"{level}{i + 1:03d}",
            school_name=school_name, level=level, region=region, feeder=feeder,
            students=students, teachers=max(12, round(students / ratio)),
            devices=int(students / per_device), frl_pct=round(frl, 1),
            proficiency_pct=round(proficiency, 1), network_node=feeder_node(feeder),
            link_mbps=0.0, tech_staff=round(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0]), 1),
            latent=latent))
    dedupe_names(roster)
    return sorted(roster, key=lambda s: s.school_id)


def name(rng: random.Random, i: int) -> str:
    street = STREET_NAMES[i % len(STREET_NAMES)]
    suffix = ["", " Creek", " Springs", " Grove", " Point", " Trail", " Woods"][
        (i // len(STREET_NAMES)) % 7]
    return f"{street}{suffix}" + (f" {i // (len(STREET_NAMES) * 7) + 1}" if i >= 210 else "")


def dedupe_names(roster: list[SyntheticSchool]) -> None:
    seen: dict[str, int] = {}
    for s in roster:
        if s.school_name in seen:
            seen[s.school_name] += 1
            s.school_name = f"{s.school_name} {seen[s.school_name]}"
        else:
            seen[s.school_name] = 1


def feeder_node(feeder: str) -> str:
    return "FDR-" + feeder.replace(" HS", "").upper().replace(" ", "-")


def make_network(rng: random.Random, roster: list[SyntheticSchool]):
    """Root -> regional hubs -> feeder nodes -> schools, with a committed capacity plan that
    raises the hubs and the weakest school links over the years."""
    nodes, plan = [], []
    total = sum(s.students for s in roster) * LAUNCH_KBPS / 1000
    nodes.append(("DISTRICT-CORE", None, round_up(total * 0.55, 1000)))
    plan.append(("DISTRICT-CORE", TERMS[3], round_up(total * 0.8, 1000)))
    plan.append(("DISTRICT-CORE", TERMS[5], round_up(total * 1.1, 1000)))
    for region in sorted({s.region for s in roster}):
        members = [s for s in roster if s.region == region]
        full = sum(s.students for s in members) * LAUNCH_KBPS / 1000
        hub = f"{region.upper()}-HUB"
        # Sized so that about the schools of an even plan fit: upgrades decide the pace.
        nodes.append((hub, "DISTRICT-CORE", round_up(full * 0.36, 500)))
        plan.append((hub, TERMS[2], round_up(full * 0.58, 500)))
        plan.append((hub, TERMS[4], round_up(full * 1.05, 500)))
        for feeder in sorted({s.feeder for s in members}):
            fed = sum(s.students for s in members if s.feeder == feeder) * LAUNCH_KBPS / 1000
            nodes.append((feeder_node(feeder), hub, round_up(fed * 1.2, 1000)))
    for s in roster:
        needed = s.students * LAUNCH_KBPS / 1000
        s.link_mbps = 1000 if needed <= 1000 else 10000
        if rng.random() < 0.18:
            s.link_mbps = round_up(needed * 0.5, 100)
            plan.append((s.school_id, TERMS[rng.choice([1, 2, 3, 4])],
                         1000 if needed <= 1000 else 10000))
    return nodes, plan


def make_upgrades(rng: random.Random, roster: list[SyntheticSchool], plan, preferences):
    """Possible upgrades beyond the committed plan, as (upgrade, link, new_capacity_mbps, cost,
    lead_terms): the core and each regional hub can be raised early (a partial and a full
    upgrade of a hub are alternatives), and a weak school link whose committed raise comes
    late can be brought forward; always so when the school is locked to an earlier cohort
    (the district plans for its own locks). Costs in dollars, from typical E-rate quotes."""
    options = []
    total = sum(s.students for s in roster) * LAUNCH_KBPS / 1000
    options.append(("DISTRICT-CORE", round_up(total * 0.95, 1000),
                    round_up(rng.uniform(700_000, 900_000), 10_000), 2))
    for region in sorted({s.region for s in roster}):
        full = sum(s.students for s in roster if s.region == region) * LAUNCH_KBPS / 1000
        hub = f"{region.upper()}-HUB"
        options.append((hub, round_up(full * 0.7, 500),
                        round_up(rng.uniform(120_000, 200_000), 5_000), 1))
        options.append((hub, round_up(full * 1.05, 500),
                        round_up(rng.uniform(350_000, 500_000), 5_000), 2))
    by_id = {s.school_id: s for s in roster}
    locked_launch = {sid: TERMS.index(COHORT_LAUNCH_TERMS[cohort - 1])
                     for sid, cohort, locked in preferences if locked == "yes"}
    for link, term, capacity in plan:
        due = TERMS.index(term)
        if link in by_id and due >= 2 and (rng.random() < 0.7 or
                                            due > locked_launch.get(link, len(TERMS))):
            cost = rng.uniform(18_000, 30_000) if capacity <= 1000 else rng.uniform(60_000, 90_000)
            options.append((link, capacity, round_up(cost, 1_000), 1))
    width = len(str(len(options)))
    return [(f"U{i + 1:0{width}d}", *option) for i, option in enumerate(options)]


def upgrade_crews(upgrades) -> int:
    """Upgrades that can complete per term: about an eighth of the options, so that the
    crews, not only the budget, decide which upgrades come first."""
    return max(2, math.ceil(len(upgrades) / 8))


def upgrade_budget(upgrades) -> int:
    """About 40 % of what every possible upgrade would cost together."""
    return round_up(sum(u[3] for u in upgrades) * 0.4, 10_000)


def round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


def coaching_staff(roster: list[SyntheticSchool]) -> list[float]:
    """Coaches per term: what an even split of schools over the cohorts needs, trimmed so that
    coaching binds in the busy middle terms."""
    fte = [0.0] * len(TERMS)
    per_cohort = len(roster) / len(COHORT_LAUNCH_TERMS)
    mean_load = sum(s.teachers for s in roster) / len(roster) / TEACHERS_PER_COACH
    for k in range(len(COHORT_LAUNCH_TERMS)):
        launch = k + 1
        for offset, share in LOAD_PROFILE.items():
            if 0 <= launch + offset < len(TERMS):
                fte[launch + offset] += per_cohort * mean_load * share
    return [math.ceil(f * 1.04 * 2) / 2 for f in fte]


def make_preferences(rng: random.Random, roster: list[SyntheticSchool]):
    prefs = []
    for s in roster:
        if rng.random() < 0.25:
            cohort = min(5, max(1, round(5 - 4 * s.latent + rng.gauss(0, 0.8))))
            locked = rng.random() < 0.12 and cohort > 1
            prefs.append((s.school_id, cohort, "yes" if locked else "no"))
    return prefs


def write_district_workbook(path, roster, nodes, plan, coaches, preferences, upgrades=()
                            ) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Schools"
    ws.append(["school_id", "school_name", "level", "region", "feeder", "students", "teachers",
               "devices", "frl_pct", "proficiency_pct", "network_node", "link_mbps",
               "tech_staff"])
    for s in roster:
        ws.append([s.school_id, s.school_name, s.level, s.region, s.feeder, s.students,
                   s.teachers, s.devices, s.frl_pct, s.proficiency_pct, s.network_node,
                   s.link_mbps, s.tech_staff])
    sheet(wb, "Network", ["node", "parent", "capacity_mbps"], nodes)
    crews = upgrade_crews(upgrades)
    sheet(wb, "Terms", ["term", "coaches_fte", "upgrade_crews"],
          [(term, fte, crews) for term, fte in zip(TERMS, coaches)])
    sheet(wb, "Capacity plan", ["link", "term", "capacity_mbps"], plan)
    sheet(wb, "Preferences", ["school_id", "preferred_cohort", "locked"], preferences)
    if upgrades:
        sheet(wb, "Upgrades", ["upgrade", "link", "new_capacity_mbps", "cost", "lead_terms"],
              upgrades)
    for ws in wb.worksheets:
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(
                12, min(40, max(len(str(c.value or "")) for c in column) + 2))
    wb.save(path)


def sheet(wb, title, header, rows) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append(list(row))


def write_settings(path: Path, schools: int, budget: int) -> None:
    per = schools / len(COHORT_LAUNCH_TERMS)
    text = SETTINGS_TEMPLATE.format(
        cohorts="\n".join(f"  - {{name: Group {i + 1}, launch_term: {t}}}"
                          for i, t in enumerate(COHORT_LAUNCH_TERMS)),
        min=max(1, math.floor(per * 0.75)), max=math.ceil(per * 1.3), budget=budget)
    path.write_text(text, encoding="utf-8")


SETTINGS_TEMPLATE = """\
# Planning settings. Every number is the district's choice; sources of the defaults in brackets.

# Five roll-out groups launching over three years (Fulton County Schools placed its 95 schools
# in five groups). Each cohort launches in a term of the Terms sheet of district.xlsx.
cohorts:
{cohorts}

# Schools per cohort (Fulton's groups held 15 to 32 schools).
cohort_size: {{min: {min}, max: {max}}}

# 0 = launch the most ready schools first, 1 = launch the schools in greatest need first
# ("Look Both Ways", question 3: surveyed districts sit at 3.3 on a 1-need to 5-readiness scale,
# so the default leans slightly to need).
need_weight: 0.4

coaching:
  # Teachers one coach can guide in a school's launch term (a coach guides fewer than 30).
  teachers_per_coach: 25
  # Share of that load by term relative to launch: planning, launch, support.
  load_profile: {{-1: 0.25, 0: 1.0, 1: 0.5, 2: 0.25}}

bandwidth:
  # SETDA: 100 Mbps per 1,000 students today, 1 Gbps per 1,000 students as the goal.
  baseline_kbps_per_student: 100
  launch_kbps_per_student: 1000

# Minimum readiness (0-100) for the first cohort: pilots go to ready schools.
readiness_gate: 55

# Honouring a school's own (unlocked) choice of cohort is worth this many priority points.
preference_weight: 10

# Money for the optional upgrades of the Upgrades sheet of district.xlsx, in dollars.
upgrade_budget: {budget}

solver:
  time_limit_seconds: 30
  random_seed: 1
  workers: 1
  # When the first search has not proven its plan best with this share of the time left, it
  # stops and the rest improves the plan a few neighbouring cohorts at a time.
  polish_share: 0.4

# The public website, OUT_DIR/site/ (rebuilt from an output folder by `rollout publish OUT_DIR`
# after a change here). Whatever is set, it never shows survey answers, anything per respondent
# or per role, priority, need, the cohort a school asked for, upgrade costs or data issues.
publish:
  # Languages of the site, the first at the top of its folder; each needs a catalog in
  # rollout/outputs/site/locale/. Title VI: parents get the district's information in a
  # language they understand, and Spanish is by far the most common other one.
  languages: [en, es]
  # true shows each school's infrastructure, technology, instructional and readiness scores.
  scores: false
  # Optional branding: title (one, or one per language: {{en: ..., es: ...}}), logo (a PNG,
  # JPEG, GIF or WebP file in this folder, at most 200 KB) and accent_colour ("#RRGGBB", dark
  # enough for white text on it: a contrast of 4.5:1, WCAG 2.1 AA).
  # title: Our blended learning roll-out
  # logo: logo.png
  # accent_colour: "#1F3864"
"""


def write_surveys(folder: Path, rng: random.Random, roster, rubric: Rubric,
                  respondents: tuple[int, int], files: int, template_region: str | None = None
                  ) -> None:
    """Surveys in the layouts districts collect: the schools of `template_region` return our
    per-school template workbooks (one file per respondent, one of them sent twice), the others
    answer an online form whose answers were exported (the last export as .csv when there are
    several). A few rows carry the mess real exports have: abbreviated and misspelt school
    names and a respondent who submitted twice."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        if old.suffix.lower() in {".xlsx", ".csv"}:
            old.unlink()
    people = {s.school_id: respondent_roles(rng, respondents) for s in roster}
    on_forms = [s for s in roster if s.region != template_region]
    write_form_exports(folder, rng, on_forms, rubric, people, files,
                       csv_files=1 if template_region and files > 1 else 0, messy=True,
                       everyone=roster)
    on_templates = [s for s in roster if s.region == template_region]
    if on_templates:
        write_template_returns(folder, rng, on_templates, roster, rubric, people)


def respondent_roles(rng: random.Random, respondents: tuple[int, int]) -> list[str]:
    count = rng.randint(*respondents)
    return ["principal", "technology"] + ["teacher"] * (count - 2)


def write_form_exports(folder: Path, rng: random.Random, schools, rubric: Rubric,
                       people: dict[str, list[str]], files: int, csv_files: int = 0,
                       messy: bool = False, everyone=None) -> None:
    """Online-form exports: one row per respondent, items as columns, answers like
    '3 - Advanced' or a bare number, some schools named instead of identified."""
    folder.mkdir(parents=True, exist_ok=True)
    items = rubric.items()
    header = ["Timestamp", "Email Address", "School", "Role"] + [
        f"{item.id} - {item.text}" for _, item in items] + ["Comments"]
    exports: list[list[list]] = [[header] for _ in range(files)]
    for n, s in enumerate(schools):
        rows = exports[n % files]
        for k, role in enumerate(people[s.school_id]):
            school = s.school_id if rng.random() < 0.7 else s.school_name
            if messy and n % 17 == 5:
                school = s.school_name.replace("Elementary", "Elem.").replace("School", "Sch.")
            if messy and n == 11 and k == 0:
                school = misspelt(s, everyone or schools)
            row = [f"2027-03-{1 + (n + k) % 28:02d} {8 + k % 9:02d}:{(n * 7 + k) % 60:02d}:00",
                   f"{role[0]}{k}.{s.school_id.lower()}@district.example", school, role.title()]
            row += [answer(rng, s, role, item, rubric) for _, item in items] + [""]
            rows.append(row)
            if messy and n == 3 and k == 2:  # sent twice: the later answers count
                rows.append([row[0].replace("2027-03-", "2027-04-"), *row[1:4]] +
                            [answer(rng, s, role, item, rubric) for _, item in items] + [""])
    for i, rows in enumerate(exports):
        if i >= files - csv_files:
            with open(folder / f"form_export_{i + 1}.csv", "w", newline="",
                      encoding="utf-8") as handle:
                csv.writer(handle).writerows(rows)
            continue
        # xlsxwriter keeps text in a shared-strings table, as Excel and Google Sheets do.
        with xlsxwriter.Workbook(folder / f"form_export_{i + 1}.xlsx") as book:
            ws = book.add_worksheet("Form Responses 1")
            for r, row in enumerate(rows):
                ws.write_row(r, 0, row)


def misspelt(school, everyone) -> str:
    """A typing slip in the first word long enough to make one, if the intake's name matcher
    still finds the school by it (in a large district the slip can land nearer another
    school's name: then the name is typed correctly)."""
    from types import SimpleNamespace

    from rollout.intake.school_matching import SchoolMatcher

    words = school.school_name.split()
    first = next(i for i, w in enumerate(words) if len(w) > 4)
    words[first] = words[first][:2] + words[first][3:]
    typo = " ".join(words)
    found, _ = SchoolMatcher(SimpleNamespace(schools=everyone)).lookup(typo)
    return typo if found == school.school_id else school.school_name


def write_template_returns(folder: Path, rng: random.Random, schools, roster, rubric: Rubric,
                           people: dict[str, list[str]]) -> None:
    """Each respondent returns the school's template workbook with their role's sheet filled."""
    directory = [School(s.school_id, s.school_name, s.level, s.region, s.feeder, s.students,
                        s.teachers, s.devices, s.frl_pct, s.proficiency_pct, s.network_node,
                        s.link_mbps, s.tech_staff) for s in roster]
    by_id = {s.school_id: s for s in directory}
    for n, s in enumerate(schools):
        book = survey_workbook(rubric, directory, school=by_id[s.school_id])
        for k, role in enumerate(people[s.school_id]):
            ws = book[sheet_title(role)]
            filled = []
            for row in ws.iter_rows(min_row=9):
                item_id = row[0].value
                if item_id in rubric.item_by_id():
                    level = answer(rng, s, role, rubric.item_by_id()[item_id], rubric)
                    row[3].value = None if level is None else answer_choice(
                        rubric, int(str(level).split()[0]))
                    filled.append(row[3])
            ws["D6"] = f"{role[0]}{k}.{s.school_id.lower()}@district.example" \
                if rng.random() < 0.5 else None
            name = folder / f"{s.school_id}_{role}_{k + 1}.xlsx"
            book.save(name)
            if n == 0 and k == 0:  # the sender attached the same file again
                shutil.copyfile(name, folder / f"{s.school_id}_{role}_{k + 1}_resent.xlsx")
            for cell in filled + [ws["D6"]]:
                cell.value = None


def answer(rng: random.Random, school: SyntheticSchool, role: str, item, rubric: Rubric):
    if role not in item.roles:
        return None
    optimism = 0.35 if role == "principal" else 0.0
    value = 1 + 3 * school.latent + optimism + rng.gauss(0, 0.6)
    level = min(rubric.high, max(rubric.low, round(value)))
    if rng.random() < 0.04 and not item.required:
        return None  # skipped question
    return level if rng.random() < 0.5 else f"{level} - {rubric.scale[level]}"


def cached_district(cache: Path, schools: int, seed: int, log=lambda message: None) -> Path:
    """A synthetic district generated once into `cache/<schools>-<seed>` (benchmarks); a marker
    file says the folder is complete."""
    folder = cache / f"{schools}-{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        problems = Problems()
        rubric = load_rubric(default_rubric_path(), problems)
        problems.raise_if_any()
        make_district(folder, schools=schools, seed=seed, rubric=rubric)
        marker.write_text("")
        log(f"  generated {folder}")
    return folder
