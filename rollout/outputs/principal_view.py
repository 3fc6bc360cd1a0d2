"""What a principal workbook shows, computed from `Results`: one `PrincipalView` per school.

A workbook is written from its `PrincipalView` alone (in a pool of processes for large
districts, so the records are plain picklable data): the school's own figures and district or
cohort aggregates, so no exporter can leak another school's data.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from rollout.domain import DELAYED, PAUSED, WITHDRAWN
from rollout.intake.rubric import Item
from rollout.outputs.results import (
    MIN_SCHOOLS_FOR_MEDIAN,
    NO_ANSWERS_YET,
    Results,
    phase_name,
    planned_too_late,
)
from rollout.planning.facts import PlanningFacts

STRENGTHS_AND_GAPS = 3  # items shown each way on the principal's first page
PHASE_TEXT = {
    "Early planning": "The school's team starts planning with its coach.",
    "Planning": "Leaders and teacher champions plan with a coach: choose the blended model, "
                "schedule training, and finish upgrades so the network and devices are ready.",
    "Launch": "Blended classes start. Coaching is at its fullest.",
    "Support": "Coaching continues at a lower level while practice settles.",
}
PAUSED_PHASE = "Paused: no coaching while the school's roll-out is paused."
SCORE_LABELS = [("infrastructure", "Infrastructure"), ("technology", "Technology"),
                ("instructional", "Instructional"), ("readiness", "Readiness"),
                ("need", "Need")]


@dataclass(frozen=True)
class Phase:
    phase: str          # Early planning, Planning, Launch or Support
    term: str
    what: str
    coaching_share: float
    coaching_fte: float  # this school's coaching FTE in that term


@dataclass(frozen=True)
class ItemLevel:
    domain: str
    item: str           # "INF1: Wireless access points ..."
    level: float        # pooled mean level on the rubric scale
    reached: str        # "Developing: Most rooms are covered ..."
    next: str           # the next level's descriptor, or a note that the top was reached


@dataclass(frozen=True)
class LocalAnswer:
    """A school's answer to a question its district added to the rubric without a score."""

    question: str        # "LOCAL1: Would your school like to host visits ..."
    asked_of: str        # "Principal" or "Principal, teacher"
    level: float | None  # pooled level on the rubric scale; None: nobody at the school answered
    answer: str          # that level's descriptor, or the two it lies between


@dataclass(frozen=True)
class ScoreLine:
    label: str
    school: float | None
    district_median: float | None
    cohort_median: float | None


@dataclass(frozen=True)
class PrincipalView:
    """All one principal workbook shows: one school and aggregates, nothing else."""

    district: str
    prepared: str
    school_id: str
    school_name: str
    level: str
    students: int
    teachers: int
    respondents: int
    cohort_number: int
    cohort_name: str
    cohort_size: int
    launch_term: str
    phases: tuple[Phase, ...]
    scores: tuple[ScoreLine, ...]
    median_note: str
    strengths: tuple[ItemLevel, ...]
    gaps: tuple[ItemLevel, ...]
    items: tuple[ItemLevel, ...]
    actions: tuple[str, ...]
    reason: str
    preference: str
    honoured: bool | None  # None: the school expressed no preference
    notes: tuple[str, ...]  # coverage and principal/teacher differences worth a conversation
    workbook: str           # file name inside schools/
    status: str = ""        # where its launch stands, in plain words (never the private note)
    withdrawn: bool = False  # left the roll-out: no phases, nothing to prepare
    trend: tuple[tuple[str, float | None, str], ...] = ()  # (season, readiness, cohort name)
    local_answers: tuple[LocalAnswer, ...] = ()  # the district's own questions, never scored
    moved: str = ""  # its move since last year's plan, with the reason; empty if it stayed
    target_level: float = 0.0  # the level the district asks for: a strength is at or above it


def principal_views(results: Results) -> list[PrincipalView]:
    """Every school's view, in school_id order."""
    views = PrincipalViews(results)
    return [views.of(r["school_id"]) for r in results.rows]


def principal_view(results: Results, school_id: str) -> PrincipalView:
    return PrincipalViews(results).of(school_id)


