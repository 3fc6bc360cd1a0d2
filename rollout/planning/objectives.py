"""Soft planning rules: each returns the objective terms it adds (the model maximises).

All terms are integers in units of 1 / OBJECTIVE_UNITS priority points, where the unit
depends on the number of cohorts K (balance targets are n/K schools): see `objective_units`.
"""
from __future__ import annotations

from collections import Counter

PRIORITY_SCALE = 10  # priority points are kept to one decimal


def objective_units(facts) -> int:
    """Integer objective units per priority point."""
    return PRIORITY_SCALE * len(facts.cohorts)


def launch_high_priority_early(m) -> list:
    """Soft: schools with higher priority (need vs readiness) launch in earlier cohorts.

    Each school earns priority x (number of cohorts after its own), written as priority x
    one "launched by cohort b" literal per boundary b: the same sum, and the form the solver
    proves fastest (docs/benchmarks.md).
    """
    k = len(m.facts.cohorts)
    terms = []
    for sid in m.by_school:
        weight = round(m.facts.priorities[sid] * PRIORITY_SCALE) * k
        terms += [weight * m.launched_by_cohort(sid, b) for b in range(1, k)]
    return terms


def honour_preferences(m) -> list:
    """Soft: a school that chose a cohort (unlocked) is placed in it where possible."""
    weight = round(m.facts.settings.preference_weight * objective_units(m.facts))
    terms = []
    for pref in m.facts.district.preferences:
        var = m.assign.get((pref.school_id, pref.preferred_cohort))
        if var is not None and not pref.locked:
            terms.append(weight * var)
    return terms


def feeder_cohesion(m) -> list:
    """Soft: schools of one feeder pattern launch within max_spread cohorts of each other;
    each cohort of spread beyond that costs `feeder_cohesion.weight` points."""
    cohesion = m.facts.settings.feeder_cohesion
    weight = round(cohesion.weight * objective_units(m.facts))
    if cohesion.hard or weight == 0:
        return []
    terms = []
    for feeder, ids in m.facts.feeder_patterns.items():
        low, high = m.feeder_range(feeder, ids)
        excess = m.model.new_int_var(0, len(m.facts.cohorts), f"feeder_excess[{feeder}]")
        m.model.add(excess >= high - low - cohesion.max_spread)
        terms.append(-weight * excess)
    return terms


def balance(m) -> list:
    """Soft: each cohort mixes regions and levels like the district; every school away from a
    group's even share (its count / K) costs `balance.weight` points."""
    settings, k = m.facts.settings.balance, len(m.facts.cohorts)
    weight = round(settings.weight * PRIORITY_SCALE)
    if weight == 0:
        return []
    terms = []
    for attribute in settings.by:
        groups = Counter(getattr(s, attribute) for s in m.facts.schools)
        for group, size in sorted(groups.items()):
            members = {s.school_id for s in m.facts.schools if getattr(s, attribute) == group}
            for cohort in m.facts.cohorts:
                count = sum(v for (sid, c), v in m.assign.items()
                            if c == cohort.number and sid in members)
                deviation = m.model.new_int_var(0, size * k, f"dev[{attribute},{group},"
                                                f"{cohort.number}]")
                m.model.add(deviation >= k * count - size)
                m.model.add(deviation >= size - k * count)
                terms.append(-weight * deviation)
    return terms


def upgrade_cost(m) -> list:
    """Soft: upgrades cost money (upgrade_cost_weight points per unit of cost). Each chosen
    upgrade's deadline (the latest term the plan allows) is set after the solve."""
    units = objective_units(m.facts)
    terms = []
    for u in m.facts.district.upgrades:
        cost = round(u.cost * m.facts.settings.upgrade_cost_weight * units)
        for var in m.upgrade_terms(u.upgrade).values():
            terms.append(-cost * var)
    return terms


def keep_told_cohorts(m) -> list:
    """Soft: a school already told a future cohort keeps it; each school moved costs
    churn_weight points, so only moves that are needed or clearly better happen."""
    weight = round(m.facts.settings.churn_weight * objective_units(m.facts))
    return [weight * m.assign[sid, told] for sid, told in m.facts.previous.items()
            if (sid, told) in m.assign and weight]


SOFT_RULES = [launch_high_priority_early, honour_preferences, feeder_cohesion, balance,
              upgrade_cost, keep_told_cohorts]


def objective_value(facts, cohort_of: dict[str, int], upgrades: dict[str, int] | None = None
                    ) -> float:
    """The objective recomputed from a plan alone, in priority points (for the checker)."""
    settings, k = facts.settings, len(facts.cohorts)
    units = objective_units(facts)
    total = sum(round(facts.priorities[sid] * PRIORITY_SCALE) * k * (k - c)
                for sid, c in cohort_of.items())
    weight = round(settings.preference_weight * units)
    total += sum(weight for p in facts.district.preferences
                 if not p.locked and cohort_of.get(p.school_id) == p.preferred_cohort)
    cohesion = settings.feeder_cohesion
    if not cohesion.hard:
        for ids in facts.feeder_patterns.values():
            spread = max(cohort_of[s] for s in ids) - min(cohort_of[s] for s in ids)
            total -= round(cohesion.weight * units) * max(0, spread - cohesion.max_spread)
    for attribute in settings.balance.by:
        groups = Counter(getattr(s, attribute) for s in facts.schools)
        for group, size in groups.items():
            for cohort in facts.cohorts:
                count = sum(1 for s in facts.schools if getattr(s, attribute) == group
                            and cohort_of.get(s.school_id) == cohort.number)
                total -= round(settings.balance.weight * PRIORITY_SCALE) * abs(k * count - size)
    churn = round(settings.churn_weight * units)
    total += sum(churn for sid, told in facts.previous.items()
                 if cohort_of.get(sid) == told and told in facts_cohort_numbers(facts))
    for upgrade_id in upgrades or {}:
        u = facts.district.upgrade_by_id[upgrade_id]
        total -= round(u.cost * settings.upgrade_cost_weight * units)
    return total / units


def facts_cohort_numbers(facts) -> set[int]:
    return {c.number for c in facts.cohorts}
