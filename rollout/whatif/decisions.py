"""A scenario's decisions about schools: `shift`, `place`, `keep_out` and `no_launch_in`.

Read and checked against the district first (an unknown school, level, region, feeder,
cohort or term is an input error with a "did you mean"), then resolved into the district's
`Decisions` (domain.py; hard rules in planning/constraints.py, checked by the checker):
`place` pins schools, `keep_out` keeps them out of cohorts, `no_launch_in` closes terms, and
`shift` pins each chosen school N cohorts from its place in the base plan, as far as the
launched, Launches-sheet and readiness rules let it go (what cannot move is named). A
`schools:` pick by `cohort` means the base plan's cohort, so it is resolved with `shift` once
the base plan is known.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from pydantic import Field

from rollout.domain import Decisions, KeepOut, NoLaunch, Pin
from rollout.errors import Problems
from rollout.intake.settings import Strict
from rollout.planning.constraints import (
    DOMAIN_RULES,
    launched_schools_stay,
    locked_preference,
    readiness_floor,
    readiness_gates,
)
from rollout.planning.facts import PlanningFacts
from rollout.whatif.scenario_keys import checked, guess, term_guess, where

Value = str | int
OneOrMany = Value | list[Value]


class Schools(Strict):
    """Which schools: every key given must match (a value or a list of values)."""

    school_id: OneOrMany | None = None
    name: OneOrMany | None = None
    level: OneOrMany | None = None
    region: OneOrMany | None = None
    feeder: OneOrMany | None = None
    cohort: OneOrMany | None = None   # the base plan's cohort, by number or name

    def given(self) -> dict[str, list[Value]]:
        return {key: value if isinstance(value, list) else [value]
                for key, value in self.model_dump().items() if value is not None}


class Shift(Strict):
    schools: Schools
    cohorts: int  # how many cohorts later (negative: earlier)


class Place(Strict):
    schools: Schools
    cohort: Value


class KeepOutOf(Strict):
    schools: Schools
    cohorts: OneOrMany | None = None
    cohort: OneOrMany | None = None  # the same, for one cohort


class ScenarioDecisions(Strict):
    shift: list[Shift] = []
    place: list[Place] = []
    keep_out: list[KeepOutOf] = []
    no_launch_in: list[str] = Field(default=[])

    def __bool__(self) -> bool:
        return bool(self.shift or self.place or self.keep_out or self.no_launch_in)

    def needs_base_plan(self) -> bool:
        """A shift, or schools picked by their cohort in the base plan."""
        picks = [c.schools for c in [*self.place, *self.keep_out]]
        return bool(self.shift) or any(p.cohort is not None for p in picks)


DECISION_KEYS = set(ScenarioDecisions.model_fields)


@dataclass
class Resolved:
    """A scenario's decisions for the district, and what they could not do, in words."""

    decisions: Decisions
    said: list[str] = field(default_factory=list)      # what was decided, for "What changes"
    unmoved: list[str] = field(default_factory=list)   # what a shift could not move, and why
    # Decisions that leave no plan (a school left no cohort, a school placed where the rules
    # keep it out): not a slip in the file but an answer, "no plan", with what to write.
    conflicts: list[str] = field(default_factory=list)


ENTRIES = {"shift": Shift, "place": Place, "keep_out": KeepOutOf}


