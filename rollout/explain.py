"""Why each school is in its cohort, and what to relax when no plan exists.

Reasons are found by testing the move one cohort earlier against every rule; the diagnosis of
an infeasible plan re-solves with every limit made elastic and reports the smallest relaxation.
"""
from __future__ import annotations

from ortools.sat.python import cp_model

from rollout.check import Usage, compute_usage, move_violations
from rollout.errors import InfeasiblePlanError
from rollout.planning.constraints import allowed_cohorts
from rollout.planning.facts import PlanningFacts

DIAGNOSIS_TIME_LIMIT = 20.0


def school_reasons(facts: PlanningFacts, cohort_of: dict[str, int],
                   usage: Usage | None = None) -> dict[str, str]:
    usage = usage or compute_usage(facts, cohort_of)
    return {sid: reason_for(facts, cohort_of, usage, sid) for sid in sorted(cohort_of)}


def reason_for(facts: PlanningFacts, cohort_of, usage: Usage, school_id: str) -> str:
    cohort = cohort_of[school_id]
    pref = facts.district.preference_by_school.get(school_id)
    chosen = pref is not None and pref.preferred_cohort == cohort
    if pref is not None and pref.locked and chosen:
        return f"Locked to {facts.cohort(cohort).name}, the group the school chose."
    if cohort == 1:
        why = "the school chose this group" if chosen else \
            f"priority {facts.priorities[school_id]:.1f} is among the highest that fit the limits"
        return f"Launches in the first group: {why}."
    broken = move_violations(facts, cohort_of, usage, school_id, cohort - 1)
    earlier = facts.cohort(cohort - 1).name
    if broken:
        return f"Not in {earlier} because " + "; ".join(v.message for v in broken) + "."
    if chosen:
        return f"The school chose {facts.cohort(cohort).name}; its choice is honoured."
    return (f"Could move to {earlier} within every limit, but the plan scores higher with it "
            f"here (priority {facts.priorities[school_id]:.1f}).")


def diagnose_infeasible(facts: PlanningFacts, time_limit: float | None = None
                        ) -> InfeasiblePlanError:
    """Find the smallest relaxation of the limits that makes a plan possible."""
    from rollout.planning.model import build_model, make_solver

    unplaceable = [s.school_id for s in facts.schools if not allowed_cohorts(facts, s.school_id)]
    if unplaceable:
        return InfeasiblePlanError(
            [f"{sid} can be in no cohort (its locked preference breaks the readiness gate)"
             for sid in unplaceable], ["unlock those schools or lower readiness_gate"])
    m = build_model(facts, elastic=True)
    solver = make_solver(facts, min(time_limit or DIAGNOSIS_TIME_LIMIT, DIAGNOSIS_TIME_LIMIT))
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return InfeasiblePlanError(["the limits conflict, but no relaxation was found in time"], [])
    conflicts, relaxations = [], []
    for limit in m.limits:
        amount = solver.value(limit.slack)
        if amount > 0:
            conflicts.append(limit.text)
            relaxations.append(relaxation_text(facts, limit, amount))
    return InfeasiblePlanError(conflicts, ["together: " + "; ".join(relaxations)]
                               if len(relaxations) > 1 else relaxations)


def relaxation_text(facts: PlanningFacts, limit, amount: int) -> str:
    if limit.kind == "coaching":
        return f"+{amount / 1000:.2f} coaching FTE in {facts.term_label(limit.key)}"
    if limit.kind == "link":
        link, term = limit.key
        return (f"+{amount / 1000:,.0f} Mbps on link {link} from {facts.term_label(term)} "
                "(an earlier upgrade)")
    name = facts.cohort(limit.key).name
    if limit.kind == "cohort_max":
        return f"raise cohort_size.max to {facts.settings.cohort_size.max + amount} (for {name})"
    return f"lower cohort_size.min to {facts.settings.cohort_size.min - amount} (for {name})"
