"""Binding limits: the limits the base plan uses (nearly) fully, and what one more unit of each
buys when the plan is re-solved near the base plan with it (`compare` runs those solves)."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from rollout.checking.check import check_plan, compute_usage
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.whatif.jobs import Outcome
from rollout.whatif.summary import PlanSummary, summarise

BINDING_SHARE = 0.95  # a limit used at least this much in the base plan is a candidate


@dataclass(frozen=True)
class Candidate:
    """A limit the base plan uses (nearly) fully, and one more unit of it as a patch."""

    limit: str
    used: float
    available: float
    unit: str    # what one more unit is, in words
    patch: dict

    @property
    def share(self) -> float:
        return self.used / self.available if self.available else 1.0


def binding_candidates(facts: PlanningFacts, plan: Plan, share: float = BINDING_SHARE
                       ) -> list[Candidate]:
    """Limits used at least `share` in the plan, busiest first: coaching per term, links (only
    where a school behind the link launches later, so that more capacity could bring it
    forward), the cohort size maximum, upgrade crews per term, the upgrade budget."""
    district = facts.district
    usage = compute_usage(facts, plan.cohort_of, plan.upgrades)
    future = [t for t in district.terms if not facts.is_history(t.index)]
    out = [Candidate(f"coaching in {t.label}", usage.coaching[t.index], t.coaches_fte,
                     f"1 more coaching FTE in {t.label}", {"coaches_fte_delta": {t.label: 1}})
           for t in future if t.coaches_fte > 0
           and usage.coaching[t.index] >= share * t.coaches_fte]
    launch = {s: facts.launch_term_of(c) for s, c in plan.cohort_of.items()}
    for link in district.links:
        behind = district.schools_behind[link]
        busy = [(usage.link_load[link][t.index] / usage.capacity[link][t.index], t.index)
                for t in future if usage.capacity[link][t.index] > 0
                and any(launch[s] > t.index for s in behind)]
        top, term = max(busy, default=(0.0, 0))
        if top >= share:
            mbps = typical_launch_mbps(facts, behind)
            out.append(Candidate(
                f"link {link} in {facts.term_label(term)}", usage.link_load[link][term],
                usage.capacity[link][term], f"{mbps:,.0f} more Mbps on {link} (one typical school "
                "launch behind it) in every term", {"link_mbps_delta": {link: mbps}}))
    size = facts.settings.cohort_size
    fullest = max(usage.cohort_counts.values(), default=0)
    if fullest >= share * size.max:
        out.append(Candidate(f"cohort size maximum ({size.max} schools)", fullest, size.max,
                             f"cohort_size.max {size.max} -> {size.max + 1}",
                             {"cohort_size": {"max": size.max + 1}}))
    done = [sum(1 for t in plan.upgrades.values() if t == term.index) for term in district.terms]
    out += [Candidate(f"upgrade crews in {t.label}", done[t.index], t.upgrade_crews,
                      f"1 more upgrade crew in {t.label}",
                      {"upgrade_crews": {t.label: t.upgrade_crews + 1}})
            for t in future if t.upgrade_crews and done[t.index] >= share * t.upgrade_crews]
    out += budget_candidate(facts, plan, share)
    return sorted(out, key=lambda c: (-c.share, c.limit))


def typical_launch_mbps(facts: PlanningFacts, schools: list[str]) -> float:
    """Extra bandwidth of the median school launch behind a link, in whole Mbps."""
    extra = [facts.bandwidth_mbps(facts.district.school_by_id[s], True)
             - facts.bandwidth_mbps(facts.district.school_by_id[s], False) for s in schools]
    return float(max(1, round(statistics.median(extra))))


def budget_candidate(facts: PlanningFacts, plan: Plan, share: float) -> list[Candidate]:
    budget = facts.settings.upgrade_budget
    spent = sum(facts.district.upgrade_by_id[u].cost for u in plan.upgrades)
    left = [u.cost for u in facts.district.upgrades if u.upgrade not in plan.upgrades]
    if budget is None or not budget or spent < share * budget or not left:
        return []
    more = min(left)
    return [Candidate(f"upgrade budget ({budget:,.0f})", spent, budget,
                      f"${more:,.0f} more (the cheapest upgrade not chosen)",
                      {"upgrade_budget": budget + more})]


@dataclass
class LimitResult:
    """What one more unit of a limit buys: the plan re-solved with it near the base plan."""

    candidate: Candidate
    outcome: Outcome
    summary: PlanSummary | None = None  # earlier / later against the base plan
    needs_unit: bool = False            # the plan breaks the base limit: it uses the extra unit
    gain: float = 0.0                   # objective gain over the base plan, if it needs the unit
    proven: bool = False                # both plans proven the best within the radius
    net_steps_earlier: int = 0          # cohorts brought forward, summed over schools
    gap: float | None = None            # not proven: the larger gap of the two plans

    def buys(self) -> str:
        if self.outcome.plan is None:
            return f"not known: {self.outcome.status}"
        if not self.needs_unit:
            return "nothing: the best plan found does not need it"
        s = self.summary
        text = f"{len(s.earlier)} school(s) earlier ({', '.join(s.earlier)})"
        if s.later:
            text += f", {len(s.later)} later to make room ({', '.join(s.later)})"
        return text


def limit_result(base: Outcome, base_proven: bool, base_gap: float, candidate: Candidate,
                 outcome: Outcome) -> LimitResult:
    """`base_proven`: the base plan is proven the best within the radius (else `base_gap` is
    how far from its bound it may be)."""
    plan = outcome.plan
    if plan is None:
        return LimitResult(candidate, outcome, gap=base_gap)
    needs_unit = not fits(base.facts, plan)
    proven = plan.status == "optimal" and base_proven
    return LimitResult(candidate, outcome, summarise(outcome.facts, plan, base.plan), needs_unit,
                       max(0.0, plan.objective - base.plan.objective) if needs_unit else 0.0,
                       proven, sum(base.plan.cohort_of[s] - c for s, c in plan.cohort_of.items()),
                       None if proven else max(base_gap, plan.gap or 0.0))


def fits(facts: PlanningFacts, plan: Plan) -> bool:
    return not check_plan(facts, plan.cohort_of, plan.upgrades)
