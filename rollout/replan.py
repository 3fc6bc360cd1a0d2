"""Spring re-plan: last year's plan in, what changed and why out, and the years' history.

Last year's `plan.csv` says which cohort each school was told. Schools whose cohort has
launched keep it (a hard rule in planning); the others keep theirs unless moving is needed or
clearly better (a churn weight). Every move is explained by testing the stay it replaced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rollout.checking.check import compute_usage, move_violations
from rollout.csvfiles import read_csv
from rollout.domain import DELAYED, LAUNCHED, ON_HOLD, PAUSED, PLANNED, District
from rollout.errors import CLOSED, NEW_SCHOOL, RENAMED, Note, Problems
from rollout.intake.decisions import BY_THE_DISTRICT
from rollout.planning.facts import PlanningFacts, current_term_index
from rollout.planning.plan import Plan
from rollout.safe import restore_id, restore_text

CHANGE_COLUMNS = ["school_id", "school_name", "change", "old_cohort", "old_launch_term",
                  "new_cohort", "new_launch_term", "reason"]
HISTORY_COLUMNS = ["district", "season", "school_id", "school_name", "infrastructure",
                   "technology", "instructional", "readiness", "need", "cohort", "launch_term",
                   "launched", "status"]
DECISION_REASON = "Central-office decision"  # a move the district decided (a scenario adopted)
SCORE_CHANGE = 1.0  # readiness points that count as "new scores" in a move's reason


@dataclass
class PreviousPlan:
    """Last year's plan, mapped onto this year's cohorts."""

    path: Path
    cohort_of: dict[str, int]           # school_id -> this year's cohort number
    rows: dict[str, dict]               # school_id -> last year's plan.csv row
    history: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closed: dict[str, dict] = field(default_factory=dict)  # last year's rows of closed schools


def read_previous_plan(path: Path, district: District, cohorts, current_term: int,
                       district_name: str, problems: Problems) -> PreviousPlan | None:
    """Read last year's plan.csv (and history.csv beside it); adjust and report what no longer
    fits: closed schools, cohorts that are gone, renamed schools."""
    path = Path(path)
    rows = read_csv(path, ["school_id", "cohort", "launch_term"], problems,
                    "previous plan not found")
    if rows is None:
        return None
    by_term = {district.terms[c.launch_term_index].label: c.number for c in cohorts}
    term_index = {t.label: t.index for t in district.terms}
    previous = PreviousPlan(path, {}, {})
    for number, row in enumerate(rows, start=2):
        sid = restore_id(row["school_id"])
        if sid not in district.school_by_id:
            previous.notes.append(Note(f"{sid} ({row.get('school_name', '')}): in last year's "
                                       "plan but not in the Schools sheet; treated as closed",
                                       CLOSED))
            previous.closed[sid] = row
            continue
        previous.rows[sid] = row
        name = district.school_by_id[sid].school_name
        if row.get("school_name") and restore_text(row["school_name"]) != name:
            previous.notes.append(Note(f"{sid} ({name}): called '{row['school_name']}' last "
                                       "year (renamed)", RENAMED))
        term = restore_text(row["launch_term"])
        cohort = by_term.get(term)
        if cohort is None:
            launched = term in term_index and term_index[term] < current_term
            if launched:
                problems.add(path, f"{sid} launched in {term}, but no cohort in settings.yaml "
                             "launches in that term; keep the cohorts that have launched",
                             row=number, column="launch_term")
            else:
                old_name = row.get("cohort_name") or row["cohort"]
                previous.notes.append(f"{sid}'s cohort last year ({old_name}, {term}) no longer "
                                      "exists: the school is planned afresh")
            continue
        previous.cohort_of[sid] = cohort
    for school in district.schools:
        if school.school_id not in previous.rows:
            previous.notes.append(Note(f"{school.school_id} ({school.school_name}): new "
                                       "since last year's plan", NEW_SCHOOL))
    previous.history = read_history(path.with_name("history.csv"), district, district_name,
                                    problems)
    check_previous_season(path, rows, previous.history, district, current_term, problems)
    return previous


REPLAN_HINT = "current_term makes this a re-plan: pass last year's plan with --previous"


def last_years_plan(inputs, district_dir: Path, previous: Path | None, problems: Problems,
                    why: str = "so that launched schools keep their cohort"
                    ) -> PreviousPlan | None:
    """Last year's plan when given (its notes added to the inputs'); when settings'
    current_term makes this a re-plan and none is given, the problem that says to pass it
    (before any solving: a re-plan without it would look impossible)."""
    if previous is None:
        if current_term_index(inputs) > 0:
            problems.add(Path(district_dir) / "settings.yaml", f"{REPLAN_HINT} {why}")
        return None
    last_year = read_previous_plan(Path(previous), inputs.district, inputs.cohorts,
                                   current_term_index(inputs), inputs.district.name, problems)
    if last_year is not None:
        inputs.notes.extend(last_year.notes)
    return last_year


def check_previous_season(path: Path, rows: list[dict], history: list[dict], district: District,
                          current_term: int, problems: Problems) -> None:
    """Last year's plan was made for an earlier season than this one: this spring's own plan
    (or a later one) passed by mistake would say that no school moved."""
    term_index = {t.label: t.index for t in district.terms}
    seasons = {restore_text(r.get("season")) for r in rows} | {r["season"] for r in history}
    known = sorted((term_index[s], s) for s in seasons if s in term_index)
    if not known or known[-1][0] < current_term:
        return
    made_for, this = known[-1][1], district.terms[current_term].label
    when = "the same season as" if known[-1][0] == current_term else "a later season than"
    problems.add(path, f"is the plan made for {made_for}, {when} this plan ({this}, "
                 "settings.yaml's current_term): pass last year's plan, made for an earlier "
                 "season, with --previous")


def read_history(path: Path, district: District, district_name: str, problems: Problems
                 ) -> list[dict]:
    if not path.exists():
        return []
    rows = read_csv(path, HISTORY_COLUMNS[:4], problems, None) or []
    names = {r["district"] for r in rows}
    known = {r["school_id"] for r in rows} & set(district.school_by_id)
    if rows and (names != {district_name} or len(known) < len({r["school_id"] for r in rows}) / 2):
        problems.add(path, f"is the history of {', '.join(sorted(names))}, not of "
                     f"{district_name} (or shares too few schools with it); pass the history of "
                     "this district or remove the file")
        return []
    for row in rows:  # a history written before statuses were recorded: as planned
        row.setdefault("status", LAUNCHED if row.get("launched") == "yes" else PLANNED)
    return rows


def history_rows(facts: PlanningFacts, plan: Plan, scores_table, season: str,
                 district_name: str, earlier: list[dict]) -> list[dict]:
    """Earlier seasons' rows (minus any of this season, re-run) plus this season's."""
    rows = [r for r in earlier if r["season"] != season]
    for school in facts.schools:
        sid = school.school_id
        cohort = plan.cohort_of[sid]
        score = scores_table.loc[sid]
        rows.append({
            "district": district_name, "season": season, "school_id": sid,
            "school_name": school.school_name,
            **{k: fmt(score[k]) for k in ("infrastructure", "technology", "instructional",
                                          "readiness", "need")},
            "cohort": cohort, "launch_term": facts.term_label(facts.launch_term_of(cohort)),
            "launched": "yes" if facts.has_launched(cohort) else "no",
            "status": facts.launch_status(sid, cohort)})
    return rows


def whole(text: str):
    """A cohort number read from CSV as a number when it is one (so it sorts and aligns)."""
    return int(text) if str(text).strip().isdigit() else text


def fmt(value) -> str:
    return "" if value is None or value != value else f"{float(value):.1f}"


def plan_changes(facts: PlanningFacts, plan: Plan, previous: PreviousPlan,
                 readiness_now: dict[str, float]) -> list[dict]:
    """One row per school that moved, is new, left, paused or withdrew; each with its
    reason."""
    usage = compute_usage(facts, plan.cohort_of, plan.upgrades)
    changes = []
    for school in facts.schools:
        sid = school.school_id
        new = plan.cohort_of[sid]
        old_row = previous.rows.get(sid)
        base = {"school_id": sid, "school_name": school.school_name, "new_cohort": new,
                "new_launch_term": facts.term_label(facts.launch_term_of(new))}
        if old_row is None:
            changes.append(base | {"change": "new school", "old_cohort": "",
                                   "old_launch_term": "", "reason": "New since last year's plan."})
            continue
        told = previous.cohort_of.get(sid)
        old = {"old_cohort": whole(old_row["cohort"]), "old_launch_term": old_row["launch_term"]}
        hold = new_hold(facts, sid, old_row)
        if hold is not None:
            changes.append(base | old | hold)
            continue
        if told == new:
            changes += off_term_launch(facts, sid, new, old_row, base | old)
            continue
        if told is None:
            changes.append(base | old | {"change": "re-planned", "reason":
                                         "Its cohort no longer exists."})
            continue
        if facts.launch_status(sid, new) == DELAYED:
            changes.append(base | old | {"change": "delayed", "reason": (
                f"Its launch with {facts.cohort(told).name} did not happen (Launches sheet): "
                f"planned again for {facts.cohort(new).name}.")})
            continue
        direction = "moved earlier" if new < told else "moved later"
        decided = facts.decided_move(sid, told, new)
        reason = f"{DECISION_REASON}: {decided}." if decided else move_reason(
            facts, plan, usage, previous, sid, told, readiness_now)
        changes.append(base | old | {"change": direction, "reason": reason})
    changes += closed_schools(previous)
    return changes


def new_hold(facts: PlanningFacts, school_id: str, old_row: dict) -> dict | None:
    """A pause or withdrawal the Launches sheet records that last year's plan did not have."""
    record = facts.district.launch_by_school.get(school_id)
    if record is None or record.status not in ON_HOLD or old_row.get("status") == record.status:
        return None
    held = facts.held_since(school_id)
    # "since" a term that has passed, "from" one still to come
    since = f"{'since' if facts.is_history(held) else 'from'} {facts.term_label(held)}"
    if record.status == PAUSED:
        reason = (f"Paused {since} (Launches sheet): it keeps its place in its cohort "
                  "and takes no coaching or launch bandwidth while paused.")
    else:
        reason = (f"Withdrawn from the rollout {since} (Launches sheet): it takes no "
                  "place in its cohort, no coaching and no launch bandwidth.")
    return {"change": record.status, "reason": reason}


