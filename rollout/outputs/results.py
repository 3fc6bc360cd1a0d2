"""The plan as every output reads it, computed once from inputs and plan: one row per school,
the usage, and the network changes with their deadlines (exporters only format it).

What only one reader needs is computed from `Results` beside that reader's view:
`dashboard_view.py` (summaries per cohort, term and link, headline figures, settings) and
`principal_view.py` (the `PrincipalView` a principal workbook is written from alone).
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from functools import cached_property

from rollout.checking.check import Usage, compute_usage
from rollout.explain import school_reasons
from rollout.intake.rubric import DOMAINS
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.safe import safe_file_stem
from rollout.scoring.inputs import Inputs

PLAN_COLUMNS = ["school_id", "school_name", "cohort", "launch_term", "infrastructure",
                "technology", "instructional", "readiness", "need", "priority",
                "preferred_cohort", "reasons"]
EXTRA_COLUMNS = ["cohort_name", "level", "region", "feeder", "students", "teachers",
                 "assessable", "coverage", "respondents", "role_gap", "status",
                 "actual_launch_term", "status_since", "season", "survey_answers"]
NO_ANSWERS_YET = "none yet"  # survey_answers of a school nobody answered for (#26)
SCORE_KEYS = DOMAINS + ["readiness", "need"]
# A median over fewer schools is not shown to principals: with two or three schools in a
# cohort, the median would let a principal work out another school's score. (The dashboard's
# Settings sheet lists it too, hence here rather than in principal_view.py.)
MIN_SCHOOLS_FOR_MEDIAN = 5


@dataclass(frozen=True)
class NetworkChange:
    """A rise in a link's capacity: from the committed capacity plan, or (issue 5) an upgrade
    the scheduler chose, which joins as another row with its id in `source` and its cost."""

    source: str         # "Committed capacity plan" or "Upgrade <id>"
    chosen: bool        # True for an upgrade the scheduler chose, False when committed
    link: str
    what: str
    schools_behind: int
    complete_term: str
    complete_term_index: int
    from_mbps: float
    to_mbps: float
    needed_by: str | None  # first term whose load needs it: the deadline
    cost: float | None = None

    @property
    def rises(self) -> bool:
        return self.to_mbps > self.from_mbps

    @property
    def verb(self) -> str:
        """What the change does to the link, in a planner's word."""
        return "raised" if self.rises else "lowered"


@dataclass
class Results:
    inputs: Inputs
    facts: PlanningFacts
    plan: Plan
    usage: Usage
    rows: list[dict]  # one per school, sorted by school_id
    notes: list[str] = field(default_factory=list)
    prepared: str = field(default_factory=lambda: dt.date.today().isoformat())
    changes: list = field(default_factory=list)  # against last year's plan (rollout.replan)
    replanned: bool = False  # made from last year's plan (--previous)
    history: list = field(default_factory=list)  # every season's plan so far

    def row(self, school_id: str) -> dict:
        return self.row_by_id[school_id]

    @cached_property
    def row_by_id(self) -> dict[str, dict]:
        return {r["school_id"]: r for r in self.rows}

    def medians(self, rows: list[dict] | None = None) -> dict[str, float | None]:
        rows = self.rows if rows is None else rows
        out = {}
        for key in SCORE_KEYS + ["priority"]:
            values = [r[key] for r in rows if r[key] is not None]
            out[key] = round(statistics.median(values), 1) if values else None
        return out

    def cohort_rows(self, number: int) -> list[dict]:
        """The schools that take a place in the cohort (a withdrawn school takes none)."""
        return [r for r in self.rows if r["cohort"] == number and r["status"] != "withdrawn"]

    def preferences_honoured(self) -> tuple[int, int]:
        prefs = [r for r in self.rows if r["preferred_cohort"] is not None]
        return sum(r["preferred_cohort"] == r["cohort"] for r in prefs), len(prefs)

    @cached_property
    def workbook_names(self) -> dict[str, str]:
        """schools/<name>.xlsx for each school: its id made file-safe, unique. The dashboard
        links these files and the principal workbooks are written to them."""
        names, used = {}, set()
        for r in self.rows:
            stem = safe_file_stem(r["school_id"])
            candidate, n = stem, 1
            while candidate.lower() in used:
                n += 1
                candidate = f"{stem}_{n}"
            used.add(candidate.lower())
            names[r["school_id"]] = f"{candidate}.xlsx"
        return names

    # The dashboard lists every network change and a principal those on the school's path,
    # so both readers take them from here.
    @cached_property
    def network_changes(self) -> list[NetworkChange]:
        """Every change of a link's capacity (a rise, or a committed row that lowers it; a row
        that changes nothing is left out): the committed capacity plan and the upgrades the
        plan chose, each with the first term whose load needs it (its deadline)."""
        district, facts = self.facts.district, self.facts
        changes = [(c.link, c.term_index, c, None) for c in district.capacity_plan]
        changes += [(district.upgrade_by_id[u].link, term, None, district.upgrade_by_id[u])
                    for u, term in self.plan.upgrades.items()]
        out = []
        for link, term, committed, upgrade in changes:
            loads = self.usage.link_load[link]
            skip = committed or upgrade
            # What the link has with everything the plan holds, against what it would have
            # without this change: a committed row that a chosen upgrade outdoes changes nothing.
            before, after = self.capacity_without(link, term, skip), self.usage.capacity[link][term]
            if after == before:
                continue
            needed = next((t for t in range(term, facts.term_count)
                           if loads[t] > self.capacity_without(link, t, skip) + 1e-6), None)
            out.append(NetworkChange(
                f"Upgrade {upgrade.upgrade}" if upgrade else "Committed capacity plan",
                upgrade is not None, link,
                district.link_label(link), len(district.schools_behind[link]),
                facts.term_label(term), term, before, after,
                facts.term_label(needed) if needed is not None else None,
                upgrade.cost if upgrade else None))
        out.sort(key=lambda c: (c.complete_term_index, c.link, c.source))
        return out

    def capacity_without(self, link: str, term: int, skip) -> float:
        """A link's capacity in a term had one change (`skip`) not been made: the committed
        plan in term order, then any chosen upgrade done by then (as the checker counts)."""
        district = self.facts.district
        capacity = district.base_capacity(link)
        for change in sorted(district.capacity_plan, key=lambda c: c.term_index):
            if change.link == link and change is not skip and change.term_index <= term:
                capacity = change.capacity_mbps
        for upgrade in district.upgrades_by_link.get(link, []):
            done = self.plan.upgrades.get(upgrade.upgrade)
            if upgrade is not skip and done is not None and done <= term:
                capacity = max(capacity, upgrade.new_capacity_mbps)
        return capacity


