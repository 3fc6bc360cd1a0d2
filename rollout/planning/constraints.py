"""Hard planning rules, one function each. Docstrings say the rule in a planner's words.

Domain rules (`readiness_gate`, `locked_preference`) decide which cohorts a school may be in at
all, so no variable exists for a cohort it cannot join. Limit rules add constraints to the
model through `PlanModel.limit`, which makes them elastic when the model is diagnosing an
infeasible plan.
"""
from __future__ import annotations

import math

from rollout.planning.facts import PlanningFacts

SCALE_FTE = 1000   # coaching FTE in thousandths
SCALE_KBPS = 1     # bandwidth in kbps


def readiness_gate(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: schools in the first cohort meet the readiness gate."""
    return cohort != 1 or facts.readiness[school_id] >= facts.settings.readiness_gate


def locked_preference(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school whose preference is locked is in its preferred cohort."""
    pref = facts.district.preference_by_school.get(school_id)
    return pref is None or not pref.locked or pref.preferred_cohort == cohort


DOMAIN_RULES = [readiness_gate, locked_preference]


def allowed_cohorts(facts: PlanningFacts, school_id: str) -> list[int]:
    return [c.number for c in facts.cohorts
            if all(rule(facts, school_id, c.number) for rule in DOMAIN_RULES)]


def one_cohort_per_school(m) -> None:
    """Hard: every school is in exactly one cohort."""
    for school in m.facts.schools:
        m.model.add_exactly_one(m.choices(school.school_id))


def cohort_size_limits(m) -> None:
    """Hard: each cohort holds between cohort_size.min and cohort_size.max schools."""
    size = m.facts.settings.cohort_size
    for cohort in m.facts.cohorts:
        members = [v for (sid, c), v in m.assign.items() if c == cohort.number]
        m.limit(sum(members), size.max, "cohort_max", cohort.number,
                f"at most {size.max} schools in {cohort.name}")
        m.limit(-sum(members), -size.min, "cohort_min", cohort.number,
                f"at least {size.min} schools in {cohort.name}")


def coaching_capacity(m) -> None:
    """Hard: in every term, the coaching FTE the schools need is at most the coaches available."""
    facts = m.facts
    for term in facts.district.terms:
        terms = []
        for (sid, c), var in m.assign.items():
            fte = facts.coaching_fte(facts.district.school_by_id[sid], term.index,
                                     facts.launch_term_of(c))
            if fte > 0:
                terms.append(math.ceil(fte * SCALE_FTE - 1e-6) * var)
        if terms:
            m.limit(sum(terms), math.floor(term.coaches_fte * SCALE_FTE + 1e-6), "coaching",
                    term.index, f"coaching FTE in {term.label} ({term.coaches_fte:g} available)")


def link_capacity(m) -> None:
    """Hard: in every term, every link carries the bandwidth of the schools behind it."""
    facts, district = m.facts, m.facts.district
    base = {s.school_id: math.ceil(facts.bandwidth_mbps(s, False) * 1000 - 1e-6)
            for s in facts.schools}
    full = {s.school_id: math.ceil(facts.bandwidth_mbps(s, True) * 1000 - 1e-6)
            for s in facts.schools}
    for link in district.links:
        behind = district.schools_behind[link]
        if not behind:
            continue
        for term in district.terms:
            capacity = math.floor(district.capacity_by_term[link][term.index] * 1000 + 1e-6)
            if sum(max(base[s], full[s]) for s in behind) <= capacity:
                continue  # cannot bind whatever the plan
            extra = [(full[s] - base[s]) * m.launched_by(s, term.index) for s in behind]
            m.limit(sum(extra), capacity - sum(base[s] for s in behind), "link",
                    (link, term.index), f"link {district.link_label(link)} in {term.label} "
                    f"({district.capacity_by_term[link][term.index]:g} Mbps)")


HARD_RULES = [one_cohort_per_school, cohort_size_limits, coaching_capacity, link_capacity]
