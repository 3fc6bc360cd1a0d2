"""What the planning rules need from the inputs, computed once in plain units.

The model scales these to integers; the independent checker uses them as floats.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rollout.domain import Cohort, District, School
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

    def is_history(self, term: int) -> bool:
        return term < self.current_term

    def has_launched(self, number: int) -> bool:
        """A cohort whose launch term is history has launched: it is closed to newcomers."""
        return self.is_history(self.launch_term_of(number))

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
        """Schools of each feeder pattern, from the feeder graph (HS - MS - ES chains)."""
        import networkx as nx

        graph = nx.Graph()
        for school in self.schools:
            graph.add_node(school.school_id)
        by_feeder: dict[str, dict[str, list[str]]] = {}
        for school in self.schools:
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
                         current_term_index(inputs), dict(previous or {}))


def current_term_index(inputs) -> int:
    """Index of settings' current_term (0 when unset): earlier terms are history."""
    terms = {t.label: t.index for t in inputs.district.terms}
    return terms.get(inputs.settings.current_term, 0) if inputs.settings.current_term else 0
