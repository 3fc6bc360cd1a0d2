"""Everything the outputs show, computed once from inputs and plan (exporters only format it).

The principal workbooks are written from a `PrincipalView` alone: a record holding one school's
own figures and district or cohort aggregates, so no exporter can leak another school's data.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rollout.checking.check import Usage, compute_usage
from rollout.domain import LEVELS
from rollout.explain import school_reasons
from rollout.intake.rubric import DOMAINS, Item
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.safe import safe_file_stem
from rollout.scoring.inputs import Inputs

PLAN_COLUMNS = ["school_id", "school_name", "cohort", "launch_term", "infrastructure",
                "technology", "instructional", "readiness", "need", "priority",
                "preferred_cohort", "reasons"]
EXTRA_COLUMNS = ["cohort_name", "level", "region", "feeder", "students", "teachers",
                 "assessable", "coverage", "respondents", "role_gap"]
SCORE_KEYS = DOMAINS + ["readiness", "need"]
# A median over fewer schools is not shown to principals: with two or three schools in a
# cohort, the median would let a principal work out another school's score.
MIN_SCHOOLS_FOR_MEDIAN = 5
MAX_LISTED_SURVEY_FILES = 20  # more share one fingerprint row on the Settings sheet
STRENGTHS_AND_GAPS = 3  # items shown each way on the principal's first page
PHASE_TEXT = {
    "Early planning": "The school's team starts planning with its coach.",
    "Planning": "Leaders and teacher champions plan with a coach: choose the blended model, "
                "schedule training, and finish upgrades so the network and devices are ready.",
    "Launch": "Blended classes start. Coaching is at its fullest.",
    "Support": "Coaching continues at a lower level while practice settles.",
}


@dataclass(frozen=True)
class Phase:
    phase: str          # Early planning, Planning, Launch or Support
    term: str
    what: str
    coaching_share: float
    coaching_fte: float  # this school's coaching FTE in that term


@dataclass(frozen=True)
class ItemLevel:
    domain: str
    item: str           # "INF1: Wireless access points ..."
    level: float        # pooled mean level on the rubric scale
    reached: str        # "Developing: Most rooms are covered ..."
    next: str           # the next level's descriptor, or a note that the top was reached


@dataclass(frozen=True)
class LocalAnswer:
    """A school's answer to a question its district added to the rubric without a score."""

    question: str        # "LOCAL1: Would your school like to host visits ..."
    asked_of: str        # "Principal" or "Principal, teacher"
    level: float | None  # pooled level on the rubric scale; None: nobody at the school answered
    answer: str          # that level's descriptor, or the two it lies between


@dataclass(frozen=True)
class ScoreLine:
    label: str
    school: float | None
    district_median: float | None
    cohort_median: float | None


@dataclass(frozen=True)
class PrincipalView:
    """All one principal workbook shows: one school and aggregates, nothing else."""

    district: str
    prepared: str
    school_id: str
    school_name: str
    level: str
    students: int
    teachers: int
    respondents: int
    cohort_number: int
    cohort_name: str
    cohort_size: int
    launch_term: str
    phases: tuple[Phase, ...]
    scores: tuple[ScoreLine, ...]
    median_note: str
    strengths: tuple[ItemLevel, ...]
    gaps: tuple[ItemLevel, ...]
    items: tuple[ItemLevel, ...]
    actions: tuple[str, ...]
    reason: str
    preference: str
    honoured: bool | None  # None: the school expressed no preference
    notes: tuple[str, ...]  # coverage and principal/teacher differences worth a conversation
    workbook: str           # file name inside schools/
    trend: tuple[tuple[str, float | None, str], ...] = ()  # (season, readiness, cohort name)
    local_answers: tuple[LocalAnswer, ...] = ()  # the district's own questions, never scored


@dataclass(frozen=True)
class CohortSummary:
    number: int
    name: str
    planning_term: str
    launch_term: str
    support_terms: str
    schools: int
    students: int
    teachers: int
    by_level: dict[str, int]
    by_region: dict[str, int]
    mean_readiness: float | None
    lowest_readiness: float | None
    mean_need: float | None
    mean_priority: float | None
    chose: int  # schools that asked for this cohort
    got: int    # ... and are in it