class PrincipalViews:
    """Makes each school's `PrincipalView`. The tables the views share (item levels, local
    answers, medians) are computed once for all schools, when first needed."""

    def __init__(self, results: Results):
        self.results = results

    def of(self, school_id: str) -> PrincipalView:
        results, facts = self.results, self.results.facts
        row = results.row(school_id)
        school = facts.district.school_by_id[school_id]
        cohort = facts.cohort(row["cohort"])
        scores, median_note = self.score_lines(row, cohort.number)
        items = self.item_levels[school_id]
        strengths, gaps = strengths_and_gaps(items)
        pref = row["preferred_cohort"]
        return PrincipalView(
            district=facts.district.name, prepared=results.prepared, school_id=school_id,
            school_name=row["school_name"], level=row["level"], students=row["students"],
            teachers=row["teachers"], respondents=row["respondents"],
            cohort_number=cohort.number, cohort_name=cohort.name,
            cohort_size=self.cohort_sizes[cohort.number],
            launch_term=launch_term_text(facts, school_id, cohort.number),
            phases=phases(facts, school, cohort.number),
            scores=scores, median_note=median_note, strengths=strengths, gaps=gaps,
            items=tuple(items), actions=tuple(actions_before_launch(results, school_id)),
            reason=row["reasons"], preference=preference_text(facts, pref, cohort.number),
            honoured=None if pref is None else pref == cohort.number,
            notes=tuple(principal_notes(row, role_gap_private(results, school_id))),
            workbook=results.workbook_names[school_id],
            trend=trend(results, school_id),
            local_answers=tuple(self.local_answers[school_id]),
            status=status_text(facts, school_id, cohort.number),
            moved=moved_text(results, school_id),
            withdrawn=facts.has_withdrawn(school_id), target_level=self.target_level)

    @cached_property
    def target_level(self) -> float:
        """The level the district asks for (devices.infrastructure_level, on the rubric's
        scale): an item below it is no strength, however high among the school's items."""
        rubric = self.results.inputs.rubric
        target = self.results.facts.settings.devices.infrastructure_level
        return float(min(max(target, rubric.low), rubric.high))

    def score_lines(self, row: dict, cohort: int) -> tuple[tuple[ScoreLine, ...], str]:
        """The school's scores beside the district and cohort medians, and a note when a
        median is hidden because it covers too few schools."""
        district_ok = len(self.results.rows) >= MIN_SCHOOLS_FOR_MEDIAN
        cohort_ok = self.cohort_sizes[cohort] >= MIN_SCHOOLS_FOR_MEDIAN
        scores = tuple(ScoreLine(
            label, row[key], self.district_medians[key] if district_ok else None,
            self.cohort_medians[cohort][key] if cohort_ok else None)
            for key, label in SCORE_LABELS)
        hidden = [what for what, ok in (("district", district_ok), ("cohort", cohort_ok))
                  if not ok]
        note = (f"The {' and '.join(hidden)} median is not shown: it would cover fewer "
                f"than {MIN_SCHOOLS_FOR_MEDIAN} schools." if hidden else "")
        return scores, note

    @cached_property
    def cohort_sizes(self) -> Counter:
        return Counter(r["cohort"] for r in self.results.rows)

    @cached_property
    def district_medians(self) -> dict[str, float | None]:
        return self.results.medians()

    @cached_property
    def cohort_medians(self) -> dict[int, dict[str, float | None]]:
        results = self.results
        return {c.number: results.medians(results.cohort_rows(c.number))
                for c in results.facts.cohorts}

    @cached_property
    def item_levels(self) -> dict[str, list[ItemLevel]]:
        """school_id -> pooled level of each scored rubric item, with descriptors."""
        rubric = self.results.inputs.rubric
        table = self.results.inputs.scores.item_levels
        scored = [(d, item) for d, item in rubric.items(scored_only=True)
                  if item.id in table.columns]
        # One dict per column: far quicker than a table lookup per school and item.
        columns = {item.id: table[item.id].to_dict() for _, item in scored}
        out = {}
        for r in self.results.rows:
            sid = r["school_id"]
            levels = [(domain, item, columns[item.id].get(sid)) for domain, item in scored]
            out[sid] = [item_level(rubric, domain, item, level) for domain, item, level in levels
                        if level is not None and level == level]  # NaN: not answered
        return out

    @cached_property
    def local_answers(self) -> dict[str, list[LocalAnswer]]:
        """school_id -> the school's pooled answer to each local (unscored) rubric question."""
        rubric = self.results.inputs.rubric
        table = self.results.inputs.scores.local_items(rubric)
        by_id = rubric.item_by_id()
        items = [by_id[item_id] for item_id in table.columns]
        out = {}
        for r in self.results.rows:
            levels = table.loc[r["school_id"]]
            out[r["school_id"]] = [local_answer(item, levels[item.id]) for item in items]
        return out


