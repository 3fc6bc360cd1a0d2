"""The planning studio's board, computed from a plan that may break limits (a planner's manual
move): each cohort with its schools, each term's coaching and hub-link loads against what is
available, and what moving one school would break and change, in plain sentences.

The loads and what breaks come from the independent checker (`checking.check`): a manual move
is judged by the same arithmetic as `rollout check`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rollout.checking.check import (
    Usage,
    Violation,
    check_plan,
    compute_usage,
    move_eases,
    move_violations,
)
from rollout.domain import LAUNCHED, PAUSED, WITHDRAWN
from rollout.planning.facts import PlanningFacts

# A limit counts as binding (marked on the board) when the plan uses this share of it or more:
# one more school of usual size would not fit. A display choice, not a planning rule.
BINDING_SHARE = 0.97
DECIMALS = 1  # readiness, need and coaching FTE: one decimal everywhere (as the dashboard)


def one_decimal(value: float) -> str:
    """Readiness, need or FTE as every page of the studio shows it (the dashboard's 0.0)."""
    return f"{value:,.{DECIMALS}f}"


def over_by(excess: float, unit: str) -> str:
    """By how much a limit is over, rounded as the board shows its unit (FTE one decimal,
    Mbps whole): never "over by 0.0" for an excess that rounds away."""
    if unit == "FTE":
        shown = one_decimal(excess)
        return shown if shown.strip("0.,") else "less than 0.1"
    shown = f"{excess:,.0f}"
    return shown if shown.strip("0,") else f"less than 1 {unit}"


def over_by_in(excess: float, unit: str) -> str:
    """`over_by` with its unit after a figure ("1.2 FTE", "215 Mbps"; "less than ..." as it is)."""
    amount = over_by(excess, unit)
    return amount if amount.startswith("less") else f"{amount} {unit}"


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
    stays: Stays | None = None  # why it cannot move (launched, withdrawn ...), None when free


@dataclass(frozen=True)
class Stays:
    """Why a school keeps its group whatever the plan: `kind` is "cohort" (its group has
    launched), "launched" (it launched on its own, early or late), "paused" or "withdrawn";
    `group` the group it keeps and `term` when it launched (launched kinds only)."""

    kind: str
    group: str
    term: str = ""


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

    def number(self, value: float) -> str:
        return one_decimal(value) if self.unit == "FTE" else f"{value:,.0f}"

    def cell_text(self) -> str:
        """Used of available, in a table whose row names the limit and column the term."""
        return f"{self.number(self.used)} of {self.number(self.available)}"

    def excess(self) -> str:
        return over_by(self.used - self.available, self.unit)

    def text(self) -> str:
        words = f"{self.what}: {self.cell_text()} {self.unit}"
        if self.over:
            return f"{words}: over by {self.excess()}"
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

    @property
    def withdrawn(self) -> int:
        """Withdrawn schools stay on the board in their group but take no place in it."""
        return sum(s.status == WITHDRAWN for s in self.schools)

    @property
    def taking_part(self) -> int:
        """The group's schools as `rollout plan` and the what-if count them."""
        return len(self.schools) - self.withdrawn

    @property
    def paused(self) -> int:
        return sum(s.status == PAUSED for s in self.schools)


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
    launched_in: str = ""   # the cohort has launched (in this term): no school can join it
    details: tuple[str, ...] = ()  # figures behind the changes, explained
    eases: tuple[str, ...] = ()    # rules the board breaks now that the move mends or eases

    @property
    def open(self) -> bool:
        """A move the board offers: not where it is, not into a group that has launched."""
        return not self.current and not self.launched_in


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
            tuple(kept_out.get(sid, ())), why_it_stays(facts, cohort_of, sid)))
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
    problems = tuple(for_people(facts, v) for v in check_plan(facts, cohort_of, upgrades))
    return Board(cohorts, terms, problems)


