"""`rollout sweep`: one plan per need_weight (the district's own included) and the need and
readiness of the schools each launches early, written to sweep.xlsx and sweep.csv.

The curve should be monotone: as need_weight rises, the early schools' mean need should never
fall and their mean readiness never rise. Points start from their neighbour's plan and every
point keeps the best plan found for it, which takes out most of the wobble that unproven plans
cause; where the curve still is not monotone, the sweep names the two points and the unproven
ones among them with their gaps (`Wobble`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from rollout.errors import RolloutError
from rollout.outputs import whatif_words as words
from rollout.outputs.atomic import write_atomically
from rollout.outputs.sweep_workbook import write_sweep_csv, write_sweep_workbook
from rollout.planning.facts import PlanningFacts
from rollout.planning.objectives import objective_units
from rollout.planning.plan import Plan, gap_percent
from rollout.whatif.base import load_base
from rollout.whatif.budget import TimeBudget, default_budget
from rollout.whatif.jobs import DEFAULT_WORKERS, Outcome, SolvePool, try_again
from rollout.whatif.scenarios import derived
from rollout.whatif.solving import whole_units
from rollout.whatif.summary import Group, PlanSummary, cohort_members, group_of, summarise

# The district's own need_weight is solved first, from nothing, and every other point starts
# from it: it gets more of the budget.
FIRST_WEIGHT = 2.0
TOLERANCE = 1e-6  # in points of need or readiness (0-100)

@dataclass
class SweepPoint:
    need_weight: float
    outcome: Outcome
    current: bool                # the district's own need_weight
    early: Group | None = None   # schools of the early cohorts
    first: Group | None = None   # schools of the first cohort
    better_from: float | None = None  # the plan solved for this need_weight scored less here
    summary: PlanSummary | None = None  # launches by term, coaching, upgrades of its plan
    moved: int | None = None     # schools in another cohort than in the current setting's plan

    @property
    def proven(self) -> bool:
        return self.outcome.plan is not None and self.outcome.plan.status == "optimal"


@dataclass(frozen=True)
class Wobble:
    """Two neighbouring points where the curve is not monotone."""

    low: float          # need_weight
    high: float
    measure: str        # "mean need" (falls) or "mean readiness" (rises)
    before: float
    after: float
    unproven: tuple[tuple[float, float], ...]   # (need_weight, gap) of the unproven points

    def text(self) -> str:
        moved = "falls" if self.measure == "mean need" else "rises"
        said = (f"{self.measure} of the early schools {moved} from {self.before:.2f} to "
                f"{self.after:.2f} between need_weight {self.low:g} and {self.high:g}")
        if self.unproven:
            return said + ": not proven " + ", ".join(
                f"at {w:g} (gap {gap_percent(gap)})" for w, gap in self.unproven)
        return said + (": both plans are proven best, so this is a real effect of the "
                       "limits, not solver noise")


@dataclass
class Sweep:
    points: list[SweepPoint]
    early_cohorts: int
    facts: PlanningFacts
    budget: float                # seconds for all the solves (--time-budget)
    cap: float | None = None     # seconds at most for one solve (--time-limit)
    seconds: float = 0.0         # the solves took this long, together
    wobbles: list[Wobble] = field(default_factory=list)
    workers: int = DEFAULT_WORKERS

    @property
    def monotone(self) -> bool:
        return not self.wobbles

    def unproven(self) -> list[SweepPoint]:
        return [p for p in self.points if p.outcome.plan is not None and not p.proven]

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


def sweep_budget(base: PlanningFacts, points: int, workers: int) -> float:
    """The default --time-budget: scales with the district's size and the points to solve."""
    return default_budget(len(base.schools), FIRST_WEIGHT + points - 1, workers)