def item_level(rubric, domain: str, item: Item, level: float) -> ItemLevel:
    """A pooled level with the descriptor of the level reached and of the next one."""
    reached = max(rubric.low, min(rubric.high, math.floor(level + 1e-9)))
    nxt = (f"{rubric.level_label(reached + 1)}: {item.levels[reached + 1]}"
           if reached < rubric.high else "Top level reached")
    return ItemLevel(domain.title(), f"{item.id}: {item.text}", round(float(level), 1),
                     f"{rubric.level_label(reached)}: {item.levels[reached]}", nxt)


def strength_label(item: ItemLevel, target_level: float) -> str:
    """'Strength' only at or above the level the district asks for; a highest item below it
    is said as what it is."""
    return "Strength" if item.level >= target_level - 1e-9 else "Closest to target"


def strengths_and_gaps(items: list[ItemLevel]
                       ) -> tuple[tuple[ItemLevel, ...], tuple[ItemLevel, ...]]:
    """The highest and lowest items; an item is never shown as both (few items)."""
    by_level = sorted(items, key=lambda x: (-x.level, x.item))
    strengths = tuple(by_level[:STRENGTHS_AND_GAPS])
    gaps = tuple(x for x in sorted(items, key=lambda x: (x.level, x.item))
                 [:STRENGTHS_AND_GAPS] if x not in strengths)
    return strengths, gaps


def trend(results: Results, school_id: str) -> tuple[tuple[str, float | None, str], ...]:
    """This school's readiness and cohort in every season of the history."""
    names = {c.number: c.name for c in results.facts.cohorts}
    out = []
    for row in results.history:
        if row["school_id"] == school_id:
            ready = float(row["readiness"]) if row["readiness"] not in ("", None) else None
            out.append((row["season"], ready,
                        names.get(int(row["cohort"]), str(row["cohort"]))))
    return tuple(out)


MOVES = ("moved earlier", "moved later")  # changes.csv's words for a move (a delay is a status)


def moved_text(results: Results, school_id: str) -> str:
    """'Moved from Group 3 (launch 2029 Spring) to Group 5 (launch 2030 Spring): <reason>'
    for a school whose cohort changed since last year's plan; empty otherwise."""
    change = next((c for c in results.changes
                   if c["school_id"] == school_id and c["change"] in MOVES), None)
    if change is None:
        return ""
    facts = results.facts
    by_term = {facts.term_label(c.launch_term_index): c.name for c in facts.cohorts}
    old = by_term.get(change["old_launch_term"], f"cohort {change['old_cohort']}")
    new = facts.cohort(change["new_cohort"]).name
    reason = change["reason"]
    return (f"Moved from {old} (launch {change['old_launch_term']}) to {new} (launch "
            f"{change['new_launch_term']}): {reason[0].lower()}{reason[1:]}")


def status_text(facts: PlanningFacts, school_id: str, cohort: int) -> str:
    """The school's own launch status in plain words; empty while it is simply planned."""
    status, launched = facts.launch_status(school_id, cohort), facts.launched_in(school_id, cohort)
    held = facts.held_since(school_id)
    # A hold from a term still to come starts "from" it; one from a past term holds "since".
    since = "" if held is None else \
        f"{'since' if facts.is_history(held) else 'from'} {facts.term_label(held)}"
    if status == DELAYED:
        told = facts.previous.get(school_id)
        missed = (f"its launch with {facts.cohort(told).name} in "
                  f"{facts.term_label(facts.launch_term_of(told))} did not happen"
                  if told is not None else "the launch did not happen as planned")
        return (f"Delayed: {missed}; now planned with {facts.cohort(cohort).name} in "
                f"{facts.term_label(facts.launch_term_of(cohort))}.")
    if status == PAUSED:
        before = f"Launched in {facts.term_label(launched)}; paused" if launched is not None \
            else "Paused"
        return f"{before} {since}: no coaching while paused."
    if status == WITHDRAWN:
        return f"Withdrawn from the rollout {since}."
    if launched is None:
        return ""
    planned = facts.launch_term_of(cohort)
    timing = "" if launched == planned else \
        f", {'earlier' if launched < planned else 'later'} than its group"
    return f"Launched in {facts.term_label(launched)}{timing}."


