"""What one studio holds between requests: the district as last read, the board's plan, the
planner's moves and decisions (with undo), and the solve running now. One planner, one solve at
a time; a lock keeps the requests' threads and the solve's thread apart."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rollout.checking.check import check_plan
from rollout.domain import Decisions
from rollout.errors import FILE_READ, InputError, Problem, Problems, RolloutError, note_kind
from rollout.intake.decisions import KEEP_OUT, PIN, DecisionRow, district_decisions
from rollout.outputs.board_view import Board, MoveCheck, board_view, check_move, where_else
from rollout.outputs.decisions_file import write_decisions_file
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.planning.plan import Plan
from rollout.replan import last_years_plan
from rollout.scoring.inputs import Inputs, load_inputs
from rollout.studio.worker import (
    Progress,
    SolveJob,
    save_in_worker,
    solve_in_worker,
    whatif_in_worker,
)
from rollout.whatif.moves import move_reasons
from rollout.whatif.scenarios import Variant, load_scenarios, resolve_pending
from rollout.whatif.summary import PlanSummary, summarise

WHAT_IF_NAME = "what-if"


class StudioError(Exception):
    """A request the studio cannot do now; the message is for the planner (HTTP 4xx)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Step:
    """One thing the planner did, and how to undo it."""

    what: str
    school_id: str
    before: object
    after: object


@dataclass
class WhatIf:
    """A what-if of the What if page: its scenario (the YAML `rollout compare` reads), what it
    changes, and, once solved, its plan against the board's in the same figures."""

    yaml_text: str
    description: str
    changes: list[str]
    variant: Variant
    start: Plan
    plan: Plan | None = None
    base: PlanSummary | None = None
    summary: PlanSummary | None = None
    moves: list = field(default_factory=list)
    error: str | None = None


