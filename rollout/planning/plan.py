"""The solution: which cohort each school is in, and how the solver got there."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

# Below this gap (a share of the objective) no digit is worth showing: "under 0.0001%".
SMALLEST_GAP_SHOWN = 1e-6


@dataclass
class Plan:
    cohort_of: dict[str, int]  # school_id -> 1-based cohort number
    upgrades: dict[str, int] = field(default_factory=dict)  # chosen upgrade -> completion term
    status: str = "given"      # optimal | feasible | given (read back from plan.csv)
    objective: float | None = None
    bound: float | None = None
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))

    def plain_status(self) -> str:
        """Whether the plan is the best possible, in words for people (no solver terms)."""
        if self.status == "optimal":
            return "the best possible plan (proven)"
        if self.status == "feasible":
            return (f"a good plan, not proven best (within {gap_percent(self.gap)} of the best; "
                    "a longer --time-limit may help)")
        return self.status

    def status_text(self) -> str:
        """The solver's status with its gap (Details, About, --details)."""
        if self.status == "optimal":
            return "optimal (proven best plan)"
        if self.status == "feasible":
            return (f"feasible, not proven best (gap {gap_percent(self.gap)}; a longer "
                    "--time-limit may help)")
        return self.status


def gap_percent(gap: float | None, proven: bool = False) -> str:
    """A gap (a share of the objective) as a percentage with the digits it needs: at least two
    decimals, more until its first digit shows (0.005%, 0.00012% -> 0.0001%), so that a plan
    not proven best never reads "0.00%"; below SMALLEST_GAP_SHOWN, "under 0.0001%" ("0%" only
    for a plan proven best)."""
    if gap is None or not math.isfinite(gap):
        return "unknown"
    if proven and gap <= 0:
        return "0%"
    if gap < SMALLEST_GAP_SHOWN:
        return f"under {SMALLEST_GAP_SHOWN:.4%}"
    percent = gap * 100
    decimals = max(2, -math.floor(math.log10(percent)))
    return f"{percent:.{decimals}f}%"