def launch_term_text(facts: PlanningFacts, school_id: str, cohort: int) -> str:
    """The term it launches (or really launched) in; a withdrawn school launches in none."""
    if facts.has_withdrawn(school_id):
        return "none (withdrawn)"
    return facts.term_label(facts.school_launch_term(school_id, cohort))


def phases(facts: PlanningFacts, school, cohort: int) -> tuple[Phase, ...]:
    """The school's phases with their terms, also those before or after the plan's terms,
    from the term it really launched (Launches sheet) and without coaching while it holds;
    none for a withdrawn school."""
    if facts.has_withdrawn(school.school_id):
        return ()
    launch = facts.school_launch_term(school.school_id, cohort)
    out = []
    last = facts.term_count - 1
    for offset, portion in sorted(facts.settings.coaching.load_profile.items()):
        term = launch + offset
        if portion <= 0:
            continue
        if term < 0:  # the plan's terms start later: name the phase relative to them
            label = f"{-term} term{'s' if term < -1 else ''} before {facts.term_label(0)}"
        elif term > last:
            label = (f"{term - last} term{'s' if term - last > 1 else ''} after "
                     f"{facts.term_label(last)}")
        else:
            label = facts.term_label(term)
        name = phase_name(offset)
        if offset < 0 and planned_too_late(facts, school.school_id, cohort, term):
            out.append(Phase(name, f"{facts.term_label(launch)}, with the launch",
                             compressed_text(facts, term, name), 0.0, 0.0))
            continue
        if facts.on_hold(school.school_id, term):  # a pause holds this phase: no coaching
            out.append(Phase(name, label, PAUSED_PHASE, 0.0, 0.0))
            continue
        out.append(Phase(name, label, PHASE_TEXT[name], portion,
                         round(facts.school_coaching_fte(school, term, cohort), 2)))
    return tuple(out)


def compressed_text(facts: PlanningFacts, term: int, name: str) -> str:
    return (f"Your school joined this group after {facts.term_label(term)}, so its "
            f"{name.lower()} is compressed into the launch term. "
            + PHASE_TEXT[name])


NOTHING_TO_DO = ("Nothing your school needs to do on its network link, devices or building "
                 "before launch.")
NOTHING_ON_LINK_OR_DEVICES = ("Nothing your school needs to do on its network link or devices "
                              "before launch.")
NOT_YET_CHECKED = ("Your school's building infrastructure (the survey's infrastructure items, "
                   "such as wireless coverage and power for charging) can be checked once its "
                   "survey is answered.")
NOTHING_LEFT = "Your school has launched: nothing is left to prepare for the launch."


def actions_before_launch(results: Results, school_id: str) -> list[str]:
    """What the school or its principal can act on before launch (its own link, a link
    nearly full, devices and technology staff, the rubric's infrastructure gaps), or that
    nothing is needed when that is true; then one line for the district's network work on
    the school's path to the internet. A school that has launched (by its cohort or the
    Launches sheet, paused ones too) has no launch left to prepare: it is told so, and only
    whether its link is nearly full."""
    facts = results.facts
    if facts.has_withdrawn(school_id):
        return []  # no launch to prepare for
    school = facts.district.school_by_id[school_id]
    cohort = results.row(school_id)["cohort"]
    launched = facts.launched_in(school_id, cohort)
    if launched is not None:
        return [NOTHING_LEFT] + busy_link_actions(results, school_id, launched)
    launch = facts.launch_term_of(cohort)
    actions = (own_link_actions(results, school_id, launch) + device_actions(facts, school)
               + infrastructure_gap_actions(results, school_id))
    if results.row(school_id)["survey_answers"] == NO_ANSWERS_YET:
        # Its building's items are not scored: "nothing to do" would be untrue (#26).
        nothing = [] if actions else [NOTHING_ON_LINK_OR_DEVICES]
        return actions + nothing + [NOT_YET_CHECKED] + district_network_line(
            results, school_id, launch)
    return (actions or [NOTHING_TO_DO]) + district_network_line(results, school_id, launch)


