"""Solve jobs: one plan per variant, in worker processes, each plan re-checked when it comes back.

A job solves the full problem as `rollout plan` does (no start plan: the base plan), the best
plan from a start plan with ties broken toward it (FULL with a start: a scenario, a sweep
point), the best plan within a few moves of the start (NEAR: a binding limit), or a local
search repeating NEAR from each better plan found (POLISH). Errors come back as a status and a
message: the caller shows them beside the other plans. `solve_job` stays a top-level function
so that the process pool can pickle it.

Jobs share one `TimeBudget`: a job's time limit is set when a worker takes it up.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from rollout.checking.check import check_plan
from rollout.errors import InfeasiblePlanError, NoPlanPossible, SolverGaveUpError
from rollout.explain import diagnose_infeasible, solve_or_diagnose
from rollout.outputs.whatif_words import PROGRESS_SECONDS, progress_line
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.processes import pool_context
from rollout.whatif.budget import TimeBudget
from rollout.whatif.scenarios import InternalPlanError, Variant
from rollout.whatif.solving import polish, solve_from

DEFAULT_TIME_LIMIT = 2.5   # seconds per solve before --time-budget (now only a cap if given)
DEFAULT_WORKERS = 2
# Limits are tested by re-planning near the base plan: at most this many schools change cohort.
# Small enough for the solver to prove the best such plan in a few seconds, so that a gain is
# the limit's doing, not the luck of a longer search; large enough for a school to come forward
# and another to make room for it.
DEFAULT_RADIUS = 3
INFEASIBLE, GAVE_UP = "infeasible", "no plan in time"
FULL, NEAR, POLISH = "full", "near", "polish"


@dataclass
class Outcome:
    """A variant and its plan; without a plan, the status says why and `message` explains.
    `start` names the plan the solve started from; `seconds` is the time limit it was given
    and `took` the time it took (model, solve and checks, in its worker)."""

    variant: Variant
    plan: Plan | None
    status: str
    message: str = ""
    start: str = ""
    seconds: float = 0.0
    took: float = 0.0
    conflicts: tuple[str, ...] = ()    # no plan: the limits in conflict (explain's words)
    relaxations: tuple[str, ...] = ()  # and the smallest changes that make a plan possible

    @property
    def name(self) -> str:
        return self.variant.name

    @property
    def facts(self) -> PlanningFacts:
        return self.variant.facts


def solve_job(facts: PlanningFacts, time_limit: float, start: Plan | None, mode: str = FULL,
              radius: int = DEFAULT_RADIUS, hint: Plan | None = None
              ) -> tuple[Plan | None, str, str, float, tuple, tuple]:
    """One solve, run in a worker process, and the seconds it took; errors come back as text
    (they do not pickle), with the conflicting limits and relaxations when there is no plan."""
    began = time.perf_counter()
    conflicts: tuple = ()
    relaxations: tuple = ()
    try:
        plan, status, message = solve(facts, time_limit, start, mode, radius, hint)
    except InfeasiblePlanError as exc:
        plan, status, message = None, INFEASIBLE, infeasible_text(exc)
        conflicts, relaxations = tuple(exc.conflicts), tuple(exc.relaxations)
    return plan, status, message, time.perf_counter() - began, conflicts, relaxations


def infeasible_text(exc: InfeasiblePlanError) -> str:
    text = "No plan can meet all these limits. In conflict: " + "; ".join(exc.conflicts)
    if exc.relaxations:
        text += ". To make a plan possible: " + "; or ".join(exc.relaxations)
    return text


def solve(facts: PlanningFacts, time_limit: float, start: Plan | None, mode: str,
          radius: int, hint: Plan | None = None) -> tuple[Plan | None, str, str]:
    """The plan, its status and "" (or None, a status and why); InfeasiblePlanError says
    which limits conflict."""
    try:
        if start is None:  # `hint`: where the search starts (last year's plan)
            plan = solve_or_diagnose(facts, time_limit, hint=hint.cohort_of if hint else None)
        elif mode == FULL:
            try:
                plan = solve_from(facts, start, time_limit, hint=hint)
            except InfeasiblePlanError:
                raise
            except NoPlanPossible:
                raise diagnose_infeasible(facts, time_limit) from None
        elif mode == NEAR:
            plan = solve_from(facts, start, time_limit, radius)
        else:
            plan = polish(facts, start, radius, time_limit)
        return plan, plan.status, ""
    except InfeasiblePlanError:
        raise
    except NoPlanPossible:  # near the start plan (a binding limit's re-solve): no plan there
        return None, INFEASIBLE, (f"No plan within {radius} moves of the start plan meets all "
                                  "these limits.")
    except SolverGaveUpError as exc:
        return None, GAVE_UP, exc.user_message()


@dataclass
class Job:
    key: int
    variant: Variant
    start: Plan | None
    start_name: str
    mode: str
    radius: int
    weight: float
    lane: Callable[[], float] | None = None  # see TimeBudget.start
    hint: Plan | None = None  # a plan found before for the same facts (see solve_from)
    future: Future | None = None
    seconds: float = 0.0


@dataclass
class Waiting:
    """A submitted solve: call it to wait for its checked outcome."""

    pool: "SolvePool"
    job: Job

    def __call__(self) -> Outcome:
        return self.pool.result(self.job)


class SolvePool:
    """Runs jobs on `workers` processes (here, one after the other, when workers is 1), each
    given its share of `budget` when it starts. With `log`, a line every few seconds says which
    plans are solving, how many are done of how many, and the budget's time left (`Progress`:
    it only reads, so the plans are the same with or without it)."""

    def __init__(self, budget: TimeBudget, workers: int, log: Callable[[str], None] | None = None):
        self.budget = budget
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, mp_context=pool_context()) if workers > 1 \
            else None
        self.queue: list[Job] = []
        self.running: list[Job] = []
        self.keys = itertools.count()
        self.progress = Progress(budget, log) if log else None

    def __enter__(self) -> "SolvePool":
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress:
            self.progress.stop()
        if self.pool:
            self.pool.shutdown(cancel_futures=True)

    def expect(self, weight: float) -> None:
        """Solves to come that are not submitted yet (negative: fewer than said)."""
        self.budget.expect(weight)

    def announce(self, plans: int) -> None:
        """Plans to come, for the progress lines' "done of total"."""
        if self.progress:
            self.progress.announce(plans)

    def submit(self, variant: Variant, start: Plan | None = None, start_name: str = "",
               mode: str = FULL, radius: int = DEFAULT_RADIUS, weight: float = 1.0,
               expected: bool = False, lane: Callable[[], float] | None = None,
               hint: Plan | None = None) -> Waiting:
        """Queue the solve (`expected`: its weight was given to `expect` already; `lane`: the
        weight still to start in its lane when it starts, see TimeBudget.start); the returned
        function waits for it and checks the plan."""
        job = Job(next(self.keys), variant, start, start_name, mode, radius, weight, lane,
                  hint)
        if not expected:
            self.budget.expect(weight)
        if self.progress:
            self.progress.submitted()
        self.queue.append(job)
        self.dispatch()
        return Waiting(self, job)

    def dispatch(self) -> None:
        while self.queue and len(self.running) < (self.workers if self.pool else 1):
            job = self.queue.pop(0)
            job.seconds = self.budget.start(job.key, job.weight,
                                            job.lane() if job.lane else None)
            args = (job.variant.facts, job.seconds, job.start, job.mode, job.radius, job.hint)
            if self.progress:
                self.progress.solving(job.key, job_label(job))
            if self.pool:
                job.future = self.pool.submit(solve_job, *args)
                self.running.append(job)
            else:
                job.future = Future()
                job.future.set_result(solve_job(*args))
                self.finished(job)

    def finished(self, job: Job) -> None:
        self.budget.finish(job.key, took_by(job.future))
        if self.progress:
            self.progress.done(job.key)

    def step(self) -> None:
        """Wait until a running solve ends, and start the next queued ones."""
        if not self.running:
            self.dispatch()
            return
        done, _ = wait([j.future for j in self.running], return_when=FIRST_COMPLETED)
        for finished in [j for j in self.running if j.future in done]:
            self.running.remove(finished)
            self.finished(finished)
        self.dispatch()

    def first_done(self, waiting: list[Waiting]) -> int:
        """The index of a submitted solve (its waiting function) that has ended."""
        jobs = [w.job for w in waiting]
        while not any(j.future is not None and j.future.done() for j in jobs):
            self.step()
        return next(i for i, j in enumerate(jobs) if j.future is not None and j.future.done())

    def result(self, job: Job) -> Outcome:
        while job.future is None or not job.future.done():
            self.step()
        plan, status, message, took, conflicts, relaxations = job.future.result()
        outcome = checked(job.variant, plan, status, message)
        outcome.start, outcome.seconds, outcome.took = job.start_name, job.seconds, took
        outcome.conflicts, outcome.relaxations = conflicts, relaxations
        return outcome


