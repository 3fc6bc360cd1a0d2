"""Greedy baseline: highest priority first, each school into the earliest cohort the limits
still allow. Used as the solver's starting hint and as the benchmark's baseline; it does not
choose upgrades and may leave a cohort under its minimum (the checker then says so)."""
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

    def fits(self, school, cohort: int) -> bool:
        f = self.facts
        if self.counts[cohort] >= f.settings.cohort_size.max:
            return False
        launch = f.launch_term_of(cohort)
        for t in range(f.term_count):
            if self.coaching[t] + f.coaching_fte(school, t, launch) > \
                    f.district.terms[t].coaches_fte + TOLERANCE:
                return False
        extra = f.bandwidth_mbps(school, True) - f.bandwidth_mbps(school, False)
        for link in f.district.path_to_internet(school.school_id):
            caps = f.district.capacity_by_term[link]
            if any(self.load[link][t] + extra > caps[t] + TOLERANCE
                   for t in range(launch, f.term_count)):
                return False
        return True

    def place(self, school, cohort: int) -> None:
        f = self.facts
        launch = f.launch_term_of(cohort)
        self.counts[cohort] += 1
        for t in range(f.term_count):
            self.coaching[t] += f.coaching_fte(school, t, launch)
        extra = f.bandwidth_mbps(school, True) - f.bandwidth_mbps(school, False)
        for link in f.district.path_to_internet(school.school_id):
            for t in range(launch, f.term_count):
                self.load[link][t] += extra


def greedy_plan(facts: PlanningFacts) -> Plan:
    state = GreedyState(facts)
    locked = {p.school_id for p in facts.district.preferences if p.locked}
    order = sorted(facts.schools, key=lambda s: (s.school_id not in locked,
                                                 -facts.priorities[s.school_id], s.school_id))
    cohort_of = {}
    for school in order:
        options = allowed_cohorts(facts, school.school_id) or [len(facts.cohorts)]
        cohort = next((c for c in options if state.fits(school, c)), options[-1])
        state.place(school, cohort)
        cohort_of[school.school_id] = cohort
    return Plan(cohort_of=dict(sorted(cohort_of.items())), status="greedy")
