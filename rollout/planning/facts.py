"""What the planning rules need from the inputs, computed once in plain units.

The model scales these to integers; the independent checker uses them as floats.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rollout.domain import Cohort, District, School
from rollout.settings import Settings


@dataclass(frozen=True)
class PlanningFacts:
    district: District
    settings: Settings
    cohorts: tuple[Cohort, ...]
    readiness: dict[str, float]  # 0-100; a school that is not assessable counts as 0
    need: dict[str, float]       # 0-100

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
        """FTE a school needs in `term` when it launches in `launch_term` (load profile)."""
        share = self.settings.coaching.load_profile.get(term - launch_term, 0.0)
        return school.teachers / self.settings.coaching.teachers_per_coach * share

    def bandwidth_mbps(self, school: School, launched: bool) -> float:
        bw = self.settings.bandwidth
        kbps = bw.launch_kbps_per_student if launched else bw.baseline_kbps_per_student
        return school.students * kbps / 1000

    def cohort(self, number: int) -> Cohort:
        return self.cohorts[number - 1]

    def launch_term_of(self, number: int) -> int:
        return self.cohorts[number - 1].launch_term_index


def facts_from_inputs(inputs) -> PlanningFacts:
    table = inputs.scores.table
    readiness = {sid: (float(v) if v == v else 0.0) for sid, v in table["readiness"].items()}
    need = {sid: float(v) for sid, v in table["need"].items()}
    return PlanningFacts(inputs.district, inputs.settings, tuple(inputs.cohorts), readiness, need)