def own_link_actions(results: Results, school_id: str, launch: int) -> list[str]:
    """Rises of the school's own link due by its launch (to confirm), bandwidth it still
    lacks at launch, and the busiest term from launch on when the link is nearly full."""
    facts, usage = results.facts, results.usage
    actions = []
    for change in results.network_changes:
        if change.link == school_id and facts.current_term <= change.complete_term_index <= launch:
            origin = f"{change.source}, chosen by this plan" if change.chosen \
                else "already committed"
            actions.append(f"Your school's own link is {change.verb} from {change.from_mbps:,.0f} "
                           f"to {change.to_mbps:,.0f} Mbps in {change.complete_term} ({origin})"
                           + ("; confirm with the network team that it is done before launch."
                              if change.rises else "."))
    need = facts.bandwidth_mbps(facts.district.school_by_id[school_id], launched=True)
    have = usage.capacity[school_id][launch] if launch < facts.term_count else None
    if have is not None and need > have + 1e-6:
        actions.append(f"Your school's link needs {need:,.0f} Mbps at launch; it has "
                       f"{have:,.0f} Mbps.")
        return actions
    return actions + busy_link_actions(results, school_id, launch)


def busy_link_actions(results: Results, school_id: str, launch: int) -> list[str]:
    """The school's own link nearly full (above devices.busy_link_share) from its launch on:
    from the first term it is, up to its busiest term."""
    facts, usage = results.facts, results.usage
    busy = facts.settings.devices.busy_link_share
    load, capacity = usage.link_load[school_id], usage.capacity[school_id]
    shares = {t: load[t] / capacity[t] for t in range(max(launch, 0), facts.term_count)
              if capacity[t] > 0}
    over = [t for t, share in shares.items() if share > busy]
    if not over:
        return []
    first, last = over[0], over[-1]
    peak = max(over, key=lambda t: (shares[t], -t))
    share = shares[peak]
    shown = f"{share:.0%}" if round(share * 100) > busy * 100 else f"{share:.1%}"
    span = (f"from {facts.term_label(first)} on" if last == facts.term_count - 1
            else f"from {facts.term_label(first)} to {facts.term_label(last)}")
    verb = "is" if facts.is_history(first) else "will be"
    return [f"Your school's link {verb} more than {busy:.0%} used {span}, up to {shown} "
            f"({load[peak]:,.0f} of {capacity[peak]:,.0f} Mbps), with "
            "little room for a busy day: ask the network team whether it can be raised, and "
            "schedule device updates and large downloads outside class time."]


def infrastructure_gap_actions(results: Results, school_id: str) -> list[str]:
    """Each infrastructure item of the rubric where the school is below the level the
    district asks for before launch (settings: devices.infrastructure_level)."""
    rubric = results.inputs.rubric
    table = results.inputs.scores.item_levels
    target = min(max(results.facts.settings.devices.infrastructure_level, rubric.low),
                 rubric.high)
    actions = []
    for domain, item in rubric.items(scored_only=True):
        if domain != "infrastructure" or item.id not in table.columns:
            continue
        level = table.at[school_id, item.id]
        if level == level and level < target - 1e-9:  # NaN: nobody answered it
            actions.append(f"{item.text} ({item.id}): your school is at {level:.1f}; before "
                           f"launch reach {rubric.level_label(target)}: "
                           f"{item.levels[target]}.")
    return actions


def district_network_line(results: Results, school_id: str, launch: int) -> list[str]:
    """One line for the district's network work between the school and the internet (its
    own link aside) still to come by its launch: the network team's work, not the school's."""
    facts = results.facts
    path = facts.district.path_to_internet(school_id)
    changes = [c for c in results.network_changes
               if c.link != school_id and c.link in path and c.rises
               and facts.current_term <= c.complete_term_index <= launch]
    if not changes:
        return []
    links = list(dict.fromkeys(c.link for c in sorted(changes, key=lambda c: path.index(c.link))))
    last = max(changes, key=lambda c: c.complete_term_index).complete_term
    steps = f"{len(changes)} rises in capacity" if len(changes) > 1 else "a rise in capacity"
    return [f"District network work on your school's path to the internet: {steps} on "
            f"{and_list(links)}, the last in {last}. This is the network team's to do; nothing "
            "for your school to do."]


