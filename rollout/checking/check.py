"""Independent plan checker: recomputes every hard rule from the plan alone, without the solver.

Tests trust this module, not the model. It imports no planning module: every quantity comes
from `arithmetic.py`, written from the district records. It also measures usage (coaching per
term, load per link and term) for the workbooks and for testing single moves in the
explanations.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rollout.checking.arithmetic import (
    PlanRecords,
    cohort_has_launched,
    cohort_named,
    cohort_to_keep,
    feeder_groups,
    link_capacities,
    link_capacity,
    nothing_launches_in,
    school_bandwidth,
    school_coaching,
    takes_a_place,
    term_has_passed,
)
from rollout.domain import ON_HOLD
from rollout.intake.decisions import BY_THE_DISTRICT

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    schools: tuple[str, ...] = ()
    # What the rule is about (a term's coaching, a link in a term, a cohort's size, a school's
    # decision; empty: the message itself) and by how much it is broken: a move is judged
    # against the plan as it is by these, never by the wording.
    subject: tuple = ()
    excess: float = 0.0

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"

    @property
    def key(self) -> tuple:
        return (self.rule,) + (self.subject or (self.message,))


@dataclass
class Usage:
    """What a plan uses: schools per cohort, coaching FTE per term, Mbps per link and term,
    and each link's capacity per term after the chosen upgrades."""

    cohort_counts: Counter
    coaching: list[float]
    link_load: dict[str, list[float]] = field(default_factory=dict)
    capacity: dict[str, list[float]] = field(default_factory=dict)


def compute_usage(records: PlanRecords, cohort_of: dict[str, int],
                  upgrades: dict[str, int] | None = None) -> Usage:
    district = records.district
    terms = range(len(district.terms))
    coaching = [0.0 for _ in terms]
    load = {link: [0.0 for _ in terms] for link in district.links}
    for school in district.schools:
        cohort = cohort_of.get(school.school_id)
        if cohort is None or not 1 <= cohort <= len(records.cohorts):
            continue
        path = district.path_to_internet(school.school_id)
        for t in terms:
            coaching[t] += school_coaching(records, school, t, cohort)
            mbps = school_bandwidth(records, school, t, cohort)
            for link in path:
                load[link][t] += mbps
    capacity = link_capacities(records, upgrades or {})
    places = Counter(cohort for sid, cohort in cohort_of.items() if takes_a_place(records, sid))
    return Usage(places, coaching, load, capacity)


@dataclass
class PlanUnderCheck:
    records: PlanRecords
    cohort_of: dict[str, int]
    upgrades: dict[str, int]
    usage: Usage
    links: list[str] | None = None     # limit link checks to these (single-move tests)
    schools: list[str] | None = None   # limit per-school checks to these

    def school_ids(self) -> list[str]:
        return sorted(self.schools if self.schools is not None else self.cohort_of)


def every_school_in_one_cohort(p: PlanUnderCheck) -> list[Violation]:
    known = {s.school_id for s in p.records.district.schools}
    out = [Violation("One cohort per school", f"{sid} has no cohort", (sid,))
           for sid in sorted(known - set(p.cohort_of))]
    out += [Violation("One cohort per school", f"{sid} is not a school of the district", (sid,))
            for sid in sorted(set(p.cohort_of) - known)]
    out += [Violation("One cohort per school", f"{sid} is in cohort {c}, which does not exist",
                      (sid,)) for sid, c in sorted(p.cohort_of.items())
            if not 1 <= c <= len(p.records.cohorts)]
    return out


def cohort_sizes(p: PlanUnderCheck) -> list[Violation]:
    """Each cohort still to come holds between cohort_size.min and .max schools; a withdrawn
    school takes no place, a paused one keeps its place (usage.cohort_counts)."""
    size = p.records.settings.cohort_size
    out = []
    for cohort in p.records.cohorts:
        if cohort_has_launched(p.records, cohort.number):
            continue  # its size is history: a delay can leave it short
        n = p.usage.cohort_counts.get(cohort.number, 0)
        if n > size.max:
            out.append(Violation("Cohort size", f"{cohort.name} would have {n} schools, above the "
                                 f"maximum of {size.max}", (), (cohort.number, "max"),
                                 n - size.max))
        if n < size.min and not nothing_launches_in(p.records, cohort.number):
            out.append(Violation("Cohort size", f"{cohort.name} would have {n} schools, below the "
                                 f"minimum of {size.min}", (), (cohort.number, "min"),
                                 size.min - n))
    return out


