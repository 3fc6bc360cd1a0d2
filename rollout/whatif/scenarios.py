"""What-if scenarios, the need-versus-readiness sweep, and the limits that decide the plan.

A scenario is a YAML patch of the district's planning facts: any settings.yaml key (mappings
merged key by key, other values replaced, the result validated like settings.yaml) plus
capacity keys for the Terms sheet and the network. Every plan is solved with the same model
as `rollout plan` (in worker processes, two at a time by default) and checked by `check.py`.
"""
from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from ortools.sat.python import cp_model
from pydantic import BaseModel, Field, ValidationError

from rollout.checking.check import check_plan, compute_usage
from rollout.domain import CapacityChange
from rollout.errors import (
    InfeasiblePlanError,
    Problems,
    RolloutError,
    SolverGaveUpError,
)
from rollout.explain import solve_or_diagnose
from rollout.intake.settings import Settings, Strict, load_yaml, report_pydantic_error
from rollout.outputs.atomic import write_atomically
from rollout.outputs.scenarios_workbook import (
    write_scenarios_csv,
    write_scenarios_workbook,
    write_sweep_csv,
    write_sweep_workbook,
)
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.planning.model import (
    add_hint,
    build_model,
    read_assignments,
    read_upgrades,
)
from rollout.planning.objectives import objective_units
from rollout.planning.plan import Plan
from rollout.planning.solve import search
from rollout.scoring.inputs import load_inputs, resolve_cohorts

ALL_TERMS = "all"
BINDING_SHARE = 0.95       # a limit used at least this much in the base plan is a candidate
DEFAULT_TIME_LIMIT = 2.5   # seconds per solve: 4 scenarios, the limits and a sweep in a minute
DEFAULT_WORKERS = 2
DEFAULT_MAX_LIMITS = 12
# Limits are tested by re-planning near the base plan: at most this many schools change cohort.
# Small enough for the solver to prove the best such plan in a few seconds, so that a gain is
# the limit's doing, not the luck of a longer search; large enough for a school to come forward
# and another to make room for it.
DEFAULT_RADIUS = 3
# Everything is measured against the base plan, so it may take longer than the other solves.
BASE_TIME, POLISH_TIME = 2, 1.5  # in solves' time (--time-limit)
INFEASIBLE, GAVE_UP = "infeasible", "no plan in time"


# ---- scenario files ----------------------------------------------------------------------

class CapacityRow(Strict):
    link: str = Field(min_length=1)
    term: str = Field(min_length=1)
    capacity_mbps: float = Field(ge=0)


class CapacityOverrides(Strict):
    """The keys a scenario has beyond settings.yaml: the Terms sheet and the network."""

    description: str | None = None
    coaches_fte: dict[str, Annotated[float, Field(ge=0)]] = {}   # term (or "all") -> FTE
    coaches_fte_delta: dict[str, float] = {}                     # term (or "all") -> +FTE
    upgrade_crews: dict[str, Annotated[int, Field(ge=0)]] = {}   # term (or "all") -> crews
    capacity_plan: list[CapacityRow] = []                        # like the Capacity plan sheet
    link_mbps_delta: dict[str, float] = {}                       # link -> +Mbps in every term


SCENARIO_KEYS = set(CapacityOverrides.model_fields)


@dataclass
class Variant:
    """A plan to solve: a name, what differs from the base, and the facts to solve."""

    name: str
    facts: PlanningFacts
    description: str = ""
    changes: list[str] = field(default_factory=list)
    source: str = ""


def parse_scenario_option(text: str) -> tuple[str, Path]:
    """'name=path.yaml' (or just 'path.yaml', named after the file)."""
    name, sep, path = text.partition("=")
    if not sep:
        return Path(text).stem, Path(text)
    return name.strip(), Path(path.strip())


def load_scenarios(base: PlanningFacts, specs: list[tuple[str, Path]]) -> list[Variant]:
    """Read and apply every scenario file; all problems in all files are reported at once."""
    problems = Problems()
    seen: set[str] = set()
    variants = []
    for name, path in specs:
        if not name or name.lower() in ("base", "base plan") or name in seen:
            problems.add(path, f"scenario name '{name}' must be given, unique and not 'base' "
                         "(write --scenario name=file.yaml)")
        seen.add(name)
        raw = load_yaml(Path(path), problems)
        if raw is None:
            continue
        facts = apply_overrides(base, raw, str(path), problems)
        if facts is not None:
            variants.append(Variant(name, facts, str(raw.get("description") or ""),
                                    describe_changes(base, facts), str(path)))
    problems.raise_if_any()
    return variants


