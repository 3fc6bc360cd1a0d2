"""The checker's own arithmetic, derived from the district records and settings alone.

Planning has the same quantities in planning/facts.py. They are written again here on purpose,
in the words of the rules rather than the model's: two independent derivations, compared by
tests/test_checker_independent.py on random plans, so a wrong formula on either side shows.
"""
from __future__ import annotations

from typing import Protocol

from rollout.domain import (
    DELAYED,
    LAUNCHED,
    ON_HOLD,
    WITHDRAWN,
    Cohort,
    Decisions,
    District,
    School,
)
from rollout.intake.settings import Settings


class PlanRecords(Protocol):
    """What the checker reads: the district's records, its settings, the cohorts, each school's
    readiness and need (0-100), the first term still to come and last year's cohorts.
    planning.facts.PlanningFacts has these fields, and so does any record built for a check."""

    district: District
    settings: Settings
    cohorts: tuple[Cohort, ...]
    readiness: dict[str, float]
    need: dict[str, float]
    current_term: int
    previous: dict[str, int]
    decisions: Decisions


def cohort_named(records: PlanRecords, number: int) -> Cohort:
    """The cohort with this number (cohorts are numbered from 1 in launch order)."""
    return next(cohort for cohort in records.cohorts if cohort.number == number)


def launch_term(records: PlanRecords, number: int) -> int:
    return cohort_named(records, number).launch_term_index


def term_has_passed(records: PlanRecords, term: int) -> bool:
    """Terms before the current term are history: no limit is judged there any more."""
    return term < records.current_term


def cohort_has_launched(records: PlanRecords, number: int) -> bool:
    return term_has_passed(records, launch_term(records, number))


def nothing_launches_in(records: PlanRecords, number: int) -> bool:
    """The district decided that no school launches in this cohort's launch term."""
    term = launch_term(records, number)
    return any(n.term_index == term for n in records.decisions.no_launch)


def cohort_to_keep(records: PlanRecords, school_id: str) -> int | None:
    """The cohort a school may not leave in a re-plan (None: it is free to be planned). What
    the Launches sheet records comes first: delayed frees it; launched (early or late), paused
    and withdrawn keep the cohort it was told, or for a launch never told one, the last cohort
    that had launched by its real term. Without a record, a school told a cohort that has
    launched keeps it."""
    told = records.previous.get(school_id)
    record = records.district.launch_by_school.get(school_id)
    if record is not None and record.status == DELAYED:
        return None
    if record is not None and told is not None:
        return told
    if record is not None and record.status == LAUNCHED:
        by_then = [c.number for c in records.cohorts if c.launch_term_index <= record.term_index]
        return by_then[-1] if by_then else 1
    if record is None and told is not None and cohort_has_launched(records, told):
        return told
    return None


def school_launch_term(records: PlanRecords, school_id: str, cohort: int) -> int:
    """The term the school really launched in (Launches sheet), else its cohort's term."""
    record = records.district.launch_by_school.get(school_id)
    if record is not None and record.status == LAUNCHED:
        return record.term_index
    return launch_term(records, cohort)


def held_in(records: PlanRecords, school_id: str, term: int) -> bool:
    """Paused or withdrawn in `term`: from the term the sheet gives, or from now."""
    record = records.district.launch_by_school.get(school_id)
    if record is None or record.status not in ON_HOLD:
        return False
    start = records.current_term if record.term_index is None else record.term_index
    return start <= term


def takes_a_place(records: PlanRecords, school_id: str) -> bool:
    """Whether the school counts in its cohort's size: a withdrawn school has left the
    roll-out; a paused one keeps its place, as it resumes with its cohort."""
    record = records.district.launch_by_school.get(school_id)
    return record is None or record.status != WITHDRAWN


def school_coaching(records: PlanRecords, school: School, term: int, cohort: int) -> float:
    """Coaching the school needs in `term` in `cohort`: none while it is held."""
    if held_in(records, school.school_id, term):
        return 0.0
    return coaching_fte(records, school, term, school_launch_term(records, school.school_id,
                                                                  cohort))


