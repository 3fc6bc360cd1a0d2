"""Before solving: does the district have what its schools need?

A plan is impossible at once when a school's own link cannot carry the school in any cohort it
may join, or when the coaches of the Terms sheet cannot cover the launches however the schools
are placed. Both are found here in a moment, each named in one sentence with the figure that
would do, before the solver runs (its diagnosis of an impossible plan takes much longer and
speaks of limits, not causes). Every check is a necessary condition: a district that passes
may still have no plan, and `explain.diagnose_infeasible` then says which limits conflict.
"""
from __future__ import annotations

import math

from rollout.domain import School
from rollout.errors import Problems
from rollout.planning.constraints import allowed_cohorts
from rollout.planning.facts import PlanningFacts

DISTRICT_FILE = "district.xlsx"
TOLERANCE = 1e-6


def sizing_problems(facts: PlanningFacts) -> Problems:
    """Every school whose own link is too small and coaching that cannot cover the launches,
    as input problems (district.xlsx, the sheet and column to change)."""
    problems = Problems()
    for school in facts.schools:
        text = own_link_problem(facts, school)
        if text:
            problems.add(DISTRICT_FILE, text, sheet="Schools", column="link_mbps")
    for text in coaching_problems(facts):
        problems.add(DISTRICT_FILE, text, sheet="Terms", column="coaches_fte")
    return problems


def planned_terms(facts: PlanningFacts) -> range:
    """The terms the plan still decides (earlier ones are history)."""
    return range(facts.current_term, facts.term_count)


def own_bandwidth(facts: PlanningFacts, school: School, term: int, cohort: int) -> float:
    """Mbps the school uses in `term` in `cohort`: the launch rate once launched, else (and
    while paused or withdrawn) the baseline rate."""
    launched = (term >= facts.school_launch_term(school.school_id, cohort)
                and not facts.on_hold(school.school_id, term))
    return facts.bandwidth_mbps(school, launched)


def largest_capacity(facts: PlanningFacts, link: str, term: int) -> float:
    """The link's capacity in `term` with every upgrade of it done as early as it can be."""
    earliest = {u.upgrade: max(u.lead_terms, facts.current_term)
                for u in facts.district.upgrades_by_link.get(link, [])}
    return facts.capacity_with_upgrades(link, term, earliest)


def own_link_problem(facts: PlanningFacts, school: School) -> str | None:
    """Hard (sizing): the school's own link carries its baseline before launch and its launch
    from then on, in some cohort it may join; else one sentence with the capacity that would."""
    sid = school.school_id
    cohorts = allowed_cohorts(facts, sid)
    terms = planned_terms(facts)
    if not cohorts or not terms:
        return None  # a school no cohort allows is told by the diagnosis
    capacity = {t: largest_capacity(facts, sid, t) for t in terms}
    if any(all(own_bandwidth(facts, school, t, c) <= capacity[t] + TOLERANCE for t in terms)
           for c in cohorts):
        return None
    base, full = facts.bandwidth_mbps(school, False), facts.bandwidth_mbps(school, True)
    what = ("its baseline or its launch" if any(base > capacity[t] + TOLERANCE for t in terms)
            else "its launch")
    when = ("in any term" if max(capacity.values()) < full - TOLERANCE
            else "in time for any cohort it may join")
    has = facts.district.capacity_by_term[sid][facts.current_term]
    upgrade = "a larger upgrade" if facts.district.upgrades_by_link.get(sid) else "an upgrade"
    return (f"{sid}'s own link ({has:,.0f} Mbps) cannot carry {what} {when}: its "
            f"{school.students:,} students need {full:,.0f} Mbps once launched ({base:,.0f} Mbps "
            f"before): raise it to at least {math.ceil(full - TOLERANCE):,} Mbps, or add "
            f"{upgrade} for it to the Upgrades sheet")


def coaching_terms(facts: PlanningFacts, school: School, cohort: int) -> dict[int, float]:
    """Coaching FTE the school needs in each planned term in `cohort`."""
    return {t: facts.school_coaching_fte(school, t, cohort) for t in planned_terms(facts)}


def coaching_problems(facts: PlanningFacts) -> list[str]:
    """Hard (sizing): the coaches of the planned terms cover, in all, the least coaching the
    schools need in the cohorts allowed (each school placed where it needs least within the
    plan's terms); else one sentence with the coaches that would, and a sizing hint."""
    terms = planned_terms(facts)
    if not terms:
        return []
    needed = 0.0
    for school in facts.schools:
        cohorts = allowed_cohorts(facts, school.school_id)
        needed += min((sum(coaching_terms(facts, school, c).values()) for c in cohorts),
                      default=0.0)
    available = sum(facts.district.terms[t].coaches_fte for t in terms)
    if needed <= available + TOLERANCE:
        return []
    first, last = facts.term_label(terms[0]), facts.term_label(terms[-1])
    more = math.ceil((needed - available) / len(terms) * 100) / 100
    return [f"Coaching cannot cover the launches in the cohorts allowed: from {first} to {last} "
            f"the schools need at least {needed:,.1f} FTE-terms of coaching (one coach for one "
            f"term is 1; each school's planning, launch and support within those terms, in the "
            f"cohort where it needs least) and the Terms sheet has {available:,.1f}: add at "
            f"least {more:,.2f} coaches (FTE) in each of those {len(terms)} terms. "
            + coaching_hint(facts)]


def coaching_hint(facts: PlanningFacts) -> str:
    """What N schools in K cohorts need in coaches: the schools still to place spread evenly
    over the cohorts still open, with those that keep their cohort where they are; the
    busiest term against the coaches it has."""
    terms = planned_terms(facts)
    open_cohorts = [c.number for c in facts.cohorts if not facts.has_launched(c.number)]
    free = [s for s in facts.schools if facts.kept_cohort(s.school_id) is None]
    if not terms or not open_cohorts or not free:
        return ""
    load = {t: 0.0 for t in terms}
    for school in facts.schools:
        kept = facts.kept_cohort(school.school_id)
        shares = ([(kept, 1.0)] if kept is not None
                  else [(c, 1 / len(open_cohorts)) for c in open_cohorts])
        for cohort, share in shares:
            for t, fte in coaching_terms(facts, school, cohort).items():
                load[t] += share * fte
    busiest = max(terms, key=lambda t: (load[t] - facts.district.terms[t].coaches_fte, -t))
    per_cohort = len(free) / len(open_cohorts)
    return (f"For scale: {len(free)} schools in {len(open_cohorts)} cohorts (about "
            f"{per_cohort:.0f} a cohort), spread evenly, need about {load[busiest]:,.1f} "
            f"coaches (FTE) in {facts.term_label(busiest)}, their busiest term against the "
            f"coaches it has ({facts.district.terms[busiest].coaches_fte:g}).")