def off_term_launch(facts: PlanningFacts, school_id: str, cohort: int, old_row: dict,
                    row: dict) -> list[dict]:
    """A launch the Launches sheet records in another term than its cohort's (early or late),
    new since last year's plan: the row of changes.csv saying so."""
    launched = facts.actual_launch_term(school_id)
    planned = facts.launch_term_of(cohort)
    if launched is None or launched == planned or \
            old_row.get("actual_launch_term") == facts.term_label(launched):
        return []
    early = launched < planned
    return [row | {"change": "launched early" if early else "launched late",
                   "new_launch_term": facts.term_label(launched),
                   "reason": f"Launched in {facts.term_label(launched)}, "
                             f"{'earlier' if early else 'later'} than {facts.cohort(cohort).name}"
                             f" ({facts.term_label(planned)}) (Launches sheet); it stays in "
                             f"{facts.cohort(cohort).name}."}]


def closed_schools(previous: PreviousPlan) -> list[dict]:
    """Schools of last year's plan that are not in this year's Schools sheet."""
    return [{"school_id": sid, "school_name": restore_text(row.get("school_name")),
             "change": "closed", "old_cohort": whole(row.get("cohort", "")),
             "old_launch_term": restore_text(row.get("launch_term")), "new_cohort": "",
             "new_launch_term": "", "reason": "Not in this year's Schools sheet."}
            for sid, row in sorted(previous.closed.items())]