def school_bandwidth(records: PlanRecords, school: School, term: int, cohort: int) -> float:
    """Mbps the school uses in `term` in `cohort`: the launch rate once it has really launched
    and while it is not held, the baseline rate otherwise."""
    launched = (term >= school_launch_term(records, school.school_id, cohort)
                and not held_in(records, school.school_id, term))
    return bandwidth_mbps(records, school, launched)


def coaching_fte(records: PlanRecords, school: School, term: int, launch: int) -> float:
    """Coaches a school needs in `term` when it launches in `launch`: its teachers shared among
    coaches (teachers per coach) at the load profile's share for that many terms from launch,
    raised for need when the district sets a need intensity."""
    coaching = records.settings.coaching
    profile_share = coaching.load_profile.get(term - launch)
    if not profile_share:
        return 0.0
    coaches_at_full_load = school.teachers / coaching.teachers_per_coach
    need_factor = 1 + coaching.need_intensity * records.need[school.school_id] / 100
    return coaches_at_full_load * profile_share * need_factor


def bandwidth_mbps(records: PlanRecords, school: School, launched: bool) -> float:
    """Mbps a school uses: its students at the baseline rate, or at the launch rate from its
    launch term on (the settings give kbps per student)."""
    bandwidth = records.settings.bandwidth
    per_student = (bandwidth.launch_kbps_per_student if launched
                   else bandwidth.baseline_kbps_per_student)
    return per_student * school.students / 1000


def link_capacity(records: PlanRecords, link: str, term: int, upgrades: dict[str, int]) -> float:
    """A link's capacity in a term: the school's own link or the network node's capacity, then
    the latest change of the capacity plan that has taken effect by then (the last listed of
    one term wins), then the largest chosen upgrade of the link completed by then."""
    district = records.district
    school = next((s for s in district.schools if s.school_id == link), None)
    capacity = school.link_mbps if school else next(
        n.capacity_mbps for n in district.nodes if n.node == link)
    return capacity_in_term(capacity, [c for c in district.capacity_plan if c.link == link],
                            [u for u in district.upgrades if u.link == link], term, upgrades)


def capacity_in_term(capacity: float, changes: list, link_upgrades: list, term: int,
                     upgrades: dict[str, int]) -> float:
    """`link_capacity` from the link's own capacity, capacity-plan rows and upgrades."""
    changes = [c for c in changes if c.term_index <= term]
    if changes:
        latest = max(c.term_index for c in changes)
        capacity = [c for c in changes if c.term_index == latest][-1].capacity_mbps
    done = [u.new_capacity_mbps for u in link_upgrades
            if upgrades.get(u.upgrade, term + 1) <= term]
    return max([capacity, *done])


def link_capacities(records: PlanRecords, upgrades: dict[str, int]) -> dict[str, list[float]]:
    """Every link's capacity in every term (`link_capacity` for all of them at once: looking
    each link up again took 1.4 s a plan at 1,800 schools)."""
    district = records.district
    own = {n.node: n.capacity_mbps for n in district.nodes}
    own.update({s.school_id: s.link_mbps for s in district.schools})  # a school's link wins
    changes: dict[str, list] = {}
    for c in district.capacity_plan:
        changes.setdefault(c.link, []).append(c)
    link_upgrades: dict[str, list] = {}
    for u in district.upgrades:
        link_upgrades.setdefault(u.link, []).append(u)
    return {link: [capacity_in_term(own[link], changes.get(link, []),
                                    link_upgrades.get(link, []), t, upgrades)
                   for t in range(len(district.terms))]
            for link in district.links}


def feeder_groups(records: PlanRecords) -> dict[str, list[str]]:
    """Schools of each feeder pattern that has more than one school, by feeder name (a
    withdrawn school launches with none)."""
    groups: dict[str, list[str]] = {}
    for school in records.district.schools:
        if not takes_a_place(records, school.school_id):
            continue
        groups.setdefault(school.feeder, []).append(school.school_id)
    return {feeder: sorted(ids) for feeder, ids in sorted(groups.items()) if len(ids) > 1}