def coaching_within_staff(p: PlanUnderCheck) -> list[Violation]:
    out = []
    for term in p.records.district.terms:
        need = p.usage.coaching[term.index]
        if need > term.coaches_fte + TOLERANCE and not term_has_passed(p.records, term.index):
            out.append(Violation("Coaching capacity", f"coaching in {term.label} would need "
                                 f"{need:.2f} FTE of {term.coaches_fte:g} available", (),
                                 (term.index,), need - term.coaches_fte))
    return out


def links_within_capacity(p: PlanUnderCheck) -> list[Violation]:
    district = p.records.district
    out = []
    for link in p.links or district.links:
        for term in district.terms:
            load = p.usage.link_load[link][term.index]
            capacity = p.usage.capacity[link][term.index]
            if load > capacity + TOLERANCE and not term_has_passed(p.records, term.index):
                out.append(Violation("Link capacity", f"link {district.link_label(link)} in "
                                     f"{term.label} would carry {load:,.0f} Mbps of "
                                     f"{capacity:,.0f}{pending_upgrade(p, link, term.index)}",
                                     tuple(district.schools_behind[link]), (link, term.index),
                                     load - capacity))
    return out


def pending_upgrade(p: PlanUnderCheck, link: str, term: int) -> str:
    """Name the chosen upgrade that raises this link later, if any."""
    later = [(t, u) for u, t in p.upgrades.items()
             if p.records.district.upgrade_by_id[u].link == link and t > term]
    if not later:
        return ""
    t, u = min(later)
    return f" (needs upgrade {u} first, due {p.records.district.terms[t].label})"


def launched_stay_launched(p: PlanUnderCheck) -> list[Violation]:
    """A school whose cohort launched keeps it (unless the Launches sheet says it was delayed;
    one recorded as launched, paused or withdrawn keeps its cohort too); a launched cohort
    takes no newcomers."""
    out, records = [], p.records
    for sid in p.school_ids():
        cohort, kept = p.cohort_of.get(sid), cohort_to_keep(records, sid)
        if cohort is None or not 1 <= cohort <= len(records.cohorts):
            continue
        if kept is not None and cohort != kept:
            record = records.district.launch_by_school.get(sid)
            held = f"is {record.status} and keeps" if record and record.status in ON_HOLD \
                else "launched with"
            out.append(Violation("Launched schools stay", f"{sid} {held} "
                                 f"{cohort_named(records, kept).name} and cannot move", (sid,),
                                 (sid,)))
        elif kept is None and cohort_has_launched(records, cohort):
            out.append(Violation("Launched schools stay", f"{cohort_named(records, cohort).name} "
                                 f"has already launched; {sid} cannot join it", (sid,), (sid,)))
    return out


def already_launched(p: PlanUnderCheck, sid: str) -> bool:
    return cohort_to_keep(p.records, sid) is not None


def readiness_gates_met(p: PlanUnderCheck) -> list[Violation]:
    out = []
    for sid in p.school_ids():
        cohort = p.cohort_of.get(sid)
        if cohort is None or not 1 <= cohort <= len(p.records.cohorts) or already_launched(p, sid):
            continue
        gate = p.records.settings.gate_for(cohort)
        if p.records.readiness[sid] < gate - TOLERANCE:
            out.append(Violation("Readiness gate", f"{sid} has readiness "
                                 f"{p.records.readiness[sid]:.1f}, below the gate of {gate:g} for "
                                 f"{cohort_named(p.records, cohort).name}", (sid,), (sid,),
                                 gate - p.records.readiness[sid]))
    return out


def readiness_floor_met(p: PlanUnderCheck) -> list[Violation]:
    floor = p.records.settings.readiness_floor
    if floor is None:
        return []
    return [Violation("Readiness floor", f"{sid} has readiness {p.records.readiness[sid]:.1f}, "
                      f"below the floor of {floor.below:g}, so it launches no earlier than "
                      f"{cohort_named(p.records, floor.earliest_cohort).name}", (sid,), (sid,))
            for sid in p.school_ids() if p.records.readiness[sid] < floor.below - TOLERANCE
            and p.cohort_of.get(sid, floor.earliest_cohort) < floor.earliest_cohort
            and not already_launched(p, sid)]


def locked_preferences_held(p: PlanUnderCheck) -> list[Violation]:
    """A locked school is in the cohort it chose, unless the district placed it (a pin)."""
    scope = set(p.school_ids())
    return [Violation("Locked preference", f"{pref.school_id} is locked to "
                      f"{cohort_named(p.records, pref.preferred_cohort).name}", (pref.school_id,),
                      (pref.school_id,))
            for pref in p.records.district.preferences if pref.school_id in scope
            and pref.locked and p.cohort_of.get(pref.school_id) != pref.preferred_cohort
            and not already_launched(p, pref.school_id)
            and not any(pin.school_id == pref.school_id for pin in p.records.decisions.pins)]


