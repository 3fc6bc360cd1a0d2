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

    def __init__(self, problems: list[Problem], notes: list[str] = (), writes: bool = True):
        self.problems = list(problems)
        self.notes = list(notes)  # what was noted about the same files: it may explain them
        self.writes = writes      # the command writes files (`check` writes none)
        super().__init__(self.user_message())

    def for_a_check(self) -> "InputError":
        """The same problems, said for a command that writes nothing (`rollout check`)."""
        return InputError(self.problems, self.notes, writes=False)

    def user_message(self) -> str:
        count = len(self.problems)
        head = (f"{count} problem{'s' if count != 1 else ''} in the input"
                + ("; nothing was written." if self.writes else "."))
        lines = [head, *(f"  - {p}" for p in self.problems)]
        if self.notes:
            lines += ["Notes on the same files:", *(f"  - {n}" for n in self.notes)]
        return "\n".join(lines)


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

    def raise_if_any(self, notes: list[str] = ()) -> None:
        """Raise every problem at once, with the `notes` about the files they are in."""
        if self.items:
            raise InputError(self.items, notes_on_files(notes, {p.file for p in self.items}))


def notes_on_files(notes: list[str], files: set[str]) -> list[str]:
    """The notes that are about one of `files` (a note starts with its file's name)."""
    return [n for n in notes if any(n.startswith((f + ":", f + ",")) for f in files)]


# ----- notes: warnings that did not stop the run, listed by what needs a person's eyes first --

# Kinds of note in the order the dashboard's Data issues sheet and the terminal list them
# (#24 item 11): what a person must check first, then the rest, then which file was read how.
NO_ANSWERS, TOO_FEW_ANSWERS, NAME_MATCHED = ("No survey answers yet", "Too few answers",
                                             "School name matched")
RENAMED, CLOSED, NEW_SCHOOL, DUPLICATE, LEFT_OUT = ("Renamed", "Closed", "New school",
                                                    "Duplicate", "Left out")
OTHER_NOTE, FILE_READ = "Note", "File read"
NOTE_KINDS = (NO_ANSWERS, TOO_FEW_ANSWERS, NAME_MATCHED, RENAMED, CLOSED, NEW_SCHOOL, DUPLICATE,
              LEFT_OUT, OTHER_NOTE, FILE_READ)


class Note(str):
    """A note's text with its kind (one of NOTE_KINDS). It is a str so that every list of notes
    stays a list of sentences; a plain str counts as OTHER_NOTE."""

    kind: str

    def __new__(cls, text: str, kind: str = OTHER_NOTE) -> "Note":
        note = super().__new__(cls, text)
        note.kind = kind
        return note

    def __reduce__(self):  # read in worker processes: the kind crosses with the text
        return Note, (str(self), self.kind)


def note_kind(note: str) -> str:
    return getattr(note, "kind", OTHER_NOTE)


def by_attention(notes: list[str]) -> list[str]:
    """Notes by kind (NOTE_KINDS order), each kind's notes in the order they were made."""
    return sorted(notes, key=lambda note: NOTE_KINDS.index(note_kind(note)))
