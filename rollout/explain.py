"""Why each school is in its cohort, and what to relax when no plan exists.

Reasons are found by testing the move one cohort earlier against every rule; the diagnosis of
an infeasible plan re-solves with every limit made elastic and reports the smallest relaxation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.checking.check import Usage, compute_usage, move_violations
from rollout.domain import LAUNCHED, PAUSED, WITHDRAWN
from rollout.errors import TOGETHER, InfeasiblePlanError, NoPlanPossible
from rollout.planning.constraints import allowed_cohorts
from rollout.planning.facts import PlanningFacts
from rollout.planning.model import SHARED_SLACK, build_model, make_solver
from rollout.planning.plan import Plan
from rollout.planning.repair import BoardPlan
from rollout.planning.sizing import bandwidth_hint, coaching_hint
from rollout.planning.solve import SolveWatch, solve_plan

DIAGNOSIS_TIME_LIMIT = 20.0
MAX_CORE_TO_SHRINK = 12


def school_reasons(facts: PlanningFacts, cohort_of: dict[str, int],
                   upgrades: dict[str, int] | None = None, usage: Usage | None = None
                   ) -> dict[str, str]:
    upgrades = upgrades or {}
    usage = usage or compute_usage(facts, cohort_of, upgrades)
    return {sid: reason_for(facts, cohort_of, upgrades, usage, sid) for sid in sorted(cohort_of)}


def reason_for(facts: PlanningFacts, cohort_of, upgrades, usage: Usage, school_id: str) -> str:
    cohort = cohort_of[school_id]
    pref = facts.district.preference_by_school.get(school_id)
    chosen = pref is not None and pref.preferred_cohort == cohort
    if facts.kept_cohort(school_id) == cohort:
        return kept_reason(facts, school_id, cohort)
    pin = facts.decisions.pin_of(school_id)
    if pin is not None and pin.cohort == cohort:  # a decision, never the school's choice
        return f"Placed in {facts.cohort(cohort).name} by {pin.by}."
    if pref is not None and pref.locked and chosen:
        return f"Locked to {facts.cohort(cohort).name}, the group the school chose."
    if cohort == 1:
        why = "the school chose this group" if chosen else \
            f"priority {facts.priorities[school_id]:.1f} is among the highest that fit the limits"
        return f"Launches in the first group: {why}."
    broken = move_violations(facts, cohort_of, upgrades, usage, school_id, cohort - 1)
    earlier = facts.cohort(cohort - 1).name
    if broken:
        why = f"Not in {earlier} because " + "; ".join(v.message for v in broken) + "."
        # A school where it asked to be hears that first, then why it is not earlier.
        if chosen:
            return f"The school chose {facts.cohort(cohort).name}; its choice is honoured. {why}"
        return why
    if chosen:
        return f"The school chose {facts.cohort(cohort).name}; its choice is honoured."
    return (f"Could move to {earlier} within every limit, but the plan scores higher with it "
            f"here (priority {facts.priorities[school_id]:.1f}).")


def solve_or_diagnose(facts: PlanningFacts, time_limit: float | None = None,
                      hint: dict[str, int] | None = None, log=lambda message: None,
                      watch: SolveWatch | None = None,
                      replan: BoardPlan | None = None) -> Plan:
    """`solve_plan`, and when no plan can meet every limit, the diagnosis as the error."""
    try:
        return solve_plan(facts, time_limit, hint=hint, log=log, watch=watch,
                          replan=replan)
    except InfeasiblePlanError:
        raise
    except NoPlanPossible:
        log("No plan can meet every limit; finding which limits conflict and what change would "
            "make a plan possible (this can take a minute) ...")
        raise diagnose_infeasible(facts, time_limit) from None


def kept_reason(facts: PlanningFacts, school_id: str, cohort: int) -> str:
    """Why a school keeps its cohort in a re-plan: it launched, or it is paused or withdrawn."""
    name, record = facts.cohort(cohort).name, facts.district.launch_by_school.get(school_id)
    status = record.status if record else LAUNCHED
    held = facts.held_since(school_id)
    # "since" a term that has passed, "from" one still to come
    since = "" if held is None else \
        f"{'since' if facts.is_history(held) else 'from'} {facts.term_label(held)}"
    if status == PAUSED:
        return (f"Paused {since}: it keeps its place in {name} and gets no coaching while "
                "paused.")
    if status == WITHDRAWN:
        return (f"Withdrawn from the rollout {since}: it is still shown with {name}, but it "
                "will not launch, gets no coaching and does not count toward the group's size.")
    launched, planned = facts.school_launch_term(school_id, cohort), facts.launch_term_of(cohort)
    timing = "" if launched == planned else \
        f" ({'earlier' if launched < planned else 'later'} than its group)"
    return (f"Launched with {name} in {facts.term_label(launched)}{timing}; launched schools "
            "keep their cohort.")


def diagnose_infeasible(facts: PlanningFacts, time_limit: float | None = None
                        ) -> InfeasiblePlanError:
    """Which limits conflict (a minimal infeasible subset, from assumption literals) and the
    smallest relaxation of the limits that makes a plan possible (elastic re-solve)."""
    unplaceable = [s.school_id for s in facts.schools if not allowed_cohorts(facts, s.school_id)]
    if unplaceable:
        decided = facts.decisions
        return InfeasiblePlanError(
            [f"{sid} can be in no cohort ("
             + ("the district's decisions for it leave no cohort its readiness allows"
                if decided.pin_of(sid) or decided.kept_out_of(sid) or decided.no_launch else
                "its locked preference breaks a readiness gate or the readiness floor") + ")"
             for sid in unplaceable],
            ["unlock those schools, lower the readiness gates or floor, or change the "
             "decisions that place them" if decided else
             "unlock those schools, or lower the readiness gates or floor"])
    budget = min(time_limit or DIAGNOSIS_TIME_LIMIT, DIAGNOSIS_TIME_LIMIT)
    core = conflicting_limits(facts, budget)
    relaxations = single_relaxations(facts, core, budget)
    if not relaxations:
        combined = smallest_relaxation(facts, budget)
        relaxations = [TOGETHER + "; ".join(combined)] if len(combined) > 1 else combined
    if not core and not relaxations:
        return InfeasiblePlanError(["the limits conflict, but the solver could not narrow it "
                                    "down in time"], [])
    # The district's own settings are levers too: named with their values (#26).
    kinds = {limit.kind for limit in core}
    hint = " ".join(text for text in (coaching_hint(facts) if "coaching" in kinds else "",
                                      bandwidth_hint(facts) if "link" in kinds else "") if text)
    return InfeasiblePlanError(conflict_texts(facts, core) or ["(see the relaxation below)"],
                               relaxations, hint)


def conflict_texts(facts: PlanningFacts, core: list) -> list[str]:
    """The limits in conflict, each link once: its first term, and how many later ones."""
    texts, links = [], {}
    for limit in core:
        if limit.kind == "link":
            links.setdefault(limit.key[0], []).append(limit)
        else:
            texts.append(limit.text)
    for same_link in links.values():
        first, later = same_link[0], len(same_link) - 1
        texts.append(first.text + (f" and {later} later term{'s' if later > 1 else ''}"
                                   if later else ""))
    return texts


def conflicting_limits(facts: PlanningFacts, time_limit: float) -> list:
    """A minimal set of limits that cannot hold together: the solver's core of assumption
    literals, shrunk by dropping each limit the rest still conflict without."""
    def infeasible_with(active: list[int]) -> tuple[bool, list[int]]:
        m = build_model(facts, assumptions=True)
        literals = [m.limits[i].literal for i in active]
        m.model.add_assumptions(literals)
        solver = make_solver(facts, time_limit, workers=1)
        # With every limit in the LP (level 2), counting conflicts such as "five cohorts of
        # at most 16 cannot hold 95 schools" are proven at once, not searched for (0.05 s
        # instead of no answer in 20 s on the sample district).
        solver.parameters.linearization_level = 2
        status = solver.solve(m.model)
        if status != cp_model.INFEASIBLE:
            return False, active
        index = {lit.index: i for lit, i in zip(literals, active)}
        core = [index[v] for v in solver.sufficient_assumptions_for_infeasibility()
                if v in index]
        return True, sorted(core) or active

    probe = build_model(facts, assumptions=True)
    infeasible, core = infeasible_with(list(range(len(probe.limits))))
    if not infeasible:
        return []
    if len(core) <= MAX_CORE_TO_SHRINK:
        for i in list(core):
            if i not in core:
                continue  # already dropped with an earlier, smaller core
            trial = [j for j in core if j != i]
            still, smaller = infeasible_with(trial)
            if still:
                core = smaller
    return [probe.limits[i] for i in core]


def single_relaxations(facts: PlanningFacts, core: list, time_limit: float) -> list[str]:
    """For each limit in conflict, the smallest change of that limit alone that makes a plan
    possible (none where it takes more than one limit)."""
    # The cohorts of one cohort-size setting share a slack: one solve for the setting.
    targets: dict = {}
    for c in core:
        targets.setdefault(c.kind if c.kind in SHARED_SLACK else (c.kind, c.key), (c.kind, c.key))
    found = []
    for kind, key in targets.values():
        m = build_model(facts, elastic=True)
        target = next(limit for limit in m.limits if (limit.kind, limit.key) == (kind, key))
        for slack in {limit.slack.index: limit.slack for limit in m.limits}.values():
            if slack.index != target.slack.index:
                m.model.add(slack == 0)
        solver = elastic_solver(facts, max(2.0, time_limit / len(targets)))
        if solver.solve(m.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found.append((target, solver.value(target.slack)))
    # Alternatives: of one link's terms, the smallest change is enough to name.
    return [relaxation_text(facts, limit, amount)
            for limit, amount in one_per_link(found, smallest=True)]


def elastic_solver(facts: PlanningFacts, time_limit: float) -> cp_model.CpSolver:
    solver = make_solver(facts, time_limit, workers=1)
    solver.parameters.linearization_level = 2  # see conflicting_limits
    return solver


def smallest_relaxation(facts: PlanningFacts, time_limit: float) -> list[str]:
    """The smallest change of all the limits together that makes a plan possible."""
    m = build_model(facts, elastic=True)
    solver = elastic_solver(facts, time_limit)
    if solver.solve(m.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    found = [(limit, solver.value(limit.slack)) for limit in m.limits
             if solver.value(limit.slack) > 0]
    # Together: one link raised from its first term by its largest shortfall covers them all.
    texts = [relaxation_text(facts, limit, amount)
             for limit, amount in one_per_link(found, smallest=False)]
    return list(dict.fromkeys(texts))  # a shared cohort-size slack is one change


def one_per_link(found: list[tuple], smallest: bool) -> list[tuple]:
    """(limit, amount) pairs with each link's terms made one: its smallest amount and that
    term (`smallest`, alternatives), or its largest amount from its first term (together)."""
    out, by_link = [], {}
    for limit, amount in found:
        if limit.kind == "link":
            by_link.setdefault(limit.key[0], []).append((limit, amount))
        else:
            out.append((limit, amount))
    for pairs in by_link.values():
        if smallest:
            out.append(min(pairs, key=lambda pair: (pair[1], pair[0].key[1])))
        else:
            first = min(pairs, key=lambda pair: pair[0].key[1])[0]
            out.append((first, max(amount for _, amount in pairs)))
    return out


def relaxation_text(facts: PlanningFacts, limit, amount: int) -> str:
    if limit.kind == "coaching":
        return f"+{amount / 1000:.2f} coaching FTE in {facts.term_label(limit.key)}"
    if limit.kind == "link":
        link, term = limit.key
        # Only an upgrade the Upgrades sheet offers can be brought earlier.
        earlier = (" (or an upgrade of it from the Upgrades sheet done earlier)"
                   if facts.district.upgrades_by_link.get(link) else "")
        return (f"+{math.ceil(amount / 1000):,} Mbps on link {link} from "
                f"{facts.term_label(term)}{earlier}")
    if limit.kind == "crews":
        return f"+{amount} upgrade crew(s) in {facts.term_label(limit.key)}"
    if limit.kind == "budget":
        return f"raise upgrade_budget to {facts.settings.upgrade_budget + amount:,.0f}"
    if limit.kind == "cohort_max":
        return f"raise cohort_size.max to {facts.settings.cohort_size.max + amount}"
    return f"lower cohort_size.min to {facts.settings.cohort_size.min - amount}"


@dataclass(frozen=True)
class Justification:
    """What a soft rule cost the plan, and the schools it concerns."""

    rule: str
    points: float
    message: str
    schools: tuple[str, ...] = ()


def soft_rule_justifications(facts: PlanningFacts, cohort_of: dict[str, int],
                             upgrades: dict[str, int]) -> list[Justification]:
    """Every soft rule the plan could not fully satisfy, with its cost in priority points."""
    settings, out = facts.settings, []
    for pref in facts.district.preferences:
        got = cohort_of.get(pref.school_id)
        if not pref.locked and got != pref.preferred_cohort:
            out.append(Justification(
                "Self-selection", settings.preference_weight,
                f"{pref.school_id} chose {facts.cohort(pref.preferred_cohort).name} but is in "
                f"{facts.cohort(got).name}", (pref.school_id,)))
    cohesion = settings.feeder_cohesion
    for feeder, ids in facts.feeder_patterns.items():
        cohorts = [cohort_of[s] for s in ids]
        excess = max(cohorts) - min(cohorts) - cohesion.max_spread
        if excess > 0 and cohesion.weight > 0:
            out.append(Justification(
                "Feeder cohesion", cohesion.weight * excess,
                f"the {feeder} feeder pattern spreads over {max(cohorts) - min(cohorts) + 1} "
                f"cohorts ({excess} more than {cohesion.max_spread + 1})", tuple(ids)))
    out += balance_justifications(facts, cohort_of)
    for upgrade_id, term in sorted(upgrades.items()):
        upgrade = facts.district.upgrade_by_id[upgrade_id]
        out.append(Justification(
            "Upgrade cost", upgrade.cost * settings.upgrade_cost_weight,
            f"upgrade {upgrade_id} on link {upgrade.link} ({upgrade.cost:,.0f}) completes in "
            f"{facts.term_label(term)}", tuple(facts.district.schools_behind[upgrade.link])))
    for sid, told in sorted(facts.previous.items()):
        if cohort_of.get(sid) != told and settings.churn_weight > 0:
            out.append(Justification("Keep told cohorts", settings.churn_weight,
                                     f"{sid} moves from {facts.cohort(told).name} to "
                                     f"{facts.cohort(cohort_of[sid]).name}", (sid,)))
    return out


def balance_justifications(facts: PlanningFacts, cohort_of: dict[str, int]
                           ) -> list[Justification]:
    settings, k = facts.settings.balance, len(facts.cohorts)
    if settings.weight <= 0:
        return []
    out = []
    for attribute in settings.by:
        groups = sorted({getattr(s, attribute) for s in facts.schools})
        for group in groups:
            members = [s.school_id for s in facts.schools if getattr(s, attribute) == group]
            for cohort in facts.cohorts:
                count = sum(cohort_of.get(s) == cohort.number for s in members)
                off = abs(count - len(members) / k)
                if off >= 1:
                    out.append(Justification(
                        "Balance", settings.weight * off,
                        f"{cohort.name} has {count} {group} schools; an even share is "
                        f"{len(members) / k:.1f}", tuple(s for s in members
                                                         if cohort_of.get(s) == cohort.number)))
    return out