def sizes_after_decision(facts, plan, previous, sid, told, blocked) -> str:
    """A school that cannot stay only because a cohort's size breaks after the district's
    decision moved other schools into or out of it (an adopted scenario): that decision, in
    words, without naming the other schools (a principal sees only their own); "" otherwise."""
    if not any(v.rule == "Cohort size" for v in blocked):
        return ""
    # Who decided, never what: a decision's reason or a scenario's name may be about another
    # school (README: a principal's workbook holds only their own school).
    decided = any((*facts.decisions.pins, *facts.decisions.keep_outs, *facts.decisions.no_launch))
    by = BY_THE_DISTRICT if decided else ""
    said = []
    for cohort in sorted({told, plan.cohort_of[sid]}):
        moved = [(s, c) for s, c in sorted(plan.cohort_of.items()) if s != sid
                 and previous.cohort_of.get(s, c) != c and cohort in (previous.cohort_of[s], c)
                 and facts.decided_move(s, previous.cohort_of[s], c)]
        left = sum(previous.cohort_of[s] == cohort for s, _ in moved)
        came = len(moved) - left
        name = facts.cohort(cohort).name
        said += [f"moved {n} other school{'s' if n != 1 else ''} {way} {name}"
                 for n, way in ((left, "out of"), (came, "into")) if n]
    if not said or not by:
        return ""
    return f"cohort sizes after {by} {', '.join(said)}"


