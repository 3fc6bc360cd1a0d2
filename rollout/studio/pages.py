"""The studio's pages: Jinja2 templates with the words people read in a Babel catalog
(locale/en/LC_MESSAGES/messages.po, compiled in memory as the public site's are)."""
from __future__ import annotations

import dataclasses
import re
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rollout.domain import LAUNCH_STATUSES
from rollout.errors import FILE_READ, Problem, by_attention, note_kind
from rollout.outputs import whatif_words
from rollout.outputs.board_view import one_decimal
from rollout.scoring.returns import survey_returns
from rollout.studio import whatif_text
from rollout.studio.session import KEEP_OUT, PIN, Session
from rollout.studio.worker import Progress

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
LANGUAGE = "en"
PROVEN = 0.99995  # shown as "proven the best possible" (the share rounds to 100.00 %)


# A note's place as the intake writes it: file (or school), sheet, row, column, then ": ".
NOTE_PLACE = re.compile(r"(?P<file>[^\n]+?)(?:, sheet '(?P<sheet>[^']*)')?"
                        r"(?:, row (?P<row>\d+))?(?:, column (?P<column>[^:,]+))?: (?P<what>.+)",
                        re.S)


def located(note: str) -> Problem:
    """A note split as the CLI locates a problem: file (or school), sheet, row, column, what."""
    found = NOTE_PLACE.fullmatch(str(note))
    if found is None:
        return Problem("", str(note))
    row = int(found["row"]) if found["row"] else None
    return Problem(found["file"], found["what"], found["sheet"], row, found["column"])


def translations(lang: str = LANGUAGE) -> Translations:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(), newstyle=True)
    env.filters["fte"] = one_decimal
    env.filters["one"] = one_decimal  # readiness and need: one decimal, as the dashboard
    env.filters["mbps"] = lambda v: f"{v:,.0f}"
    env.filters["pct"] = lambda v: f"{min(v, 9.99):.0%}"
    return env