def apply_overrides(base: PlanningFacts, patch: dict, file: str, problems: Problems
                    ) -> PlanningFacts | None:
    """The base facts with a scenario's patch applied, or None (with problems) when the patch
    is not valid. Builds fresh District/Settings records: nothing cached is carried over."""
    start = len(problems.items)
    for key in sorted(set(patch) - SCENARIO_KEYS - set(Settings.model_fields), key=str):
        problems.add(file, f"key '{key}': unknown (check the spelling; a scenario takes "
                     f"settings.yaml keys and {', '.join(sorted(SCENARIO_KEYS))})")
    overrides = validated(CapacityOverrides, {k: v for k, v in patch.items() if k in
                                              SCENARIO_KEYS}, file, problems)
    settings_patch = {k: v for k, v in patch.items() if k in Settings.model_fields}
    settings = validated(Settings, deep_merge(base.settings.model_dump(), settings_patch), file,
                         problems)
    district = patched_district(base, overrides, file, problems) if overrides else None
    cohorts, current = resolve_terms(settings, base.district, file, problems) if settings \
        else ((), 0)
    if len(problems.items) > start:
        return None
    return dataclasses.replace(base, district=district, settings=settings, cohorts=cohorts,
                               current_term=current)


def validated(model: type[BaseModel], raw: dict, file: str, problems: Problems):
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            report_pydantic_error(error, file, problems, what="key")
        return None


def deep_merge(base: dict, patch: dict) -> dict:
    """Mappings merge key by key; any other value (lists included) replaces the base's."""
    out = dict(base)
    for key, value in patch.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        out[key] = deep_merge(base[key], value) if both else value
    return out


def patched_district(base: PlanningFacts, o: CapacityOverrides, file: str, problems: Problems):
    district = base.district
    by_label = {t.label: t for t in district.terms}
    labels = ", ".join(by_label)

    def terms_named(key: str, label: str) -> list:
        if label == ALL_TERMS:
            return list(district.terms)
        if label not in by_label:
            problems.add(file, f"key '{key}.{label}': '{label}' is not a term of the Terms sheet "
                         f"({labels}, or '{ALL_TERMS}')")
            return []
        return [by_label[label]]

    fte = {t.index: t.coaches_fte for t in district.terms}
    crews = {t.index: t.upgrade_crews for t in district.terms}
    for label, value in o.coaches_fte.items():
        fte.update({t.index: value for t in terms_named("coaches_fte", label)})
    for label, value in o.coaches_fte_delta.items():
        for term in terms_named("coaches_fte_delta", label):
            fte[term.index] += value
    for label, value in o.upgrade_crews.items():
        crews.update({t.index: value for t in terms_named("upgrade_crews", label)})
    for term in district.terms:
        if fte[term.index] < 0:
            problems.add(file, f"key 'coaches_fte_delta': leaves {fte[term.index]:g} coaching "
                         f"FTE in {term.label} (at least 0 needed)")
    changes = []
    for i, row in enumerate(o.capacity_plan):
        known = check_link(district, f"capacity_plan.{i}.link", row.link, file, problems)
        term = terms_named(f"capacity_plan.{i}.term", row.term)
        if known and term:
            changes.append(CapacityChange(row.link, term[0].index, row.capacity_mbps))
    delta = {link: mbps for link, mbps in o.link_mbps_delta.items()
             if check_link(district, "link_mbps_delta", link, file, problems)}
    for link, mbps in delta.items():
        low = min(district.capacity_by_term[link])
        if low + mbps < 0:
            problems.add(file, f"key 'link_mbps_delta.{link}': leaves {low + mbps:,.0f} Mbps "
                         "(at least 0 needed)")
    return dataclasses.replace(
        district,
        schools=tuple(dataclasses.replace(s, link_mbps=s.link_mbps + delta.get(s.school_id, 0))
                      for s in district.schools),
        nodes=tuple(dataclasses.replace(n, capacity_mbps=n.capacity_mbps + delta.get(n.node, 0))
                    for n in district.nodes),
        terms=tuple(dataclasses.replace(t, coaches_fte=fte[t.index], upgrade_crews=crews[t.index])
                    for t in district.terms),
        # Appended last: on the same term, a scenario's row wins over the district's own.
        capacity_plan=tuple(dataclasses.replace(c, capacity_mbps=c.capacity_mbps
                                                + delta.get(c.link, 0))
                            for c in district.capacity_plan) + tuple(changes),
        upgrades=tuple(dataclasses.replace(u, new_capacity_mbps=u.new_capacity_mbps
                                           + delta.get(u.link, 0)) for u in district.upgrades))


