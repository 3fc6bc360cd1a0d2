"""Hard planning rules, one function each. Docstrings say the rule in a planner's words.

Domain rules (`readiness_gates`, `readiness_floor`, `locked_preference`) decide which cohorts a
school may be in at all, so no variable exists for a cohort it cannot join. Limit rules add
constraints through `PlanModel.limit`, which makes them elastic when the model is diagnosing
an infeasible plan.
"""
from __future__ import annotations

import math

from rollout.planning.facts import PlanningFacts

SCALE_FTE = 1000   # coaching FTE in thousandths


def kbps(mbps: float) -> int:
    return math.floor(mbps * 1000 + 1e-6)


def readiness_gates(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school joins a cohort only if its readiness meets that cohort's gate."""
    return facts.readiness[school_id] >= facts.settings.gate_for(cohort)


def readiness_floor(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school below the readiness floor launches no earlier than the floor's cohort."""
    floor = facts.settings.readiness_floor
    return floor is None or facts.readiness[school_id] >= floor.below \
        or cohort >= floor.earliest_cohort


def locked_preference(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school whose preference is locked is in its preferred cohort, unless the
    district placed it elsewhere (a pin: the district's decision overrides the school's)."""
    pref = facts.district.preference_by_school.get(school_id)
    return pref is None or not pref.locked or pref.preferred_cohort == cohort \
        or facts.decisions.pin_of(school_id) is not None


def launched_schools_stay(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school whose cohort has launched keeps it, and a launched cohort takes no
    newcomers (spring re-plan: terms before current_term are history). The Launches sheet
    overrides the cohort: a delayed school is planned again into a cohort still to come; a
    school launched early or late, paused or withdrawn keeps its cohort."""
    kept = facts.kept_cohort(school_id)
    if kept is not None:
        return cohort == kept
    return not facts.has_launched(cohort)


def readiness_allows(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: gates, floor and locks, except for a school that keeps its cohort."""
    if facts.kept_cohort(school_id) is not None:
        return True
    return all(rule(facts, school_id, cohort) for rule in READINESS_RULES)


def district_pins(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school the district placed (a scenario's place or shift, a planner's pin) is
    in that cohort."""
    pin = facts.decisions.pin_of(school_id)
    return pin is None or pin.cohort == cohort


def district_keep_outs(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: a school the district keeps out of some cohorts is in none of them."""
    return cohort not in facts.decisions.kept_out_of(school_id)


def no_launch_terms(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: no school launches in a term the district closed (no_launch_in: a testing
    window, say): the cohort launching then takes no school still to be placed."""
    return not facts.closed_by_decision(cohort)


def decisions_allow(facts: PlanningFacts, school_id: str, cohort: int) -> bool:
    """Hard: the district's decisions (pins, keep-outs, closed terms), except for a school
    that keeps its cohort (launched, paused or withdrawn: what happened stays)."""
    if facts.kept_cohort(school_id) is not None:
        return True
    return all(rule(facts, school_id, cohort) for rule in DECISION_RULES)


READINESS_RULES = [readiness_gates, readiness_floor, locked_preference]
DECISION_RULES = [district_pins, district_keep_outs, no_launch_terms]
DOMAIN_RULES = [launched_schools_stay, readiness_allows, decisions_allow]


def allowed_cohorts(facts: PlanningFacts, school_id: str) -> list[int]:
    return [c.number for c in facts.cohorts
            if all(rule(facts, school_id, c.number) for rule in DOMAIN_RULES)]


def one_cohort_per_school(m) -> None:
    """Hard: every school is in exactly one cohort."""
    for school in m.facts.schools:
        m.model.add_exactly_one(m.choices(school.school_id))


def cohort_size_limits(m) -> None:
    """Hard: each cohort still to come holds between cohort_size.min and cohort_size.max
    schools (a launched cohort's size is history: a delay can leave it short; a cohort whose
    term the district closed has no minimum). A withdrawn school takes no place in it; a paused
    school keeps its place, as it resumes with it."""
    size = m.facts.settings.cohort_size
    members: dict[int, list] = {c.number: [] for c in m.facts.cohorts}
    for (sid, c), var in m.assign.items():
        if not m.facts.has_withdrawn(sid):
            members[c].append(var)
    for cohort in m.facts.cohorts:
        if m.facts.has_launched(cohort.number):
            continue
        count = sum(members[cohort.number])
        m.limit(count, size.max, "cohort_max", cohort.number,
                f"at most {size.max} schools in {cohort.name}")
        if not m.facts.closed_by_decision(cohort.number):  # a closed term's cohort stays empty
            m.limit(-count, -size.min, "cohort_min", cohort.number,
                    f"at least {size.min} schools in {cohort.name}")


def coaching_capacity(m) -> None:
    """Hard: in every term, the coaching FTE the schools need is at most the coaches available."""
    facts = m.facts
    per_term: dict[int, list] = {t.index: [] for t in facts.district.terms}
    for (sid, c), var in m.assign.items():
        school = facts.district.school_by_id[sid]
        for term in per_term:
            fte = facts.school_coaching_fte(school, term, c)
            if fte > 0:
                per_term[term].append(math.ceil(fte * SCALE_FTE - 1e-6) * var)
    for term in facts.district.terms:
        if per_term[term.index] and not facts.is_history(term.index):
            m.limit(sum(per_term[term.index]), math.floor(term.coaches_fte * SCALE_FTE + 1e-6),
                    "coaching", term.index,
                    f"coaching FTE in {term.label} ({term.coaches_fte:g} available)")


def link_capacity(m) -> None:
    """Hard: in every term, every link (after committed and chosen upgrades) carries the
    bandwidth of the schools behind it; so a school launches only when its whole path can."""
    facts, district = m.facts, m.facts.district
    base = {s.school_id: math.ceil(facts.bandwidth_mbps(s, False) * 1000 - 1e-6)
            for s in facts.schools}
    full = {s.school_id: math.ceil(facts.bandwidth_mbps(s, True) * 1000 - 1e-6)
            for s in facts.schools}
    extra = {sid: full[sid] - base[sid] for sid in base}  # what launching adds
    for link in district.links:
        behind = district.schools_behind[link]
        if not behind:
            continue
        base_load = sum(base[s] for s in behind)
        launch_load = sum(max(0, extra[s]) for s in behind)
        for term in district.terms:
            if facts.is_history(term.index):
                continue
            committed = kbps(district.capacity_by_term[link][term.index])
            room = committed - base_load  # for launches, before upgrades
            wanted = launch_load - room
            if wanted <= 0:
                continue  # cannot bind whatever the plan
            launched = {s: launched_in(m, s, term.index) for s in behind}
            upgrades = [u for u in district.upgrades_by_link.get(link, [])
                        if kbps(u.new_capacity_mbps) > committed]
            # An upgrade never needs to raise the link by more than every launch wants: the
            # smaller coefficient is the same rule for whole upgrades and a tighter LP bound.
            raised = [min(kbps(u.new_capacity_mbps) - committed, wanted)
                      * m.upgrade_done_by(u.upgrade, term.index) for u in upgrades]
            m.limit(sum(extra[s] * launched[s] for s in behind) - sum(raised), room, "link",
                    (link, term.index), f"link {district.link_label(link)} in {term.label} "
                    f"({district.capacity_by_term[link][term.index]:,.0f} Mbps)")
            if m.cuts:
                waits_for_upgrade(m, launched, extra, room, upgrades, committed, term.index)


def launched_in(m, school_id: str, term: int):
    """1 when the school is launched in `term`: what the Launches sheet records, else its
    cohort's literal."""
    recorded = m.facts.recorded_launch_state(school_id, term)
    return m.launched_by(school_id, term) if recorded is None else int(recorded)


def waits_for_upgrade(m, launched, extra, room, upgrades, committed, term) -> None:
    """A school whose launch alone overfills a link cannot launch by `term` before an upgrade
    that makes room for it is done: the same rule as the link limit, written so the LP sees
    it for whole schools (a redundant cut, left out when limits may be relaxed)."""
    for sid, lit in launched.items():
        if isinstance(lit, int) or extra[sid] <= room:
            continue
        fits = [u for u in upgrades if extra[sid] <= room + kbps(u.new_capacity_mbps) - committed]
        m.model.add(lit <= sum(m.upgrade_done_by(u.upgrade, term) for u in fits))


def one_upgrade_per_link(m) -> None:
    """Hard: each upgrade completes at most once, and the upgrades of one link are alternatives
    (at most one of them is done)."""
    for upgrades in m.facts.district.upgrades_by_link.values():
        chosen = [v for u in upgrades for v in m.upgrade_terms(u.upgrade).values()]
        if chosen:
            m.model.add_at_most_one(chosen)


def upgrade_crews(m) -> None:
    """Hard: at most the term's upgrade_crews upgrades complete in each term."""
    for term in m.facts.district.terms:
        done = [terms[term.index] for terms in m.upgrade_done.values() if term.index in terms]
        if term.upgrade_crews is not None and len(done) > term.upgrade_crews:
            m.limit(sum(done), term.upgrade_crews, "crews", term.index,
                    f"{term.upgrade_crews} upgrade crew(s) in {term.label}")


def upgrade_budget(m) -> None:
    """Hard: the chosen upgrades cost no more than upgrade_budget."""
    budget = m.facts.settings.upgrade_budget
    upgrades = m.facts.district.upgrades
    if budget is None or sum(u.cost for u in upgrades) <= budget:
        return
    spend = sum(round(u.cost) * v for u in upgrades for v in m.upgrade_terms(u.upgrade).values())
    m.limit(spend, math.floor(budget), "budget", None, f"upgrade budget of {budget:,.0f}")


def feeder_cohesion_hard(m) -> None:
    """Hard (when feeder_cohesion.hard): the schools of a feeder pattern launch within
    max_spread cohorts of each other."""
    cohesion = m.facts.settings.feeder_cohesion
    if not cohesion.hard:
        return
    for feeder, ids in m.facts.feeder_patterns.items():
        low, high = m.feeder_range(feeder, ids)
        m.model.add(high - low <= cohesion.max_spread)


HARD_RULES = [one_cohort_per_school, cohort_size_limits, coaching_capacity, link_capacity,
              one_upgrade_per_link, upgrade_crews, upgrade_budget, feeder_cohesion_hard]