def move_reason(facts, plan, usage, previous, sid, told, readiness_now) -> str:
    """Why a school left the cohort it was told: what staying would break, plus what changed
    in its own figures."""
    causes = []
    blocked = move_violations(facts, plan.cohort_of, plan.upgrades, usage, sid, told)
    knock_on = sizes_after_decision(facts, plan, previous, sid, told, blocked)
    capacity_rules = {"Coaching capacity", "Link capacity", "Cohort size"}
    if knock_on:  # the real cause: not the school's own figures, nor the district's capacity
        causes.append(knock_on)
    elif any(v.rule in capacity_rules for v in blocked):
        causes.append("capacity changed")
    old_row = previous.rows[sid]
    try:
        before = float(old_row.get("readiness") or "nan")
    except ValueError:
        before = float("nan")
    now = readiness_now.get(sid)
    if before == before and now is not None and abs(now - before) >= SCORE_CHANGE \
            and not knock_on:
        causes.append(f"new scores (readiness {before:.1f} -> {now:.1f})")
    pref = facts.district.preference_by_school.get(sid)
    old_pref = (old_row.get("preferred_cohort") or "").strip()
    if pref is not None and str(pref.preferred_cohort) != old_pref:
        causes.append(f"new preference ({facts.cohort(pref.preferred_cohort).name})")
    if blocked:
        detail = f"staying in {facts.cohort(told).name} " + "; and it ".join(
            staying_would(v) for v in blocked)
    else:
        detail = (f"staying in {facts.cohort(told).name} was possible, but the plan is clearly "
                  "better with the move (it outweighs the churn weight)")
    head = ", ".join(causes) if causes else "the plan as a whole changed"
    return f"{head[0].upper()}{head[1:]}; {detail}."


COACHING_SHORT = re.compile(r"coaching in (?P<term>.+) would need (?P<need>[\d.,]+) FTE of "
                            r"(?P<have>[\d.,]+) available")


def staying_would(violation) -> str:
    """What staying would do, in a sentence's words: 'would need more coaches in 2029 Spring
    than the district has (96.6 of 95)', else 'would break a limit: <the checker's words>'."""
    short = COACHING_SHORT.fullmatch(violation.message)
    if short:
        need = float(short["need"].replace(",", ""))
        return (f"would need more coaches in {short['term']} than the district has "
                f"({need:,.1f} of {short['have']})")
    return f"would break a limit: {violation.message}"