@dataclass(frozen=True)
class TermSummary:
    index: int
    label: str
    coaches_fte: float
    coaching_needed: float
    coaching_use: float | None
    planning: int   # schools in each phase in this term
    launching: int
    support: int
    launched_by: int
    busiest_link: str | None
    busiest_link_what: str
    busiest_link_use: float
    least_headroom_mbps: float | None


@dataclass(frozen=True)
class LinkUse:
    link: str
    what: str
    kind: str
    schools_behind: int
    capacity: tuple[float, ...]
    load: tuple[float, ...]
    use: tuple[float, ...]
    peak_use: float
    peak_term: str
    changes: str


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


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    detail: str


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
        return [r for r in self.rows if r["cohort"] == number]

    def preferences_honoured(self) -> tuple[int, int]:
        prefs = [r for r in self.rows if r["preferred_cohort"] is not None]
        return sum(r["preferred_cohort"] == r["cohort"] for r in prefs), len(prefs)

    # ----- shared by the workbooks -------------------------------------------------------

    @cached_property
    def workbook_names(self) -> dict[str, str]:
        """schools/<name>.xlsx for each school: its id made file-safe, unique."""
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

    @cached_property
    def cohort_sizes(self) -> Counter:
        return Counter(r["cohort"] for r in self.rows)

    @cached_property
    def district_medians(self) -> dict[str, float | None]:
        return self.medians()

    @cached_property
    def cohort_medians(self) -> dict[int, dict[str, float | None]]:
        return {c.number: self.medians(self.cohort_rows(c.number)) for c in self.facts.cohorts}

    # ----- dashboard ---------------------------------------------------------------------

    @cached_property
    def regions(self) -> list[str]:
        return sorted({s.region for s in self.facts.schools})

    @cached_property
    def cohort_summaries(self) -> list[CohortSummary]:
        facts = self.facts
        out = []
        for c in facts.cohorts:
            members = self.cohort_rows(c.number)
            chose = [r for r in self.rows if r["preferred_cohort"] == c.number]
            terms = self.phase_terms(c.launch_term_index)
            readiness = [r["readiness"] for r in members if r["readiness"] is not None]
            out.append(CohortSummary(
                number=c.number, name=c.name,
                planning_term=", ".join(terms["Planning"]) or "before the plan",
                launch_term=facts.term_label(c.launch_term_index),
                support_terms=", ".join(terms["Support"]) or "after the plan",
                schools=len(members), students=sum(r["students"] for r in members),
                teachers=sum(r["teachers"] for r in members),
                by_level={lv: sum(r["level"] == lv for r in members) for lv in LEVELS},
                by_region={g: sum(r["region"] == g for r in members) for g in self.regions},
                mean_readiness=mean(members, "readiness"),
                lowest_readiness=min(readiness) if readiness else None,
                mean_need=mean(members, "need"), mean_priority=mean(members, "priority"),
                chose=len(chose), got=sum(r["cohort"] == c.number for r in chose)))
        return out

    def phase_terms(self, launch: int) -> dict[str, list[str]]:
        """Term labels of each phase for a cohort launching in term `launch`."""
        out: dict[str, list[str]] = {"Early planning": [], "Planning": [], "Launch": [],
                                     "Support": []}
        for offset, share in sorted(self.facts.settings.coaching.load_profile.items()):
            term = launch + offset
            if share > 0 and 0 <= term < self.facts.term_count:
                out[phase_name(offset)].append(self.facts.term_label(term))
        return out

    @cached_property
    def link_uses(self) -> list[LinkUse]:
        """Every link, busiest first."""
        district, usage = self.facts.district, self.usage
        changes: dict[str, list[str]] = {}
        for change in self.network_changes:
            deadline = f", needed by {change.needed_by}" if change.needed_by else ""
            changes.setdefault(change.link, []).append(
                f"{change.to_mbps:,.0f} Mbps from {change.complete_term}{deadline}")
        out = []
        for link in district.links:
            caps = usage.capacity[link]
            loads = usage.link_load[link]
            use = tuple(share(load, cap) for load, cap in zip(loads, caps))
            peak = max(range(len(use)), key=lambda t: use[t])
            out.append(LinkUse(link, district.link_label(link), district.link_kind(link),
                               len(district.schools_behind[link]), tuple(caps),
                               tuple(round(x, 1) for x in loads), use, use[peak],
                               self.facts.term_label(peak), "; ".join(changes.get(link, []))))
        out.sort(key=lambda u: (-u.peak_use, u.link))
        return out

    @cached_property
    def network_changes(self) -> list[NetworkChange]:
        """Every rise in a link's capacity: the committed capacity plan and the upgrades the
        plan chose, each with the first term whose load needs it (its deadline)."""
        district, facts = self.facts.district, self.facts
        changes = [(c.link, c.term_index, c, None) for c in district.capacity_plan]
        changes += [(district.upgrade_by_id[u].link, term, None, district.upgrade_by_id[u])
                    for u, term in self.plan.upgrades.items()]
        out = []
        for link, term, committed, upgrade in changes:
            loads = self.usage.link_load[link]
            skip = committed or upgrade
            needed = next((t for t in range(term, facts.term_count)
                           if loads[t] > self.capacity_without(link, t, skip) + 1e-6), None)
            out.append(NetworkChange(
                f"Upgrade {upgrade.upgrade}" if upgrade else "Committed capacity plan",
                upgrade is not None, link,
                district.link_label(link), len(district.schools_behind[link]),
                facts.term_label(term), term, self.capacity_without(link, term, skip),
                upgrade.new_capacity_mbps if upgrade else committed.capacity_mbps,
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

    @cached_property
    def term_summaries(self) -> list[TermSummary]:
        facts, usage = self.facts, self.usage
        phases_in_term = [{"Planning": 0, "Launch": 0, "Support": 0}
                          for _ in range(facts.term_count)]
        for r in self.rows:
            launch = facts.launch_term_of(r["cohort"])
            for phase, labels in self.phase_terms(launch).items():
                for label in labels:
                    key = "Planning" if phase == "Early planning" else phase
                    phases_in_term[self.term_index[label]][key] += 1
        out = []
        for term in facts.district.terms:
            t = term.index
            busiest = max(self.link_uses, key=lambda u: (u.use[t], -self.link_order[u.link]),
                          default=None)
            headroom = [u.capacity[t] - u.load[t] for u in self.link_uses
                        if u.schools_behind]
            out.append(TermSummary(
                t, term.label, term.coaches_fte, round(usage.coaching[t], 2),
                share(usage.coaching[t], term.coaches_fte) if term.coaches_fte else None,
                phases_in_term[t]["Planning"], phases_in_term[t]["Launch"],
                phases_in_term[t]["Support"],
                sum(facts.launch_term_of(r["cohort"]) <= t for r in self.rows),
                busiest.link if busiest else None, busiest.what if busiest else "",
                busiest.use[t] if busiest else 0.0,
                round(min(headroom), 1) if headroom else None))
        return out

    @cached_property
    def term_index(self) -> dict[str, int]:
        return {t.label: t.index for t in self.facts.district.terms}

    @cached_property
    def link_order(self) -> dict[str, int]:
        return {link: i for i, link in enumerate(self.facts.district.links)}

    def busiest_links(self, count: int = 5) -> list[LinkUse]:
        """The links closest to their capacity in any term, for the Overview chart."""
        return [u for u in self.link_uses if u.schools_behind][:count]

    @cached_property
    def headline(self) -> list[Figure]:
        facts = self.facts
        honoured, asked = self.preferences_honoured()
        assessable = sum(r["assessable"] == "yes" for r in self.rows)
        # Terms before current_term are history (spring re-plan): the headline is about what
        # is still to come.
        coming = [t for t in self.term_summaries if not facts.is_history(t.index)]
        terms = [t for t in coming if t.coaching_use is not None]
        peak = max(terms, key=lambda t: t.coaching_use, default=None)
        tight = max(coming, key=lambda t: t.busiest_link_use)
        first, last = facts.cohorts[0], facts.cohorts[-1]
        coverage = [r["coverage"] for r in self.rows]
        chosen = [c for c in self.network_changes if c.chosen]
        return [
            Figure("Schools", f"{len(self.rows):,}",
                   f"{sum(r['students'] for r in self.rows):,} students, "
                   f"{sum(r['teachers'] for r in self.rows):,} teachers"),
            Figure("Cohorts", f"{len(facts.cohorts)}",
                   f"{first.name} launches {facts.term_label(first.launch_term_index)}; "
                   f"{last.name} {facts.term_label(last.launch_term_index)}"),
            Figure("Peak coaching use", f"{peak.coaching_use:.0%}" if peak else "n/a",
                   f"{peak.label}: {peak.coaching_needed:.1f} of {peak.coaches_fte:g} FTE"
                   if peak else "no coaches listed"),
            Figure("Tightest network link", f"{tight.busiest_link_use:.0%}",
                   f"{tight.busiest_link} in {tight.label}" if tight.busiest_link else "none"),
            Figure("Preferences honoured", f"{honoured} of {asked}",
                   "schools got the group they chose"),
            Figure("Assessable schools", f"{assessable} of {len(self.rows)}",
                   f"{sum(r['respondents'] for r in self.rows):,} respondents; mean coverage "
                   f"{statistics.fmean(coverage):.0%}" if coverage else ""),
            Figure("Network upgrades", f"{len(chosen)}",
                   f"chosen, cost {sum(c.cost or 0 for c in chosen):,.0f}; "
                   f"{len(self.network_changes) - len(chosen)} committed changes"),
            Figure("Need weight", f"{facts.settings.need_weight:g}",
                   "0 = most ready first, 1 = greatest need first"),
        ]

    @property
    def plan_detail(self) -> str:
        return plan_detail(self.plan)

    @cached_property
    def settings_rows(self) -> list[tuple[str, object]]:
        """Every setting and rubric weight behind the plan, so it can be reproduced."""
        inputs = self.inputs
        rows: list[tuple[str, object]] = [("rubric.name", inputs.rubric.name)]
        rows += list(flatten(inputs.settings.model_dump()))
        rubric = inputs.rubric
        for name in DOMAINS:
            domain = rubric.domains[name]
            rows.append((f"rubric.{name}.weight", domain.weight))
            rows.append((f"rubric.{name}.survey_share", domain.survey_share))
            rows += [(f"rubric.{name}.role_weights.{r}", w)
                     for r, w in domain.role_weights.items()]
            rows += [(f"rubric.{name}.items.{i.id}.weight",
                      i.weight if i.scored else "not scored") for i in domain.items]
            rows += [(f"rubric.{name}.indicators.{i.id}", f"weight {i.weight:g}, points "
                      + ", ".join(f"{x:g} -> {y:g}" for x, y in i.points))
                     for i in domain.indicators]
        rows += [("rubric.min_coverage", rubric.min_coverage),
                 ("rubric.role_gap_levels", rubric.role_gap_levels),
                 ("rubric.need.frl_pct", rubric.need.frl_pct),
                 ("rubric.need.not_proficient_pct", rubric.need.not_proficient_pct)]
        rows.append(("workbooks.min_schools_for_median", MIN_SCHOOLS_FOR_MEDIAN))
        return [(k, "(not set)" if v is None else v if isinstance(v, (int, float, str))
                 else str(v)) for k, v in rows]

    @cached_property
    def input_files(self) -> list[tuple[str, int, str]]:
        """(file, bytes, SHA-256) of every input, to tell later whether the inputs changed.
        Many survey files (one per respondent, say) share one row: their count, total size,
        and the SHA-256 of the list of their names and fingerprints."""
        folder = self.inputs.district_dir
        paths = [folder / "settings.yaml", folder / "district.xlsx", self.inputs.rubric_path]
        out = [(str(p), p.stat().st_size, sha256(p)) for p in paths if p.is_file()]
        survey_dir = folder / "surveys"
        surveys = sorted(p for p in survey_dir.iterdir() if p.is_file() and not p.name.startswith(
            ("~$", "."))) if survey_dir.is_dir() else []
        rows = [(str(p), p.stat().st_size, sha256(p)) for p in surveys]
        if len(rows) <= MAX_LISTED_SURVEY_FILES:
            return out + rows
        listing = "".join(f"{Path(name).name}\t{digest}\n" for name, _, digest in rows)
        return out + [(f"{survey_dir} ({len(rows):,} files)", sum(size for _, size, _ in rows),
                       hashlib.sha256(listing.encode()).hexdigest())]

    @cached_property
    def data_issues(self) -> list[tuple[str, str]]:
        """(where, what) for each warning from intake."""
        out = []
        for note in self.notes:
            where, sep, what = note.partition(": ")
            out.append((where, what) if sep and len(where) < 120 else ("", note))
        return out

    # ----- principal workbooks ----------------------------------------------------------

    @cached_property
    def item_levels(self) -> dict[str, list[ItemLevel]]:
        """school_id -> pooled level of each scored rubric item, with descriptors."""
        rubric = self.inputs.rubric
        table = self.inputs.scores.item_levels
        scored = [(d, item) for d, item in rubric.items(scored_only=True)
                  if item.id in table.columns]
        columns = {item.id: table[item.id].to_dict() for _, item in scored}
        out = {}
        for r in self.rows:
            sid = r["school_id"]
            levels = []
            for domain, item in scored:
                level = columns[item.id].get(sid)
                if level is None or level != level:
                    continue
                reached = max(rubric.low, min(rubric.high, math.floor(level + 1e-9)))
                nxt = (f"{rubric.level_label(reached + 1)}: {item.levels[reached + 1]}"
                       if reached < rubric.high else "Top level reached")
                levels.append(ItemLevel(domain.title(), f"{item.id}: {item.text}",
                                        round(float(level), 1),
                                        f"{rubric.level_label(reached)}: "
                                        f"{item.levels[reached]}", nxt))
            out[sid] = levels
        return out

    @cached_property
    def local_answers(self) -> dict[str, list[LocalAnswer]]:
        """school_id -> the school's pooled answer to each local (unscored) rubric question."""
        rubric = self.inputs.rubric
        table = self.inputs.scores.local_items(rubric)
        by_id = rubric.item_by_id()
        items = [by_id[item_id] for item_id in table.columns]
        out = {}
        for r in self.rows:
            levels = table.loc[r["school_id"]]
            out[r["school_id"]] = [local_answer(item, levels[item.id]) for item in items]
        return out

    def principal_views(self) -> list[PrincipalView]:
        return [self.principal_view(r["school_id"]) for r in self.rows]

    def principal_view(self, school_id: str) -> PrincipalView:
        facts = self.facts
        row = self.row(school_id)
        school = facts.district.school_by_id[school_id]
        cohort = facts.cohort(row["cohort"])
        size = self.cohort_sizes[cohort.number]
        district_ok = len(self.rows) >= MIN_SCHOOLS_FOR_MEDIAN
        cohort_ok = size >= MIN_SCHOOLS_FOR_MEDIAN
        scores = tuple(ScoreLine(
            label, row[key], self.district_medians[key] if district_ok else None,
            self.cohort_medians[cohort.number][key] if cohort_ok else None)
            for key, label in SCORE_LABELS)
        hidden = [what for what, ok in (("district", district_ok), ("cohort", cohort_ok))
                  if not ok]
        median_note = (f"The {' and '.join(hidden)} median is not shown: it would cover fewer "
                       f"than {MIN_SCHOOLS_FOR_MEDIAN} schools." if hidden else "")
        items = self.item_levels[school_id]
        by_level = sorted(items, key=lambda x: (-x.level, x.item))
        strengths = tuple(by_level[:STRENGTHS_AND_GAPS])
        gaps = tuple(x for x in sorted(items, key=lambda x: (x.level, x.item))
                     [:STRENGTHS_AND_GAPS] if x not in strengths)
        pref = row["preferred_cohort"]
        return PrincipalView(
            district=facts.district.name, prepared=self.prepared, school_id=school_id,
            school_name=row["school_name"], level=row["level"], students=row["students"],
            teachers=row["teachers"], respondents=row["respondents"],
            cohort_number=cohort.number, cohort_name=cohort.name, cohort_size=size,
            launch_term=row["launch_term"], phases=self.phases(school, cohort.launch_term_index),
            scores=scores, median_note=median_note, strengths=strengths, gaps=gaps,
            items=tuple(items), actions=tuple(self.actions_before_launch(school_id)),
            reason=row["reasons"], preference=preference_text(facts, pref, cohort.number),
            honoured=None if pref is None else pref == cohort.number,
            notes=tuple(principal_notes(row)), workbook=self.workbook_names[school_id],
            trend=self.trend(school_id), local_answers=tuple(self.local_answers[school_id]))

    def trend(self, school_id: str) -> tuple[tuple[str, float | None, str], ...]:
        """This school's readiness and cohort in every season of the history."""
        names = {c.number: c.name for c in self.facts.cohorts}
        out = []
        for row in self.history:
            if row["school_id"] == school_id:
                ready = float(row["readiness"]) if row["readiness"] not in ("", None) else None
                out.append((row["season"], ready,
                            names.get(int(row["cohort"]), str(row["cohort"]))))
        return tuple(out)

    def phases(self, school, launch: int) -> tuple[Phase, ...]:
        facts = self.facts
        out = []
        last = facts.term_count - 1
        for offset, portion in sorted(facts.settings.coaching.load_profile.items()):
            term = launch + offset
            if portion <= 0:
                continue
            if term < 0:  # the plan's terms start later: name the phase relative to them
                label = f"{-term} term{'s' if term < -1 else ''} before {facts.term_label(0)}"
            elif term > last:
                label = (f"{term - last} term{'s' if term - last > 1 else ''} after "
                         f"{facts.term_label(last)}")
            else:
                label = facts.term_label(term)
            name = phase_name(offset)
            out.append(Phase(name, label, PHASE_TEXT[name], portion,
                             round(facts.coaching_fte(school, term, launch), 2)))
        return tuple(out)

    def actions_before_launch(self, school_id: str) -> list[str]:
        """Network changes on the school's path up to its launch, bandwidth it still lacks,
        devices to reach its level's ratio and technology staff for its devices."""
        facts = self.facts
        district = facts.district
        school = district.school_by_id[school_id]
        launch = facts.launch_term_of(self.row(school_id)["cohort"])
        path = district.path_to_internet(school_id)
        actions = []
        for change in self.network_changes:
            if change.link in path and change.complete_term_index <= launch:
                where = ("Your school's own link" if change.link == school_id
                         else f"Network link {change.link}")
                origin = f"{change.source}, chosen by this plan" if change.chosen \
                    else "already committed"
                actions.append(f"{where} is raised from {change.from_mbps:,.0f} to "
                               f"{change.to_mbps:,.0f} Mbps in {change.complete_term} "
                               f"({origin}); confirm it is done before launch.")
        need = facts.bandwidth_mbps(school, launched=True)
        have = self.usage.capacity[school_id][launch]
        if need > have + 1e-6:
            actions.append(f"Your school's link needs {need:,.0f} Mbps at launch; it has "
                           f"{have:,.0f} Mbps.")
        devices = facts.settings.devices
        ratio = devices.students_per_device.get(school.level, 1.0)
        short = math.ceil(school.students / ratio) - school.devices
        if short > 0:
            target = "one device per student" if ratio == 1 else f"{ratio:g} students per device"
            actions.append(f"{short:,} more devices to reach {target} (you have "
                           f"{school.devices:,} for {school.students:,} students).")
        if school.tech_staff is not None:
            staff = math.ceil(max(school.devices, school.students / ratio)
                              / devices.devices_per_tech_staff * 2) / 2
            if staff > school.tech_staff + 1e-9:
                actions.append(f"Technology support: {staff:g} specialist FTE for your devices "
                               f"(1 per {devices.devices_per_tech_staff:g} devices); you "
                               f"have {school.tech_staff:g}.")
        return actions


SCORE_LABELS = [("infrastructure", "Infrastructure"), ("technology", "Technology"),
                ("instructional", "Instructional"), ("readiness", "Readiness"),
                ("need", "Need")]


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
        })
    return Results(inputs, facts, plan, usage, rows, list(inputs.notes) + solver_notes(plan))