class Pages:
    def __init__(self, session: Session):
        self.session = session
        self.env = environment()

    def render(self, template: str, **values) -> str:
        s = self.session
        return self.env.get_template(template).render(
            session=s, said=s.take_announcement(), progress=s.progress(),
            solving=s.solving, progress_text=self.progress_text, PIN=PIN, KEEP_OUT=KEEP_OUT,
            **values)

    def home(self, focus: str = "") -> str:
        """The board; before a plan exists the Plan page (the district at a glance and the Plan
        button); the Inputs page while the folder has input errors."""
        s = self.session
        with s.lock:
            if not s.ready:
                return self.inputs()
            if s.cohort_of is None:
                return self.render("plan.html", page="plan", glance=self.glance())
            board = s.board()
            return self.render("board.html", page="board", board=board,
                               focus=focus if board.school(focus) else "",
                               cohorts=s.facts.cohorts, glance=self.glance(),
                               upgrades=self.upgrades())

    def upgrades(self) -> list[dict]:
        """The network upgrades the board's plan takes, each with its link, capacity, cost and
        the term it is done by (the Board page lists them under the loads)."""
        facts = self.session.facts
        by_id = facts.district.upgrade_by_id
        return [{"name": name, "link": facts.district.link_label(by_id[name].link),
                 "mbps": by_id[name].new_capacity_mbps, "cost": by_id[name].cost,
                 "term": facts.term_label(term)}
                for name, term in sorted(self.session.upgrades.items())]

    def inputs(self) -> str:
        """Problems first, then warnings by kind (what needs a person first), the district at a
        glance and survey returns, and which file was read how folded away at the end."""
        s = self.session
        with s.lock:
            notes = by_attention(list(s.notes))
            warnings: dict[str, list[Problem]] = {}
            for note in notes:
                if note_kind(note) != FILE_READ:
                    warnings.setdefault(note_kind(note), []).append(self.short(located(note)))
            files_read = [self.short(located(n)) for n in notes if note_kind(n) == FILE_READ]
            problems: dict[str, list[Problem]] = {}  # by file, in the order found
            for problem in map(self.short, s.problems):
                problems.setdefault(problem.file, []).append(problem)
            return self.render("inputs.html", page="inputs",
                               glance=self.glance() if s.ready else None,
                               problems=list(problems.items()),
                               warnings=list(warnings.items()),
                               files_read=[dataclasses.replace(
                                   f, message=f.message.removeprefix("read as "))
                                   for f in files_read])

    def short(self, problem: Problem) -> Problem:
        """The problem with its file named inside the district folder (the folder is named
        once at the top of the page)."""
        folder = Path(self.session.district_dir)
        path = Path(problem.file)
        if problem.file and (path == folder or path.is_relative_to(folder)):
            inside = path.relative_to(folder).as_posix()
            return dataclasses.replace(problem, file=folder.name if inside == "." else inside)
        return problem

    def school(self, school_id: str) -> str:
        s = self.session
        with s.lock:
            s.need_board()
            s.known_school(school_id)
            board = s.board()
            school = board.school(school_id)
            return self.render("school.html", page="school", school=school,
                               options=s.where_else(school_id), cohorts=s.facts.cohorts,
                               board_breaks=len(board.problems),
                               closed=[c.number for c in board.cohorts if c.launched],
                               decisions=s.decisions.get(school_id, ()))

    def whatif(self) -> str:
        s = self.session
        with s.lock:
            if not s.ready or s.cohort_of is None:
                return self.home()
            facts = s.facts
            levels = sorted({x.level for x in facts.schools})
            regions = sorted({x.region for x in facts.schools})
            coming = [t for t in facts.district.terms if not facts.is_history(t.index)]
            return self.render("whatif.html", page="whatif", made=s.whatif,
                               whatif_lines=lambda base, name: whatif_text.whatif_lines(
                                   facts, s.whatif, base, name),
                               form=s.whatif_form, cohorts=facts.cohorts,
                               terms=[t.label for t in coming],
                               coming=[t.index for t in coming],
                               past=[t.label for t in facts.district.terms
                                     if facts.is_history(t.index)],
                               money=whatif_words.money,
                               links=[l for l in facts.district.links
                                      if l not in facts.district.school_by_id],
                               groups=[("level", v) for v in levels]
                               + [("region", v) for v in regions],
                               need_weight=facts.settings.need_weight,
                               names={x.school_id: x.school_name for x in facts.schools},
                               term_labels=[t.label for t in facts.district.terms])

    def glance(self) -> dict:
        facts, inputs = self.session.facts, self.session.inputs
        district = facts.district
        launches = [record.status for record in district.launches]
        return {"name": district.name, "schools": len(district.schools),
                "terms": [t.label for t in district.terms],
                "coaches": [(t.label, t.coaches_fte, facts.is_history(t.index))
                            for t in district.terms],
                "links": len([l for l in district.links if l not in district.school_by_id]),
                "cohorts": [(c.name, facts.term_label(c.launch_term_index),
                             facts.has_launched(c.number)) for c in facts.cohorts],
                # a spring re-plan: last year's plan, the term now, what the Launches sheet says
                "previous": self.session.previous.name if facts.previous and
                self.session.previous else "",
                "current_term": facts.term_label(facts.current_term) if facts.current_term
                else "",
                "launches": [(status, launches.count(status)) for status in LAUNCH_STATUSES
                             if status in launches],
                "warnings": len(self.session.warnings()),
                "surveys": inputs.responses.summary(),
                "roles": list(inputs.rubric.roles),
                "returns": survey_returns(district, inputs.rubric, inputs.responses)}

    def progress_text(self, p: Progress) -> str:
        """Plans found, how close the best so far is to the best possible, time left."""
        words = self.env.get_template("words.html").module
        if self.session is not None and self.session.kind == "save":
            return " ".join(words.saving().split())
        proven = p.proven_share is not None and p.proven_share >= PROVEN
        return " ".join(words.progress(p.plans_found, p.proven_share, proven, p.stopping,
                                       round(p.seconds_left)).split())

    def time_share(self, p: Progress) -> float:
        limit = self.session.job.time_limit if self.session.job else 1.0
        return round(1 - p.seconds_left / limit, 3) if limit else 1.0
