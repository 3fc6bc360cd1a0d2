"""Build the CP-SAT model from the rule registries, make its solver, and read a plan back."""
from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.planning.constraints import HARD_RULES, allowed_cohorts
from rollout.planning.facts import PlanningFacts
from rollout.planning.objectives import SOFT_RULES


@dataclass
class Limit:
    """A numeric limit of the district (capacity, size, budget) as it appears in the model."""

    kind: str       # coaching | link | cohort_max | cohort_min | crews | budget
    key: object     # term index, (link, term index), cohort number or None
    text: str
    slack: cp_model.IntVar | None = None
    literal: cp_model.IntVar | None = None


class PlanModel:
    """Decision variables and the limits the rules add.

    - `assign[school_id, cohort]`: the school is in that cohort (only for allowed cohorts);
    - `upgrade_done[upgrade][term]`: that optional upgrade completes in that term.

    With `elastic=True` every limit gets a non-negative slack variable (to find the smallest
    relaxation); with `assumptions=True` every limit is enforced by a literal the solver can
    name in an infeasible core. `cuts` adds redundant constraints that only tighten the
    solver's bound (never with elastic or assumption limits, whose relaxations they would hide).
    """

    def __init__(self, facts: PlanningFacts, elastic: bool = False, assumptions: bool = False,
                 cuts: bool = True):
        self.facts = facts
        self.elastic = elastic
        self.assumptions = assumptions
        self.cuts = cuts and not (elastic or assumptions)
        self.model = cp_model.CpModel()
        self.assign: dict[tuple[str, int], cp_model.IntVar] = {}
        self.by_school: dict[str, list[tuple[int, cp_model.IntVar]]] = {}
        self.limits: list[Limit] = []
        self._feeder_ranges: dict[str, tuple] = {}
        self._order_literals: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self._slacks: dict[str, cp_model.IntVar] = {}
        for school in facts.schools:
            sid = school.school_id
            self.by_school[sid] = []
            for c in allowed_cohorts(facts, sid):
                var = self.model.new_bool_var(f"assign[{sid},{c}]")
                self.assign[sid, c] = var
                self.by_school[sid].append((c, var))
        self.upgrade_done: dict[str, dict[int, cp_model.IntVar]] = {
            u.upgrade: {t: self.model.new_bool_var(f"upgrade[{u.upgrade},{t}]")
                        for t in range(max(u.lead_terms, facts.current_term), facts.term_count)}
            for u in facts.district.upgrades}

    def choices(self, school_id: str) -> list[cp_model.IntVar]:
        return [v for _, v in self.by_school[school_id]]

    def launched_by_cohort(self, school_id: str, cohort: int):
        """1 when the school is in `cohort` or an earlier one (a constant where that is
        decided by the cohorts it may be in)."""
        pairs = self.by_school[school_id]
        early = [c for c, _ in pairs if c <= cohort]
        if not early:
            return 0
        if len(early) == len(pairs):
            return 1
        return self._launched_literal(school_id, max(early))

    def launched_by(self, school_id: str, term: int):
        """1 when the school's cohort launches in or before `term`: one order-encoded literal
        per school and cohort boundary (measured: stronger propagation on the link limits
        than the sum of assignments it equals; docs/benchmarks.md)."""
        # Cohorts launch in term order (inputs.py checks it), so "by term" is "by cohort".
        early = [c.number for c in self.facts.cohorts if c.launch_term_index <= term]
        return self.launched_by_cohort(school_id, max(early)) if early else 0

    def _launched_literal(self, school_id: str, cohort: int):
        return self._order_literal("launched_by", school_id, dict(self.by_school[school_id]),
                                   cohort)

    def cohort_number(self, school_id: str):
        return sum(c * v for c, v in self.by_school[school_id])

    def upgrade_terms(self, upgrade_id: str) -> dict[int, cp_model.IntVar]:
        return self.upgrade_done[upgrade_id]

    def upgrade_done_by(self, upgrade_id: str, term: int):
        """1 when the upgrade is complete in or before `term`: one order-encoded literal per
        upgrade and term, like `launched_by` (measured: 660 schools proven optimal 4x faster
        together with the order-encoded objective; docs/benchmarks.md)."""
        early = [t for t in self.upgrade_done[upgrade_id] if t <= term]
        return self._upgrade_literal(upgrade_id, max(early)) if early else 0

    def _upgrade_literal(self, upgrade_id: str, term: int):
        return self._order_literal("upgrade_by", upgrade_id, self.upgrade_done[upgrade_id], term)

    def _order_literal(self, name: str, owner: str, steps: dict, upto: int):
        """One literal equal to "some step <= upto is chosen" for one owner (a school's cohorts,
        an upgrade's terms; at most one step is chosen), implied by the literal of the step
        before, made once and cached."""
        key = (name, owner, upto)
        if key not in self._order_literals:
            literal = self.model.new_bool_var(f"{name}[{owner},{upto}]")
            self.model.add(literal == sum(v for step, v in steps.items() if step <= upto))
            earlier = [step for step in steps if step < upto]
            if earlier:  # chosen by an earlier step implies chosen by this one
                self.model.add_implication(self._order_literal(name, owner, steps, max(earlier)),
                                           literal)
            self._order_literals[key] = literal
        return self._order_literals[key]

    def feeder_range(self, feeder: str, ids: list[str]):
        """(lowest, highest) cohort number among a feeder pattern's schools."""
        if feeder not in self._feeder_ranges:
            k = len(self.facts.cohorts)
            low = self.model.new_int_var(1, k, f"feeder_low[{feeder}]")
            high = self.model.new_int_var(1, k, f"feeder_high[{feeder}]")
            for sid in ids:
                self.model.add(low <= self.cohort_number(sid))
                self.model.add(high >= self.cohort_number(sid))
            self._feeder_ranges[feeder] = (low, high)
        return self._feeder_ranges[feeder]

    def limit(self, expr, bound: int, kind: str, key, text: str) -> None:
        limit = Limit(kind, key, text)
        if self.elastic:
            limit.slack = self.slack_for(kind, key)
            self.model.add(expr <= bound + limit.slack)
        elif self.assumptions:
            limit.literal = self.model.new_bool_var(f"holds[{kind},{key}]")
            self.model.add(expr <= bound).only_enforce_if(limit.literal)
        else:
            self.model.add(expr <= bound)
        self.limits.append(limit)

    def slack_for(self, kind: str, key):
        """The relaxation variable of a limit. The cohort size limits are one setting each
        (cohort_size.min and .max hold for every cohort), so their cohorts share one."""
        shared = kind in SHARED_SLACK
        name = f"slack[{kind}]" if shared else f"slack[{kind},{key}]"
        if name not in self._slacks:
            self._slacks[name] = self.model.new_int_var(0, 10**12, name)
        return self._slacks[name]


