"""The solution: which cohort each school is in, and how the solver got there."""
from __future__ import annotations

from dataclasses import dataclass, field


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

    def status_text(self) -> str:
        if self.status == "optimal":
            return "optimal (proven best plan)"
        if self.status == "feasible":
            return f"feasible, not proven best (gap {self.gap:.2%}; a longer --time-limit may help)"
        return self.status