def read_decisions(facts: PlanningFacts, patch: dict, file: str, problems: Problems
                   ) -> ScenarioDecisions | None:
    """The decision keys of a scenario, validated and checked against the district (every
    name known), or None with problems. Each entry is read on its own: a slip in one (an
    unknown key, a wrong type) does not hide what the others name."""
    start = len(problems.items)
    raw = {k: v for k, v in patch.items() if k in DECISION_KEYS}
    if isinstance(raw.get("no_launch_in"), str):
        raw["no_launch_in"] = [raw["no_launch_in"]]
    lists = {key: value for key, value in raw.items() if isinstance(value, list)}
    checked(ScenarioDecisions, {k: v for k, v in raw.items() if k not in lists}, file, problems)
    entries: dict[str, list] = {}
    for key, model in ENTRIES.items():
        read = [(i, checked(model, entry, file, problems, (key, i)))
                for i, entry in enumerate(lists.get(key, []))]
        entries[key] = [(i, entry) for i, entry in read if entry is not None]
    terms = checked(ScenarioDecisions, {"no_launch_in": lists.get("no_launch_in", [])}, file,
                    problems)
    names = Names(facts, file, problems)
    for key in ENTRIES:
        for i, change in entries[key]:
            names.schools(f"{key}.{i}.schools", change.schools)
    for i, change in entries["shift"]:
        if change.cohorts == 0:
            problems.add(file, f"{where(('shift', i, 'cohorts'))}: 0 moves nothing (1 = a "
                         "cohort later, -1 = a cohort earlier)")
    for i, change in entries["place"]:
        number = names.cohort(f"place.{i}.cohort", change.cohort)
        if number is not None and facts.has_launched(number):
            problems.add(file, f"{where(('place', i, 'cohort'))}: "
                         f"{facts.cohort(number).name} has launched; no school can join it now")
    for i, change in entries["keep_out"]:
        cohorts = keep_out_values(change)
        if not cohorts:
            problems.add(file, f"{where(('keep_out', i))}: say which cohorts (cohorts: [2, 3])")
        for value in cohorts:
            names.cohort(f"keep_out.{i}.cohorts", value)
    for i, label in enumerate(terms.no_launch_in if terms else []):
        term = names.term(f"no_launch_in.{i}", label)
        if term is not None and facts.is_history(term):
            problems.add(file, f"{where(('no_launch_in', i))}: {label} has passed (current_term "
                         f"is {facts.term_label(facts.current_term)})")
    if len(problems.items) > start:
        return None
    return ScenarioDecisions(**{key: [e for _, e in entries[key]] for key in ENTRIES},
                             no_launch_in=terms.no_launch_in)


def keep_out_values(change: KeepOutOf) -> list[Value]:
    values = [v for v in (change.cohorts, change.cohort) if v is not None]
    return [x for v in values for x in (v if isinstance(v, list) else [v])]


class Names:
    """Every name a scenario may use, looked up with a "did you mean" when unknown."""

    def __init__(self, facts: PlanningFacts, file: str, problems: Problems):
        self.facts, self.file, self.problems = facts, file, problems
        schools = facts.schools
        self.known = {
            "school_id": sorted(s.school_id for s in schools),
            "name": sorted({s.school_name for s in schools}),
            "level": sorted({s.level for s in schools}),
            "region": sorted({s.region for s in schools}),
            "feeder": sorted({s.feeder for s in schools}),
        }

    def unknown(self, key: str, value, choices: list[str], what: str, near=None) -> None:
        near = near or guess(value, choices)
        hint = f"did you mean '{near}'?" if near else \
            f"{what} are: {', '.join(choices[:12])}{', ...' if len(choices) > 12 else ''}"
        self.problems.add(self.file, f"{where(key)}: '{value}' is not a {what[:-1]} of the "
                          f"district; {hint}")

    def match(self, path: str, key: str, value) -> None:
        """A school_id, name, level, region or feeder of the district (case aside)."""
        if not self.match_quietly(key, value):
            self.unknown(path, value, self.known[key], PLURAL[key])

    def schools(self, path: str, pick: Schools) -> None:
        given = pick.given()
        if not given:
            self.problems.add(self.file, f"{where(path)}: pick schools by at least one of "
                              "school_id, name, level, region, feeder or cohort")
        for key, values in given.items():
            for value in values:
                if key == "cohort":
                    self.cohort(f"{path}.cohort", value)
                else:
                    self.match(f"{path}.{key}", key, value)
        if given and "cohort" not in given and all(
                self.match_quietly(k, v) for k, vs in given.items() for v in vs) \
                and not pick_schools(self.facts, pick, None):
            self.problems.add(self.file, f"{where(path)}: no school is all of "
                              + ", ".join(f"{k} {'/'.join(map(str, v))}"
                                          for k, v in given.items()))

    def match_quietly(self, key: str, value) -> bool:
        return str(value).strip().lower() in {v.lower() for v in self.known[key]}

    def cohort(self, path: str, value) -> int | None:
        number = cohort_number(self.facts, value)
        if number is None:
            names = [c.name for c in self.facts.cohorts]
            if isinstance(value, int):
                self.problems.add(self.file, f"{where(path)}: there is no cohort {value} (cohorts "
                                  f"are 1 to {len(names)}: {', '.join(names)})")
            else:
                self.unknown(path, value, names, "cohorts")
        return number

    def term(self, path: str, label: str) -> int | None:
        by_lower = {t.label.lower(): t.index for t in self.facts.district.terms}
        index = by_lower.get(str(label).strip().lower())
        if index is None:
            labels = [t.label for t in self.facts.district.terms]
            self.unknown(path, label, labels, "terms", term_guess(label, labels))
        return index