def feeder_patterns_together(p: PlanUnderCheck) -> list[Violation]:
    cohesion = p.records.settings.feeder_cohesion
    if not cohesion.hard:
        return []
    out = []
    for feeder, ids in feeder_groups(p.records).items():
        if p.schools is not None and not set(ids) & set(p.schools):
            continue
        cohorts = [p.cohort_of[s] for s in ids if s in p.cohort_of]
        if cohorts and max(cohorts) - min(cohorts) > cohesion.max_spread:
            out.append(Violation("Feeder cohesion", f"the {feeder} feeder pattern would spread "
                                 f"over {max(cohorts) - min(cohorts) + 1} cohorts (at most "
                                 f"{cohesion.max_spread + 1} allowed)", tuple(ids), (feeder,),
                                 max(cohorts) - min(cohorts) - cohesion.max_spread))
    return out


def district_decisions_held(p: PlanUnderCheck) -> list[Violation]:
    """The district's decisions: a pinned school is in its cohort, a kept-out school in none
    of those cohorts, and nothing launches in a closed term; a school that keeps its cohort
    (launched, paused, withdrawn) keeps it whatever was decided."""
    decisions, out = p.records.decisions, []
    scope = set(p.school_ids())
    free = {sid for sid in scope if cohort_to_keep(p.records, sid) is None}
    for pin in decisions.pins:
        cohort = p.cohort_of.get(pin.school_id)
        if pin.school_id in free and cohort is not None and cohort != pin.cohort:
            out.append(Violation("District decision", f"{pin.school_id} must be in "
                                 f"{cohort_named(p.records, pin.cohort).name} by "
                                 f"{who(pin.by)}{why(pin.by)}",
                                 (pin.school_id,), ("pin", pin.school_id)))
    for keep_out in decisions.keep_outs:
        cohort = p.cohort_of.get(keep_out.school_id)
        if keep_out.school_id in free and cohort in keep_out.cohorts:
            out.append(Violation("District decision", f"{keep_out.school_id} must stay out "
                                 f"of {cohort_named(p.records, cohort).name} by "
                                 f"{who(keep_out.by)}{why(keep_out.by)}",
                                 (keep_out.school_id,), ("keep out", keep_out.school_id)))
    for sid in sorted(free):
        cohort = p.cohort_of.get(sid)
        if cohort is not None and 1 <= cohort <= len(p.records.cohorts) \
                and nothing_launches_in(p.records, cohort):
            term = p.records.district.terms[cohort_named(p.records, cohort).launch_term_index]
            by = next(n.by for n in decisions.no_launch
                      if n.term_index == term.index)
            out.append(Violation("District decision", f"{sid} would launch in {term.label}, "
                                 f"when nothing launches by {by}", (sid,), ("no launch", sid)))
    return out


def who(by: str) -> str:
    """Who decided: "a district decision" (its reason follows, `why`) or "the scenario '...'"."""
    return BY_THE_DISTRICT if by.startswith(BY_THE_DISTRICT + ": ") else by


def why(by: str) -> str:
    """The reason typed with a district decision, in brackets; "" for a scenario's."""
    return f" ({by[len(BY_THE_DISTRICT) + 2:]})" if by.startswith(BY_THE_DISTRICT + ": ") else ""


def upgrades_feasible(p: PlanUnderCheck) -> list[Violation]:
    """Known upgrades, lead times, one per link, crews per term and the budget."""
    district, out = p.records.district, []
    for u, term in sorted(p.upgrades.items()):
        upgrade = district.upgrade_by_id.get(u)
        if upgrade is None:
            out.append(Violation("Upgrades", f"upgrade {u} is not in the Upgrades sheet"))
        elif not upgrade.lead_terms <= term < len(p.records.district.terms):
            out.append(Violation("Upgrades", f"upgrade {u} completes in term {term + 1}, before "
                                 f"its lead time of {upgrade.lead_terms} term(s)"))
        elif term_has_passed(p.records, term):
            out.append(Violation("Upgrades", f"upgrade {u} completes in "
                                 f"{p.records.district.terms[term].label}, a term that has passed"))
    known = {u: t for u, t in p.upgrades.items() if u in district.upgrade_by_id}
    per_link = Counter(district.upgrade_by_id[u].link for u in known)
    out += [Violation("Upgrades", f"{n} upgrades chosen for link {link}; they are alternatives")
            for link, n in sorted(per_link.items()) if n > 1]
    per_term = Counter(known.values())
    for term in district.terms:
        if term.upgrade_crews is not None and per_term[term.index] > term.upgrade_crews:
            out.append(Violation("Upgrades", f"{per_term[term.index]} upgrades complete in "
                                 f"{term.label}, more than its {term.upgrade_crews} crew(s)"))
    budget = p.records.settings.upgrade_budget
    spent = sum(district.upgrade_by_id[u].cost for u in known)
    if budget is not None and spent > budget + TOLERANCE:
        out.append(Violation("Upgrades", f"upgrades cost {spent:,.0f}, above the budget of "
                             f"{budget:,.0f}"))
    return out