def can_move(facts: PlanningFacts, cohort_of: dict[str, int], school_id: str) -> bool:
    """A school in a cohort that has launched has launched with it, and a school whose cohort
    a re-plan keeps (launched early or late, paused, withdrawn) keeps it: either stays."""
    return why_it_stays(facts, cohort_of, school_id) is None


def why_it_stays(facts: PlanningFacts, cohort_of: dict[str, int], school_id: str
                 ) -> Stays | None:
    """Why the school cannot move (judged per school, as the checker's "Launched schools
    stay" rule), or None when the plan may move it."""
    cohort = cohort_of[school_id]
    kept = facts.kept_cohort(school_id)
    if kept is None and not facts.has_launched(cohort):
        return None
    group = facts.cohort(kept if kept is not None else cohort)
    record = facts.district.launch_by_school.get(school_id)
    if record is not None and record.status in (PAUSED, WITHDRAWN):
        return Stays(record.status, group.name)
    if record is not None and record.status == LAUNCHED and record.term_index is not None:
        return Stays(LAUNCHED, group.name, facts.term_label(record.term_index))
    return Stays("cohort", group.name, facts.term_label(group.launch_term_index))


def check_move(facts: PlanningFacts, cohort_of: dict[str, int], upgrades: dict[str, int],
               school_id: str, cohort: int, usage: Usage | None = None) -> MoveCheck:
    """What moving `school_id` to `cohort` breaks (only what the move itself breaks or breaks
    further: a rule the plan already broke is not the move's doing unless the move makes it
    worse) and what it changes for its students. A cohort that has launched takes no one."""
    usage = usage or compute_usage(facts, cohort_of, upgrades)
    now = cohort_of[school_id]
    target = facts.cohort(cohort)
    if cohort == now:
        return MoveCheck(school_id, cohort, target.name, True, (), (), current=True)
    if facts.has_launched(cohort):
        return MoveCheck(school_id, cohort, target.name, False, (), (),
                         launched_in=facts.term_label(target.launch_term_index))
    broken = move_violations(facts, cohort_of, upgrades, usage, school_id, cohort)
    breaks = tuple(dict.fromkeys(for_people(facts, v) for v in broken))
    changes, details = move_changes(facts, cohort_of, school_id, now, cohort)
    eased = move_eases(facts, cohort_of, upgrades, usage, school_id, cohort)
    return MoveCheck(school_id, cohort, target.name, not breaks, breaks, changes,
                     details=details, eases=tuple(eased_text(facts, v, still)
                                                  for v, still in eased))


def where_else(facts: PlanningFacts, cohort_of: dict[str, int], upgrades: dict[str, int],
               school_id: str) -> list[MoveCheck]:
    """Every cohort for one school, in order: where it is, allowed, or what breaks.
    A school that stays (`why_it_stays`) has no other place to weigh: only where it is."""
    if not can_move(facts, cohort_of, school_id):
        return [check_move(facts, cohort_of, upgrades, school_id, cohort_of[school_id])]
    usage = compute_usage(facts, cohort_of, upgrades)
    checks = [check_move(facts, cohort_of, upgrades, school_id, c.number, usage)
              for c in facts.cohorts]
    return sorted(checks, key=lambda m: m.cohort)  # in the groups' order, as people list them