def sweep(base: PlanningFacts, weights: list[float], budget: float | None = None,
          workers: int = DEFAULT_WORKERS, early_cohorts: int | None = None,
          time_limit: float | None = None, base_hint: dict[str, int] | None = None,
          log=None) -> Sweep:
    """Solve the plan for each need_weight (the district's own is always included): the
    district's own first, then outward in both directions, each point from its neighbour's
    plan (ties broken toward it). need_weight changes only the objective, so every plan found
    is a plan for every point: each point keeps the best of them by its own objective.
    `log`: progress lines."""
    current = base.settings.need_weight
    weights = sorted(set(weights) | {current})
    early = early_cohorts or max(1, len(base.cohorts) // 2)
    if not 1 <= early <= len(base.cohorts):
        raise RolloutError(f"--early-cohorts must be between 1 and {len(base.cohorts)}")
    seconds = budget or sweep_budget(base, len(weights), workers)
    clock = TimeBudget(seconds, workers, time_limit)
    variants = {w: derived(base, f"need_weight {w:g}", {"need_weight": w}) for w in weights}
    chains = [c for c in ([w for w in weights if w > current],
                          [w for w in reversed(weights) if w < current]) if c]
    if log:
        log(words.starting_line(f"{len(weights)} plans (one per need_weight)", seconds, workers))
    with SolvePool(clock, workers, log) as pool:
        pool.announce(len(weights))
        pool.expect(len(weights) - 1)
        # Alone at first, then the other points side by side on every worker (a chain that
        # is done takes over part of another: solve_chains).
        after = (len(weights) - 1) / workers
        first = pool.submit(variants[current], weight=FIRST_WEIGHT,
                            lane=lambda: FIRST_WEIGHT + after,
                            hint=Plan(base_hint) if base_hint else None)
        outcomes = {current: first()}
        starts = solve_chains(pool, variants, outcomes, chains, current, workers)
        tried = try_again(pool, [(outcomes[w], starts[w]) for w in sorted(starts)])
        outcomes.update(zip(sorted(starts), tried))
    points = best_of_all(base, weights, variants, outcomes, current, early)
    return Sweep(points, early, base, seconds, time_limit, clock.used(), wobbles(points),
                 workers)


def solve_chains(pool: SolvePool, variants: dict, outcomes: dict, chains: list[list[float]],
                 current: float, workers: int) -> dict:
    """Each chain's points one after the other, each from the plan of the point before it
    (the chains run side by side, each point given its share of the time left). When a chain
    is done and another still has points to start, that chain's far half becomes a chain of
    its own, from its far end inward: its first point starts from the nearest point solved
    so far, and no worker waits while points are left (660 schools, 95 s: the last point
    waited for its neighbour and had 3.4 s; docs/benchmarks.md). Returns the plan each
    solved point started from."""
    starts = {}

    def submit(chain, before):
        w = chain.pop(0)
        start = outcomes[before]
        if start.plan is None:  # no plan for the same limits: none for this point either
            outcomes[w] = Outcome(variants[w], None, start.status, start.message)
            return None
        starts[w] = start.plan
        return w, pool.submit(variants[w], start.plan, f"need_weight {before:g}'s plan",
                              expected=True)

    running = [(chain, submit(chain, current)) for chain in chains]
    running = [(chain, job) for chain, job in running if job]
    while running:
        i = pool.first_done([job for _, (_, job) in running])
        chain, (w, job) = running.pop(i)
        outcomes[w] = job()
        if not chain and len(running) < workers:
            chain = split_longest(chains)
            if chain:
                chains.append(chain)
                w = min((v for v, o in sorted(outcomes.items()) if o.plan is not None),
                        key=lambda v: abs(v - chain[0]), default=w)
        if chain:
            following = submit(chain, w)
            if following:
                running.append((chain, following))
    for w in [w for chain in chains for w in chain]:  # left when a chain had no plan
        outcomes.setdefault(w, Outcome(variants[w], None, outcomes[current].status,
                                       outcomes[current].message))
    return starts


def split_longest(chains: list[list[float]]) -> list[float]:
    """The far half of the chain with the most points still to start (its last point when
    it has only one), taken from it, far end first; [] when no point is left."""
    longest = max(chains, key=len, default=[])
    if not longest:
        return []
    half = max(1, len(longest) // 2)
    far = longest[len(longest) - half:]
    del longest[len(longest) - half:]
    return far[::-1]


def best_of_all(base: PlanningFacts, weights: list[float], variants: dict, outcomes: dict,
                current: float, early: int) -> list[SweepPoint]:
    """One point per need_weight, with the best plan found for it among every point's plans
    (by its own objective; its own plan on a tie)."""
    plans = [(w, outcomes[w].plan) for w in weights if outcomes[w].plan is not None]
    points = []
    first = base.first_cohort_to_come().number  # a launched cohort is the same in every plan
    for w in weights:
        outcome, facts = outcomes[w], variants[w].facts
        point = SweepPoint(w, outcome, w == current)
        if outcome.plan is not None:
            own = whole_units(facts, outcome.plan)
            scored = [(whole_units(facts, p), v == w, v, p) for v, p in plans]
            score, _, other, plan = max(scored, key=lambda x: x[:2])  # own plan on a tie
            if other != w and score > own and outcome.plan.status != "optimal":
                units = objective_units(facts)
                point.better_from = other
                point.outcome = dataclasses.replace(outcome, plan=dataclasses.replace(
                    plan, status="feasible", objective=score / units,
                    bound=max(outcome.plan.bound, score / units)))
            cohort_of = point.outcome.plan.cohort_of
            point.early = group_of(base, sorted(s for s, c in cohort_of.items() if c <= early))
            point.first = group_of(base, cohort_members(base, cohort_of, first))
            point.summary = summarise(facts, point.outcome.plan)
        points.append(point)
    own = next((p.outcome.plan for p in points if p.current), None)
    for p in points:
        if p.outcome.plan is not None and own is not None:
            p.moved = sum(own.cohort_of.get(s) != c for s, c in p.outcome.plan.cohort_of.items())
    return points


def wobbles(points: list[SweepPoint]) -> list[Wobble]:
    """Neighbouring points (with plans) where the early schools' mean need falls or their
    mean readiness rises as need_weight rises, with the unproven points among the two."""
    out = []
    solved = [p for p in points if p.early and p.early.schools]
    for a, b in zip(solved, solved[1:]):
        unproven = tuple((p.need_weight, p.outcome.plan.gap or 0.0) for p in (a, b)
                         if not p.proven)
        if b.early.mean_need < a.early.mean_need - TOLERANCE:
            out.append(Wobble(a.need_weight, b.need_weight, "mean need", a.early.mean_need,
                              b.early.mean_need, unproven))
        if b.early.mean_readiness > a.early.mean_readiness + TOLERANCE:
            out.append(Wobble(a.need_weight, b.need_weight, "mean readiness",
                              a.early.mean_readiness, b.early.mean_readiness, unproven))
    return out


def sweep_district(district_dir: Path, weights: list[float], out_dir: Path,
                   rubric: Path | None = None, budget: float | None = None,
                   workers: int = DEFAULT_WORKERS, early_cohorts: int | None = None,
                   time_limit: float | None = None, previous: Path | None = None,
                   log=None) -> Sweep:
    """`rollout sweep`: writes sweep.xlsx and sweep.csv together at the end (`previous`: last
    year's plan.csv, for a spring re-plan, as `rollout plan --previous`; `log`: progress)."""
    if log:
        log("Reading district files and surveys ...")
    base = load_base(district_dir, rubric, previous)
    result = sweep(base.facts, weights, budget, workers, early_cohorts, time_limit,
                   base.hint(), log)
    if log:
        log("Writing sweep.xlsx and sweep.csv ...")
    write_atomically(Path(out_dir), {
        "sweep.xlsx": lambda path: write_sweep_workbook(result, path),
        "sweep.csv": lambda path: write_sweep_csv(result, path)})
    return result