def solver_notes(plan: Plan) -> list[str]:
    notes = []
    if plan.stats.get("fallback_search"):
        notes.append("Solver: the first search found no plan within the time limit; this plan "
                     "comes from a second kind of search of the same length. It meets every "
                     "rule; the gap shown says how far from the best plan it may be (a longer "
                     "--time-limit may close it).")
    if plan.stats.get("polish_windows"):
        stats = plan.stats
        outcome = (f"which moved {stats['polish_moved']} schools and gained "
                   f"{stats['polish_gain']:,.1f} priority points" if stats["polish_gain"] > 0
                   else "which found no better plan")
        notes.append(f"Solver: the first search had not proven its plan best with "
                     f"{stats['polish_share']:.0%} of the time left; the rest re-planned two or "
                     f"three neighbouring cohorts at a time ({stats['polish_windows']} times), "
                     f"{outcome}. It meets every rule; the gap shown says how far from the "
                     "best plan it may be.")
    return notes


def rounded(value) -> float | None:
    return None if value is None or value != value else round(float(value), 1)


def mean(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return round(sum(values) / len(values), 1) if values else None


def share(load: float, capacity: float) -> float:
    return load / capacity if capacity else 0.0


def phase_name(offset: int) -> str:
    if offset == 0:
        return "Launch"
    if offset > 0:
        return "Support"
    return "Planning" if offset == -1 else "Early planning"


def preference_text(facts: PlanningFacts, preferred: int | None, cohort: int) -> str:
    if preferred is None:
        return "Your school did not ask for a particular cohort."
    chosen = facts.cohort(preferred).name
    if preferred == cohort:
        return f"Your school asked for {chosen}: honoured."
    return (f"Your school asked for {chosen}; the district's limits did not allow it this "
            "time (see why above).")


def local_answer(item: Item, level: float) -> LocalAnswer:
    """The pooled level in words: its descriptor when everyone who answered agreed, else the
    two descriptors it lies between (several respondents, or roles, answered differently)."""
    question = f"{item.id}: {item.text}"
    asked_of = ", ".join(item.roles).capitalize()
    if level != level:  # NaN: nobody at the school answered
        return LocalAnswer(question, asked_of, None, "No answer from your school")
    below, above = math.floor(level + 1e-9), math.ceil(level - 1e-9)
    answer = (item.levels[below] if below >= above else
              f"Between '{item.levels[below]}' and '{item.levels[above]}' (answers differ)")
    return LocalAnswer(question, asked_of, round(float(level), 1), answer)


def principal_notes(row: dict) -> list[str]:
    notes = []
    if row["assessable"] == "no":
        notes.append(f"Survey answers covered {row['coverage']:.0%} of the rubric, too few to "
                     "score the school; it was planned as not yet ready. Ask more staff to "
                     "respond next spring.")
    if row["role_gap"]:
        notes.append(f"Principal and teachers see {row['role_gap']} differently (difference "
                     "in mean level): worth a conversation with your staff.")
    return notes


def plan_detail(plan: Plan) -> str:
    """Status, objective and bound; not the solve time, which would make the dashboard differ
    between two runs on the same inputs."""
    if plan.objective is None:
        return plan.status_text()
    return f"{plan.status_text()}; objective {plan.objective:,.1f}, bound {plan.bound:,.1f}"


def flatten(value, prefix: str = ""):
    if isinstance(value, dict):
        if not value and prefix:
            yield prefix, "(none)"
        for key, sub in value.items():
            yield from flatten(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, sub in enumerate(value):
            yield from flatten(sub, f"{prefix}[{i}]")
    elif isinstance(value, list):
        yield prefix, ", ".join(map(str, value))
    else:
        yield prefix, value


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