SHARED_SLACK = ("cohort_max", "cohort_min")


def build_model(facts: PlanningFacts, elastic: bool = False, assumptions: bool = False,
                cuts: bool = True) -> PlanModel:
    m = PlanModel(facts, elastic, assumptions, cuts)
    for rule in HARD_RULES:
        rule(m)
    if elastic:
        slacks = {limit.slack.index: limit for limit in m.limits}  # a shared slack counts once
        m.model.minimize(sum(limit.slack * slack_weight(limit) for limit in slacks.values()))
    elif not assumptions:
        m.model.maximize(sum(term for rule in SOFT_RULES for term in rule(m)))
    return m


def slack_weight(limit: Limit) -> int:
    # One school over a cohort bound, one crew or one unit of budget count like 1 coaching FTE
    # (1000 units) so that the relaxation found is small in every unit; 1 Mbps = 1000 kbps.
    return {"cohort_max": 1000, "cohort_min": 1000, "crews": 1000}.get(limit.kind, 1)


def make_solver(facts: PlanningFacts, time_limit: float | None, workers: int | None = None
                ) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = facts.settings.solver
    solver.parameters.max_time_in_seconds = time_limit or params.time_limit_seconds
    solver.parameters.random_seed = params.random_seed
    solver.parameters.num_workers = workers or params.workers
    return solver


def tune_for_plans(solver: cp_model.CpSolver) -> None:
    # Measured on synthetic districts (docs/benchmarks.md): the LP relaxation from the start
    # proves the bound early, and inclusion presolve only costs time on this model. The
    # full linearization (level 2: every constraint in the LP, more cuts) narrows the gap
    # most: 0.18 % -> 0.011 % after 60 s at 10,000 schools; 95 schools proven twice as fast.
    # Searching on the objective bound proves what the LP leaves open: 660 schools proven
    # optimal in 52 s (not in 60 s without), 1,800 at 0.0001 % gap instead of 0.0055 %.
    solver.parameters.add_lp_constraints_lazily = False
    solver.parameters.presolve_inclusion_work_limit = 0
    solver.parameters.linearization_level = 2
    solver.parameters.use_objective_lb_search = True


def add_hint(m: PlanModel, cohort_of: dict[str, int], upgrades: dict[str, int] | None = None,
             model: cp_model.CpModel | None = None) -> None:
    """Hint a plan's cohorts (and upgrades) to `model`: m's own, or a clone of it (a clone has
    the same variables, and hints name variables by index)."""
    model = model or m.model
    for (sid, c), var in m.assign.items():
        model.add_hint(var, 1 if cohort_of.get(sid) == c else 0)
    for upgrade_id, terms in (m.upgrade_done.items() if upgrades is not None else ()):
        for term, var in terms.items():
            model.add_hint(var, 1 if upgrades.get(upgrade_id) == term else 0)


def read_assignments(solver: cp_model.CpSolver, m: PlanModel) -> dict[str, int]:
    return {sid: next(c for c, v in pairs if solver.boolean_value(v))
            for sid, pairs in m.by_school.items()}


def read_upgrades(solver: cp_model.CpSolver, m: PlanModel) -> dict[str, int]:
    return {u: t for u, terms in sorted(m.upgrade_done.items())
            for t, v in terms.items() if solver.boolean_value(v)}
