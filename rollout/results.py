"""Everything the outputs show, computed once from inputs and plan (exporters only format it)."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from rollout.check import Usage, compute_usage
from rollout.explain import school_reasons
from rollout.inputs import Inputs
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.rubric import DOMAINS

PLAN_COLUMNS = ["school_id", "school_name", "cohort", "launch_term", "infrastructure",
                "technology", "instructional", "readiness", "need", "priority",
                "preferred_cohort", "reasons"]
EXTRA_COLUMNS = ["cohort_name", "level", "region", "feeder", "students", "teachers",
                 "assessable", "coverage", "respondents", "role_gap"]


@dataclass
class Results:
    inputs: Inputs
    facts: PlanningFacts
    plan: Plan
    usage: Usage
    rows: list[dict]  # one per school, sorted by school_id
    notes: list[str] = field(default_factory=list)

    def row(self, school_id: str) -> dict:
        return next(r for r in self.rows if r["school_id"] == school_id)

    def medians(self, rows: list[dict] | None = None) -> dict[str, float | None]:
        rows = self.rows if rows is None else rows
        out = {}
        for key in DOMAINS + ["readiness", "need", "priority"]:
            values = [r[key] for r in rows if r[key] is not None]
            out[key] = round(statistics.median(values), 1) if values else None
        return out

    def cohort_rows(self, number: int) -> list[dict]:
        return [r for r in self.rows if r["cohort"] == number]

    def preferences_honoured(self) -> tuple[int, int]:
        prefs = [r for r in self.rows if r["preferred_cohort"] is not None]
        return sum(r["preferred_cohort"] == r["cohort"] for r in prefs), len(prefs)


def build_results(inputs: Inputs, facts: PlanningFacts, plan: Plan) -> Results:
    usage = compute_usage(facts, plan.cohort_of)
    reasons = school_reasons(facts, plan.cohort_of, usage)
    table = inputs.scores.table
    rows = []
    for school in facts.schools:
        sid = school.school_id
        cohort = plan.cohort_of[sid]
        score = table.loc[sid]
        pref = facts.district.preference_by_school.get(sid)
        rows.append({
            "school_id": sid, "school_name": school.school_name, "cohort": cohort,
            "launch_term": facts.term_label(facts.launch_term_of(cohort)),
            **{d: rounded(score[d]) for d in DOMAINS},
            "readiness": rounded(score["readiness"]), "need": rounded(score["need"]),
            "priority": round(facts.priorities[sid], 1),
            "preferred_cohort": pref.preferred_cohort if pref else None,
            "reasons": reasons[sid],
            "cohort_name": facts.cohort(cohort).name, "level": school.level,
            "region": school.region, "feeder": school.feeder, "students": school.students,
            "teachers": school.teachers, "assessable": "yes" if score["assessable"] else "no",
            "coverage": round(float(score["coverage"]), 3),
            "respondents": int(score["respondents"]), "role_gap": score["role_gap"] or "",
        })
    return Results(inputs, facts, plan, usage, rows, list(inputs.notes))


def rounded(value) -> float | None:
    return None if value is None or value != value else round(float(value), 1)