CHECKS = [every_school_in_one_cohort, cohort_sizes, coaching_within_staff,
          links_within_capacity, launched_stay_launched, readiness_gates_met,
          readiness_floor_met, locked_preferences_held, feeder_patterns_together,
          district_decisions_held, upgrades_feasible]
MOVE_CHECKS = [cohort_sizes, coaching_within_staff, links_within_capacity,
               launched_stay_launched, readiness_gates_met, readiness_floor_met,
               locked_preferences_held, feeder_patterns_together, district_decisions_held]


def check_plan(records: PlanRecords, cohort_of: dict[str, int],
               upgrades: dict[str, int] | None = None) -> list[Violation]:
    upgrades = upgrades or {}
    plan = PlanUnderCheck(records, cohort_of, upgrades,
                          compute_usage(records, cohort_of, upgrades))
    return [v for rule in CHECKS for v in rule(plan)]


def move_violations(records: PlanRecords, cohort_of: dict[str, int], upgrades: dict[str, int],
                    usage: Usage, school_id: str, new_cohort: int) -> list[Violation]:
    """Rules a single move would break or break further, evaluated on the changed parts of the
    plan only: a rule the plan already breaks counts only when the move breaks it by more
    (judged by the rule and what it is about, e.g. one term's coaching, never by wording)."""
    before, after = move_before_after(records, cohort_of, upgrades, usage, school_id, new_cohort)
    already = {v.key: v.excess for v in before}
    return [v for v in after if v.key not in already or v.excess > already[v.key] + TOLERANCE]


def move_eases(records: PlanRecords, cohort_of: dict[str, int], upgrades: dict[str, int],
               usage: Usage, school_id: str, new_cohort: int) -> list[tuple[Violation, float]]:
    """Rules the plan breaks now that a single move would mend or break by less: each as the
    plan breaks it now, with by how much it would still be broken (0: mended)."""
    before, after = move_before_after(records, cohort_of, upgrades, usage, school_id, new_cohort)
    still = {v.key: v.excess for v in after}
    return [(v, still.get(v.key, 0.0)) for v in before
            if v.key not in still or still[v.key] < v.excess - TOLERANCE]


def move_before_after(records: PlanRecords, cohort_of: dict[str, int], upgrades: dict[str, int],
                      usage: Usage, school_id: str, new_cohort: int
                      ) -> tuple[list[Violation], list[Violation]]:
    """What the rules touched by one move find before it and after it."""
    school = records.district.school_by_id[school_id]
    old = cohort_of[school_id]
    path = records.district.path_to_internet(school_id)
    moved = dict(cohort_of)
    moved[school_id] = new_cohort
    counts = Counter(usage.cohort_counts)
    if takes_a_place(records, school_id):
        counts[old] -= 1
        counts[new_cohort] += 1
    coaching = [fte - school_coaching(records, school, t, old)
                + school_coaching(records, school, t, new_cohort)
                for t, fte in enumerate(usage.coaching)]
    load = {link: [mbps - school_bandwidth(records, school, t, old)
                   + school_bandwidth(records, school, t, new_cohort)
                   for t, mbps in enumerate(usage.link_load[link])] for link in path}
    after = Usage(counts, coaching, load, usage.capacity)
    before = PlanUnderCheck(records, cohort_of, upgrades, usage, links=path, schools=[school_id])
    trial = PlanUnderCheck(records, moved, upgrades, after, links=path, schools=[school_id])
    return ([v for rule in MOVE_CHECKS for v in rule(before)],
            [v for rule in MOVE_CHECKS for v in rule(trial)])


def upgrade_move_violations(records: PlanRecords, cohort_of: dict[str, int],
                            upgrades: dict[str, int], usage: Usage, upgrade_id: str,
                            term: int) -> list[Violation]:
    """Rules that completing one upgrade in another term would break. Only that upgrade's link
    capacity and the upgrade rules change; the schools' loads stay as `usage` has them."""
    moved = dict(upgrades, **{upgrade_id: term})
    link = records.district.upgrade_by_id[upgrade_id].link
    capacity = dict(usage.capacity)
    capacity[link] = [link_capacity(records, link, t, moved)
                      for t in range(len(records.district.terms))]
    trial = PlanUnderCheck(records, cohort_of, moved,
                           Usage(usage.cohort_counts, usage.coaching, usage.link_load, capacity),
                           links=[link], schools=[])
    return links_within_capacity(trial) + upgrades_feasible(trial)