def check_link(district, key: str, link: str, file: str, problems: Problems) -> bool:
    if link in district.schools_behind:
        return True
    problems.add(file, f"key '{key}': '{link}' is not a link of the district (a school_id of "
                 "the Schools sheet or a node of the Network sheet)")
    return False


def resolve_terms(settings: Settings, district, file: str, problems: Problems):
    """Cohorts and current term of patched settings, checked against the Terms sheet."""
    found = Problems()
    cohorts = resolve_cohorts(settings, district, found)
    for problem in found.items:  # resolve_cohorts names settings.yaml; the patch is this file
        problems.add(file, problem.message.replace("setting '", "key '", 1))
    index = {t.label: t.index for t in district.terms}
    return tuple(cohorts), index.get(settings.current_term, 0) if settings.current_term else 0


def describe_changes(base: PlanningFacts, facts: PlanningFacts) -> list[str]:
    """What differs from the base, in a planner's words, derived from the facts themselves."""
    out = [f"{path}: {show(old)} -> {show(new)}" for path, old, new in
           flat_diff(base.settings.model_dump(), facts.settings.model_dump())]
    old_terms, new_terms = base.district.terms, facts.district.terms
    deltas = {round(n.coaches_fte - o.coaches_fte, 6) for o, n in zip(old_terms, new_terms)}
    if len(deltas) == 1 and deltas != {0} and len(old_terms) > 1:
        out.append(f"coaches: {signed(deltas.pop())} FTE in every term")
    else:
        out += [f"coaches in {n.label}: {o.coaches_fte:g} -> {n.coaches_fte:g} FTE"
                for o, n in zip(old_terms, new_terms) if o.coaches_fte != n.coaches_fte]
    out += [f"upgrade crews in {n.label}: {show(o.upgrade_crews)} -> {show(n.upgrade_crews)}"
            for o, n in zip(old_terms, new_terms) if o.upgrade_crews != n.upgrade_crews]
    for link in base.district.links:
        before = base.district.capacity_by_term[link]
        after = facts.district.capacity_by_term[link]
        changed = [(new - old, i) for i, (old, new) in enumerate(zip(before, after)) if new != old]
        if changed and len({d for d, _ in changed}) == 1 and len(changed) == len(before):
            out.append(f"{link}: {signed(changed[0][0], ',.0f')} Mbps in every term")
        elif changed:
            out.append(f"{link}: " + ", ".join(
                f"{before[i]:,.0f} -> {after[i]:,.0f} Mbps in {facts.term_label(i)}"
                for _, i in changed))
    return out


def flat_diff(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for key in sorted(set(old) | set(new), key=str)
                for d in flat_diff(old.get(key), new.get(key), f"{path}.{key}" if path else
                                   str(key))]
    return [] if old == new else [(path, old, new)]


def show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,g}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def signed(value: float, spec: str = "g") -> str:
    return ("+" if value > 0 else "") + format(value, spec)


# ---- solving -----------------------------------------------------------------------------

@dataclass
class Outcome:
    """A variant and its plan; without a plan, the status says why and `message` explains."""

    variant: Variant
    plan: Plan | None
    status: str
    message: str = ""

    @property
    def name(self) -> str:
        return self.variant.name

    @property
    def facts(self) -> PlanningFacts:
        return self.variant.facts


class InternalPlanError(RolloutError):
    """A solved plan that the independent checker rejects: a bug, never shown as a result."""


FULL, NEAR, POLISH = "full", "near", "polish"


