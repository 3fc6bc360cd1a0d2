"""`rollout compare`: the base plan and every scenario solved side by side, and the binding
limits of the base plan, written to scenarios.xlsx and scenarios.csv.

Everything is measured against one base plan: it is solved first (and, when not proven best,
improved by a local search), then every scenario and every binding limit starts from it and
breaks ties toward it (`solving`), so a school moves only when the move gains or its base place
breaks a limit of the scenario. A scenario whose facts equal the base's is not solved again:
its plan is the base plan. All solves share one time budget (`budget`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from rollout.checking.check import check_plan
from rollout.errors import TOGETHER, Problems, RolloutError
from rollout.intake.settings import SolverSettings
from rollout.outputs import whatif_words as words
from rollout.outputs.atomic import staged_folder
from rollout.outputs.planfile import write_plan_csv, write_upgrades_csv
from rollout.outputs.results import build_results
from rollout.outputs.scenarios_workbook import write_scenarios_csv, write_scenarios_workbook
from rollout.planning.facts import PlanningFacts
from rollout.planning.model import build_model
from rollout.planning.objectives import objective_value
from rollout.planning.plan import Plan
from rollout.safe import safe_file_stem
from rollout.whatif.base import load_base
from rollout.whatif.budget import TimeBudget, default_budget
from rollout.whatif.jobs import (
    DEFAULT_RADIUS,
    DEFAULT_WORKERS,
    INFEASIBLE,
    NEAR,
    POLISH,
    Outcome,
    SolvePool,
    try_again,
)
from rollout.whatif.limits import Candidate, LimitResult, binding_candidates, limit_result
from rollout.whatif.scenarios import Variant, derived, load_scenarios, resolve_pending
from rollout.whatif.solving import KEPT_START
from rollout.whatif.summary import PlanSummary, summarise

DEFAULT_MAX_LIMITS = 12
# Weights of the solves in the shared budget: everything is measured against the base plan,
# so it gets more; a binding limit moves at most a few schools, so it needs less.
BASE_WEIGHT, POLISH_WEIGHT, LIMIT_WEIGHT = 3.0, 1.0, 0.5
BASE_START = "the base plan"
SAME_FACTS = "the base plan (same facts as the base: not solved again)"


@dataclass
class Comparison:
    base: Outcome
    scenarios: list[Outcome]
    summaries: dict[str, PlanSummary]    # by name, base included
    limits: list[LimitResult]
    limits_left_out: list[Candidate]
    budget: float                        # seconds for all the solves (--time-budget)
    cap: float | None                    # seconds at most for one solve (--time-limit)
    radius: int
    first_plan: Plan   # the base plan as first solved, before polishing
    seconds: float = 0.0                 # the solves took this long, together
    notes: dict[str, str] = field(default_factory=dict)  # by scenario: what to know
    workers: int = DEFAULT_WORKERS

    @property
    def outcomes(self) -> list[Outcome]:
        return [self.base, *self.scenarios]


def compare_budget(base: PlanningFacts, scenarios: int, max_limits: int, workers: int) -> float:
    """The default --time-budget: scales with the district's size and the solves to do."""
    weight = BASE_WEIGHT + POLISH_WEIGHT + scenarios + LIMIT_WEIGHT * max_limits
    return default_budget(len(base.schools), weight, workers)


def same_problem(a: PlanningFacts, b: PlanningFacts) -> bool:
    """Whether two sets of facts ask for the same plan (the solver's own settings and the
    district's name aside)."""
    def problem(f: PlanningFacts) -> PlanningFacts:
        return dataclasses.replace(f, settings=f.settings.model_copy(
            update={"solver": SolverSettings(), "district_name": None}))
    return problem(a) == problem(b)