def and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def device_actions(facts: PlanningFacts, school) -> list[str]:
    """Devices to reach the level's students-per-device ratio, and technology staff enough
    for the school's devices."""
    devices = facts.settings.devices
    ratio = devices.students_per_device.get(school.level, 1.0)
    actions = []
    short = math.ceil(school.students / ratio) - school.devices
    if short > 0:
        target = "one device per student" if ratio == 1 else f"{ratio:g} students per device"
        noun = "device" if short == 1 else "devices"
        actions.append(f"{short:,} more {noun} to reach {target} (you have "
                       f"{school.devices:,} for {school.students:,} students).")
    if school.tech_staff is not None:
        staff = math.ceil(max(school.devices, school.students / ratio)
                          / devices.devices_per_tech_staff * 2) / 2
        if staff > school.tech_staff + 1e-9:
            actions.append(f"Technology support: {staff:g} specialist FTE for your devices "
                           f"(1 per {devices.devices_per_tech_staff:g} devices); you "
                           f"have {school.tech_staff:g}.")
    return actions


def preference_text(facts: PlanningFacts, preferred: int | None, cohort: int) -> str:
    if preferred is None:
        # Without a preference process (an empty Preferences sheet) there was nothing to ask.
        return ("Your school did not ask for a particular cohort."
                if facts.district.preferences else "")
    chosen = facts.cohort(preferred).name
    if preferred == cohort:
        return f"Your school asked for {chosen}: honoured."
    return (f"Your school asked for {chosen}; the district's limits did not allow it this "
            "time (see why above).")


def local_answer(item: Item, level: float) -> LocalAnswer:
    """The pooled level in words: its descriptor when everyone who answered agreed, else the
    two descriptors it lies between (several respondents, or roles, answered differently)."""
    question = f"{item.id}: {item.text}"
    asked_of = ", ".join(item.roles).capitalize()
    if level != level:  # NaN: nobody at the school answered
        return LocalAnswer(question, asked_of, None, "No answer from your school")
    below, above = math.floor(level + 1e-9), math.ceil(level - 1e-9)
    answer = (item.levels[below] if below >= above else
              f"Between '{item.levels[below]}' and '{item.levels[above]}' (answers differ)")
    return LocalAnswer(question, asked_of, round(float(level), 1), answer)


def role_gap_private(results: Results, school_id: str,
                     roles: tuple[str, ...] = ("principal", "teacher")) -> bool:
    """Whether comparing the roles would tell the principal what too few people answered
    (rubric: role_gap_min_respondents): a role the principal does not answer alone needs at
    least that many respondents besides the principal's own answers."""
    minimum = results.inputs.rubric.role_gap_min_respondents
    table = results.inputs.scores.table
    counts = {role: int(table.at[school_id, f"respondents_{role}"])
              if f"respondents_{role}" in table.columns else 0 for role in roles}
    principal = counts.pop("principal", 1)
    return (principal != 1 and principal - 1 < minimum) or \
        any(count < minimum for count in counts.values())


def principal_notes(row: dict, role_gap_private: bool = False) -> list[str]:
    notes = []
    if row["survey_answers"] == NO_ANSWERS_YET:
        notes.append("Your school has not sent survey answers yet, so it was planned on its "
                     "need alone and as not yet ready. Its place will be reviewed when it "
                     "answers: please ask your staff to fill in the survey.")
    elif row["assessable"] == "no":
        notes.append(f"Survey answers covered {row['coverage']:.0%} of the rubric, too few to "
                     "score the school; it was planned as not yet ready. Ask more staff to "
                     "respond next spring.")
    if row["role_gap"] and not role_gap_private:
        gap = row["role_gap"]
        notes.append(f"{gap[0].upper()}{gap[1:]}: worth a conversation with your staff.")
    return notes