def solve_job(facts: PlanningFacts, time_limit: float, hint: dict[str, int] | None,
              mode: str = FULL, radius: int = DEFAULT_RADIUS) -> tuple[Plan | None, str, str]:
    """One solve, run in a worker process; errors come back as text (they do not pickle).
    FULL: the plan as `rollout plan` solves it. NEAR: the best plan moving at most `radius`
    schools away from `hint`. POLISH: NEAR repeated from each better plan found."""
    try:
        if mode == FULL:
            plan = solve_or_diagnose(facts, time_limit, hint=hint)
        elif mode == NEAR:
            plan = solve_near(facts, hint, radius, time_limit)
        else:
            plan = polish(facts, hint, radius, time_limit)
        return plan, plan.status, ""
    except InfeasiblePlanError as exc:
        text = "No plan can meet all these limits. In conflict: " + "; ".join(exc.conflicts)
        if exc.relaxations:
            text += ". To make a plan possible: " + "; or ".join(exc.relaxations)
        return None, INFEASIBLE, text
    except SolverGaveUpError as exc:
        return None, GAVE_UP, exc.user_message()


def polish(facts: PlanningFacts, around: dict[str, int], radius: int, time_limit: float
           ) -> Plan:
    """Local search: re-plan near the plan, move to any better plan found, and repeat. Status
    'optimal' when the last plan is proven the best within `radius` moves of itself."""
    deadline = time.monotonic() + time_limit
    best = None
    while (left := deadline - time.monotonic()) > 0.05:
        try:
            found = solve_near(facts, around, radius, left)
        except SolverGaveUpError:
            break
        if best is not None and found.objective <= best.objective + 1e-9:
            return dataclasses.replace(best, status=found.status)
        best, around = found, found.cohort_of
        if found.status != "optimal":
            break
    if best is None:
        raise SolverGaveUpError(f"The solver found no plan within {time_limit:g} s near the "
                                "base plan.")
    return dataclasses.replace(best, status="feasible")


def solve_near(facts: PlanningFacts, around: dict[str, int], radius: int, time_limit: float
               ) -> Plan:
    """The plan model plus one constraint: at most `radius` schools leave their cohort in
    `around` (which must meet the limits; it is the starting point). 'optimal' means the best
    plan within that distance."""
    m = build_model(facts)
    add_hint(m, around)
    stay = [m.assign[s, c] for s, c in around.items() if (s, c) in m.assign]
    m.model.add(sum(stay) >= len(around) - radius)
    status, solver = search(m, facts, time_limit, None, prove=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverGaveUpError(f"The solver found no plan within {time_limit:g} s near the "
                                "base plan.")
    units = objective_units(facts)
    return Plan(read_assignments(solver, m), read_upgrades(solver, m),
                "optimal" if status == cp_model.OPTIMAL else "feasible",
                solver.objective_value / units, solver.best_objective_bound / units)


class SolvePool:
    """Submits solves to `workers` processes (or runs them here when workers is 1)."""

    def __init__(self, time_limit: float, workers: int):
        self.time_limit = time_limit
        self.pool = ProcessPoolExecutor(workers) if workers > 1 else None

    def __enter__(self) -> "SolvePool":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, variant: Variant, hint: dict[str, int] | None = None, mode: str = FULL,
               radius: int = DEFAULT_RADIUS, solves: float = 1) -> Callable[[], Outcome]:
        """Start the solve (given `solves` times the time limit); the returned function waits
        for it and checks the plan."""
        job = (variant.facts, self.time_limit * solves, hint, mode, radius)
        if self.pool:
            future = self.pool.submit(solve_job, *job)
        else:
            future = Future()
            future.set_result(solve_job(*job))
        return lambda: checked(variant, *future.result())


def checked(variant: Variant, plan: Plan | None, status: str, message: str) -> Outcome:
    if plan is not None:
        broken = check_plan(variant.facts, plan.cohort_of, plan.upgrades)
        if broken:
            raise InternalPlanError(f"internal error: the plan for '{variant.name}' breaks rules "
                                    "the model should enforce: " + "; ".join(map(str, broken)))
    return Outcome(variant, plan, status, message)


def require_plan(outcome: Outcome) -> Outcome:
    if outcome.plan is None:
        raise RolloutError(f"No base plan, so nothing to compare with.\n{outcome.message}")
    return outcome