def job_label(job: Job) -> str:
    """The plan a job solves, as the progress lines name it."""
    if job.mode == POLISH:
        return f"{job.variant.name} (improving it)"
    if job.hint is not None:
        return f"{job.variant.name} (again, with the time left)"
    return job.variant.name


class Progress:
    """The progress lines of a pool: every PROGRESS_SECONDS, from a thread of its own (a solve
    on the main process blocks it), the plans solving, done of total, and the time left."""

    def __init__(self, budget: TimeBudget, log: Callable[[str], None]):
        self.budget, self.log = budget, log
        self.lock = threading.Lock()
        self.announced = self.submitted_count = self.done_count = 0
        self.now: dict[int, str] = {}   # key -> label of the plans solving
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="what-if progress", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def announce(self, plans: int) -> None:
        with self.lock:
            self.announced += plans

    def submitted(self) -> None:
        with self.lock:
            self.submitted_count += 1

    def solving(self, key: int, label: str) -> None:
        with self.lock:
            self.now[key] = label

    def done(self, key: int) -> None:
        with self.lock:
            self.now.pop(key, None)
            self.done_count += 1

    def line(self) -> str:
        with self.lock:
            total = max(self.announced, self.submitted_count)
            return progress_line(self.done_count, total, [self.now[k] for k in sorted(self.now)],
                                 self.budget.seconds - self.budget.used(), self.budget.seconds)

    def run(self) -> None:
        while not self.stopped.wait(PROGRESS_SECONDS):
            self.log(self.line())