def move_changes(facts: PlanningFacts, cohort_of: dict[str, int], school_id: str, now: int,
                 cohort: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the move changes for the school's students, in words, and (details) the figure
    behind the order of the schools, explained."""
    school = facts.district.school_by_id[school_id]
    before, after = facts.launch_term_of(now), facts.launch_term_of(cohort)
    if before == after:
        return (), ()
    terms = abs(after - before)
    span = f"{terms} term{'s' if terms != 1 else ''}"
    later = after > before
    priorities = facts.priorities
    own = priorities[school_id]
    # The schools it lets pass (later) or overtakes (earlier) in the district's order of
    # need and readiness: a plain account of what the priority figure means here.
    if later:
        passed = sum(priorities[sid] < own for sid, c in cohort_of.items() if sid != school_id
                     and before <= facts.launch_term_of(c) < after)
        order = (f"{passed} school{'s' if passed != 1 else ''} that come{'s' if passed == 1 else ''}"
                 f" after it in the order of need and readiness would start before it"
                 if passed else "no school that comes after it in the order of need and "
                 "readiness would start before it")
    else:
        passed = sum(priorities[sid] > own for sid, c in cohort_of.items() if sid != school_id
                     and after < facts.launch_term_of(c) <= before)
        order = (f"{passed} school{'s' if passed != 1 else ''} that come{'s' if passed == 1 else ''}"
                 f" before it in the order of need and readiness would start after it"
                 if passed else "no school that comes before it in the order of need and "
                 "readiness would start after it")
    rank = 1 + sum(p > own for p in priorities.values())
    changes = (f"its {school.students:,} students start blended learning {span} "
               f"{'later' if later else 'earlier'}: in {facts.term_label(after)} instead of "
               f"{facts.term_label(before)}", order)
    details = (f"It comes {ordinal(rank)} of {len(priorities)} in the order of need and "
               "readiness.",)
    return tuple(sentence(c) for c in changes), details


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def for_people(facts: PlanningFacts, violation: Violation) -> str:
    """A checker's finding as a sentence for a planner: schools by name (never a code mixed
    with names), coaching with one decimal as on the board; the checker's own message, with
    its codes and figures, stays what `rollout check` prints."""
    district = facts.district
    if violation.rule == "Coaching capacity" and violation.subject:
        term = district.terms[violation.subject[0]]
        need = term.coaches_fte + violation.excess
        return sentence(f"coaching in {term.label} would need {one_decimal(need)} FTE of "
                        f"{one_decimal(term.coaches_fte)} available: over by "
                        f"{over_by(violation.excess, 'FTE')}")
    text = violation.message
    for link in violation.subject[:1] if violation.rule == "Link capacity" else ():
        if link in district.school_by_id:
            text = text.replace(f"link {district.link_label(link)}",
                                f"the own link of {district.school_by_id[link].school_name}")
        if violation.excess:  # said as coaching is: by how much
            text += f": over by {over_by_in(violation.excess, 'Mbps')}"
    return sentence(with_names(facts, text, violation.schools))


def eased_text(facts: PlanningFacts, violation: Violation, still: float) -> str:
    """A rule the board breaks now, and what the move leaves of it, in the rule's own words:
    short of a minimum, below a gate, over a maximum or a limit."""
    now = for_people(facts, violation).rstrip(".")
    if still <= 0:
        return f"{now}; the move mends it."
    return f"{now}; after the move it is {still_broken(violation, still)}."


def still_broken(violation: Violation, still: float) -> str:
    """What is left of a broken rule after a move that eases it (`still`: its excess)."""
    bound = violation.subject[-1] if violation.subject else ""
    if violation.rule == "Cohort size":
        n = round(still)
        schools = f"{n} school{'s' if n != 1 else ''}"
        return (f"still {schools} short of the minimum" if bound == "min"
                else f"still {schools} over the maximum")
    if violation.rule == "Readiness gate":
        return f"still {one_decimal(still)} below the readiness gate"
    if violation.rule in ("Coaching capacity", "Link capacity"):
        unit = "FTE" if violation.rule == "Coaching capacity" else "Mbps"
        return f"over by {over_by_in(still, unit)}"
    return "still broken, by less"


def with_names(facts: PlanningFacts, text: str, school_ids) -> str:
    """The school codes of a checker's message replaced by the schools' names."""
    by_id = facts.district.school_by_id
    for sid in sorted({s for s in school_ids if s in by_id}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(sid)}(?![\w-])", by_id[sid].school_name, text)
    return text


def sentence(message: str) -> str:
    """A checker message as a sentence: capital first letter, full stop."""
    text = message.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."