def derived(base: PlanningFacts, name: str, patch: dict) -> Variant:
    """A variant of our own making (a sweep point, one more unit of a limit)."""
    problems = Problems()
    facts = apply_overrides(base, patch, name, problems)
    if facts is None:
        raise InternalPlanError(f"internal error: {'; '.join(map(str, problems.items))}")
    return Variant(name, facts, changes=describe_changes(base, facts))


# ---- what a plan looks like --------------------------------------------------------------

@dataclass
class Group:
    """Schools of one group (a cohort, or all early cohorts) and their means; None if empty."""

    schools: int
    students: int
    mean_need: float | None
    mean_readiness: float | None
    student_need: float | None       # weighted by students
    student_readiness: float | None


def group_of(facts: PlanningFacts, ids: list[str]) -> Group:
    schools = [facts.district.school_by_id[s] for s in ids]
    students = sum(s.students for s in schools)

    def mean(values: dict[str, float], weighted: bool) -> float | None:
        if not schools:
            return None
        weights = [s.students if weighted else 1 for s in schools]
        return sum(values[s.school_id] * w for s, w in zip(schools, weights)) / sum(weights)

    return Group(len(schools), students, mean(facts.need, False), mean(facts.readiness, False),
                 mean(facts.need, True), mean(facts.readiness, True))


@dataclass
class PlanSummary:
    cohorts: list[Group]
    launched_by_term: list[int]          # schools launched in or before each term
    coaching_needed: list[float]         # FTE per term
    coaching_available: list[float]
    link_peak: list[tuple[float, str]]   # per term: the busiest network link's use, and it
    upgrades: dict[str, int]
    upgrade_cost: float
    preferences_honoured: int
    preferences_asked: int
    earlier: list[str] = field(default_factory=list)  # schools earlier than in the base plan
    later: list[str] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return len(self.earlier) + len(self.later)

    def peak_coaching(self) -> tuple[float, int]:
        """Highest share of the coaches in use, and its term."""
        shares = [(n / a if a else 0.0, t) for t, (n, a) in
                  enumerate(zip(self.coaching_needed, self.coaching_available))]
        return max(shares)


def summarise(facts: PlanningFacts, plan: Plan, base: Plan | None = None) -> PlanSummary:
    cohort_of, district = plan.cohort_of, facts.district
    usage = compute_usage(facts, cohort_of, plan.upgrades)
    network = sorted(district.node_by_name)  # shared links; a school's own link serves only it
    peaks = [max(((usage.link_load[link][t] / usage.capacity[link][t], link) for link in network
                  if usage.capacity[link][t] > 0), default=(0.0, ""))
             for t in range(facts.term_count)]
    prefs = district.preferences
    return PlanSummary(
        cohorts=[group_of(facts, sorted(s for s, c in cohort_of.items() if c == cohort.number))
                 for cohort in facts.cohorts],
        launched_by_term=[sum(1 for c in cohort_of.values() if facts.launch_term_of(c) <= t)
                          for t in range(facts.term_count)],
        coaching_needed=usage.coaching,
        coaching_available=[t.coaches_fte for t in district.terms],
        link_peak=peaks, upgrades=dict(plan.upgrades),
        upgrade_cost=sum(district.upgrade_by_id[u].cost for u in plan.upgrades),
        preferences_honoured=sum(cohort_of.get(p.school_id) == p.preferred_cohort for p in prefs),
        preferences_asked=len(prefs),
        earlier=sorted(s for s, c in cohort_of.items() if base and c < base.cohort_of.get(s, c)),
        later=sorted(s for s, c in cohort_of.items() if base and c > base.cohort_of.get(s, c)))