PLURAL = {"school_id": "school_ids", "name": "school names", "level": "levels",
          "region": "regions", "feeder": "feeders"}


def cohort_number(facts: PlanningFacts, value) -> int | None:
    """A cohort by number (1, "2") or name ("Group 3", any case), or None."""
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= len(facts.cohorts):
        return int(text)
    by_name = {c.name.lower(): c.number for c in facts.cohorts}
    return by_name.get(text.lower())


def pick_schools(facts: PlanningFacts, pick: Schools, base: dict[str, int] | None
                 ) -> list[str]:
    """The school_ids a pick means (cohort: in the base plan), sorted."""
    given = {k: {str(v).strip().lower() for v in vs} for k, vs in pick.given().items()}
    cohorts = {cohort_number(facts, v) for v in pick.given().get("cohort", [])}

    def matches(school) -> bool:
        fields = {"school_id": school.school_id, "name": school.school_name,
                  "level": school.level, "region": school.region, "feeder": school.feeder}
        if any(fields[k].lower() not in v for k, v in given.items() if k != "cohort"):
            return False
        return "cohort" not in given or (base is not None
                                         and base.get(school.school_id) in cohorts)

    return [s.school_id for s in facts.schools if matches(s)]


def resolve(facts: PlanningFacts, spec: ScenarioDecisions, by: str,
            base: dict[str, int] | None, file: str, problems: Problems) -> Resolved:
    """The scenario's decisions for the district (`by`: who decided, in words). `base`: the
    base plan's cohorts, needed for a shift or a pick by cohort. Conflicts (a school placed
    twice, placed where it is kept out, or where its readiness or lock does not allow) are
    problems."""
    out = Resolved(Decisions())
    no_launch = tuple(NoLaunch(index, by, f"nothing launches in {facts.term_label(index)}")
                      for index in sorted({term_index(facts, t) for t in spec.no_launch_in}))
    out.said += [n.reason for n in no_launch]
    kept_out: dict[str, set[int]] = {}
    for change in spec.keep_out:
        cohorts = sorted({cohort_number(facts, v) for v in keep_out_values(change)})
        ids = pick_schools(facts, change.schools, base)
        for sid in ids:
            kept_out.setdefault(sid, set()).update(cohorts)
        out.said.append(f"{listed(ids)} kept out of " + ", ".join(
            facts.cohort(c).name for c in cohorts))
    keep_outs = tuple(KeepOut(sid, tuple(sorted(c)), by, "kept out by the scenario")
                      for sid, c in sorted(kept_out.items()))
    decided = dataclasses.replace(facts, decisions=Decisions((), keep_outs, no_launch))
    pins: dict[str, Pin] = {}
    for i, change in enumerate(spec.place):
        number = cohort_number(facts, change.cohort)
        ids = pick_schools(facts, change.schools, base)
        placed = [sid for sid in ids if keeps_its_cohort(decided, sid, out)]
        for sid in placed:
            add_pin(pins, Pin(sid, number, by, f"placed in {facts.cohort(number).name}"),
                    f"place.{i}", file, problems)
        out.said.append(f"{listed(placed)} placed in {facts.cohort(number).name}")
    for i, change in enumerate(spec.shift):
        shifted = [shift_one(decided, sid, base[sid], change.cohorts, out)
                   for sid in pick_schools(facts, change.schools, base)
                   if sid in base and keeps_its_cohort(decided, sid, out)]
        for pin in shifted:
            add_pin(pins, dataclasses.replace(pin, by=by), f"shift.{i}", file, problems)
        moved = [p.school_id for p in shifted if p.cohort != base[p.school_id]]
        out.said.append(f"{listed(moved)} {cohorts_text(change.cohorts)}")
    out.decisions = Decisions(tuple(pins[s] for s in sorted(pins)), keep_outs, no_launch)
    out.conflicts = placing_conflicts(dataclasses.replace(facts, decisions=out.decisions))
    return out


