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
SETTINGS_FILE = "settings.yaml"
TOLERANCE = 1e-6
# SETDA's goal for 2027-28: 1 Gbps per 1,000 students (1,000 kbps each). A goal to plan towards,
# not what a district's links have; said when school links fail under it.
SETDA_GOAL_KBPS = 1000


def sizing_problems(facts: PlanningFacts) -> Problems:
    """Every school whose own link is too small and coaching that cannot cover the launches,
    as input problems (district.xlsx, the sheet and column to change)."""
    problems, too_small = Problems(), []
    for school in facts.schools:
        text = own_link_problem(facts, school)
        if text:
            problems.add(DISTRICT_FILE, text, sheet="Schools", column="link_mbps")
            too_small.append(school)
    lever = launch_rate_lever(facts, too_small)
    if lever:
        problems.add(SETTINGS_FILE, lever)
    for text in coaching_problems(facts):
        problems.add(DISTRICT_FILE, text, sheet="Terms", column="coaches_fte")
    return problems


def launch_rate_text(facts: PlanningFacts) -> str:
    """The launch rate setting with its value, and what SETDA's figure is."""
    kbps = facts.settings.bandwidth.launch_kbps_per_student
    setda = (", SETDA's goal of 1 Gbps per 1,000 students, not what a district's links must "
             "have" if kbps == SETDA_GOAL_KBPS else "")
    return f"bandwidth.launch_kbps_per_student is {kbps:,g} kbps per student{setda}"


def launch_rate_lever(facts: PlanningFacts, too_small: list[School]) -> str | None:
    """The district's own setting as the lever for links too small for the launch: the rate
    at which every one of those links would carry it (none when a link cannot carry even the
    baseline: no launch rate helps it)."""
    if not too_small:
        return None
    ids = ", ".join(s.school_id for s in too_small)
    count = len(too_small)
    head = (f"{launch_rate_text(facts)}: at that rate {count} school link"
            f"{'s' if count != 1 else ''} cannot carry the launch ({ids})")
    baseline = facts.settings.bandwidth.baseline_kbps_per_student
    fits = [max(largest_capacity(facts, s.school_id, t) for t in planned_terms(facts))
            * 1000 / s.students for s in too_small if s.students]
    rate = math.floor(min(fits, default=0.0) + TOLERANCE)
    if not fits or rate < baseline:
        return None
    return (f"{head}; at {rate:,} kbps per student or less each of those links carries it: "
            f"choose the rate the district's lessons need, or raise those links")


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
    plan's terms); else one sentence with that floor, the even spread's busiest term, and the
    district's settings that are the levers."""
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
            f"the schools need at least {needed:,.1f} FTE-terms of coaching however they are "
            f"placed (one coach for one term is 1; each school's planning, launch and support "
            f"within those terms, in the cohort where it needs least) and the Terms sheet has "
            f"{available:,.1f}. That floor alone asks at least {more:,.2f} more coaches (FTE) in "
            f"each of those {len(terms)} terms on average; a real plan asks more. "
            + coaching_hint(facts)]


def even_spread_load(facts: PlanningFacts) -> dict[int, float]:
    """Coaching FTE by planned term with the schools still to place spread evenly over the
    cohorts still open, and those that keep their cohort where they are."""
    terms = planned_terms(facts)
    open_cohorts = [c.number for c in facts.cohorts if not facts.has_launched(c.number)]
    load = {t: 0.0 for t in terms}
    for school in facts.schools:
        kept = facts.kept_cohort(school.school_id)
        shares = ([(kept, 1.0)] if kept is not None
                  else [(c, 1 / len(open_cohorts)) for c in open_cohorts])
        for cohort, share in shares:
            for t, fte in coaching_terms(facts, school, cohort).items():
                load[t] += share * fte
    return load


def coaching_hint(facts: PlanningFacts) -> str:
    """What N schools in K cohorts need in coaches: the busiest term of the even spread
    against the coaches it has (a peak, where the sizing floor is an average over all terms),
    and the district's settings that change it."""
    terms = planned_terms(facts)
    open_cohorts = [c.number for c in facts.cohorts if not facts.has_launched(c.number)]
    free = [s for s in facts.schools if facts.kept_cohort(s.school_id) is None]
    if not terms or not open_cohorts or not free:
        return ""
    load = even_spread_load(facts)
    coaches = {t: facts.district.terms[t].coaches_fte for t in terms}
    busiest = max(terms, key=lambda t: (load[t] - coaches[t], -t))
    per_cohort = len(free) / len(open_cohorts)
    short = load[busiest] - coaches[busiest]
    scale = (f"For scale: {len(free)} schools in {len(open_cohorts)} cohorts (about "
             f"{per_cohort:.0f} a cohort), spread evenly, need about {load[busiest]:,.1f} "
             f"coaches (FTE) in {facts.term_label(busiest)}, their busiest term against the "
             f"coaches it has ({coaches[busiest]:g})")
    more = (f": about {short:,.1f} more in that term, the peak of an even spread"
            if short > TOLERANCE else "")
    return f"{scale}{more}. " + coaching_levers(facts, load, coaches)


def coaching_levers(facts: PlanningFacts, load: dict[int, float],
                    coaches: dict[int, float]) -> str:
    """The district's own settings that set the coaching the schools need, with their values
    and, for teachers_per_coach, the value at which the even spread fits every term."""
    coaching = facts.settings.coaching
    ratio = max((load[t] / coaches[t] if coaches[t] > 0 else math.inf) for t in load)
    fits = ("" if math.isinf(ratio) else
            f"; about {math.ceil(coaching.teachers_per_coach * ratio - TOLERANCE):,} would fit "
            f"the even spread in every term")
    profile = ", ".join(f"{k}: {v:g}" for k, v in sorted(coaching.load_profile.items()))
    launches = [facts.term_label(c.launch_term_index) for c in facts.cohorts]
    return (f"Besides coaches_fte on the Terms sheet, the district's settings decide this "
            f"(settings.yaml): coaching.teachers_per_coach is {coaching.teachers_per_coach:g}"
            f"{fits}; coaching.load_profile is {{{profile}}} (each term's share of a school's "
            f"launch load, by term from its launch; cohorts launching in consecutive terms "
            f"overlap); cohorts are {len(facts.cohorts)}, launching {launches[0]} to "
            f"{launches[-1]}: more cohorts, or cohorts further apart (more terms on the Terms "
            f"sheet), put fewer teachers in each term.")


def bandwidth_hint(facts: PlanningFacts) -> str:
    """The launch rate as the district's lever on every link's load."""
    return (f"In settings.yaml, {launch_rate_text(facts)}: a lower rate asks less of every "
            f"link at launch.")