def took_by(future: Future) -> float | None:
    """The seconds a finished solve took in its worker (None if the worker failed)."""
    return None if future.exception() is not None else future.result()[3]


def checked(variant: Variant, plan: Plan | None, status: str, message: str) -> Outcome:
    if plan is not None:
        broken = check_plan(variant.facts, plan.cohort_of, plan.upgrades)
        if broken:
            raise InternalPlanError(f"internal error: the plan for '{variant.name}' breaks rules "
                                    "the model should enforce: " + "; ".join(map(str, broken)))
    return Outcome(variant, plan, status, message)


# Below this many seconds left, a second try cannot prove what the first did not.
SECOND_TRY_SECONDS = 2.0
SECOND_TRY = "; solved again from its own plan with the time left"


def try_again(pool: SolvePool, tries: list[tuple[Outcome, Plan]]) -> list[Outcome]:
    """The plans not proven best, solved again with the budget's time left once every other
    solve is done: each (outcome, the plan its solve started from) from its own plan, ties
    still broken toward the same start plan. A plan cut short at its share while the budget
    ended unused is the waste this takes back (sample sweep: need_weight 0.7 stopped at
    13.9 s, 12 s of the budget left; docs/benchmarks.md). The better plan is kept."""
    outcomes = [outcome for outcome, _ in tries]
    if pool.budget.left() < SECOND_TRY_SECONDS:
        return outcomes
    waiting = {i: pool.submit(o.variant, start, o.start, hint=o.plan)
               for i, (o, start) in enumerate(tries)
               if o.plan is not None and o.plan.status != "optimal"}
    for i, job in waiting.items():
        first, again = outcomes[i], job()
        if again.plan is None or standing(again.plan) <= standing(first.plan):
            continue
        again.start = first.start + SECOND_TRY
        again.seconds, again.took = first.seconds + again.seconds, first.took + again.took
        outcomes[i] = again
    return outcomes


def standing(plan: Plan) -> tuple[float, bool, float]:
    """Plans of the same facts ranked: the higher objective, then proven, then the smaller gap."""
    return round(plan.objective, 6), plan.status == "optimal", -(plan.gap or 0.0)