@dataclass
class Session:
    district_dir: Path
    previous: Path | None = None
    out_dir: Path | None = None
    rubric: Path | None = None
    inputs: Inputs | None = None
    base_facts: PlanningFacts | None = None   # as read, before the planner's decisions
    facts: PlanningFacts | None = None        # with the planner's decisions (hard rules)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings from the last read (Inputs page)
    plan: Plan | None = None          # the last plan the solver made
    cohort_of: dict[str, int] | None = None  # the board: that plan with the planner's moves
    upgrades: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, tuple[DecisionRow, ...]] = field(default_factory=dict)
    saving: bool = False
    unsaved: bool = False              # decisions made since decisions.xlsx was read or saved
    kind: str = "plan"                 # what the job in hand does: plan | save | whatif
    whatif: WhatIf | None = None
    whatif_problems: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    job: SolveJob | None = None
    last_error: str | None = None
    announcement: tuple = ()  # (kind, values) of the outcome to announce (pages word it)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ----- the district ----------------------------------------------------------------------

    def read(self) -> None:
        """Read the district folder again; input errors are kept for the Inputs page."""
        with self.lock:
            self.inputs, self.base_facts, self.facts, self.problems = None, None, None, []
            self.notes = []
            try:
                inputs = load_inputs(self.district_dir, self.rubric)
                problems = Problems()
                last_year = last_years_plan(inputs, self.district_dir, self.previous, problems)
                problems.raise_if_any()
                facts = facts_from_inputs(inputs, last_year.cohort_of if last_year else None)
            except InputError as exc:
                self.problems, self.notes = list(exc.problems), list(exc.notes)
                return
            except RolloutError as exc:
                self.problems = [Problem(str(self.district_dir), exc.user_message())]
                return
            self.inputs, self.base_facts, self.notes = inputs, facts, list(inputs.notes)
            if self.unsaved:  # the planner's decisions not saved yet stay (Read again)
                self.decisions = {sid: rows for sid, rows in self.decisions.items()
                                  if sid in facts.district.school_by_id}
            else:  # decisions.xlsx as last saved
                self.decisions = {}
                for row in inputs.decision_rows:
                    self.decisions[row.school_id] = self.decisions.get(row.school_id, ()) + (row,)
            self.decided()
            if self.cohort_of is not None and set(self.cohort_of) != {
                    s.school_id for s in facts.schools}:
                self.plan, self.cohort_of, self.steps = None, None, []

    def read_again(self) -> None:
        """Read the folder again after a fix in Excel and say what changed: problems fixed,
        new and left (the Inputs page's live region)."""
        with self.lock:
            if self.solving:
                raise StudioError("A plan is being made: wait for it or stop it.", 409)
            before = set(self.problems)
            self.read()
            after = set(self.problems)
            self.say("read_again", problems=len(self.problems), fixed=len(before - after),
                     new=len(after - before), warnings=len(self.warnings()))

    def warnings(self) -> list[str]:
        """The notes that need a person's eyes (not which layout a file was read as)."""
        return [n for n in self.notes if note_kind(n) != FILE_READ]

    def decided(self) -> None:
        """The facts with the planner's decisions as the district's decisions (hard rules of
        the model and of the independent checker: one copy of those rules, in planning/ and
        checking/)."""
        self.facts = dataclasses.replace(self.base_facts,
                                         decisions=district_decisions(self.decision_rows()))

    def decision_rows(self) -> list[DecisionRow]:
        return [row for sid in sorted(self.decisions) for row in self.decisions[sid]]

    @property
    def ready(self) -> bool:
        return self.facts is not None

    def school_name(self, school_id: str) -> str:
        return self.facts.district.school_by_id[school_id].school_name

    def known_school(self, school_id: str) -> str:
        if not self.ready:
            raise StudioError("The district folder has input errors; see the Inputs page.", 409)
        if school_id not in self.facts.district.school_by_id:
            raise StudioError(f"There is no school with id '{school_id[:40]}' in this district.",
                              404)
        return school_id

    def known_cohort(self, cohort) -> int:
        numbers = [c.number for c in self.facts.cohorts]
        if not isinstance(cohort, int) or isinstance(cohort, bool) or cohort not in numbers:
            raise StudioError(f"cohort must be a group number from {numbers[0]} to "
                              f"{numbers[-1]}.", 422)
        return cohort

    # ----- solving ---------------------------------------------------------------------------

    @property
    def solving(self) -> bool:
        return self.job is not None and not self.job.done.is_set()

    def start_solve(self, around_board: bool = False) -> None:
        """Start a solve in a worker process: the whole plan, or (re-plan) starting from the
        board's plan."""
        with self.lock:
            if not self.ready:
                raise StudioError("The district folder has input errors; see the Inputs page.",
                                  409)
            if self.solving:
                raise StudioError("A plan is being made already: wait for it or stop it.", 409)
            hint = dict(self.cohort_of) if around_board and self.cohort_of else None
            if hint is None and self.facts.previous:
                hint = greedy_plan(self.facts).cohort_of | self.facts.previous
            self.last_error = None
            limit = self.facts.settings.solver.time_limit_seconds
            self.kind = "plan"
            self.job = SolveJob(limit, self.solve_done, solve_in_worker,
                                (self.facts, limit, hint))

    def save(self) -> Path:
        """Write decisions.xlsx, then (in the worker) the outputs by `rollout plan`'s pipeline;
        the board then shows that plan."""
        with self.lock:
            if not self.ready:
                raise StudioError("The district folder has input errors; see the Inputs page.",
                                  409)
            if self.solving:
                raise StudioError("A plan is being made: wait for it or stop it.", 409)
            path = write_decisions_file(self.district_dir, self.decision_rows())
            self.last_error, self.saving, self.kind = None, True, "save"
            limit = self.facts.settings.solver.time_limit_seconds
            self.job = SolveJob(limit, self.solve_done, save_in_worker,
                                (self.district_dir, self.out_dir, self.previous, self.rubric))
            return path

    def solve_done(self, job: SolveJob) -> None:
        with self.lock:
            if self.kind == "whatif":
                self.whatif_done(job)
                return
            saved, self.saving = self.saving, False
            if saved and job.plan is not None:
                self.unsaved = False
                self.read()  # decisions.xlsx as written, the district as the outputs saw it
                if not self.ready:  # a file was changed meanwhile: the Inputs page says how
                    self.say("no_plan", error="the district's files changed while saving")
                    return
            if job.plan is None:
                self.last_error = job.error
                self.say("no_plan", error=job.error or "")
                return
            violations = check_plan(self.facts, job.plan.cohort_of, job.plan.upgrades)
            if violations:  # never shown as the plan: the checker is the judge
                self.last_error = ("internal error: the plan breaks rules the model should "
                                   "enforce: " + "; ".join(map(str, violations)))
                self.say("no_plan", error=self.last_error)
                return
            self.plan, self.cohort_of = job.plan, dict(job.plan.cohort_of)
            self.upgrades = dict(job.plan.upgrades)
            self.steps = [s for s in self.steps if s.what != "move"]  # moves are in the plan now
            self.say("saved" if saved else "ready", out=str(self.out_dir),
                     proven=job.plan.status == "optimal")

    # ----- what if ---------------------------------------------------------------------------

    def run_whatif(self, patch: dict) -> WhatIf:
        """Check a scenario (a patch as `rollout compare` reads it) against the district and
        solve it from the board's plan in the worker."""
        with self.lock:
            self.need_board()
            if self.solving:
                raise StudioError("A plan is being made: wait for it or stop it.", 409)
            text = yaml.safe_dump(patch, sort_keys=False, allow_unicode=True)
            variant = self.scenario(text)
            start = Plan(dict(self.cohort_of), dict(self.upgrades))
            self.whatif = WhatIf(text, str(patch.get("description") or ""), variant.changes,
                                 variant, start)
            self.kind, self.last_error = "whatif", None
            limit = self.facts.settings.solver.time_limit_seconds
            self.job = SolveJob(limit, self.solve_done, whatif_in_worker,
                                (variant.facts, start, limit))
            return self.whatif

    def scenario(self, text: str) -> Variant:
        """The scenario read as `rollout compare` reads its files (from a temporary file the
        studio names itself); its problems go to the What if page."""
        handle, name = tempfile.mkstemp(suffix=".yaml", prefix="rollout-studio-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            [variant] = resolve_pending(load_scenarios(self.facts, [(WHAT_IF_NAME, Path(name))]),
                                        self.cohort_of)
        except InputError as exc:
            self.whatif_problems = [p.message for p in exc.problems]
            raise StudioError("The what-if cannot be tried: "
                              + "; ".join(self.whatif_problems), 422) from None
        finally:
            os.unlink(name)
        self.whatif_problems = []
        return with_district_decisions(variant, self.facts.decisions)

    def whatif_done(self, job: SolveJob) -> None:
        made = self.whatif
        if job.plan is None:
            made.error = job.error
            self.say("whatif_no_plan", error=job.error or "")
            return
        facts = made.variant.facts
        violations = check_plan(facts, job.plan.cohort_of, job.plan.upgrades)
        if violations:  # the checker is the judge, as for every plan
            made.error = "internal error: " + "; ".join(map(str, violations))
            self.say("whatif_no_plan", error=made.error)
            return
        made.plan = job.plan
        made.base = summarise(self.facts, made.start)
        made.summary = summarise(facts, job.plan, made.start)
        made.moves = move_reasons(facts, made.start, job.plan)
        self.say("whatif_ready", moved=made.summary.moved)

    def whatif_json(self) -> dict:
        with self.lock:
            made = self.whatif
            if made is None:
                return {"state": "none"}
            state = "solving" if self.solving and self.kind == "whatif" else "done"
            out = {"state": state, "description": made.description, "changes": made.changes,
                   "yaml": made.yaml_text, "error": made.error}
            if made.summary is not None:
                out.update(base=summary_json(made.base, self.facts),
                           scenario=summary_json(made.summary, made.variant.facts),
                           moves=[{"school_id": m.school_id, "from": m.base_cohort,
                                   "to": m.cohort, "reason": m.reason} for m in made.moves])
            return out

    def stop_solve(self) -> None:
        with self.lock:
            if not self.solving:
                raise StudioError("No plan is being made now.", 409)
            if self.kind == "save":
                raise StudioError("Saving cannot be stopped; it ends in a moment.", 409)
            if self.kind == "whatif":  # a what-if has no plan worth keeping half-way
                self.job.stopped_by_planner = True
                self.job.kill()
                return
            self.job.stop()

    def progress(self) -> Progress | None:
        return self.job.progress() if self.job else None

    def shutdown(self) -> None:
        if self.job:
            self.job.kill()

    # ----- the board -------------------------------------------------------------------------

    def need_board(self) -> None:
        if not self.ready:
            raise StudioError("The district folder has input errors; see the Inputs page.", 409)
        if self.cohort_of is None:
            raise StudioError("There is no plan yet: make one first (POST /api/plan).", 409)

    def board(self) -> Board:
        with self.lock:
            self.need_board()
            return board_view(self.facts, self.cohort_of, self.upgrades, self.pinned(),
                              self.kept_out())

    def check_move(self, school_id: str, cohort: int) -> MoveCheck:
        with self.lock:
            self.need_board()
            return check_move(self.facts, self.cohort_of, self.upgrades,
                              self.known_school(school_id), self.known_cohort(cohort))

    def where_else(self, school_id: str) -> list[MoveCheck]:
        with self.lock:
            self.need_board()
            return where_else(self.facts, self.cohort_of, self.upgrades,
                              self.known_school(school_id))

    def move(self, school_id: str, cohort: int) -> MoveCheck:
        """Move a school on the board (checked at once; the plan may then break limits)."""
        with self.lock:
            if self.solving:
                raise StudioError("A plan is being made: wait for it or stop it.", 409)
            checked = self.check_move(school_id, cohort)
            before = self.cohort_of[school_id]
            if before != cohort:
                self.cohort_of[school_id] = cohort
                self.steps.append(Step("move", school_id, before, cohort))
            self.say("moved", name=self.school_name(school_id), group=checked.cohort_name,
                     current=checked.current, breaks=list(checked.breaks))
            return checked

    def plan_state(self) -> dict:
        with self.lock:
            state = {"state": "solving" if self.solving else "done",
                     "status": self.status(), "error": self.last_error, "schools": [],
                     "upgrades": []}
            if self.cohort_of is not None and self.facts is not None:
                pinned = self.pinned()
                state["schools"] = [
                    {"school_id": sid, "cohort": c,
                     "launch_term": self.facts.term_label(self.facts.launch_term_of(c)),
                     "pinned": sid in pinned}
                    for sid, c in sorted(self.cohort_of.items())]
                state["upgrades"] = [{"upgrade": u, "term": self.facts.term_label(t)}
                                     for u, t in sorted(self.upgrades.items())]
            return state

    def status(self) -> str:
        if self.solving and self.kind == "whatif":
            return "trying a what-if"
        if not self.ready:
            return "input errors"
        if self.cohort_of is None:
            return "no plan yet"
        if any(s.what == "move" for s in self.steps):
            return "changed by hand"
        return {"optimal": "proven best", "feasible": "not proven best"}.get(
            self.plan.status, self.plan.status)

    # ----- decisions -------------------------------------------------------------------------

    def pinned(self) -> dict[str, int]:
        return {p.school_id: p.cohort for p in self.facts.decisions.pins} if self.facts else {}

    def kept_out(self) -> dict[str, tuple[int, ...]]:
        return ({k.school_id: k.cohorts for k in self.facts.decisions.keep_outs}
                if self.facts else {})

    def decisions_json(self) -> list[dict]:
        return [dataclasses.asdict(row) for row in self.decision_rows()]

    def decide(self, school_id: str, decision: str, cohort: int, reason: str) -> DecisionRow:
        """Pin a school to a cohort (it replaces the school's other decisions) or keep it out
        of one (added to its keep-outs; a pin there goes)."""
        with self.lock:
            self.known_school(school_id)
            if decision not in (PIN, KEEP_OUT):
                raise StudioError("decision must be 'pin' or 'keep_out'.", 422)
            self.known_cohort(cohort)
            reason = " ".join(str(reason or "").split())
            if not reason:
                raise StudioError("Say why: a reason is kept with every decision.", 422)
            made = DecisionRow(school_id, self.school_name(school_id), decision, cohort,
                               reason[:300], dt.date.today().isoformat())
            before = self.decisions.get(school_id, ())
            if decision == PIN:
                after = (made,)
            else:
                after = tuple(r for r in before if r.cohort != cohort) + (made,)
            self.change_decisions(school_id, before, after)
            name, group = self.school_name(school_id), self.facts.cohort(cohort).name
            self.say("pinned" if decision == PIN else "kept_out", name=name, group=group,
                     reason=made.reason)
            return made

    def undecide(self, school_id: str) -> None:
        with self.lock:
            self.known_school(school_id)
            if school_id not in self.decisions:
                raise StudioError("That school has no decision to remove.", 404)
            self.change_decisions(school_id, self.decisions[school_id], ())
            self.say("removed", name=self.school_name(school_id))

    def change_decisions(self, school_id: str, before: tuple, after: tuple) -> None:
        self.steps.append(Step("decision", school_id, before, after))
        self.set_decisions(school_id, after)

    def set_decisions(self, school_id: str, rows: tuple) -> None:
        self.unsaved = True
        if rows:
            self.decisions[school_id] = tuple(rows)
        else:
            self.decisions.pop(school_id, None)
        self.decided()

    def undo(self) -> str:
        """Take back the last move or decision; returns the school it was about."""
        with self.lock:
            if self.solving:
                raise StudioError("A plan is being made: wait for it or stop it.", 409)
            if not self.steps:
                raise StudioError("There is nothing to undo.", 409)
            step = self.steps.pop()
            name = self.school_name(step.school_id)
            if step.what == "move":
                self.cohort_of[step.school_id] = step.before
                self.say("undone_move", name=name, group=self.facts.cohort(step.before).name)
            else:
                self.set_decisions(step.school_id, step.before)
                self.say("undone_decision", name=name)
            return step.school_id

    def say(self, kind: str, **values) -> None:
        self.announcement = (kind, values)

    def take_announcement(self) -> tuple:
        with self.lock:
            said, self.announcement = self.announcement, ()
            return said


def with_district_decisions(variant: Variant, district: Decisions) -> Variant:
    """The scenario's facts with the planner's decisions of the board too (the scenario's pin of
    a school wins)."""
    own = variant.facts.decisions
    if not district or own == district:
        return variant
    return dataclasses.replace(variant, facts=dataclasses.replace(
        variant.facts, decisions=own.with_standing(district)))


def summary_json(summary: PlanSummary, facts: PlanningFacts) -> dict:
    return {"schools_per_group": [g.schools for g in summary.cohorts],
            "launched_by_term": summary.launched_by_term,
            "coaching_needed": [round(x, 2) for x in summary.coaching_needed],
            "coaching_available": summary.coaching_available,
            "upgrade_cost": summary.upgrade_cost, "moved": summary.moved,
            "upgrades": [{"upgrade": u, "term": facts.term_label(t)}
                         for u, t in sorted(summary.upgrades.items())]}
