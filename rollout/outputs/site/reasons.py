"""Why a school moved, in words fit for the public.

changes.csv's `reason` is written for central office: it names coaching FTE, Mbps, readiness
points and the school's own preference. The site never shows it: each change is read into a
few public reason codes here (the raw text is dropped at once), and the pages word each code
from the catalogs. A school's wish is never published: a move it asked for reads as a change
of the plan as a whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rollout.csvfiles import read_csv
from rollout.errors import Problems
from rollout.outputs.site.i18n import N_
from rollout.safe import restore_id, restore_text

# changes.csv `change` -> the code the site uses
CHANGE_KINDS = {"new school": "new", "moved earlier": "earlier", "moved later": "later",
                "re-planned": "replanned", "delayed": "delayed", "paused": "paused",
                "withdrawn": "withdrawn", "launched early": "launched_early",
                "launched late": "launched_late", "closed": "closed"}
CHANGE_TEXT = {
    "new": N_("New to the plan this year."),
    "earlier": N_("Moved to an earlier cohort."),
    "later": N_("Moved to a later cohort."),
    "replanned": N_("Its earlier cohort is no longer in the plan, so it was placed again."),
    "delayed": N_("Its launch was delayed, so it was given a new launch term."),
    "paused": N_("The school's roll-out is paused for now."),
    "withdrawn": N_("The school has left the roll-out."),
    "launched_early": N_("Launched earlier than its cohort."),
    "launched_late": N_("Launched later than its cohort."),
    "closed": N_("The school closed: it is no longer in the plan."),
}
# What in the central-office reason (the checker's words, rollout/checking/check.py) points to
# which public reason. The order is the order reasons are shown in.
REASON_CLUES = [
    ("decision", ("central-office decision",)),  # replan.DECISION_REASON: a scenario adopted
    ("coaching", ("coaching in ", "more coaches in ")),
    ("network", (" would carry ",)),
    ("size", ("schools, below the minimum", "schools, above the maximum")),
    ("readiness", ("below the gate", "below the floor")),
    ("feeder", ("feeder pattern would spread",)),
    ("scores", ("new scores",)),
    ("better", ("clearly better with the move",)),
]
REASON_TEXT = {
    "decision": N_("Moved by a district decision."),
    "coaching": N_("Staying would have needed more coaches than the district has in a term."),
    "network": N_("Staying would have needed more network capacity than will be ready in "
                  "time."),
    "size": N_("Staying would have made a cohort larger or smaller than planned."),
    "readiness": N_("The school needs more time to get ready before it launches."),
    "feeder": N_("The move keeps the school close to the other schools of its feeder "
                 "pattern."),
    "scores": N_("Its new survey results changed its place in the plan."),
    "better": N_("The move makes the plan better for the district as a whole."),
    "whole": N_("The plan changed as a whole."),
    "delayed": N_("A launch that did not happen as planned: planned again for a later term."),
}


@dataclass(frozen=True)
class Move:
    """One school's change in one season's plan, in public terms only."""

    season: str
    school_id: str
    change: str                 # a key of CHANGE_TEXT
    old_launch_term: str
    new_launch_term: str
    reasons: tuple[str, ...]    # keys of REASON_TEXT
    name: str = ""              # the school's name (a closed school has no page to take it from)

    def as_json(self) -> dict:
        return {"season": self.season, "school_id": self.school_id, "change": self.change,
                "old_launch_term": self.old_launch_term,
                "new_launch_term": self.new_launch_term, "reasons": list(self.reasons),
                "name": self.name}

    @classmethod
    def from_json(cls, data: dict) -> Move:
        reasons = tuple(r for r in data.get("reasons", []) if r in REASON_TEXT)
        change = data.get("change")
        return cls(str(data["season"]), str(data["school_id"]),
                   change if change in CHANGE_TEXT else "replanned",
                   str(data.get("old_launch_term", "")), str(data.get("new_launch_term", "")),
                   reasons, str(data.get("name", "")))


def public_reasons(change: str, reason: str) -> tuple[str, ...]:
    """The public reason codes of one change (none for a new, re-planned, paused or withdrawn
    school; a delayed one's is its delay)."""
    if change == "delayed":
        return ("delayed",)
    if change not in ("earlier", "later"):
        return ()
    text = reason.lower()
    found = tuple(code for code, clues in REASON_CLUES if any(c in text for c in clues))
    if "decision" in found:  # the district decided it: the decision is the whole reason
        return ("decision",)
    return found or ("whole",)


def read_moves(path: Path, season: str, problems: Problems) -> list[Move]:
    """The moves of changes.csv (absent: none), reasons made public."""
    if not path.exists():
        return []
    moves = []
    rows = read_csv(path, ["school_id", "change"], problems, None) or []
    for row in rows:
        change = CHANGE_KINDS.get(restore_text(row.get("change")))
        if change is None:
            continue
        moves.append(Move(season, restore_id(row["school_id"]), change,
                          restore_text(row.get("old_launch_term")),
                          restore_text(row.get("new_launch_term")),
                          public_reasons(change, row.get("reason") or ""),
                          restore_text(row.get("school_name"))))
    return moves
