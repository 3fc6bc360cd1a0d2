"""Greedy baseline: highest priority first, each school into the earliest cohort the limits
still allow, choosing a network upgrade when one makes room for it. The benchmark's baseline,
and the first plan of the solver's fallback search.

What keeps its plans valid where it can: a cohort takes a school only while enough schools
remain, and enough coaching is left for typical schools, to bring every other cohort up to
its minimum; a school that does not fit its path's links in a cohort gets the cheapest upgrade
of each full link that makes room (earliest term with a free crew, within the budget); and a
cohort still short at the end takes the lowest-priority school that fits from a cohort above
its minimum. A school that fits no cohort at all goes to its last allowed one; the checker
then reports what that breaks. (Valid on the 95-10,000 school bench districts:
docs/benchmarks.md.)
"""
from __future__ import annotations

from rollout.planning.constraints import allowed_cohorts
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan

TOLERANCE = 1e-6


class GreedyState:
    def __init__(self, facts: PlanningFacts):
        self.facts = facts
        terms = range(facts.term_count)
        self.counts = {c.number: 0 for c in facts.cohorts}
        self.coaching = [0.0 for _ in terms]
        self.load = {link: [sum(facts.bandwidth_mbps(facts.district.school_by_id[s], False)
                                for s in facts.district.schools_behind[link])] * len(terms)
                     for link in facts.district.links}
        # A typical school's coaching FTE by term for each cohort: room kept for the schools
        # that must still join a cohort to bring it up to its minimum.
        self.typical = {c.number: [sum(facts.coaching_fte(s, t, c.launch_term_index)
                                       for s in facts.schools) / max(1, len(facts.schools))
                                   for t in terms] for c in facts.cohorts}
        self.upgrades: dict[str, int] = {}   # chosen upgrade -> completion term
        self.crews_used = [0 for _ in terms]
        self.spent = 0.0

    def carries(self, link: str, extra: float, launch: int, upgrades: dict[str, int]) -> bool:
        """The link, with `upgrades` done, carries `extra` more Mbps in every term from launch."""
        f = self.facts
        return all(self.load[link][t] + extra
                   <= f.capacity_with_upgrades(link, t, upgrades) + TOLERANCE
                   for t in range(max(launch, f.current_term), f.term_count))

    def coaching_fits(self, school, cohort: int, keep_room: bool) -> bool:
        """The school's coaching fits every term; with `keep_room`, so does the coaching of
        the typical schools every cohort still needs to reach its minimum (where that room
        is already short, the school may only take its own cohort's share of it)."""
        f = self.facts
        before = self.room_kept(None) if keep_room else None
        after = self.room_kept(cohort) if keep_room else None
        for t in range(f.current_term, f.term_count):
            staff = f.district.terms[t].coaches_fte
            need = self.coaching[t] + f.school_coaching_fte(school, t, cohort)
            if keep_room:
                need += after[t]
                staff = max(staff, self.coaching[t] + before[t])
            if need > staff + TOLERANCE:
                return False
        return True

    def room_kept(self, joining: int | None) -> list[float]:
        """Coaching by term of the typical schools each cohort still lacks, once a school
        joins cohort `joining`."""
        minimum = self.facts.settings.cohort_size.min
        room = [0.0] * self.facts.term_count
        for cohort, count in self.counts.items():
            lacking = max(0, minimum - count - (cohort == joining))
            for t, fte in enumerate(self.typical[cohort]):
                room[t] += lacking * fte
        return room

    def full_links(self, school, launch: int) -> list[str]:
        """Links on the school's path that could not carry its launch (before new upgrades)."""
        extra = self.extra(school)
        return [link for link in self.facts.district.path_to_internet(school.school_id)
                if not self.carries(link, extra, launch, self.upgrades)]

    def extra(self, school) -> float:
        f = self.facts
        return f.bandwidth_mbps(school, True) - f.bandwidth_mbps(school, False)

    def upgrades_for(self, school, launch: int) -> dict[str, int] | None:
        """New upgrades (id -> completion term) that let the school launch in `launch`, or
        None when its links cannot be made to carry it."""
        chosen: dict[str, int] = {}
        crews = list(self.crews_used)
        spent = self.spent
        for link in self.full_links(school, launch):
            pick = self.cheapest_upgrade(school, link, launch, crews, spent)
            if pick is None:
                return None
            upgrade, term = pick
            chosen[upgrade.upgrade] = term
            crews[term] += 1
            spent += upgrade.cost
        return chosen

    def cheapest_upgrade(self, school, link: str, launch: int, crews: list[int], spent: float):
        f = self.facts
        linked = f.district.upgrades_by_link.get(link, [])
        if any(u.upgrade in self.upgrades for u in linked):
            return None  # the upgrades of one link are alternatives
        budget = f.settings.upgrade_budget
        extra = self.extra(school)
        for upgrade in sorted(linked, key=lambda u: (u.cost, u.upgrade)):
            if budget is not None and spent + upgrade.cost > budget + TOLERANCE:
                continue
            term = self.free_crew_term(upgrade, launch, crews)
            if term is None:
                continue
            if self.carries(link, extra, launch, dict(self.upgrades, **{upgrade.upgrade: term})):
                return upgrade, term
        return None

    def free_crew_term(self, upgrade, launch: int, crews: list[int]) -> int | None:
        f = self.facts
        for term in range(max(upgrade.lead_terms, f.current_term), min(launch, f.term_count - 1)
                          + 1):
            limit = f.district.terms[term].upgrade_crews
            if limit is None or crews[term] < limit:
                return term
        return None

    def fits(self, school, cohort: int, keep_room: bool = True) -> dict[str, int] | None:
        """The new upgrades placing the school in `cohort` needs ({} for none), or None when
        it cannot be placed there."""
        f = self.facts
        if self.counts[cohort] >= f.settings.cohort_size.max:
            return None
        if not self.coaching_fits(school, cohort, keep_room):
            return None
        return self.upgrades_for(school, f.school_launch_term(school.school_id, cohort))

    def place(self, school, cohort: int, upgrades: dict[str, int], sign: int = 1) -> None:
        """Add the school's load in `cohort` (sign -1 takes it out again; upgrades stay)."""
        f = self.facts
        launch = f.school_launch_term(school.school_id, cohort)
        self.counts[cohort] += 0 if f.has_withdrawn(school.school_id) else sign  # no place
        for t in range(f.term_count):
            self.coaching[t] += sign * f.school_coaching_fte(school, t, cohort)
        for upgrade_id, term in upgrades.items():
            self.upgrades[upgrade_id] = term
            self.crews_used[term] += 1
            self.spent += f.district.upgrade_by_id[upgrade_id].cost
        extra = sign * self.extra(school)
        for link in f.district.path_to_internet(school.school_id):
            for t in range(launch, f.term_count):
                self.load[link][t] += extra

    def leaves_minimums_reachable(self, cohort: int, remaining: int) -> bool:
        """After this school, enough schools remain to fill every other cohort's minimum."""
        minimum = self.facts.settings.cohort_size.min
        if self.counts[cohort] < minimum:
            return True
        shortfall = sum(max(0, minimum - n) for c, n in self.counts.items() if c != cohort)
        return remaining - 1 >= shortfall


