"""The planning studio's board, computed from a plan that may break limits (a planner's manual
move): each cohort with its schools, each term's coaching and hub-link loads against what is
available, and what moving one school would break and change, in plain sentences.

The loads and what breaks come from the independent checker (`checking.check`): a manual move
is judged by the same arithmetic as `rollout check`.
"""
from __future__ import annotations

from dataclasses import dataclass

from rollout.checking.check import Usage, check_plan, compute_usage, move_violations
from rollout.planning.facts import PlanningFacts

# A limit counts as binding (marked on the board) when the plan uses this share of it or more:
# one more school of usual size would not fit. A display choice, not a planning rule.
BINDING_SHARE = 0.97


@dataclass(frozen=True)
class BoardSchool:
    school_id: str
    name: str
    level: str
    region: str
    readiness: float
    need: float
    status: str
    students: int
    cohort: int
    pinned: bool
    kept_out_of: tuple[int, ...] = ()


@dataclass(frozen=True)
class Load:
    """A limit in one term: what the plan uses of what is available."""

    what: str
    used: float
    available: float
    unit: str

    @property
    def share(self) -> float:
        return self.used / self.available if self.available else (1.0 if self.used else 0.0)

    @property
    def over(self) -> bool:
        return self.used > self.available + 1e-6

    @property
    def binding(self) -> bool:
        return self.share >= BINDING_SHARE

    def cell_text(self) -> str:
        """Used of available, in a table whose row names the limit and column the term."""
        fmt = "{:,.1f}" if self.unit == "FTE" else "{:,.0f}"
        return f"{fmt.format(self.used)} of {fmt.format(self.available)}"

    def excess(self) -> str:
        fmt = "{:,.1f}" if self.unit == "FTE" else "{:,.0f}"
        return fmt.format(self.used - self.available)

    def text(self) -> str:
        fmt = "{:,.1f}" if self.unit == "FTE" else "{:,.0f}"
        used, available = fmt.format(self.used), fmt.format(self.available)
        words = f"{self.what}: {used} of {available} {self.unit}"
        if self.over:
            return f"{words}: over by {fmt.format(self.used - self.available)}"
        return words + (": full" if self.binding else "")


@dataclass(frozen=True)
class BoardTerm:
    label: str
    coaching: Load
    links: tuple[Load, ...]
    history: bool


@dataclass(frozen=True)
class BoardCohort:
    number: int
    name: str
    launch_term: str
    launched: bool
    schools: tuple[BoardSchool, ...]


@dataclass(frozen=True)
class MoveCheck:
    """Moving one school to one cohort: whether every rule still holds, what breaks (plain
    sentences from the checker) and what changes for the school's students."""

    school_id: str
    cohort: int
    cohort_name: str
    valid: bool
    breaks: tuple[str, ...]
    changes: tuple[str, ...]
    current: bool = False


@dataclass(frozen=True)
class Board:
    cohorts: tuple[BoardCohort, ...]
    terms: tuple[BoardTerm, ...]
    problems: tuple[str, ...]  # every rule the board's plan breaks now

    def school(self, school_id: str) -> BoardSchool | None:
        return next((s for c in self.cohorts for s in c.schools if s.school_id == school_id),
                    None)


def hub_links(facts: PlanningFacts) -> list[str]:
    """The network's own links (not a school's own link), in the Network sheet's order."""
    return [link for link in facts.district.links if link not in facts.district.school_by_id]


def board_view(facts: PlanningFacts, cohort_of: dict[str, int], upgrades: dict[str, int],
               pinned: dict[str, int] | None = None,
               kept_out: dict[str, tuple[int, ...]] | None = None,
               usage: Usage | None = None) -> Board:
    pinned, kept_out = pinned or {}, kept_out or {}
    usage = usage or compute_usage(facts, cohort_of, upgrades)
    by_cohort: dict[int, list[BoardSchool]] = {c.number: [] for c in facts.cohorts}
    for school in sorted(facts.schools, key=lambda s: (s.school_name, s.school_id)):
        sid, cohort = school.school_id, cohort_of[school.school_id]
        by_cohort[cohort].append(BoardSchool(
            sid, school.school_name, school.level, school.region,
            round(facts.readiness[sid], 1), round(facts.need[sid], 1),
            facts.launch_status(sid, cohort), school.students, cohort, sid in pinned,
            tuple(kept_out.get(sid, ()))))
    cohorts = tuple(BoardCohort(c.number, c.name, facts.term_label(c.launch_term_index),
                                facts.has_launched(c.number), tuple(by_cohort[c.number]))
                    for c in facts.cohorts)
    links = hub_links(facts)
    terms = tuple(BoardTerm(
        term.label, Load("Coaching", usage.coaching[term.index], term.coaches_fte, "FTE"),
        tuple(Load(link, usage.link_load[link][term.index],
                   usage.capacity[link][term.index], "Mbps") for link in links),
        facts.is_history(term.index))
        for term in facts.district.terms)
    problems = tuple(sentence(v.message) for v in check_plan(facts, cohort_of, upgrades))
    return Board(cohorts, terms, problems)


def check_move(facts: PlanningFacts, cohort_of: dict[str, int], upgrades: dict[str, int],
               school_id: str, cohort: int, usage: Usage | None = None) -> MoveCheck:
    """What moving `school_id` to `cohort` breaks (only what the move itself breaks: a rule the
    plan already broke is not the move's doing) and what it changes for its students."""
    usage = usage or compute_usage(facts, cohort_of, upgrades)
    now = cohort_of[school_id]
    target = facts.cohort(cohort)
    if cohort == now:
        return MoveCheck(school_id, cohort, target.name, True, (), (), current=True)
    broken = move_violations(facts, cohort_of, upgrades, usage, school_id, cohort)
    breaks = tuple(dict.fromkeys(sentence(v.message) for v in broken))
    return MoveCheck(school_id, cohort, target.name, not breaks, breaks,
                     move_changes(facts, school_id, now, cohort))


def where_else(facts: PlanningFacts, cohort_of: dict[str, int], upgrades: dict[str, int],
               school_id: str) -> list[MoveCheck]:
    """Every cohort for one school: allowed, or what breaks; the one it is in comes first."""
    usage = compute_usage(facts, cohort_of, upgrades)
    checks = [check_move(facts, cohort_of, upgrades, school_id, c.number, usage)
              for c in facts.cohorts]
    return sorted(checks, key=lambda m: (not m.current, not m.valid, m.cohort))


def move_changes(facts: PlanningFacts, school_id: str, now: int, cohort: int) -> tuple[str, ...]:
    school = facts.district.school_by_id[school_id]
    before, after = facts.launch_term_of(now), facts.launch_term_of(cohort)
    if before == after:
        return ()
    terms = abs(after - before)
    when = f"{terms} term{'s' if terms != 1 else ''} {'later' if after > before else 'earlier'}"
    return (f"its {school.students:,} students start blended learning in "
            f"{facts.term_label(after)} instead of {facts.term_label(before)} ({when})",
            f"a school of priority {facts.priorities[school_id]:.1f} starts {when}")


def sentence(message: str) -> str:
    """A checker message as a sentence: capital first letter, full stop."""
    text = message.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."
