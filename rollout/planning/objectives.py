"""Soft planning rules: each returns the objective terms it adds (the model maximises)."""
from __future__ import annotations

PRIORITY_SCALE = 10  # priority points are kept to one decimal


def launch_high_priority_early(m) -> list:
    """Soft: schools with higher priority (need vs readiness) launch in earlier cohorts.

    Each school earns priority x (number of cohorts after its own).
    """
    last = len(m.facts.cohorts)
    return [round(m.facts.priorities[sid] * PRIORITY_SCALE) * (last - c) * var
            for (sid, c), var in m.assign.items() if c < last]


def honour_preferences(m) -> list:
    """Soft: a school that chose a cohort (unlocked) is placed in it where possible."""
    weight = round(m.facts.settings.preference_weight * PRIORITY_SCALE)
    terms = []
    for pref in m.facts.district.preferences:
        var = m.assign.get((pref.school_id, pref.preferred_cohort))
        if var is not None and not pref.locked:
            terms.append(weight * var)
    return terms


SOFT_RULES = [launch_high_priority_early, honour_preferences]


def objective_value(facts, cohort_of: dict[str, int]) -> float:
    """The objective recomputed from a plan alone, in priority points (for the checker)."""
    last = len(facts.cohorts)
    total = sum(round(facts.priorities[sid] * PRIORITY_SCALE) * (last - c)
                for sid, c in cohort_of.items())
    weight = round(facts.settings.preference_weight * PRIORITY_SCALE)
    total += sum(weight for p in facts.district.preferences
                 if not p.locked and cohort_of.get(p.school_id) == p.preferred_cohort)
    return total / PRIORITY_SCALE