def compare(base: PlanningFacts, variants: list[Variant], budget: float | None = None,
            workers: int = DEFAULT_WORKERS, max_limits: int = DEFAULT_MAX_LIMITS,
            radius: int = DEFAULT_RADIUS, time_limit: float | None = None,
            base_hint: dict[str, int] | None = None, log=None) -> Comparison:
    """Solve the base plan, then every scenario from it. For the binding limits: re-solve near
    the base plan with one more unit of each limit it uses (nearly) fully, at most `radius`
    schools moved. All solves share `budget` seconds (default: `compare_budget`); no one solve
    takes more than `time_limit` seconds when given. `base_hint`: where the base solve
    starts (last year's plan in a re-plan). A scenario's decisions that need the base plan (a
    shift, a pick by cohort) are resolved against it before its solve. `log`: progress lines
    (which plans are solving, how many are done, the time left)."""
    solve = [v for v in variants if not v.conflicts and (v.pending or
                                                          not same_problem(base, v.facts))]
    seconds = budget or compare_budget(base, len(solve), max_limits, workers)
    clock = TimeBudget(seconds, workers, time_limit)
    base_variant = Variant("Base plan", base, "the district's own settings and capacities")
    if log:
        log(words.starting_line(
            f"the base plan, {len(solve)} scenario(s)"
            + (f" and up to {max_limits} binding limits" if max_limits else ""),
            seconds, workers))
    with SolvePool(clock, workers, log) as pool:
        pool.announce(1 + len(solve))
        pool.expect(len(solve) + POLISH_WEIGHT + LIMIT_WEIGHT * max_limits)
        first = require_plan(pool.submit(base_variant, weight=BASE_WEIGHT,
                                         hint=Plan(base_hint) if base_hint else None)())
        reference, proven, base_gap = first, first.plan.status == "optimal", 0.0
        pool.expect(-POLISH_WEIGHT)
        if not proven:  # a stronger reference: fewer gains that the search alone would find
            near = pool.submit(base_variant, first.plan, BASE_START, POLISH, radius,
                               POLISH_WEIGHT)()
            reference, proven = polished(first, near), near.status == "optimal"
            base_gap = 0.0 if proven else (near.plan or first.plan).gap or 0.0
        start = reference.plan
        variants = resolve_pending(variants, start.cohort_of)
        expected = len(solve)
        solve = [v for v in variants if not v.conflicts and not same_problem(base, v.facts)]
        pool.expect(len(solve) - expected)
        waiting = {v.name: pool.submit(v, start, BASE_START, expected=True) for v in solve}
        chosen, left_out = [], []
        if max_limits:
            candidates = binding_candidates(base, start)
            chosen, left_out = candidates[:max_limits], candidates[max_limits:]
            pool.expect(-LIMIT_WEIGHT * (max_limits - len(chosen)))
            pool.announce(len(chosen))
        waiting_limits = [pool.submit(derived(base, c.unit, c.patch), start, BASE_START, NEAR,
                                      radius, LIMIT_WEIGHT, expected=True) for c in chosen]
        tried = [wait() for wait in waiting_limits]
        solved = try_again(pool, [(waiting[v.name](), start) for v in solve])
        again = dict(zip([v.name for v in solve], solved))
        scenarios = [again[v.name] if v.name in again else
                     Outcome(v, None, INFEASIBLE, words.decisions_conflict_text(v.conflicts))
                     if v.conflicts else
                     Outcome(v, start, reference.status, "", SAME_FACTS) for v in variants]
    limits = [limit_result(reference, proven, base_gap, c, o) for c, o in zip(chosen, tried)]
    limits.sort(key=lambda r: (-r.gain, -r.net_steps_earlier, -r.candidate.share,
                               r.candidate.limit))
    summaries = {o.name: summarise(o.facts, o.plan, start, base)
                 for o in [reference, *scenarios] if o.plan is not None}
    scenarios = [explain_no_plan(base, o) for o in scenarios]
    return Comparison(reference, scenarios, summaries, limits, left_out, seconds, time_limit,
                      radius, first.plan, clock.used(), scenario_notes(base, reference, scenarios),
                      workers)


def explain_no_plan(base: PlanningFacts, outcome: Outcome) -> Outcome:
    """A scenario without a possible plan: which of its own changes conflict (a limit in
    conflict that the base does not have as it is: the scenario changed it), with which other
    limits, and the smallest change that would make a plan possible."""
    if outcome.status != INFEASIBLE or not outcome.conflicts:
        return outcome
    return dataclasses.replace(outcome, message=no_plan_message(
        base, outcome.variant.changes, outcome.conflicts, outcome.relaxations))


def no_plan_message(base: PlanningFacts, changes: list[str], conflicts, relaxations) -> str:
    """The answer to a scenario with no possible plan: its own changes in conflict (a limit
    the base does not have as it is), the other limits, and the smallest way out."""
    base_limits = {limit.text for limit in build_model(base).limits}
    own = [c for c in conflicts if c not in base_limits]
    others = [c for c in conflicts if c in base_limits]
    return words.no_plan_text(own, others, list(relaxations), TOGETHER, changes)


def require_plan(outcome: Outcome) -> Outcome:
    if outcome.plan is None:
        raise RolloutError(f"No base plan, so nothing to compare with.\n{outcome.message}")
    return outcome


def polished(base: Outcome, near: Outcome) -> Outcome:
    """The base plan replaced by the local search's plan when that scores higher (same limits,
    same objective), so that a limit's re-solve is not credited with what the search alone
    finds. Status and bound stay those of the full problem."""
    if near.plan is None or near.plan.objective <= base.plan.objective + 1e-6:
        return base
    plan = dataclasses.replace(near.plan, status=base.plan.status, bound=base.plan.bound)
    return Outcome(base.variant, plan, plan.status, base.message, base.start, base.seconds)


