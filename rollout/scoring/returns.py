"""Survey returns per school and role: who has answered and who has not, so that staff can
chase the missing surveys before planning (the planning studio's Inputs page, #25)."""
from __future__ import annotations

from dataclasses import dataclass

from rollout.domain import District
from rollout.intake.rubric import Rubric
from rollout.intake.survey import SurveyResponses


@dataclass(frozen=True)
class SchoolReturns:
    school_id: str
    name: str
    counts: tuple[int, ...]    # respondents per role, in the rubric's role order
    missing: tuple[str, ...]   # roles nobody at the school has answered for


def survey_returns(district: District, rubric: Rubric, responses: SurveyResponses
                   ) -> list[SchoolReturns]:
    """Every school, those with a role missing first (most missing first), then by name."""
    people = responses.respondents
    counts = people.groupby(["school_id", "role"]).size().to_dict() if len(people) else {}
    out = []
    for school in district.schools:
        by_role = tuple(int(counts.get((school.school_id, role), 0)) for role in rubric.roles)
        missing = tuple(r for r, n in zip(rubric.roles, by_role) if n == 0)
        out.append(SchoolReturns(school.school_id, school.school_name, by_role, missing))
    return sorted(out, key=lambda r: (-len(r.missing), r.name, r.school_id))