# ---- binding limits ----------------------------------------------------------------------

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
                     f"+1 coaching FTE in {t.label}", {"coaches_fte_delta": {t.label: 1}})
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
                usage.capacity[link][term], f"+{mbps:,.0f} Mbps on {link} (one typical school "
                "launch behind it) in every term", {"link_mbps_delta": {link: mbps}}))
    size = facts.settings.cohort_size
    fullest = max(usage.cohort_counts.values(), default=0)
    if fullest >= share * size.max:
        out.append(Candidate(f"cohort size maximum ({size.max} schools)", fullest, size.max,
                             f"cohort_size.max {size.max} -> {size.max + 1}",
                             {"cohort_size": {"max": size.max + 1}}))
    done = [sum(1 for t in plan.upgrades.values() if t == term.index) for term in district.terms]
    out += [Candidate(f"upgrade crews in {t.label}", done[t.index], t.upgrade_crews,
                      f"+1 upgrade crew in {t.label}",
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
                      f"+{more:,.0f} (the cheapest upgrade not chosen)",
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


def limit_result(base: Outcome, base_proven: bool, candidate: Candidate, outcome: Outcome
                 ) -> LimitResult:
    plan = outcome.plan
    if plan is None:
        return LimitResult(candidate, outcome)
    needs_unit = not fits(base.facts, plan)
    return LimitResult(candidate, outcome, summarise(outcome.facts, plan, base.plan), needs_unit,
                       max(0.0, plan.objective - base.plan.objective) if needs_unit else 0.0,
                       plan.status == "optimal" and base_proven,
                       sum(base.plan.cohort_of[s] - c for s, c in plan.cohort_of.items()))


def fits(facts: PlanningFacts, plan: Plan) -> bool:
    return not check_plan(facts, plan.cohort_of, plan.upgrades)


def polished(base: Outcome, near: Outcome) -> Outcome:
    """The base plan replaced by the local search's plan when that scores higher (same limits,
    same objective), so that a limit's re-solve is not credited with what the search alone
    finds. Status and bound stay those of the full problem."""
    if near.plan is None or near.plan.objective <= base.plan.objective + 1e-6:
        return base
    plan = dataclasses.replace(near.plan, status=base.plan.status, bound=base.plan.bound)
    return Outcome(base.variant, plan, plan.status, base.message)


# ---- compare -----------------------------------------------------------------------------

@dataclass
class Comparison:
    base: Outcome
    scenarios: list[Outcome]
    summaries: dict[str, PlanSummary]    # by name, base included
    limits: list[LimitResult]
    limits_left_out: list[Candidate]
    time_limit: float
    radius: int
    first_plan: Plan   # the base plan as first solved, before polishing

    @property
    def base_time(self) -> float:
        return self.time_limit * BASE_TIME

    @property
    def outcomes(self) -> list[Outcome]:
        return [self.base, *self.scenarios]


def compare(base: PlanningFacts, variants: list[Variant], time_limit: float = DEFAULT_TIME_LIMIT,
            workers: int = DEFAULT_WORKERS, max_limits: int = DEFAULT_MAX_LIMITS,
            radius: int = DEFAULT_RADIUS) -> Comparison:
    """Solve the base plan and every scenario. For the binding limits: polish the base plan
    (local search, at most `radius` schools moved at a time), then re-solve near the polished
    plan with one more unit of each limit it uses (nearly) fully. These solves run alongside
    the scenarios."""
    base_variant = Variant("Base plan", base, "the district's own settings and capacities")
    with SolvePool(time_limit, workers) as pool:
        waiting_base = pool.submit(base_variant, solves=BASE_TIME)
        waiting = [pool.submit(v) for v in variants]
        first = require_plan(waiting_base())
        reference, proven, chosen, left_out, tried = first, False, [], [], []
        if max_limits:
            near = pool.submit(base_variant, first.plan.cohort_of, POLISH, radius, POLISH_TIME)()
            reference, proven = polished(first, near), near.status == "optimal"
            candidates = binding_candidates(base, reference.plan)
            chosen, left_out = candidates[:max_limits], candidates[max_limits:]
            waiting_limits = [pool.submit(derived(base, c.unit, c.patch),
                                          reference.plan.cohort_of, NEAR, radius)
                              for c in chosen]
            tried = [wait() for wait in waiting_limits]
        scenarios = [wait() for wait in waiting]
    limits = [limit_result(reference, proven, c, o) for c, o in zip(chosen, tried)]
    limits.sort(key=lambda r: (-r.gain, -r.net_steps_earlier, -r.candidate.share,
                               r.candidate.limit))
    summaries = {o.name: summarise(o.facts, o.plan, reference.plan)
                 for o in [reference, *scenarios] if o.plan is not None}
    return Comparison(reference, scenarios, summaries, limits, left_out, time_limit, radius,
                      first.plan)


# ---- need-weight sweep -------------------------------------------------------------------

@dataclass
class SweepPoint:
    need_weight: float
    outcome: Outcome
    current: bool                # the district's own need_weight
    early: Group | None = None   # schools of the early cohorts
    first: Group | None = None   # schools of the first cohort


@dataclass
class Sweep:
    points: list[SweepPoint]
    early_cohorts: int
    facts: PlanningFacts
    time_limit: float

    def early_names(self) -> str:
        """The early cohorts in words, e.g. 'Group 1 and Group 2 (launching by 2028 Fall)'."""
        names = [c.name for c in self.facts.cohorts[:self.early_cohorts]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        last = self.facts.term_label(self.facts.launch_term_of(self.early_cohorts))
        return f"{listed} (launching by {last})"


def parse_weights(text: str) -> list[float]:
    """'0:1:0.1' (start:stop:step, stop included) or '0,0.5,1'; each between 0 and 1."""
    try:
        if ":" in text:
            start, stop, step = (float(p) for p in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError("step must be positive and stop at least start")
            count = int(round((stop - start) / step, 9)) + 1
            if count > 101:
                raise ValueError(f"{count} points is too many (at most 101)")
            weights = [round(start + i * step, 9) for i in range(count)]
        else:
            weights = [float(p) for p in text.split(",") if p.strip()]
    except ValueError as exc:
        raise ValueError(f"'{text}' is not START:STOP:STEP or a list like 0,0.5,1 ({exc})")
    bad = [w for w in weights if not 0 <= w <= 1]
    if bad or not weights:
        raise ValueError(f"need weights must be between 0 and 1 (got {text})")
    return sorted(set(weights))


def sweep(base: PlanningFacts, weights: list[float], time_limit: float = DEFAULT_TIME_LIMIT,
          workers: int = DEFAULT_WORKERS, early_cohorts: int | None = None) -> Sweep:
    """Solve the plan for each need_weight (the district's own is always included)."""
    current = base.settings.need_weight
    weights = sorted(set(weights) | {current})
    early = early_cohorts or max(1, len(base.cohorts) // 2)
    if not 1 <= early <= len(base.cohorts):
        raise RolloutError(f"--early-cohorts must be between 1 and {len(base.cohorts)}")
    with SolvePool(time_limit, workers) as solver:
        waiting = [solver.submit(derived(base, f"need_weight {w:g}", {"need_weight": w}))
                   for w in weights]
        outcomes = [wait() for wait in waiting]
    points = []
    for w, outcome in zip(weights, outcomes):
        point = SweepPoint(w, outcome, w == current)
        if outcome.plan:
            cohort_of = outcome.plan.cohort_of
            point.early = group_of(base, sorted(s for s, c in cohort_of.items() if c <= early))
            point.first = group_of(base, sorted(s for s, c in cohort_of.items() if c == 1))
        points.append(point)
    return Sweep(points, early, base, time_limit)


# ---- the commands ------------------------------------------------------------------------

def compare_district(district_dir: Path, specs: list[tuple[str, Path]], out_dir: Path,
                     rubric: Path | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
                     workers: int = DEFAULT_WORKERS, max_limits: int = DEFAULT_MAX_LIMITS
                     ) -> Comparison:
    """`rollout compare`: every input and scenario file is checked before anything is solved;
    scenarios.xlsx and scenarios.csv are written together at the end."""
    base = facts_from_inputs(load_inputs(Path(district_dir), rubric))
    variants = load_scenarios(base, specs)
    result = compare(base, variants, time_limit, workers, max_limits)
    write_atomically(Path(out_dir), {
        "scenarios.xlsx": lambda path: write_scenarios_workbook(result, path),
        "scenarios.csv": lambda path: write_scenarios_csv(result, path)})
    return result


def sweep_district(district_dir: Path, weights: list[float], out_dir: Path,
                   rubric: Path | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
                   workers: int = DEFAULT_WORKERS, early_cohorts: int | None = None) -> Sweep:
    """`rollout sweep`: writes sweep.xlsx and sweep.csv together at the end."""
    base = facts_from_inputs(load_inputs(Path(district_dir), rubric))
    result = sweep(base, weights, time_limit, workers, early_cohorts)
    write_atomically(Path(out_dir), {
        "sweep.xlsx": lambda path: write_sweep_workbook(result, path),
        "sweep.csv": lambda path: write_sweep_csv(result, path)})
    return result
