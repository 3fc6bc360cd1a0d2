"""Render the public site from a `PublicPlan`: Jinja2 templates with autoescaping, every
interface string from the Babel catalogs, one folder per language after the first.

Layout (the first language at the top, each other one in its own folder):
    index.html  schools.html  schools-2.html ...  schools-c<N>.html ...  data.html
    schools/<school_id>.html  es/...  static/site.css  static/site.js  plan-public.csv
The same inputs give the same bytes: nothing here reads the clock or iterates a set.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rollout.intake.settings import Publish
from rollout.outputs.site import charts
from rollout.outputs.site.i18n import N_, Language
from rollout.outputs.site.public import (
    HOLDS,
    LEVEL_ORDER,
    LEVEL_TEXT,
    SCORE_COLUMNS,
    STAGE_TEXT,
    PublicPlan,
    PublicSchool,
)
from rollout.outputs.site.reasons import CHANGE_TEXT, REASON_TEXT
from rollout.safe import safe_text

HERE = Path(__file__).parent
PAGE_SIZE = 200  # schools per list page: a page stays light on a phone
LISTED_CHANGES = 30  # schools named under "what changed"; each page of a school says it too
# The words of the principal workbook (rollout.outputs.results.PHASE_TEXT; a test keeps them
# the same).
PHASE_TEXT = {
    "Early planning": N_("The school's team starts planning with its coach."),
    "Planning": N_("Leaders and teacher champions plan with a coach: choose the blended model, "
                   "schedule training, and finish upgrades so the network and devices are "
                   "ready."),
    "Launch": N_("Blended classes start. Coaching is at its fullest."),
    "Support": N_("Coaching continues at a lower level while practice settles."),
}
PAUSED_PHASE = N_("Paused: no coaching while the school's roll-out is paused.")
PHASE_NAMES = {"Early planning": N_("Early planning"), "Planning": N_("Planning"),
               "Launch": N_("Launch"), "Support": N_("Support")}
SCORE_TEXT = {"infrastructure": N_("Infrastructure"), "technology": N_("Technology"),
              "instructional": N_("Instructional"), "readiness": N_("Readiness")}
STAGE_MEANING = {
    "not_started": N_("Its cohort's planning has not begun yet."),
    "planning": N_("The school is preparing with its coach for its launch."),
    "launching": N_("Blended classes start this term: the school launches now."),
    "support": N_("Blended classes have started; coaching continues at a lower level."),
    "complete": N_("The school has launched and its coaching has ended."),
    "delayed": N_("The launch was put back; the school is planned again in a later cohort."),
    "paused": N_("The school's roll-out is paused for now."),
    "withdrawn": N_("The school has left the roll-out."),
}
COLUMN_MEANING = {
    "school_id": N_("The district's identifier of the school."),
    "school_name": N_("The school's name."),
    "cohort": N_("The cohort (group of schools launching together) the school is in."),
    "launch_term": N_("The term its blended classes start (or started)."),
    "stage": N_("Where the school stands in the current term (see below)."),
    "level": N_("ES elementary, MS middle, HS high school, Other."),
    "region": N_("The district's region."),
    "feeder_pattern": N_("The feeder pattern (schools whose students go on to the same high "
                         "school)."),
    "infrastructure": N_("Infrastructure readiness score, 0 to 100."),
    "technology": N_("Technology readiness score, 0 to 100."),
    "instructional": N_("Instructional readiness score, 0 to 100."),
    "readiness": N_("Overall readiness score, 0 to 100."),
}
# Interface strings of the templates, which show them as L["..."]: translated once per
# language, not once per page (gettext in a template costs ~30 us a call, 20,000 pages).
TEMPLATE_MESSAGES = (
    N_("Skip to the content"),
    N_("Language"),
    N_("Site"),
    N_("The data behind these pages"),
    N_("Everything these pages show about each school is in one file you can open in a "
        "spreadsheet:"),
    N_("One row per school, in the order of the school ID; text in UTF-8, separated by commas."),
    N_("The columns of the file"),
    N_("Column"),
    N_("What it holds"),
    N_("Stages"),
    N_("The values of the stage column"),
    N_("Value"),
    N_("Meaning"),
    N_("What is not published"),
    N_("Survey answers, anything about one respondent or one role, the priority and need "
        "figures used to plan, the cohort a school asked for, network costs and notes for "
        "central office stay with the district."),
    N_("In numbers"),
    N_("Find your school"),
    N_("Progress, term by term"),
    N_("Schools"),
    N_("Students"),
    N_("Solid line: what has happened. Dashed line on grey: planned."),
    N_("Term"),
    N_("Schools launched"),
    N_("Students launched"),
    N_("Source"),
    N_("Schools in each cohort"),
    N_("Cohort"),
    N_("All"),
    N_("Timeline of the cohorts"),
    N_("What changed since last year"),
    N_("Why schools moved"),
    N_("Schools whose plan changed"),
    N_("All schools"),
    N_("Launch term"),
    N_("Readiness scores (0 to 100)"),
    N_("What happens when"),
    N_("Phase"),
    N_("What happens"),
    N_("(this term)"),
    N_("The plan for this school, season by season"),
    N_("Season"),
    N_("Readiness"),
    N_("What changed"),
    N_("This is the first plan for this school."),
    N_("School"),
    N_("Level"),
    N_("No other school is in this feeder pattern."),
    N_("Cohorts"),
    N_("Filter by name, school ID, region or feeder pattern"),
    N_("Pages of the list"),
)
PHASE_COLOURS = {"Planning": charts.PLANNING, "Launch": None, "Support": charts.SUPPORT}
DEFAULT_ACCENT = "#1F3864"


@dataclass(frozen=True)
class Column:
    key: str          # the column of plan-public.csv it shows
    label: str
    numeric: bool = False


def phase_name(offset: int) -> str:
    if offset == 0:
        return "Launch"
    if offset > 0:
        return "Support"
    return "Planning" if offset == -1 else "Early planning"


def public_columns(scores: bool) -> list[str]:
    return ["school_name", "school_id", "cohort", "launch_term", "stage", "level", "region",
            "feeder_pattern", *(SCORE_COLUMNS if scores else ())]


def write_public_csv(plan: PublicPlan, path: Path) -> None:
    """plan-public.csv: the columns of the schools list in its order, one row per school (in
    school_id order)."""
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(public_columns(plan.with_scores))
    for s in plan.schools:
        launch = "" if s.stage == "withdrawn" else s.launch_term  # it launches in no term
        cells = [s.name, s.school_id, s.cohort_name, launch, s.stage, s.level, s.region, s.feeder]
        cells += [fmt(v) for v in s.scores] if s.scores is not None else []
        writer.writerow([safe_text(c) for c in cells])
    path.write_text(handle.getvalue(), encoding="utf-8")


def fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class SiteBuilder:
    """Every page of the site for one plan and one publish section."""

    def __init__(self, plan: PublicPlan, publish: Publish, logo: Path | None = None):
        self.publish = publish
        self.languages = [Language(code) for code in publish.languages]
        self.accent = publish.accent_colour or DEFAULT_ACCENT
        self.logo = f"static/logo{logo.suffix.lower()}" if logo else None
        self.logo_file = logo
        self.original = plan
        self.use_plan(plan)
        self.current_moves = {m.school_id: m for m in plan.moves
                              if m.season == self.source.current_term}
        self.moves = {(m.season, m.school_id): m for m in plan.moves}
        self.slots: list[charts.ChartSlot] = []

    def use_plan(self, plan: PublicPlan) -> None:
        """The plan the pages are made from next (its names in one language)."""
        self.plan = plan
        self.source = plan.source
        self.by_name = sorted(plan.schools, key=lambda s: (s.name.casefold(), s.school_id))
        self.by_id = {s.school_id: s for s in plan.schools}
        self.feeders: dict[str, list[PublicSchool]] = {}
        for s in sorted(plan.schools, key=lambda s: (level_rank(s.level), s.name.casefold(),
                                                     s.school_id)):
            self.feeders.setdefault(s.feeder, []).append(s)

    def speak(self, lang: Language) -> Language:
        """Pages in `lang` from here on show its names of cohorts and regions."""
        self.use_plan(named(self.original, self.publish.names.get(lang.code, {})))
        return lang

    # ----- writing ------------------------------------------------------------------------

    def write(self, site: Path) -> list[Path]:
        site.mkdir(parents=True, exist_ok=True)
        (site / "static").mkdir(exist_ok=True)
        written = []
        for name in ("site.css", "site.js"):
            (site / "static" / name).write_bytes((HERE / "static" / name).read_bytes())
            written.append(site / "static" / name)
        if self.logo_file is not None:
            (site / self.logo).write_bytes(self.logo_file.read_bytes())
            written.append(site / self.logo)
        write_public_csv(self.original, site / "plan-public.csv")  # the district's own names
        written.append(site / "plan-public.csv")
        renderer = charts.Renderer()
        try:
            envs = {lang.code: self.environment(lang) for lang in self.languages}
            overviews = {lang.code: self.overview(self.speak(lang)) for lang in self.languages}
            renderer.start(self.slots)
            for lang in self.languages:
                for path, template, context in self.pages(self.speak(lang)):
                    written.append(self.render(site, lang, envs[lang.code], path, template,
                                               context))
                    renderer.poll()
            renderer.finish()
            for lang in self.languages:
                written.append(self.render(site, lang, envs[lang.code], "index.html",
                                           "overview.html", overviews[lang.code]))
        finally:
            renderer.close()
        return written

    def render(self, site: Path, lang: Language, env: Environment, path: str, template: str,
               context: dict) -> Path:
        target = site / self.prefix(lang) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(template).render(**self.common(lang, path),
                                                            **context), encoding="utf-8")
        return target

    def environment(self, lang: Language) -> Environment:
        env = Environment(loader=FileSystemLoader(HERE / "templates"),
                          autoescape=select_autoescape(["html"]), trim_blocks=True,
                          lstrip_blocks=True, undefined=StrictUndefined)
        env.globals["L"] = {message: lang.gettext(message) for message in TEMPLATE_MESSAGES}
        return env

    def pages(self, lang: Language):
        """Every page but the overview (written once its charts are converted)."""
        for cohort in [None, *self.source.cohorts]:
            number = cohort.number if cohort else None
            rows = [s for s in self.by_name if number is None or s.cohort == number]
            chunks = [rows[i:i + PAGE_SIZE] for i in range(0, len(rows), PAGE_SIZE)] or [[]]
            withdrawn = sum(s.stage == "withdrawn" for s in rows)
            for page, chunk in enumerate(chunks, start=1):
                yield (list_path(number, page), "schools.html",
                       self.school_list(lang, number, page, len(chunks), chunk,
                                        (len(rows), withdrawn)))
        for school in self.plan.schools:
            yield f"schools/{school.page}.html", "school.html", self.school_page(lang, school)
        yield "data.html", "data.html", self.data_page(lang)

    # ----- what every page has ------------------------------------------------------------

    def prefix(self, lang: Language) -> str:
        return "" if lang is self.languages[0] else f"{lang.code}/"

    def common(self, lang: Language, path: str) -> dict:
        depth = (self.prefix(lang) + path).count("/")
        root = "../" * depth
        _ = lang.gettext
        title = self.publish.title
        if isinstance(title, dict):
            title = title.get(lang.code)
        site_title = title or _("%(district)s: the blended learning roll-out",
                                district=self.source.district_name)
        nav = [("index.html", _("Overview")), ("schools.html", _("Schools")),
               ("data.html", _("Data"))]
        here = "schools.html" if path.startswith("schools") else path
        return {
            "lang": lang, "root": root, "prefix": self.prefix(lang),
            "site_title": site_title,
            "footer": _("%(district)s. Plan prepared on %(date)s.",
                        district=self.source.district_name,
                        date=lang.date(self.source.prepared)),
            "accent_css": self.publish.accent_colour, "logo": self.logo,
            "second_css": charts.second_colour(self.accent),
            "script": path.startswith("schools") and "/" not in path,
            "switch": [{"code": other.code, "name": other.name,
                        "href": root + self.prefix(other) + path}
                       for other in self.languages if other is not lang],
            "nav": [{"href": root + self.prefix(lang) + target, "label": label,
                     "current": target == here} for target, label in nav],
        }

    # ----- overview -----------------------------------------------------------------------

    def chart(self, kind: str, args: dict, lang: Language, chart_id: str, title: str,
              desc: str) -> charts.ChartSlot:
        made = charts.ChartSlot(chart_id, title, desc, kind, args, self.accent,
                                lang.d3_format_locale)
        self.slots.append(made)
        return made

    def overview(self, lang: Language) -> dict:
        _ = lang.gettext
        source, schools = self.source, self.plan.schools
        current = source.current_index
        first = source.cohorts[0].launch_term
        last = source.cohorts[-1].launch_term
        # Every count is of the schools taking part (a withdrawn school is in none), from the
        # term each really launches: a paused school has launched, a delayed one not yet.
        schools = self.plan.taking_part
        launched = [s for s in schools if source.term_index[s.launch_term] < current]
        launching = [s for s in schools if source.term_index[s.launch_term] == current
                     and s.stage != "paused"]
        total = len(schools)
        withdrew = (lang.ngettext("%(n)s school withdrew", "%(n)s schools withdrew",
                                  self.plan.withdrawn) if self.plan.withdrawn else None)
        sentence = _("%(district)s will bring blended learning to %(schools)s in %(cohorts)s, "
                     "launching from %(first)s to %(last)s.",
                     district=source.district_name,
                     schools=lang.ngettext("%(n)s school", "%(n)s schools", total),
                     cohorts=lang.ngettext("%(n)s cohort", "%(n)s cohorts",
                                           len(source.cohorts)),
                     first=lang.term(first), last=lang.term(last))
        if withdrew:
            sentence += " " + _("%(withdrew)s from the roll-out.", withdrew=withdrew)
        tiles = [
            {"number": lang.number(total), "label": _("Schools"), "note": withdrew},
            {"number": lang.number(len(source.cohorts)), "label": _("Cohorts"), "note": None},
            {"number": lang.number(len(launched)), "label": _("Launched so far"),
             "note": _("%(share)s of schools", share=lang.percent(len(launched) / total))
             if total else None},
            {"number": lang.number(len(launching)),
             "label": _("Launching in %(term)s", term=lang.term(source.current_term)),
             "note": None},
        ]
        return {
            "page_title": _("Overview"), "sentence": sentence, "tiles": tiles,
            "prepared_line": _("This plan was prepared on %(date)s. It shows each school's "
                               "stage in %(term)s.", date=lang.date(source.prepared),
                               term=lang.term(source.current_term)),
            "progress_intro": _("The share of schools, and of their students, where blended "
                                "classes have started by the end of each term."),
            "progress": self.progress(lang), "breakdowns": self.breakdowns(lang),
            "timeline": self.timeline(lang), "changes": self.changes(lang),
        }

    def progress(self, lang: Language) -> dict:
        _ = lang.gettext
        points = self.plan.progress
        labels = {"planned": _("Planned"), "past": _("What happened"),
                  "schools": _("Schools"), "students": _("Students")}
        rows = [{"term": lang.term(p.term), "schools": lang.percent(p.schools),
                 "students": lang.percent(p.students),
                 "kind": labels["planned"] if p.planned else labels["past"]} for p in points]
        done = [p for p in points if not p.planned]
        desc = _("Line chart. Share of schools launched: %(values)s.", values="; ".join(
            f"{r['term']} {r['schools']} ({r['kind']})" for r in rows))
        if done:
            desc += " " + _("By %(term)s, %(share)s of schools had launched.",
                            term=lang.term(done[-1].term), share=lang.percent(done[-1].schools))
        plain = [{"term": lang.term(p.term), "schools": p.schools, "students": p.students,
                  "planned": p.planned} for p in points]
        svg = self.chart("progress", {"points": plain, "labels": labels}, lang,
                         "progress-chart",
                         _("Share of schools and students launched, term by term"), desc)
        return {"svg": svg, "rows": rows,
                "caption": _("Share of schools and students launched by the end of each term")}

    def breakdowns(self, lang: Language) -> list[dict]:
        _ = lang.gettext
        cohorts = [c.name for c in self.source.cohorts]
        levels = [lv for lv in LEVEL_ORDER[::-1] if any(s.level == lv for s in self.plan.schools)]
        levels += sorted({s.level for s in self.plan.schools} - set(levels))
        regions = sorted({s.region for s in self.plan.schools})
        out = []
        for key, panels, names, heading, title, chart_words in (
                ("level", levels, [level_label(lang, lv) for lv in levels], _("By level"),
                 _("Schools per cohort, by level"),
                 _("Bar charts, one per level, of the schools in each cohort: %(values)s.")),
                ("region", regions, regions, _("By region"), _("Schools per cohort, by region"),
                 _("Bar charts, one per region, of the schools in each cohort: %(values)s."))):
            counts, rows = [], []
            for cohort in self.source.cohorts:
                members = [s for s in self.plan.schools  # a withdrawn school takes no place
                           if s.cohort == cohort.number and s.stage != "withdrawn"]
                numbers = [sum(getattr(s, key) == p for s in members) for p in panels]
                rows.append({"cohort": cohort.name, "counts": [lang.number(n) for n in numbers],
                             "total": lang.number(len(members))})
                counts += [{"cohort": cohort.name, "panel": name, "schools": n}
                           for name, n in zip(names, numbers)]
            desc = chart_words % {"values": "; ".join(
                f"{name}: " + ", ".join(f"{c['cohort']} {c['schools']}" for c in counts
                                        if c["panel"] == name) for name in names)}
            columns = min(len(names), 4)
            svg = self.chart("breakdown", {"counts": counts, "cohorts": cohorts,
                                           "panels": names, "columns": columns,
                                           "accent": self.accent},
                             lang, f"{key}-chart", title, desc)
            out.append({"heading": heading, "svg": svg, "panels": names, "rows": rows,
                        "caption": title})
        return out

    def phase_terms(self, lang: Language, launch: int) -> list[tuple[str, int, str]]:
        """(phase, term index, term label) of each phase for a launch in term `launch`."""
        out = []
        for offset in self.source.phase_offsets:
            term = launch + offset
            out.append((phase_name(offset), term, self.term_label(lang, term)))
        return out

    def term_label(self, lang: Language, term: int) -> str:
        """A term's label, or how far it lies before or after the plan's terms."""
        terms = self.source.terms
        # "the term after 2030 Spring" reads better than "1 term after 2030 Spring"
        if term == -1:
            return lang.gettext("the term before %(term)s", term=lang.term(terms[0]))
        if term < 0:
            return lang.ngettext("%(n)s term before %(term)s", "%(n)s terms before %(term)s",
                                 -term, term=lang.term(terms[0]))
        if term == len(terms):
            return lang.gettext("the term after %(term)s", term=lang.term(terms[-1]))
        if term > len(terms):
            return lang.ngettext("%(n)s term after %(term)s", "%(n)s terms after %(term)s",
                                 term - len(terms) + 1, term=lang.term(terms[-1]))
        return lang.term(terms[term])

    def timeline(self, lang: Language) -> dict:
        _ = lang.gettext
        source = self.source
        phases = ["Planning", "Launch", "Support"]
        names = [_(PHASE_NAMES[p]) for p in phases]
        letters = phase_letters(lang)
        cells, rows, used = [], [], set()
        for cohort in source.cohorts:
            by_phase: dict[str, list[str]] = {p: [] for p in phases}
            for phase, term, label in self.phase_terms(lang, source.term_index[
                    cohort.launch_term]):
                phase = "Planning" if phase == "Early planning" else phase
                by_phase[phase].append(label)
                short = self.short_term(lang, term)
                used.add(term)
                cells.append({"cohort": cohort.name, "term": short, "phase": _(
                    PHASE_NAMES[phase]), "letter": letters[phase],
                    "ink": "#FFFFFF" if phase == "Launch" else charts.INK})
            members = sum(s.cohort == cohort.number and s.stage != "withdrawn"
                          for s in self.plan.schools)
            rows.append({"cohort": cohort.name, "href": list_path(cohort.number, 1),
                         "schools": lang.number(members),
                "phases": [", ".join(by_phase[p]) or "–" for p in phases]})
        span = range(min([0, *used]), max([len(source.terms) - 1, *used]) + 1)
        terms = [self.short_term(lang, t) for t in span]
        colours = [charts.PLANNING, self.accent, charts.SUPPORT]
        current = lang.term(source.current_term)
        desc = _("Timeline chart of each cohort's phases: %(values)s.", values="; ".join(
            f"{r['cohort']}: " + ", ".join(f"{n} {t}" for n, t in zip(names, r["phases"]))
            for r in rows))
        svg = self.chart("timeline", {"cells": cells, "cohorts": [c.name for c in
                                                                 source.cohorts],
                                      "terms": terms, "current": current,
                                      "phase_names": names, "colours": colours},
                         lang, "timeline-chart",
                         _("Planning, launch and support terms of each cohort"), desc)
        return {
            "svg": svg, "rows": rows,
            "intro": _("Each cohort plans with its coach, launches, then gets support while "
                       "practice settles."),
            "legend": [{"name": n, "letter": letters[p], "css": p.lower()}
                     for n, p in zip(names, phases)],
            "now_note": _("Outlined column: %(term)s, the current term. +1, +2: terms after "
                          "%(last)s.", term=current, last=lang.term(source.terms[-1])),
            "caption": _("Terms of each cohort's phases"),
        }

    def short_term(self, lang: Language, term: int) -> str:
        terms = self.source.terms
        if term < 0:
            return f"−{-term}"
        if term >= len(terms):
            return f"+{term - len(terms) + 1}"
        return lang.term(terms[term])

    def changes(self, lang: Language) -> dict | None:
        if not self.source.replan:
            return None
        _ = lang.gettext
        moves = sorted(self.current_moves.values(), key=lambda m: m.school_id)
        # A closed school has no page: it is listed by the name changes.csv gives it.
        moves = [m for m in moves if m.school_id in self.by_id or m.change == "closed"]
        if not moves:
            return {"none": _("No school changed cohort since last year's plan.")}
        n = {kind: sum(m.change == kind for m in moves) for kind in CHANGE_TEXT}
        n["later"] += n["delayed"]  # a delayed school launches later too (#24)
        counts = [text for kind, text in (
            ("earlier", lang.ngettext("%(n)s school moved to an earlier cohort.",
                                      "%(n)s schools moved to an earlier cohort.",
                                      n["earlier"])),
            ("later", lang.ngettext("%(n)s school moved to a later cohort.",
                                    "%(n)s schools moved to a later cohort.", n["later"])),
            ("new", lang.ngettext("%(n)s school is new to the plan.",
                                  "%(n)s schools are new to the plan.", n["new"])),
            ("replanned", lang.ngettext("%(n)s school was placed again: its cohort ended.",
                                        "%(n)s schools were placed again: their cohort ended.",
                                        n["replanned"])),
            ("paused", lang.ngettext("%(n)s school paused its roll-out.",
                                     "%(n)s schools paused their roll-out.", n["paused"])),
            ("withdrawn", lang.ngettext("%(n)s school left the roll-out.",
                                        "%(n)s schools left the roll-out.", n["withdrawn"])),
            ("closed", lang.ngettext("%(n)s school closed.", "%(n)s schools closed.",
                                     n["closed"])),
            ("launched_early", lang.ngettext(
                "%(n)s school launched earlier than its cohort.",
                "%(n)s schools launched earlier than their cohort.", n["launched_early"])),
            ("launched_late", lang.ngettext(
                "%(n)s school launched later than its cohort.",
                "%(n)s schools launched later than their cohort.", n["launched_late"])),
        ) if n[kind]]
        listed = [{"name": self.by_id[m.school_id].name if m.school_id in self.by_id
                   else m.name or m.school_id,
                   "href": f"schools/{self.by_id[m.school_id].page}.html"
                   if m.school_id in self.by_id else None,
                   "text": self.move_text(lang, m)} for m in moves[:LISTED_CHANGES]]
        more = len(moves) - LISTED_CHANGES
        return {"none": None, "counts": counts, "reasons": self.reason_groups(lang, moves),
                "schools": listed,
                "more": lang.ngettext("And %(n)s more: each school's page says what changed.",
                                      "And %(n)s more: each school's page says what changed.",
                                      more) if more > 0 else None}

    def reason_groups(self, lang: Language, moves) -> list[str]:
        """Why schools moved: each school once, under the reasons it moved for, most schools
        first (reasons in REASON_TEXT's order)."""
        _ = lang.gettext
        order = list(REASON_TEXT)
        groups: dict[tuple[str, ...], int] = {}
        for move in moves:
            if move.reasons:
                key = tuple(sorted(move.reasons, key=order.index))
                groups[key] = groups.get(key, 0) + 1
        ranked = sorted(groups.items(), key=lambda g: (-g[1], [order.index(r) for r in g[0]]))
        texts = [(" ".join(_(REASON_TEXT[r]) for r in key), count) for key, count in ranked]
        return [lang.ngettext("%(n)s school: %(reason)s", "%(n)s schools: %(reason)s", count,
                              reason=text) for text, count in texts]

    def move_text(self, lang: Language, move) -> str:
        _ = lang.gettext
        parts = [_(CHANGE_TEXT[move.change])]
        if move.old_launch_term and move.new_launch_term and move.change in (
                "earlier", "later", "delayed", "launched_early", "launched_late"):
            parts.append(_("Launch: %(old)s → %(new)s.", old=lang.term(move.old_launch_term),
                           new=lang.term(move.new_launch_term)))
        parts += [_(REASON_TEXT[r]) for r in move.reasons if r != "delayed"]  # said above
        return " ".join(parts)

    # ----- schools list -------------------------------------------------------------------

    def columns(self, lang: Language) -> list[Column]:
        _ = lang.gettext
        columns = [Column("school_name", _("School")), Column("school_id", _("School ID")),
                   Column("cohort", _("Cohort")), Column("launch_term", _("Launch term")),
                   Column("stage", _("Stage in %(term)s", term=lang.term(
                       self.source.current_term))),
                   Column("level", _("Level")), Column("region", _("Region")),
                   Column("feeder_pattern", _("Feeder pattern"))]
        if self.plan.with_scores:
            columns += [Column(key, _(SCORE_TEXT[key]), numeric=True) for key in SCORE_COLUMNS]
        return columns

    def school_list(self, lang: Language, cohort: int | None, page: int, pages: int,
                    chunk: list[PublicSchool], listed: tuple[int, int]) -> dict:
        """One page of the schools list; `listed`: the rows of the whole list, and how many
        of them withdrew (counted apart: a withdrawn school takes no place in a cohort)."""
        _ = lang.gettext
        source = self.source
        stage_rank = {key: i for i, key in enumerate(STAGE_TEXT)}
        rows = []
        for s in chunk:
            cells = [{"text": s.name, "href": f"schools/{s.page}.html"},
                     {"text": s.school_id, "sort": None},
                     {"text": s.cohort_name, "sort": s.cohort},
                     {"text": "–" if s.stage == "withdrawn" else lang.term(s.launch_term),
                      "sort": len(source.terms) if s.stage == "withdrawn"
                      else source.term_index[s.launch_term]},
                     {"text": _(STAGE_TEXT[s.stage]), "sort": stage_rank[s.stage]},
                     {"text": level_label(lang, s.level), "sort": level_rank(s.level)},
                     {"text": s.region, "sort": None}, {"text": s.feeder, "sort": None}]
            if s.scores is not None:
                cells += [{"text": lang.number(v, 1) if v is not None else "–",
                           "sort": -1 if v is None else v} for v in s.scores]
            rows.append(cells)
        chosen = source.cohort_by_number[cohort] if cohort else None
        heading = _("Schools in %(cohort)s", cohort=chosen.name) if chosen else _("All schools")
        chips = [{"href": list_path(None, 1), "label": _("All cohorts"), "current": not cohort}]
        chips += [{"href": list_path(c.number, 1), "current": c.number == cohort,
                   "label": _("%(cohort)s (launch %(term)s)", cohort=c.name,
                              term=lang.term(c.launch_term))} for c in source.cohorts]
        first, last = (page - 1) * PAGE_SIZE + 1, (page - 1) * PAGE_SIZE + len(chunk)
        rows_listed, withdrawn = listed
        caption = lang.ngettext("%(n)s school", "%(n)s schools", rows_listed - withdrawn)
        if withdrawn:
            caption = _("%(schools)s; %(withdrew)s", schools=caption, withdrew=lang.ngettext(
                "%(n)s school withdrew", "%(n)s schools withdrew", withdrawn))
        if pages > 1:
            caption = _("%(schools)s, %(first)s to %(last)s shown on this page",
                        schools=caption, first=lang.number(first), last=lang.number(last))
        return {
            "page_title": heading + (f" ({page}/{pages})" if pages > 1 else ""),
            "heading": heading,
            "intro": _("Every school with its cohort, its launch term and its stage in "
                       "%(term)s. Choose a school for its own page.",
                       term=lang.term(source.current_term)),
            "chips": chips, "columns": self.columns(lang), "rows": rows, "caption": caption,
            "shown_one": lang.ngettext("%(n)s school shown", "%(n)s schools shown", 1,
                                       ).replace(lang.number(1), "{n}"),
            "shown_other": lang.ngettext("%(n)s school shown", "%(n)s schools shown", 2,
                                         ).replace(lang.number(2), "{n}"),
            "pages": [{"href": list_path(cohort, n), "current": n == page,
                       "label": _("Page %(n)s", n=lang.number(n))}
                      for n in range(1, pages + 1)],
        }

    # ----- one school ---------------------------------------------------------------------

    def school_page(self, lang: Language, school: PublicSchool) -> dict:
        _ = lang.gettext
        source = self.source
        launch = source.term_index[school.launch_term]
        withdrawn = school.stage == "withdrawn"
        # A pause holds the phases from its term on: no coaching then.
        held = source.term_index[school.since] if school.since and school.stage == "paused" \
            else None
        phases = [] if withdrawn else [
            {"name": _(PHASE_NAMES[phase]), "term": label,
             "what": _(PAUSED_PHASE) if held is not None and term >= held
             else _(PHASE_TEXT[phase]), "now": term == source.current_index}
            for phase, term, label in self.phase_terms(lang, launch)]
        stage_note = None
        if school.since and school.stage in ("paused", "withdrawn"):
            stage_note = self.hold_note(lang, school, launch)
        elif school.stage == "delayed":
            stage_note = _("Now planned to launch in %(term)s.", term=lang.term(
                school.launch_term))
        elif school.launch_term != school.planned_launch_term:
            stage_note = _("Launched in %(term)s; its cohort launched in %(planned)s.",
                           term=lang.term(school.launch_term),
                           planned=lang.term(school.planned_launch_term))
        feeder = [{"name": s.name, "href": f"{s.page}.html", "level": level_label(lang, s.level),
                   "cohort": s.cohort_name, "launch": lang.term(s.launch_term)}
                  for s in self.feeders.get(school.feeder, []) if s is not school]
        scores = None
        if school.scores is not None:
            scores = [{"label": _(SCORE_TEXT[key]),
                       "value": lang.number(v, 1) if v is not None else _("not scored")}
                      for key, v in zip(SCORE_COLUMNS, school.scores)]
        return {
            "page_title": school.name, "school": school,
            "facts_line": " · ".join([
                _("School ID %(id)s", id=school.school_id), level_label(lang, school.level),
                _("Region: %(region)s", region=school.region)]),
            "cohort_href": f"../{list_path(school.cohort, 1)}",
            "launch": _("None (withdrawn)") if withdrawn
            else lang.term(school.launch_term),
            "no_phases": _("The school has left the roll-out: no launch is planned."),
            "now_label": _("Stage in %(term)s", term=lang.term(source.current_term)),
            "stage": _(STAGE_TEXT[school.stage]), "stage_note": stage_note,
            "scores": scores, "phases": phases, "history": self.history(lang, school),
            "with_readiness": self.plan.with_scores,
            "feeder_heading": _("Schools of the %(feeder)s feeder pattern",
                                feeder=school.feeder),
            "feeder": feeder,
        }

    def hold_note(self, lang: Language, school: PublicSchool, launch: int) -> str:
        """Since when a pause or withdrawal holds ("from" a term still to come), and the
        term a paused school launched in when it had."""
        _ = lang.gettext
        since, current = lang.term(school.since), self.source.current_index
        past = self.source.term_index[school.since] < current
        if school.stage == "paused" and launch < current:
            return (_("Launched in %(term)s; paused since %(since)s.", term=lang.term(
                school.launch_term), since=since) if past else
                _("Launched in %(term)s; paused from %(since)s.", term=lang.term(
                    school.launch_term), since=since))
        return _("Since %(term)s.", term=since) if past else _("From %(term)s.", term=since)

    def history(self, lang: Language, school: PublicSchool) -> list[dict]:
        _ = lang.gettext
        rows = self.plan.school_history(school.school_id)
        term_index = self.source.term_index
        cohort_by_term = {c.launch_term: c.name for c in self.source.cohorts}
        out, before = [], None
        for row in rows:
            move = self.moves.get((row.season, school.school_id))
            if move is not None:
                change = self.move_text(lang, move)
            elif before is None:
                change = _("First plan.")
            elif row.launch_term == before.launch_term:
                change = _("No change.")
            else:
                later = term_index.get(row.launch_term, 0) > term_index.get(before.launch_term, 0)
                change = _(CHANGE_TEXT["later" if later else "earlier"])
            if row.status in HOLDS:
                change = f"{_(STAGE_TEXT[row.status])}. {change}"
            out.append({"season": lang.term(row.season),
                        "cohort": cohort_by_term.get(row.launch_term) or (
                            _("Cohort %(n)s", n=row.cohort) if row.cohort else "–"),
                        # This season's row: the term it really launched (plan.csv).
                        "launch": "–" if row.status == "withdrawn"
                        else lang.term(school.launch_term
                                       if row.season == self.source.current_term
                                       else row.launch_term),
                        "readiness": lang.number(row.readiness, 1)
                        if row.readiness is not None else "–",
                        "change": change})
            before = row
        return out

    # ----- data ---------------------------------------------------------------------------

    def data_page(self, lang: Language) -> dict:
        _ = lang.gettext
        return {
            "page_title": _("Data"),
            "download": _("Download plan-public.csv (%(n)s rows)",
                          n=lang.number(len(self.plan.schools))),
            "columns": [{"key": key, "meaning": _(COLUMN_MEANING[key])}
                        for key in public_columns(self.plan.with_scores)],
            "stages": [{"key": key, "meaning": f"{_(STAGE_TEXT[key])}: "
                        f"{_(STAGE_MEANING[key])}"} for key in STAGE_TEXT],
        }


def named(plan: PublicPlan, names: dict[str, str]) -> PublicPlan:
    """The plan with cohort and region names as one language shows them (publish.names)."""
    if not names:
        return plan
    source = replace(plan.source, cohorts=tuple(replace(c, name=names.get(c.name, c.name))
                                                for c in plan.source.cohorts))
    schools = [replace(s, cohort_name=names.get(s.cohort_name, s.cohort_name),
                       region=names.get(s.region, s.region)) for s in plan.schools]
    return replace(plan, source=source, schools=schools)


def list_path(cohort: int | None, page: int) -> str:
    stem = "schools" if cohort is None else f"schools-c{cohort}"
    return f"{stem}.html" if page == 1 else f"{stem}-{page}.html"


def phase_letters(lang: Language) -> dict[str, str]:
    """One letter per phase in the timeline chart, so that colour is not the only cue."""
    return {"Planning": lang.pgettext("letter for the Planning phase", "P"),
            "Launch": lang.pgettext("letter for the Launch phase", "L"),
            "Support": lang.pgettext("letter for the Support phase", "S")}


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def level_label(lang: Language, level: str) -> str:
    return lang.gettext(LEVEL_TEXT[level]) if level in LEVEL_TEXT else level
