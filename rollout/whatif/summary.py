"""What a plan looks like, in the figures the what-if workbooks compare: its cohorts (schools,
students, mean need and readiness), coaching and network use per term, upgrades, preferences,
and the schools it launches earlier or later than another plan."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from rollout.checking.check import compute_usage
from rollout.domain import PAUSED
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.whatif.moves import DECISION, GAINS, LIMIT, Move, move_reasons


@dataclass
class Group:
    """Schools of one group (a cohort, or all early cohorts) and their means; None if empty."""

    schools: int
    students: int
    mean_need: float | None
    mean_readiness: float | None
    student_need: float | None       # weighted by students
    student_readiness: float | None
    withdrawn: int = 0               # withdrawn schools placed in it: not in `schools`
    paused: int = 0                  # of `schools`, those paused (they keep their place)


def group_of(facts: PlanningFacts, ids: list[str]) -> Group:
    schools = [facts.district.school_by_id[s] for s in ids]
    students = sum(s.students for s in schools)

    def mean(values: dict[str, float], weighted: bool) -> float | None:
        if not schools:
            return None
        weights = [s.students if weighted else 1 for s in schools]
        return sum(values[s.school_id] * w for s, w in zip(schools, weights)) / sum(weights)

    return Group(len(schools), students, mean(facts.need, False), mean(facts.readiness, False),
                 mean(facts.need, True), mean(facts.readiness, True))


@dataclass
class PlanSummary:
    cohorts: list[Group]
    launched_by_term: list[int]          # schools launched in or before each term
    students_by_term: list[int]          # their students
    schools: int                         # taking part (a withdrawn school is not counted)
    students: int
    coaching_needed: list[float]         # FTE per term
    coaching_available: list[float]
    link_peak: list[tuple[float, str]]   # per term: the busiest network link's use, and it
    upgrades: dict[str, int]
    upgrade_cost: float
    preferences_honoured: int
    preferences_asked: int
    earlier: list[str] = field(default_factory=list)  # schools earlier than in the base plan
    later: list[str] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)   # every school moved, with its reason
    current_term: int = 0                # terms before it are history (a spring re-plan)

    @property
    def moved(self) -> int:
        return len(self.earlier) + len(self.later)

    @property
    def withdrawn(self) -> int:
        """Withdrawn schools: in no count of the summary (no place, no launch)."""
        return sum(g.withdrawn for g in self.cohorts)

    @property
    def paused(self) -> int:
        """Paused schools: counted in their cohorts and as launched (they keep their place)."""
        return sum(g.paused for g in self.cohorts)

    @property
    def moved_to_gain(self) -> int:
        return sum(m.kind == GAINS for m in self.moves)

    @property
    def moved_by_limit(self) -> int:
        return sum(m.kind == LIMIT for m in self.moves)

    @property
    def moved_by_decision(self) -> int:
        return sum(m.kind == DECISION for m in self.moves)

    def peak_coaching(self) -> tuple[float, int]:
        """Highest share of the coaches in use in a term still to come, and its term (past
        terms are history: no decision changes them)."""
        shares = [(n / a if a else 0.0, t) for t, (n, a) in
                  enumerate(zip(self.coaching_needed, self.coaching_available))
                  if t >= self.current_term]
        return max(shares)


def cohort_members(facts: PlanningFacts, cohort_of: dict[str, int], number: int) -> list[str]:
    """The schools that take a place in the cohort, as `rollout plan` counts them (a withdrawn
    school takes none)."""
    return sorted(s for s, c in cohort_of.items() if c == number and not facts.has_withdrawn(s))


def cohort_group(facts: PlanningFacts, cohort_of: dict[str, int], number: int) -> Group:
    """A cohort's schools as `rollout plan` counts them, with the withdrawn schools placed in
    it counted apart and its paused schools (which keep their place) counted among them."""
    members = cohort_members(facts, cohort_of, number)
    withdrawn = sum(c == number and facts.has_withdrawn(s) for s, c in cohort_of.items())
    paused = sum(facts.launch_status(s, number) == PAUSED for s in members)
    return dataclasses.replace(group_of(facts, members), withdrawn=withdrawn, paused=paused)


def launched_by_terms(facts: PlanningFacts, cohort_of: dict[str, int]) -> list[list[str]]:
    """The schools launched in or before each term, as the dashboard counts them: each from
    the term it really launched (Launches sheet), else its cohort's; a withdrawn school is
    not counted (it takes no place), a paused one is (it launched, and keeps its place)."""
    launch = {s: facts.school_launch_term(s, c) for s, c in cohort_of.items()
              if not facts.has_withdrawn(s)}
    return [sorted(s for s, t in launch.items() if t <= term) for term in range(facts.term_count)]


def summarise(facts: PlanningFacts, plan: Plan, base: Plan | None = None,
              base_facts: PlanningFacts | None = None) -> PlanSummary:
    """`base`: the plan moves are counted against (`base_facts`: its facts, when not these)."""
    cohort_of, district = plan.cohort_of, facts.district
    students = {s.school_id: s.students for s in district.schools}
    launched = launched_by_terms(facts, cohort_of)
    taking_part = [s for s in cohort_of if not facts.has_withdrawn(s)]
    usage = compute_usage(facts, cohort_of, plan.upgrades)
    network = sorted(district.node_by_name)  # shared links; a school's own link serves only it
    peaks = [max(((usage.link_load[link][t] / usage.capacity[link][t], link) for link in network
                  if usage.capacity[link][t] > 0), default=(0.0, ""))
             for t in range(facts.term_count)]
    prefs = district.preferences
    return PlanSummary(
        cohorts=[cohort_group(facts, cohort_of, cohort.number) for cohort in facts.cohorts],
        launched_by_term=[len(ids) for ids in launched],
        students_by_term=[sum(students[s] for s in ids) for ids in launched],
        schools=len(taking_part), students=sum(students[s] for s in taking_part),
        coaching_needed=usage.coaching,
        coaching_available=[t.coaches_fte for t in district.terms],
        link_peak=peaks, upgrades=dict(plan.upgrades),
        upgrade_cost=sum(district.upgrade_by_id[u].cost for u in plan.upgrades),
        preferences_honoured=sum(cohort_of.get(p.school_id) == p.preferred_cohort for p in prefs),
        preferences_asked=len(prefs),
        earlier=sorted(s for s, c in cohort_of.items() if base and c < base.cohort_of.get(s, c)),
        later=sorted(s for s, c in cohort_of.items() if base and c > base.cohort_of.get(s, c)),
        moves=move_reasons(facts, base, plan, base_facts) if base else [],
        current_term=min(facts.current_term, facts.term_count - 1))
