"""What the planning rules need from the inputs, computed once in plain units.

The model scales these to integers; the independent checker uses them as floats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rollout.domain import (
    DELAYED,
    LAUNCHED,
    ON_HOLD,
    PLANNED,
    WITHDRAWN,
    Cohort,
    Decisions,
    District,
    School,
)
from rollout.intake.settings import Settings


@dataclass(frozen=True)
class PlanningFacts:
    district: District
    settings: Settings
    cohorts: tuple[Cohort, ...]
    readiness: dict[str, float]  # 0-100; a school that is not assessable counts as 0
    need: dict[str, float]       # 0-100
    current_term: int = 0        # terms before this one are history (spring re-plan)
    previous: dict[str, int] = field(default_factory=dict)  # cohort told last year, by school
    decisions: Decisions = field(default_factory=Decisions)  # the district's pins and keep-outs

    def is_history(self, term: int) -> bool:
        return term < self.current_term

    def has_launched(self, number: int) -> bool:
        """A cohort whose launch term is history has launched: it is closed to newcomers."""
        return self.is_history(self.launch_term_of(number))

    def first_cohort_to_come(self) -> Cohort:
        """The first cohort that has not launched (in a first spring: the first cohort)."""
        return next((c for c in self.cohorts if not self.has_launched(c.number)), self.cohorts[0])

    def kept_cohort(self, school_id: str) -> int | None:
        """The cohort a school must keep in a re-plan, or None when it is free to be planned:
        a school of a launched cohort keeps it unless the Launches sheet says it was delayed;
        a school recorded as launched (early or late), paused or withdrawn keeps the cohort it
        was told (a launch with none told joins the last cohort launched by then)."""
        told, record = self.previous.get(school_id), self.district.launch_by_school.get(school_id)
        if record is None:
            return told if told is not None and self.has_launched(told) else None
        if record.status == DELAYED:
            return None
        if told is not None:
            return told
        if record.status == LAUNCHED:
            launched = [c.number for c in self.cohorts if c.launch_term_index <= record.term_index]
            return max(launched, default=1)
        return None

    def actual_launch_term(self, school_id: str) -> int | None:
        record = self.district.launch_by_school.get(school_id)
        return record.term_index if record and record.status == LAUNCHED else None

    def has_withdrawn(self, school_id: str) -> bool:
        """Withdrawn from the roll-out (Launches sheet): no place in a cohort's size, no coaching,
        no launch bandwidth and no launch phase. A paused school keeps its place: it resumes
        with its cohort."""
        record = self.district.launch_by_school.get(school_id)
        return record is not None and record.status == WITHDRAWN

    def held_since(self, school_id: str) -> int | None:
        """The term a paused or withdrawn school holds from (the current term when the sheet
        gives none); None for any other school."""
        record = self.district.launch_by_school.get(school_id)
        if record is None or record.status not in ON_HOLD:
            return None
        return record.term_index if record.term_index is not None else self.current_term

    def on_hold(self, school_id: str, term: int) -> bool:
        """A paused or withdrawn school takes no coaching or launch bandwidth from the term its
        status holds."""
        since = self.held_since(school_id)
        return since is not None and term >= since

    def school_launch_term(self, school_id: str, cohort: int) -> int:
        """The term a school launches in: when it really launched, else its cohort's term."""
        actual = self.actual_launch_term(school_id)
        return actual if actual is not None else self.launch_term_of(cohort)

    def recorded_launch_state(self, school_id: str, term: int) -> bool | None:
        """Whether the school is launched in `term` by what the Launches sheet records (on hold:
        not launched; launched: from its real term), or None when its cohort decides."""
        if self.on_hold(school_id, term):
            return False
        actual = self.actual_launch_term(school_id)
        return None if actual is None else term >= actual

    def launch_status(self, school_id: str, cohort: int) -> str:
        """What the school's launch stands at: the Launches sheet's status, else launched when
        its cohort has, else planned."""
        record = self.district.launch_by_school.get(school_id)
        if record is not None:
            return record.status
        return LAUNCHED if self.has_launched(cohort) else PLANNED

    def closed_by_decision(self, number: int) -> bool:
        """The district decided that nothing launches in this cohort's term."""
        return self.launch_term_of(number) in self.decisions.closed_terms()

    def decided_move(self, school_id: str, old: int, new: int) -> str:
        """The district's decision that moves a school from cohort `old` to `new`, in words
        ("placed in Group 4 by the scenario '...'"), or "" when no decision does: a decision
        is never called the school's choice."""
        pin = self.decisions.pin_of(school_id)
        if pin is not None and pin.cohort == new:
            return f"placed in {self.cohort(new).name} by {pin.by}"
        kept_out = [k for k in self.decisions.keep_outs
                    if k.school_id == school_id and old in k.cohorts]
        if kept_out:
            return f"kept out of {self.cohort(old).name} by {kept_out[0].by}"
        closed = [n for n in self.decisions.no_launch if n.term_index == self.launch_term_of(old)]
        if closed:
            return f"nothing launches in {self.term_label(closed[0].term_index)}, by {closed[0].by}"
        return ""

    def launched_in(self, school_id: str, cohort: int) -> int | None:
        """The term the school really launched (None if it has not): its recorded launch, else
        its cohort's term once that has passed (a school paused later had launched too)."""
        record = self.district.launch_by_school.get(school_id)
        if record is not None and record.status == LAUNCHED:
            return record.term_index
        if (record is None or record.status in ON_HOLD) and self.has_launched(cohort):
            return self.launch_term_of(cohort)
        return None

    def school_coaching_fte(self, school: School, term: int, cohort: int) -> float:
        """Coaching a school needs in `term` in `cohort`, from its real launch and holds."""
        if self.on_hold(school.school_id, term):
            return 0.0
        return self.coaching_fte(school, term, self.school_launch_term(school.school_id, cohort))

    @property
    def schools(self) -> tuple[School, ...]:
        return self.district.schools

    @property
    def term_count(self) -> int:
        return len(self.district.terms)

    def term_label(self, index: int) -> str:
        return self.district.terms[index].label

    def priority(self, school_id: str) -> float:
        """need_weight x need + (1 - need_weight) x readiness, on 0-100."""
        w = self.settings.need_weight
        return w * self.need[school_id] + (1 - w) * self.readiness[school_id]

    @cached_property
    def priorities(self) -> dict[str, float]:
        return {s.school_id: self.priority(s.school_id) for s in self.schools}

    def coaching_fte(self, school: School, term: int, launch_term: int) -> float:
        """FTE a school needs in `term` when it launches in `launch_term`: teachers per coach,
        the load profile's share for that term, and more for higher need if so set."""
        coaching = self.settings.coaching
        share = coaching.load_profile.get(term - launch_term, 0.0)
        intensity = 1 + coaching.need_intensity * self.need[school.school_id] / 100
        return school.teachers / coaching.teachers_per_coach * share * intensity

    def bandwidth_mbps(self, school: School, launched: bool) -> float:
        bw = self.settings.bandwidth
        kbps = bw.launch_kbps_per_student if launched else bw.baseline_kbps_per_student
        return school.students * kbps / 1000

    def cohort(self, number: int) -> Cohort:
        return self.cohorts[number - 1]

    def launch_term_of(self, number: int) -> int:
        return self.cohorts[number - 1].launch_term_index

    def capacity_with_upgrades(self, link: str, term: int, upgrades: dict[str, int]) -> float:
        """Capacity of a link in a term: committed plan, raised by any chosen upgrade of that
        link completed by then (`upgrades` maps upgrade id -> completion term)."""
        capacity = self.district.capacity_by_term[link][term]
        for upgrade in self.district.upgrades_by_link.get(link, []):
            done = upgrades.get(upgrade.upgrade)
            if done is not None and done <= term:
                capacity = max(capacity, upgrade.new_capacity_mbps)
        return capacity

    @cached_property
    def feeder_patterns(self) -> dict[str, list[str]]:
        """Schools of each feeder pattern, from the feeder graph (HS - MS - ES chains); a
        withdrawn school launches with none of them."""
        import networkx as nx

        graph = nx.Graph()
        taking_part = [s for s in self.schools if not self.has_withdrawn(s.school_id)]
        for school in taking_part:
            graph.add_node(school.school_id)
        by_feeder: dict[str, dict[str, list[str]]] = {}
        for school in taking_part:
            by_feeder.setdefault(school.feeder, {}).setdefault(school.level, []).append(
                school.school_id)
        for levels in by_feeder.values():
            chain = [levels.get(level, []) for level in ("HS", "MS", "ES", "Other")]
            members = [sid for group in chain for sid in group]
            graph.add_edges_from(zip(members, members[1:]))
        patterns = {}
        for component in nx.connected_components(graph):
            ids = sorted(component)
            if len(ids) > 1:
                patterns[self.district.school_by_id[ids[0]].feeder] = ids
        return dict(sorted(patterns.items()))


def facts_from_inputs(inputs, previous: dict[str, int] | None = None) -> PlanningFacts:
    table = inputs.scores.table
    readiness = {sid: (float(v) if v == v else 0.0) for sid, v in table["readiness"].items()}
    need = {sid: float(v) for sid, v in table["need"].items()}
    return PlanningFacts(inputs.district, inputs.settings, tuple(inputs.cohorts), readiness, need,
                         current_term_index(inputs), dict(previous or {}),
                         inputs.decisions)  # decisions.xlsx (#25)


def current_term_index(inputs) -> int:
    """Index of settings' current_term (0 when unset): earlier terms are history."""
    terms = {t.label: t.index for t in inputs.district.terms}
    return terms.get(inputs.settings.current_term, 0) if inputs.settings.current_term else 0