def greedy_plan(facts: PlanningFacts) -> Plan:
    state = GreedyState(facts)
    locked = {p.school_id for p in facts.district.preferences if p.locked}
    order = sorted(facts.schools, key=lambda s: (s.school_id not in locked,
                                                 -facts.priorities[s.school_id], s.school_id))
    cohort_of = {}
    for position, school in enumerate(order):
        options = allowed_cohorts(facts, school.school_id) or [len(facts.cohorts)]
        remaining = len(order) - position
        cohort, upgrades = options[-1], {}
        for option in options:
            if not state.leaves_minimums_reachable(option, remaining):
                continue
            needed = state.fits(school, option)
            if needed is not None:
                cohort, upgrades = option, needed
                break
        state.place(school, cohort, upgrades)
        cohort_of[school.school_id] = cohort
    fill_short_cohorts(state, cohort_of)
    return Plan(cohort_of=dict(sorted(cohort_of.items())), upgrades=dict(sorted(
        state.upgrades.items())), status="greedy")


def fill_short_cohorts(state: GreedyState, cohort_of: dict[str, int]) -> None:
    """Bring each cohort below its minimum up to it with schools from cohorts above theirs:
    the lowest priority school that fits, from the nearest cohort first."""
    facts = state.facts
    minimum = facts.settings.cohort_size.min
    for cohort in sorted(state.counts):
        while state.counts[cohort] < minimum:
            move = next(iter(movable_schools(state, cohort_of, cohort)), None)
            if move is None:
                break
            school, upgrades = move
            state.place(school, cohort_of[school.school_id], {}, sign=-1)
            state.place(school, cohort, upgrades)
            cohort_of[school.school_id] = cohort


def movable_schools(state: GreedyState, cohort_of: dict[str, int], cohort: int):
    """(school, upgrades it needs) for each school that could move into `cohort`."""
    facts = state.facts
    minimum = facts.settings.cohort_size.min
    candidates = sorted((s for s in facts.schools
                         if state.counts[cohort_of[s.school_id]] > minimum
                         and cohort in allowed_cohorts(facts, s.school_id)
                         and cohort_of[s.school_id] != cohort),
                        key=lambda s: (abs(cohort_of[s.school_id] - cohort),
                                       facts.priorities[s.school_id], s.school_id))
    for school in candidates:
        current = cohort_of[school.school_id]
        state.place(school, current, {}, sign=-1)
        needed = state.fits(school, cohort, keep_room=False)
        state.place(school, current, {})
        if needed is not None:
            yield school, needed
