"""Independent plan checker: recomputes every hard rule from the plan alone, without the solver.

Tests trust this module, not the model. It also measures usage (coaching per term, load per
link and term) for the workbooks and for testing single moves in the explanations.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rollout.planning.facts import PlanningFacts

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    schools: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass
class Usage:
    """What a plan uses: schools per cohort, coaching FTE per term, Mbps per link and term."""

    cohort_counts: Counter
    coaching: list[float]
    link_load: dict[str, list[float]] = field(default_factory=dict)


def compute_usage(facts: PlanningFacts, cohort_of: dict[str, int]) -> Usage:
    district = facts.district
    terms = range(facts.term_count)
    coaching = [0.0 for _ in terms]
    load = {link: [0.0 for _ in terms] for link in district.links}
    for school in facts.schools:
        cohort = cohort_of.get(school.school_id)
        if cohort is None or not 1 <= cohort <= len(facts.cohorts):
            continue
        launch = facts.launch_term_of(cohort)
        path = district.path_to_internet(school.school_id)
        for t in terms:
            coaching[t] += facts.coaching_fte(school, t, launch)
            mbps = facts.bandwidth_mbps(school, launched=t >= launch)
            for link in path:
                load[link][t] += mbps
    return Usage(Counter(cohort_of.values()), coaching, load)


def every_school_in_one_cohort(facts, cohort_of, usage, scope=None) -> list[Violation]:
    known = {s.school_id for s in facts.schools}
    out = [Violation("One cohort per school", f"{sid} has no cohort", (sid,))
           for sid in sorted(known - set(cohort_of))]
    out += [Violation("One cohort per school", f"{sid} is not a school of the district", (sid,))
            for sid in sorted(set(cohort_of) - known)]
    out += [Violation("One cohort per school", f"{sid} is in cohort {c}, which does not exist",
                      (sid,)) for sid, c in sorted(cohort_of.items())
            if not 1 <= c <= len(facts.cohorts)]
    return out


def cohort_sizes(facts, cohort_of, usage, scope=None) -> list[Violation]:
    size = facts.settings.cohort_size
    out = []
    for cohort in facts.cohorts:
        n = usage.cohort_counts.get(cohort.number, 0)
        if n > size.max:
            out.append(Violation("Cohort size", f"{cohort.name} would have {n} schools, above the "
                                 f"maximum of {size.max}"))
        if n < size.min:
            out.append(Violation("Cohort size", f"{cohort.name} would have {n} schools, below the "
                                 f"minimum of {size.min}"))
    return out


def coaching_within_staff(facts, cohort_of, usage, scope=None) -> list[Violation]:
    out = []
    for term in facts.district.terms:
        need = usage.coaching[term.index]
        if need > term.coaches_fte + TOLERANCE:
            out.append(Violation("Coaching capacity", f"coaching in {term.label} would need "
                                 f"{need:.2f} FTE of {term.coaches_fte:g} available"))
    return out


def links_within_capacity(facts, cohort_of, usage, scope=None) -> list[Violation]:
    district = facts.district
    out = []
    for link in scope or district.links:
        for term in district.terms:
            load = usage.link_load[link][term.index]
            capacity = district.capacity_by_term[link][term.index]
            if load > capacity + TOLERANCE:
                out.append(Violation("Link capacity", f"link {district.link_label(link)} in "
                                     f"{term.label} would carry {load:,.0f} Mbps of "
                                     f"{capacity:,.0f}", tuple(district.schools_behind[link])))
    return out


def first_cohort_ready(facts, cohort_of, usage, scope=None) -> list[Violation]:
    gate = facts.settings.readiness_gate
    return [Violation("Readiness gate", f"{sid} has readiness {facts.readiness[sid]:.1f}, below "
                      f"the gate of {gate:g} for {facts.cohort(1).name}", (sid,))
            for sid in sorted(scope or cohort_of) if cohort_of.get(sid) == 1
            and facts.readiness[sid] < gate - TOLERANCE]


def locked_preferences_held(facts, cohort_of, usage, scope=None) -> list[Violation]:
    out = []
    for pref in facts.district.preferences:
        if scope and pref.school_id not in scope:
            continue
        if pref.locked and cohort_of.get(pref.school_id) != pref.preferred_cohort:
            out.append(Violation("Locked preference", f"{pref.school_id} is locked to "
                                 f"{facts.cohort(pref.preferred_cohort).name}",
                                 (pref.school_id,)))
    return out


CHECKS = [every_school_in_one_cohort, cohort_sizes, coaching_within_staff,
          links_within_capacity, first_cohort_ready, locked_preferences_held]


def check_plan(facts: PlanningFacts, cohort_of: dict[str, int]) -> list[Violation]:
    usage = compute_usage(facts, cohort_of)
    return [v for rule in CHECKS for v in rule(facts, cohort_of, usage)]


def move_violations(facts: PlanningFacts, cohort_of: dict[str, int], usage: Usage,
                    school_id: str, new_cohort: int) -> list[Violation]:
    """Rules a single move would break, evaluated on the changed parts of the plan only."""
    school = facts.district.school_by_id[school_id]
    old = cohort_of[school_id]
    old_launch, new_launch = facts.launch_term_of(old), facts.launch_term_of(new_cohort)
    path = facts.district.path_to_internet(school_id)
    moved = dict(cohort_of)
    moved[school_id] = new_cohort
    counts = Counter(usage.cohort_counts)
    counts[old] -= 1
    counts[new_cohort] += 1
    coaching = [fte - facts.coaching_fte(school, t, old_launch)
                + facts.coaching_fte(school, t, new_launch) for t, fte in enumerate(usage.coaching)]
    load = {}
    for link in path:
        load[link] = [mbps - facts.bandwidth_mbps(school, t >= old_launch)
                      + facts.bandwidth_mbps(school, t >= new_launch)
                      for t, mbps in enumerate(usage.link_load[link])]
    after = Usage(counts, coaching, load)
    before = set(v.message for rule in CHECKS[1:4] for v in rule(facts, cohort_of, usage,
                                                                     scope=path))
    found = [v for rule in CHECKS[1:] for v in rule(facts, moved, after, scope=path
                                                    if rule is links_within_capacity
                                                    else [school_id])]
    return [v for v in found if v.message not in before]
