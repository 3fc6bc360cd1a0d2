"""What only dashboard.xlsx shows, computed from `Results`: the summaries per cohort, term and
link, the headline figures, and the settings, input files and data issues behind the plan.
"""
from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rollout.domain import LEVELS
from rollout.errors import FILE_READ, by_attention, note_kind
from rollout.intake.rubric import DOMAINS
from rollout.outputs.results import (
    MIN_SCHOOLS_FOR_MEDIAN,
    Results,
    phase_name,
    planned_too_late,
)
from rollout.planning.plan import Plan

MAX_LISTED_SURVEY_FILES = 20  # more share one fingerprint row on the Settings sheet


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
class Figure:
    label: str
    value: str
    detail: str


class DashboardView:
    """The dashboard's figures, each computed once when first read (the Overview repeats
    several sheets' figures)."""

    def __init__(self, results: Results):
        self.results = results

    @cached_property
    def regions(self) -> list[str]:
        return sorted({s.region for s in self.results.facts.schools})

    @cached_property
    def term_index(self) -> dict[str, int]:
        return {t.label: t.index for t in self.results.facts.district.terms}

    @cached_property
    def link_order(self) -> dict[str, int]:
        return {link: i for i, link in enumerate(self.results.facts.district.links)}

    # ----- cohorts and terms ---------------------------------------------------------------

    @cached_property
    def cohort_summaries(self) -> list[CohortSummary]:
        results, facts = self.results, self.results.facts
        out = []
        for c in facts.cohorts:
            members = results.cohort_rows(c.number)
            chose = [r for r in results.rows if r["preferred_cohort"] == c.number]
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
        facts = self.results.facts
        out: dict[str, list[str]] = {"Early planning": [], "Planning": [], "Launch": [],
                                     "Support": []}
        for offset, portion in sorted(facts.settings.coaching.load_profile.items()):
            term = launch + offset
            if portion > 0 and 0 <= term < facts.term_count:
                out[phase_name(offset)].append(facts.term_label(term))
        return out

    @cached_property
    def term_summaries(self) -> list[TermSummary]:
        results, facts, usage = self.results, self.results.facts, self.results.usage
        phases_in_term = [{"Planning": 0, "Launch": 0, "Support": 0}
                          for _ in range(facts.term_count)]
        taking_part = [r for r in results.rows if not facts.has_withdrawn(r["school_id"])]
        # Each school from the term it really launches (Launches sheet), as the public site
        # counts it (tests/test_second_spring_readers.py compares the two).
        launch_of = {r["school_id"]: facts.school_launch_term(r["school_id"], r["cohort"])
                     for r in taking_part}
        for r in taking_part:
            launch = launch_of[r["school_id"]]
            for phase, labels in self.phase_terms(launch).items():
                for label in labels:
                    term = self.term_index[label]
                    if term < launch and planned_too_late(facts, r["school_id"], r["cohort"],
                                                          term):
                        continue  # placed this spring: that planning term has passed
                    key = "Planning" if phase == "Early planning" else phase
                    phases_in_term[term][key] += 1
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
                sum(launch <= t for launch in launch_of.values()),
                busiest.link if busiest else None, busiest.what if busiest else "",
                busiest.use[t] if busiest else 0.0,
                round(min(headroom), 1) if headroom else None))
        return out

    # ----- network -------------------------------------------------------------------------

    @cached_property
    def link_uses(self) -> list[LinkUse]:
        """Every link, busiest first."""
        facts, usage = self.results.facts, self.results.usage
        district = facts.district
        changes: dict[str, list[str]] = {}
        for change in self.results.network_changes:
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
                               facts.term_label(peak), "; ".join(changes.get(link, []))))
        out.sort(key=lambda u: (-u.peak_use, u.link))
        return out

    def busiest_links(self, count: int = 5) -> list[LinkUse]:
        """The links closest to their capacity in any term, for the Overview chart."""
        return [u for u in self.link_uses if u.schools_behind][:count]

    # ----- headline --------------------------------------------------------------------------

    @cached_property
    def headline(self) -> list[Figure]:
        results, facts = self.results, self.results.facts
        rows = results.rows
        honoured, asked = results.preferences_honoured()
        assessable = sum(r["assessable"] == "yes" for r in rows)
        # Terms before current_term are history (spring re-plan): the headline is about what
        # is still to come.
        coming = [t for t in self.term_summaries if not facts.is_history(t.index)]
        terms = [t for t in coming if t.coaching_use is not None]
        peak = max(terms, key=lambda t: t.coaching_use, default=None)
        tight = max(coming, key=lambda t: t.busiest_link_use)
        first, last = facts.cohorts[0], facts.cohorts[-1]
        coverage = [r["coverage"] for r in rows]
        changes = results.network_changes
        chosen = [c for c in changes if c.chosen]
        # The schools taking part, as the cohorts' table counts them; a withdrawn one apart.
        part = [r for r in rows if r["status"] != "withdrawn"]
        withdrew = len(rows) - len(part)
        return [
            Figure("Schools", f"{len(part):,}",
                   f"{sum(r['students'] for r in part):,} students, "
                   f"{sum(r['teachers'] for r in part):,} teachers"
                   + (f"; {withdrew} withdrew" if withdrew else "")),
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
            Figure("Assessable schools", f"{assessable} of {len(rows)}",
                   f"{sum(r['respondents'] for r in rows):,} respondents; mean coverage "
                   f"{statistics.fmean(coverage):.0%}" if coverage else ""),
            Figure("Network upgrades", f"{len(chosen)}",
                   f"chosen, cost {sum(c.cost or 0 for c in chosen):,.0f}; "
                   f"{len(changes) - len(chosen)} committed changes"),
            Figure("Need weight", f"{facts.settings.need_weight:g}",
                   "0 = most ready first, 1 = greatest need first"),
        ]

    # ----- settings, input files, data issues ------------------------------------------------

    @cached_property
    def settings_rows(self) -> list[tuple[str, object]]:
        """Every setting and rubric weight behind the plan, so it can be reproduced."""
        inputs = self.results.inputs
        rubric = inputs.rubric
        rows: list[tuple[str, object]] = [("rubric.name", rubric.name)]
        rows += list(flatten(inputs.settings.model_dump()))
        for name in DOMAINS:
            rows += domain_rows(name, rubric.domains[name])
        rows += [("rubric.min_coverage", rubric.min_coverage),
                 ("rubric.role_gap_levels", rubric.role_gap_levels),
                 ("rubric.role_gap_min_respondents", rubric.role_gap_min_respondents),
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
        inputs = self.results.inputs
        folder = inputs.district_dir
        paths = [folder / "settings.yaml", folder / "district.xlsx", inputs.rubric_path]
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
    def data_issues(self) -> list[tuple[str, str, str]]:
        """(kind, where, what) for each warning from intake, replan and the solver, what needs
        a person's attention first (#24 item 11); which file was read how is in files_read."""
        return [(note_kind(note), *where_and_what(note)) for note in
                by_attention(self.results.notes) if note_kind(note) != FILE_READ]

    @cached_property
    def files_read(self) -> list[tuple[str, str]]:
        """(where, what) for each survey file: the layout it was read as, or why skipped."""
        rows = [where_and_what(note) for note in self.results.notes
                if note_kind(note) == FILE_READ]
        return [(where, what.removeprefix("read as ")) for where, what in rows]


def where_and_what(note: str) -> tuple[str, str]:
    where, sep, what = note.partition(": ")
    return (where, what) if sep and len(where) < 120 else ("", note)


def domain_rows(name: str, domain) -> list[tuple[str, object]]:
    """A rubric domain's weights: its own, its roles', its items' and its indicators'."""
    rows: list[tuple[str, object]] = [(f"rubric.{name}.weight", domain.weight),
                                      (f"rubric.{name}.survey_share", domain.survey_share)]
    rows += [(f"rubric.{name}.role_weights.{r}", w) for r, w in domain.role_weights.items()]
    rows += [(f"rubric.{name}.items.{i.id}.weight", i.weight if i.scored else "not scored")
             for i in domain.items]
    rows += [(f"rubric.{name}.indicators.{i.id}", f"weight {i.weight:g}, points "
              + ", ".join(f"{x:g} -> {y:g}" for x, y in i.points))
             for i in domain.indicators]
    return rows


def mean(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return round(sum(values) / len(values), 1) if values else None


def share(load: float, capacity: float) -> float:
    return load / capacity if capacity else 0.0


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
