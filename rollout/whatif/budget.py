"""One time budget for all the solves of a command, shared as they start.

A solve is given its share when it starts, not when it is queued: the budget's seconds still
free (on every worker, less what the running solves may still take) divided by the weight of
the solves still to come, its own included. A solve that is proven early leaves its time to
the others, so a small district finishes fast and a large one gets what it needs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

# At least this long for any solve: building the model and a first plan need it.
MIN_SOLVE_SECONDS = 0.5
# Seconds of solving a plan of a district needs, per school (660 schools: a plan proven best in
# about 20 s on a 2-core machine; docs/benchmarks.md), within these bounds. The floor is for
# small districts' hardest plans (sample, need_weight 0.7-0.9: 9-13 s to prove, two solves at
# a time); it costs nothing where plans are proven sooner, since a proven plan leaves its time.
SECONDS_PER_SCHOOL = 1 / 25
PER_SOLVE_SECONDS = (15.0, 90.0)


def default_budget(schools: int, solves: float, workers: int) -> float:
    """Seconds for `solves` plans (weighted) of a district of `schools` on `workers` cores."""
    low, high = PER_SOLVE_SECONDS
    per_solve = min(high, max(low, schools * SECONDS_PER_SCHOOL))
    return round(per_solve * solves / max(1, workers), 1)


# Share of the budget kept for what is not solving: starting the worker processes, checking
# every plan, the move reasons and summaries (660 schools: the solves ended 5-9 % past a
# budget that gave them all of it; docs/benchmarks.md).
RESERVE_SHARE = 0.08


@dataclass
class TimeBudget:
    """`seconds` of wall time from `begun` for every solve, on `workers` cores; `cap` bounds
    any one solve (--time-limit)."""

    seconds: float
    workers: int = 1
    cap: float | None = None
    begun: float = field(default_factory=time.monotonic)
    expected: float = 0.0          # weight of the solves still to start
    running: dict = field(default_factory=dict)  # key -> (started, limit)
    reserve: float = RESERVE_SHARE                # of `seconds`, not given to solves
    overrun: float = 0.0  # the most seconds a finished solve took past its limit

    def expect(self, weight: float) -> None:
        """Solves to come (a negative weight: fewer than expected)."""
        self.expected = max(0.0, self.expected + weight)

    def left(self) -> float:
        """Seconds still to give to solves."""
        return max(0.0, self.begun + self.seconds * (1 - self.reserve) - time.monotonic())

    def start(self, key, weight: float = 1.0, lane: float | None = None) -> float:
        """The time limit of a solve starting now (its weight counts as expected until now).
        `lane`: the solve is one of a sequence that runs on one worker whatever the others do
        (a sweep's chain), of this total weight still to start, its own included: it gets its
        share of the time left on that worker."""
        now = time.monotonic()
        left = self.left()
        if lane is not None:
            share = left * weight / max(weight, lane)
        else:
            promised = sum(max(0.0, started + limit + self.overrun - now)
                           for started, limit in self.running.values())
            free = max(0.0, left * self.workers - promised)
            share = free * weight / max(weight, self.expected)
        self.expected = max(0.0, self.expected - weight)
        # A solve takes longer than its limit by what follows its search (checks, the tie
        # step's fixed cost): 1,800 schools, about 3.5 s past a limit of 1 s.
        limit = min(share, left, self.cap if self.cap else share) - self.overrun
        limit = max(MIN_SOLVE_SECONDS, limit)
        self.running[key] = (now, limit)
        return limit

    def finish(self, key, took: float | None = None) -> None:
        """A solve ended; `took`: the seconds it took, to learn how far solves overrun."""
        _, limit = self.running.pop(key, (None, None))
        if took is not None and limit is not None:
            self.overrun = max(self.overrun, took - limit)

    def used(self) -> float:
        return time.monotonic() - self.begun