def scenario_notes(base: PlanningFacts, reference: Outcome, scenarios: list[Outcome]
                   ) -> dict[str, str]:
    """What to know about each scenario's plan beyond its figures (`scenario_note`)."""
    out = {}
    for o in scenarios:
        if o.plan is None or o.start == SAME_FACTS:
            continue
        note = scenario_note(base, reference.plan, o.plan)
        if note:
            out[o.name] = note
    return out


def scenario_note(base: PlanningFacts, base_plan: Plan, plan: Plan) -> str | None:
    """What to know about a scenario's plan beyond its figures: the solve ended no better than
    the base plan (kept), or its plan also meets the base's own limits and scores higher under
    them (then the base plan is not the best possible, and part of the moves are the search's
    rather than the scenario's)."""
    if plan.stats.get(KEPT_START) == "worse":
        return words.KEPT_WORSE
    if plan.stats.get(KEPT_START):
        return words.KEPT_NO_BETTER + ("" if plan.status == "optimal" else words.KEPT_NOT_PROVEN)
    if plan.stats.get("ties", "optimal") != "optimal":
        return words.TIES_LEFT
    if not check_plan(base, plan.cohort_of, plan.upgrades):
        gain = objective_value(base, plan.cohort_of, plan.upgrades) - \
            objective_value(base, base_plan.cohort_of, base_plan.upgrades)
        if gain > 1e-6:
            return words.BASE_NOT_BEST
    return None


def compare_district(district_dir: Path, specs: list[tuple[str, Path]], out_dir: Path,
                     rubric: Path | None = None, budget: float | None = None,
                     workers: int = DEFAULT_WORKERS, max_limits: int = DEFAULT_MAX_LIMITS,
                     time_limit: float | None = None, previous: Path | None = None,
                     log=None) -> Comparison:
    """`rollout compare`: every input and scenario file is checked before anything is solved
    (`previous`: last year's plan.csv, for a spring re-plan, as `rollout plan --previous`);
    scenarios.xlsx, scenarios.csv and plans/ are written together at the end. Never a site or
    principal workbooks: a what-if is not a plan to publish. `log`: progress."""
    if log:
        log("Reading district files, surveys and scenario files ...")
    problems = Problems()
    base = load_base(district_dir, rubric, previous, problems)
    variants = load_scenarios(base.facts, specs, problems)
    result = compare(base.facts, variants, budget, workers, max_limits, time_limit=time_limit,
                     base_hint=base.hint(), log=log)
    if log:
        log("Writing scenarios.xlsx, scenarios.csv and plans/ ...")
    with staged_folder(Path(out_dir), ["scenarios.xlsx", "scenarios.csv", PLANS]) as staging:
        write_scenarios_workbook(result, staging / "scenarios.xlsx")
        write_scenarios_csv(result, staging / "scenarios.csv")
        write_plan_files(result, base.inputs, staging / PLANS)
    return result


PLANS = "plans"  # OUT/plans/base.csv and OUT/plans/<scenario>.csv, in plan.csv's columns,
# each with its upgrades beside it (<scenario>.upgrades.csv, in upgrades.csv's columns)
BASE_FILE = "base.csv"


def plan_file_names(result: Comparison) -> dict[str, str]:
    """The plan file of the base and of each scenario with a plan, by name."""
    names = {result.base.name: BASE_FILE}
    taken = {BASE_FILE}
    for outcome in result.scenarios:
        if outcome.plan is None:
            continue
        stem, n = safe_file_stem(outcome.name) or "scenario", 1
        while (file := f"{stem}.csv" if n == 1 else f"{stem}_{n}.csv") in taken:
            n += 1
        names[outcome.name] = file
        taken.add(file)
    return names


def write_plan_files(result: Comparison, inputs, folder: Path) -> None:
    """Every plan of the comparison as a plan.csv of its own, its reasons by its own facts (a
    scenario's decisions named as such), to open in Excel or check with `rollout check`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, file in plan_file_names(result).items():
        outcome = next(o for o in result.outcomes if o.name == name)
        results = build_results(inputs, outcome.facts, outcome.plan)
        write_plan_csv(results, folder / file)
        write_upgrades_csv(results, folder / upgrades_file(file))


def upgrades_file(plan_file: str) -> str:
    """The upgrades a plan file's plan chooses, beside it: later.csv -> later.upgrades.csv
    (`rollout check` reads it as it reads the upgrades.csv beside a plan.csv)."""
    return plan_file.removesuffix(".csv") + ".upgrades.csv"