def term_index(facts: PlanningFacts, label: str) -> int:
    return next(t.index for t in facts.district.terms if t.label.lower() == label.strip().lower())


def listed(ids: list[str], most: int = 8) -> str:
    if not ids:
        return "no school"
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def cohorts_text(n: int) -> str:
    count = f"{abs(n)} cohort{'s' if abs(n) != 1 else ''}"
    return f"{count} later" if n > 0 else f"{count} earlier"


def keeps_its_cohort(facts: PlanningFacts, sid: str, out: Resolved) -> bool:
    """Whether a decision can touch the school: one that keeps its cohort (launched, paused,
    withdrawn) cannot move, and is named."""
    kept = facts.kept_cohort(sid)
    if kept is None:
        return True
    note = f"{sid} keeps {facts.cohort(kept).name} ({facts.launch_status(sid, kept)})"
    if note not in out.unmoved:
        out.unmoved.append(note)
    return False


def shift_one(facts: PlanningFacts, sid: str, base: int, n: int, out: Resolved) -> Pin:
    """The school's pin `n` cohorts from its base cohort, or as near to that as the rules
    allow (named in `out.unmoved`); a school that cannot move that way at all stays in its
    base cohort (pinned there too: the scenario moves it that way or not at all)."""
    step = 1 if n > 0 else -1
    wanted = base + n
    for cohort in range(wanted, base, -step):
        if not blocked_by(facts, sid, cohort):
            if cohort != wanted:
                out.unmoved.append(f"{sid} moves only to {facts.cohort(cohort).name} "
                                   f"({blocked_by(facts, sid, wanted)})")
            return Pin(sid, cohort, "", f"{cohorts_text(n)} (shift)")
    out.unmoved.append(f"{sid} stays in {facts.cohort(base).name}: "
                       f"{blocked_by(facts, sid, base + step)}")
    return Pin(sid, base, "", f"kept in {facts.cohort(base).name} (shift: it cannot move "
               f"{'later' if n > 0 else 'earlier'})")


def blocked_by(facts: PlanningFacts, sid: str, cohort: int) -> str:
    """Why the school cannot be in `cohort`, in words ("" when it can)."""
    if cohort < 1:
        return f"there is no cohort before {facts.cohort(1).name}"
    if cohort > len(facts.cohorts):
        return f"there is no cohort after {facts.cohorts[-1].name}"
    name = facts.cohort(cohort).name
    if not launched_schools_stay(facts, sid, cohort):
        return f"{name} has launched"
    if not readiness_gates(facts, sid, cohort):
        return (f"its readiness {facts.readiness[sid]:.1f} is below the gate of "
                f"{facts.settings.gate_for(cohort):g} for {name}")
    if not readiness_floor(facts, sid, cohort):
        return f"its readiness {facts.readiness[sid]:.1f} is below the readiness floor"
    if not locked_preference(facts, sid, cohort):
        pref = facts.district.preference_by_school[sid]
        return f"it is locked to {facts.cohort(pref.preferred_cohort).name} (Preferences sheet)"
    if cohort in facts.decisions.kept_out_of(sid):
        return f"the scenario keeps it out of {name}"
    if facts.closed_by_decision(cohort):
        return f"nothing launches in {facts.term_label(facts.launch_term_of(cohort))}"
    if not all(rule(facts, sid, cohort) for rule in DOMAIN_RULES):
        return f"the district's decisions keep it out of {name}"
    return ""


