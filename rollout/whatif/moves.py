"""Why each school moves against the base plan: the move gains, or the school's base place
breaks a limit of the scenario.

A scenario plan starts from the base plan and breaks ties toward it (`solving`), so a school
in another cohort is there for one of two reasons, told apart from the plans alone (the
checker's arithmetic, no solver):

- its base place breaks a limit of the scenario: the base plan, judged by the scenario's
  facts, breaks that limit and this school's move takes load off it (coaching in a term, a
  link in a term, a cohort's size, or a gate, floor or lock on the school itself); or, once
  those moves are made, moving it back alone would break a limit;
- the move gains: the plan as a whole scores higher than the base plan, and moving this
  school back alone either costs points (shown) or breaks a limit that the gaining moves use.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rollout.checking.arithmetic import school_bandwidth, school_coaching
from rollout.checking.check import (
    TOLERANCE,
    Violation,
    check_plan,
    compute_usage,
    move_violations,
)
from rollout.planning.facts import PlanningFacts
from rollout.planning.objectives import objective_value
from rollout.planning.plan import Plan

GAINS, LIMIT, DECISION = "gains", "limit", "decision"
SCHOOL_RULES = ("Readiness gate", "Readiness floor", "Locked preference", "Launched schools stay",
                "Feeder cohesion", "District decision")
# The checker's rule for a scenario's own decisions (place, shift, keep_out, no_launch_in): a
# school whose base place breaks it is placed by the scenario, not moved by a limit.
DECISION_RULES = ("District decision",)


@dataclass(frozen=True)
class Move:
    school_id: str
    base_cohort: int
    cohort: int
    kind: str     # GAINS, LIMIT or DECISION
    reason: str   # the solver's account: "gains ..." or "its base place breaks ..." (Details)
    limit: str = ""          # LIMIT/DECISION: the rule the base place breaks, in plain words
    reweighted: bool = False  # the scenario changes the school's priority (need_weight ...)

    @property
    def earlier(self) -> bool:
        return self.cohort < self.base_cohort


def move_reasons(facts: PlanningFacts, base: Plan, plan: Plan,
                 base_facts: PlanningFacts | None = None) -> list[Move]:
    """Every school whose cohort in `plan` differs from `base`, with its reason, by school.
    `base_facts` (the base plan's): tells which schools the scenario gives another priority."""
    moved = sorted(s for s, c in plan.cohort_of.items() if base.cohort_of.get(s, c) != c)
    if not moved:
        return []
    broken = check_plan(facts, base.cohort_of, base.upgrades)
    base_usage = compute_usage(facts, base.cohort_of, base.upgrades)
    usage = compute_usage(facts, plan.cohort_of, plan.upgrades)
    scoring = quick_scoring(facts)
    objective = objective_value(scoring, plan.cohort_of, plan.upgrades)
    base_priorities = (base_facts or facts).priorities
    out = []
    for sid in moved:
        b, c = base.cohort_of[sid], plan.cohort_of[sid]
        decided = facts.decided_move(sid, b, c)
        if decided:
            out.append(Move(sid, b, c, DECISION, decided, decided))
            continue
        kind, reason, limit = base_place_breaks(facts, base_usage, broken, sid, b, c)
        if reason:
            out.append(Move(sid, b, c, kind, reason, limit))
            continue
        back = move_violations(facts, plan.cohort_of, plan.upgrades, usage, sid, b)
        reweighted = abs(base_priorities[sid] - facts.priorities[sid]) > 1e-6
        if back and broken:
            out.append(Move(sid, b, c, LIMIT, "its base place breaks a limit once the moves "
                            "the scenario's limits force are made (moving it back alone: "
                            f"{back[0].message})", back[0].message))
        elif back:
            what = "launches earlier in the room the other moves make" if c < b else \
                "makes room for the schools that move earlier"
            out.append(Move(sid, b, c, GAINS, f"gains: {what} (moving it back alone: "
                            f"{back[0].message})", reweighted=reweighted))
        else:
            alone = objective - objective_value(scoring, dict(plan.cohort_of, **{sid: b}),
                                                plan.upgrades)
            out.append(Move(sid, b, c, GAINS, gain_text(alone), reweighted=reweighted))
    return out


def gain_text(alone: float) -> str:
    """Why a school that could move back alone is moved: `alone` is what the plan would lose
    (in points) if it did."""
    if alone >= 0.05:
        return f"gains {alone:+,.1f} points"
    if alone > -0.05:
        return ("a tie: moving it back alone scores the same (the solver had no time to keep "
                "it in place)")
    return (f"moves with the others: on its own, moving it back would score {-alone:,.1f} "
            "points more (the plan is not proven best)")


def quick_scoring(facts: PlanningFacts) -> PlanningFacts:
    """The same objective, quicker to recompute once per moved school: a balance of weight 0
    scores nothing, so its groups need not be counted (1,800 schools: 10 ms a plan, 3 ms
    without; 825 moves took 5.9 s)."""
    balance = facts.settings.balance
    if balance.weight or not balance.by:
        return facts
    settings = facts.settings.model_copy(update={"balance": balance.model_copy(
        update={"by": []})})
    return dataclasses.replace(facts, settings=settings)


def base_place_breaks(facts: PlanningFacts, usage, broken: list[Violation], sid: str,
                      base_cohort: int, cohort: int) -> tuple[str, str, str]:
    """The limit the base plan breaks under `facts` that this school's move relieves: its
    kind (LIMIT, or DECISION for a scenario's own decision on the school), the solver's account
    ("its base place breaks ...") and the limit in plain words; ("", "", "") when none."""
    for v in broken:
        if v.rule in SCHOOL_RULES and sid in v.schools:
            kind = DECISION if v.rule in DECISION_RULES else LIMIT
            return kind, f"its base place breaks the rule: {v.message}", v.message
    district, size = facts.district, facts.settings.cohort_size
    if facts.has_launched(base_cohort) or facts.has_launched(cohort):
        return "", "", ""
    count = usage.cohort_counts.get(base_cohort, 0)
    if count > size.max:
        name = facts.cohort(base_cohort).name
        return (LIMIT, f"its base place breaks at most {size.max} schools in {name}",
                f"{name} would have {count} schools, above the maximum of {size.max}")
    count = usage.cohort_counts.get(cohort, 0)
    if count < size.min:
        name = facts.cohort(cohort).name
        return (LIMIT, f"its base place breaks at least {size.min} schools in {name} (it fills "
                "that cohort)", f"{name} would have {count} schools, below the minimum of "
                f"{size.min}")
    school = district.school_by_id[sid]
    for term in district.terms:
        if facts.is_history(term.index):
            continue
        need = usage.coaching[term.index]
        if need > term.coaches_fte + TOLERANCE and (
                school_coaching(facts, school, term.index, base_cohort)
                > school_coaching(facts, school, term.index, cohort) + TOLERANCE):
            return (LIMIT, f"its base place breaks coaching FTE in {term.label} ({need:,.2f} "
                    f"needed, {term.coaches_fte:g} available)",
                    f"coaching in {term.label} would need {need:,.2f} FTE of "
                    f"{term.coaches_fte:g} available")
    for link in district.path_to_internet(sid):
        for term in district.terms:
            load, capacity = usage.link_load[link][term.index], usage.capacity[link][term.index]
            if facts.is_history(term.index) or load <= capacity + TOLERANCE:
                continue
            if (school_bandwidth(facts, school, term.index, base_cohort)
                    > school_bandwidth(facts, school, term.index, cohort) + TOLERANCE):
                label = district.link_label(link)
                return (LIMIT, f"its base place breaks link {label} in {term.label} "
                        f"({load:,.0f} Mbps of {capacity:,.0f})",
                        f"link {label} in {term.label} would carry {load:,.0f} Mbps of "
                        f"{capacity:,.0f}")
    return "", "", ""
