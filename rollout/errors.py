"""Errors a user can cause, each carrying a message written for that user.

The CLI catches `RolloutError` once and prints `Error: ...` with exit status 2; nothing else
in the library prints.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class RolloutError(Exception):
    """Base of every error the user can cause and fix."""

    exit_code = 2

    def user_message(self) -> str:
        return str(self)


class InputError(RolloutError):
    """Inputs are wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.user_message())

    def user_message(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the input; nothing was written."
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


TOGETHER = "together: "  # a relaxation that takes several changes at once


class NoPlanPossible(RolloutError):
    """The solver proved that the district's limits cannot all hold at once; the planner raises
    this, and `explain.diagnose_infeasible` turns it into an InfeasiblePlanError that says
    which limits conflict."""

    def __init__(self) -> None:
        super().__init__("No plan can meet all the limits; nothing was written.")


class InfeasiblePlanError(NoPlanPossible):
    """The district's limits cannot all hold at once: which conflict, and what would help."""

    def __init__(self, conflicts: list[str], relaxations: list[str], note: str = ""):
        self.conflicts = conflicts
        self.relaxations = relaxations
        self.note = note  # e.g. what the schools need in coaches, for scale
        RolloutError.__init__(self, self.user_message())

    def user_message(self) -> str:
        lines = ["No plan can meet all the limits; nothing was written.", "Limits in conflict:"]
        lines += [f"  - {c}" for c in self.conflicts] or ["  - (the solver could not narrow it down)"]
        together = [r for r in self.relaxations if r.startswith(TOGETHER)]
        if together:
            lines.append("These changes together would make a plan possible:")
            lines += [f"  - {r}" for r in together[0][len(TOGETHER):].split("; ")]
        elif self.relaxations:
            lines.append("Any one of these changes would make a plan possible:")
            lines += [f"  - {r}" for r in self.relaxations]
        return "\n".join(lines + ([self.note] if self.note else []))


class SolverGaveUpError(RolloutError):
    """The time limit ran out before any plan was found (not a proof of infeasibility)."""


class Problems:
    """Collects problems so that every one is reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file, message, sheet=None, row=None, column=None) -> None:
        self.items.append(Problem(str(file), message, sheet, row, column))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)