def build_results(inputs: Inputs, facts: PlanningFacts, plan: Plan) -> Results:
    usage = compute_usage(facts, plan.cohort_of, plan.upgrades)
    reasons = school_reasons(facts, plan.cohort_of, plan.upgrades, usage)
    table = inputs.scores.table
    records = table.to_dict("index")
    rows = []
    for school in facts.schools:
        sid = school.school_id
        cohort = plan.cohort_of[sid]
        score = records[sid]
        pref = facts.district.preference_by_school.get(sid)
        rows.append({
            "school_id": sid, "school_name": school.school_name, "cohort": cohort,
            "launch_term": facts.term_label(facts.launch_term_of(cohort)),
            **{d: rounded(score[d]) for d in DOMAINS},
            "readiness": rounded(score["readiness"]), "need": rounded(score["need"]),
            "priority": round(facts.priorities[sid], 1),
            "preferred_cohort": pref.preferred_cohort if pref else None,
            "reasons": reasons[sid],
            "cohort_name": facts.cohort(cohort).name, "level": school.level,
            "region": school.region, "feeder": school.feeder, "students": school.students,
            "teachers": school.teachers, "assessable": "yes" if score["assessable"] else "no",
            "coverage": round(float(score["coverage"]), 3),
            "respondents": int(score["respondents"]), "role_gap": score["role_gap"] or "",
            "status": facts.launch_status(sid, cohort),
            "actual_launch_term": term_label_or_blank(facts, facts.launched_in(sid, cohort)),
            "status_since": term_label_or_blank(facts, facts.held_since(sid)),
            "season": facts.term_label(facts.current_term),
            "survey_answers": "received" if score["respondents"] else NO_ANSWERS_YET,
        })
    return Results(inputs, facts, plan, usage, rows, list(inputs.notes) + solver_notes(plan))


def term_label_or_blank(facts: PlanningFacts, term: int | None) -> str:
    return "" if term is None else facts.term_label(term)


def solver_notes(plan: Plan) -> list[str]:
    notes = []
    if plan.stats.get("fallback_search") and not plan.stats.get("greedy_plan"):
        notes.append("Solver: the first search found no plan in its share of the time limit; "
                     "this plan comes from a second kind of search in the time left. It meets "
                     "every rule; the gap shown says how far from the best plan it may be (a "
                     "longer --time-limit may close it).")
    if plan.stats.get("greedy_plan"):
        notes.append("Solver: no search found a plan within the time limit; this is the simple "
                     "greedy plan (highest priority first, each school in the earliest cohort "
                     "the limits allow). It meets every rule, but a longer --time-limit will "
                     "find a better one.")
    if plan.stats.get("polish_windows"):
        stats = plan.stats
        outcome = (f"which moved {stats['polish_moved']} schools and gained "
                   f"{stats['polish_gain']:,.1f} priority points" if stats["polish_gain"] > 0
                   else "which found no better plan")
        notes.append(f"Solver: the first search had not proven its plan best with "
                     f"{stats['polish_share']:.0%} of the time left; the rest re-planned two or "
                     f"three neighbouring cohorts at a time ({stats['polish_windows']} times), "
                     f"{outcome}"
                     + (f"; the rounds gained nothing more, so the first search resumed from "
                        f"that plan for the {stats['proof_resumed']:g} s left"
                        if stats.get("proof_resumed") else "")
                     + ". It meets every rule; the gap shown says how far from the best plan "
                     "it may be.")
    return notes


def rounded(value) -> float | None:
    return None if value is None or value != value else round(float(value), 1)


def planned_too_late(facts, school_id: str, cohort: int, term: int) -> bool:
    """A phase before launch in a term that has passed, of a school that was not in this
    cohort then (placed in it this spring): that phase never happened in that term."""
    return 0 <= term and facts.is_history(term) and facts.previous.get(school_id) != cohort


def phase_name(offset: int) -> str:
    """The phase a school is in `offset` terms after its launch (the dashboard counts schools
    per phase, a principal sees the school's own phases)."""
    if offset == 0:
        return "Launch"
    if offset > 0:
        return "Support"
    return "Planning" if offset == -1 else "Early planning"
