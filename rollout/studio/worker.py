"""One solve in a worker process: the page stays usable while it runs. Progress comes back
through a queue, Stop goes out through an event (the solve then keeps the best plan so far).

`solve_in_worker` is a top-level function whose arguments pickle, so that it also runs where
worker processes are spawned (Windows, macOS): `rollout.processes`.
"""
from __future__ import annotations

import queue as queues
import threading
import time
from dataclasses import dataclass

from rollout.errors import InfeasiblePlanError, NoPlanPossible, RolloutError
from rollout.explain import diagnose_infeasible, solve_or_diagnose
from rollout.pipeline import plan_district
from rollout.planning.facts import PlanningFacts
from rollout.planning.plan import Plan
from rollout.planning.repair import BoardPlan
from rollout.planning.solve import SolveWatch
from rollout.processes import pool_context
from rollout.whatif.compare import no_plan_message
from rollout.whatif.solving import solve_from

PROGRESS, PLAN, ERROR = "progress", "plan", "error"


class QueueWatch(SolveWatch):
    """Sends each plan found to the server; stops when the server sets the event."""

    def __init__(self, messages, stop):
        self.messages, self.stop, self.found = messages, stop, 0

    def plan_found(self, value: float, best_possible: float, seconds: float) -> None:
        self.found += 1
        self.messages.put((PROGRESS, (self.found, value, best_possible)))

    def should_stop(self) -> bool:
        return self.stop.is_set()


def solve_in_worker(facts: PlanningFacts, time_limit: float | None,
                    hint: dict[str, int] | None, board: BoardPlan | None, messages,
                    stop) -> None:
    """The plan (from `hint` when it keeps every rule), or with `board` a re-plan around the
    decisions from the board's plan (`solve_plan`'s `replan`)."""
    try:
        plan = solve_or_diagnose(facts, time_limit, hint=hint, watch=QueueWatch(messages, stop),
                                 replan=board)
        messages.put((PLAN, plan))
    except RolloutError as exc:
        messages.put((ERROR, exc.user_message()))
    except Exception as exc:  # one short message for the page, never a traceback
        messages.put((ERROR, unexpected(exc)))


def whatif_in_worker(facts: PlanningFacts, start: Plan, time_limit: float, base: PlanningFacts,
                     changes: list[str], messages, stop) -> None:
    """A what-if: the best plan with the scenario's changes, ties broken toward the board's
    plan (so that a school moves only for the scenario's sake), as `rollout compare` does.
    Stop keeps the best plan found so far, as the time running out would. With no plan
    possible, the answer is `rollout compare`'s: what conflicts, and the smallest way out."""
    try:
        messages.put((PLAN, solve_from(facts, start, time_limit,
                                       watch=QueueWatch(messages, stop))))
    except NoPlanPossible as exc:
        found = exc if isinstance(exc, InfeasiblePlanError) else \
            diagnose_infeasible(facts, time_limit)
        messages.put((ERROR, no_plan_message(base, changes, found.conflicts, found.relaxations)
                      if found.conflicts else "No plan can meet all these limits."))
    except RolloutError as exc:
        messages.put((ERROR, exc.user_message()))
    except Exception as exc:
        messages.put((ERROR, unexpected(exc)))


def save_in_worker(district_dir, out_dir, previous, rubric, messages, stop) -> None:
    """Save: the outputs of `rollout plan` (the same pipeline, so the same bytes), with the
    decisions.xlsx just written; the plan comes back for the board."""
    try:
        results, _ = plan_district(district_dir, out_dir, rubric, previous=previous)
        messages.put((PLAN, results.plan))
    except RolloutError as exc:
        messages.put((ERROR, exc.user_message()))
    except Exception as exc:
        messages.put((ERROR, unexpected(exc)))


def unexpected(exc: Exception) -> str:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"Something unexpected stopped the work: {first}"


@dataclass(frozen=True)
class Progress:
    """What the page shows while a plan is solved."""

    solving: bool
    plans_found: int
    best_value: float | None
    best_possible: float | None
    seconds_left: float
    stopping: bool = False

    @property
    def proven_share(self) -> float | None:
        """How close the best plan so far is proven to be to the best possible (1 = proven)."""
        if self.best_value is None or self.best_possible is None:
            return None
        gap = abs(self.best_possible - self.best_value) / max(1.0, abs(self.best_value))
        return max(0.0, 1.0 - gap)


class SolveJob:
    """A solve running in its own process, followed by a thread that reads its messages."""

    def __init__(self, time_limit: float, on_done, target=solve_in_worker, args: tuple = ()):
        context = pool_context()
        self.messages, self.stop_event = context.Queue(), context.Event()
        self.time_limit, self.started = time_limit, time.monotonic()
        self.found, self.value, self.possible = 0, None, None
        self.plan: Plan | None = None
        self.error: str | None = None
        self.done = threading.Event()
        self.on_done, self.stopped_by_planner = on_done, False
        # Not a daemon: Save writes the principal workbooks in a pool of its own.
        self.process = context.Process(target=target, daemon=False,
                                       args=(*args, self.messages, self.stop_event))
        self.process.start()
        threading.Thread(target=self.follow, daemon=True).start()

    def follow(self) -> None:
        while True:
            try:
                kind, body = self.messages.get(timeout=0.2)
            except queues.Empty:
                if not self.process.is_alive():
                    self.finish(None, "Stopped." if self.stopped_by_planner else
                                "The solve ended unexpectedly; please try again.")
                    return
                continue
            if kind == PROGRESS:
                self.found, self.value, self.possible = body
            else:
                self.finish(body if kind == PLAN else None, body if kind == ERROR else None)
                return

    def finish(self, plan: Plan | None, error: str | None) -> None:
        self.plan, self.error = plan, error
        self.process.join(timeout=5)
        self.on_done(self)
        self.done.set()

    def stop(self) -> None:
        self.stop_event.set()

    def kill(self) -> None:
        """At shutdown: end the worker whatever it is doing."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)

    def progress(self) -> Progress:
        left = max(0.0, self.time_limit - (time.monotonic() - self.started))
        return Progress(not self.done.is_set(), self.found, self.value, self.possible,
                        0.0 if self.done.is_set() else left, self.stop_event.is_set())