def add_pin(pins: dict[str, Pin], pin: Pin, key: str, file: str, problems: Problems) -> None:
    earlier = pins.get(pin.school_id)
    if earlier is not None and earlier.cohort != pin.cohort:
        problems.add(file, f"{where(key)}: {pin.school_id} is also {earlier.reason}; a school "
                     "can be placed in one cohort only")
        return
    pins[pin.school_id] = pin


def placing_conflicts(facts: PlanningFacts) -> list[str]:
    """Every school still to be placed must keep a cohort it may be in: a placed school where
    readiness and the other decisions allow, any other school somewhere (a closed term can
    leave a school locked to its cohort nowhere). Each conflict in words, with the line to
    write in the scenario file."""
    out = []
    for school in facts.schools:
        sid = school.school_id
        if facts.kept_cohort(sid) is not None:
            continue
        pin = facts.decisions.pin_of(sid)
        if pin is not None:
            why = blocked_by(facts, sid, pin.cohort)
            if why:
                out.append(Conflict.of(
                    f"{sid} ({school.school_name}) cannot be {pin.reason}: {why}"
                    + place_example(facts, sid, "place it in a cohort it may be in"),
                    sid, why, fits_when_placed(facts, sid)))
        elif not any(all(rule(facts, sid, c.number) for rule in DOMAIN_RULES)
                     for c in facts.cohorts):
            reasons = dict.fromkeys(blocked_by(facts, sid, c.number) for c in facts.cohorts)
            why = "; ".join(r for r in reasons if r)
            out.append(Conflict.of(f"{sid} ({school.school_name}) is left no cohort it may be "
                                   f"in ({why})"
                                   + place_example(facts, sid, "decide for it with place:"),
                                   sid, why, fits_when_placed(facts, sid)))
    return out


class Conflict(str):
    """A decision that leaves a school no cohort, in `rollout compare`'s words (with the
    place: line to write), carrying the school, why, and the nearest cohort it may be placed
    in (None: none) for faces that word the way out otherwise (the studio: pin it)."""

    school_id: str
    why: str
    fits: int | None

    @classmethod
    def of(cls, text: str, school_id: str, why: str, fits: int | None) -> Conflict:
        made = cls(text)
        made.school_id, made.why, made.fits = school_id, why, fits
        return made


def fits_when_placed(facts: PlanningFacts, sid: str) -> int | None:
    """The cohort the school may be in once placed, nearest the cohort it chose (the later one
    on a tie); None when none."""
    def allowed_if_placed(cohort: int) -> bool:
        pin = Pin(sid, cohort, "", "")
        pins = tuple(p for p in facts.decisions.pins if p.school_id != sid) + (pin,)
        placed = dataclasses.replace(facts, decisions=dataclasses.replace(facts.decisions,
                                                                         pins=pins))
        return not blocked_by(placed, sid, cohort)

    pref = facts.district.preference_by_school.get(sid)
    chosen = pref.preferred_cohort if pref is not None else 1
    fits = sorted((c.number for c in facts.cohorts if allowed_if_placed(c.number)),
                  key=lambda c: (abs(c - chosen), -c))
    return fits[0] if fits else None


def place_example(facts: PlanningFacts, sid: str, what: str) -> str:
    """What to write in the scenario file: a place: line for a cohort the school may be in
    once placed (nearest the cohort it chose, the later one on a tie), or "" when none."""
    fits = fits_when_placed(facts, sid)
    if fits is None:
        return f": {what}"
    return (f": {what}, for example place: [{{schools: {{school_id: {sid}}}, "
            f"cohort: {fits}}}]")
