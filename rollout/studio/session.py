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

from rollout.checking.check import check_plan, compute_usage
from rollout.domain import LAUNCHED, PAUSED, WITHDRAWN, Decisions
from rollout.errors import FILE_READ, InputError, Problem, Problems, RolloutError, note_kind
from rollout.intake.decisions import KEEP_OUT, PIN, DecisionRow, district_decisions
from rollout.outputs.board_view import (
    Board,
    MoveCheck,
    board_view,
    check_move,
    for_people,
    one_decimal,
    where_else,
    why_it_stays,
    with_names,
)
from rollout.outputs.decisions_file import write_decisions_file
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.planning.plan import Plan, gap_percent
from rollout.planning.repair import BoardPlan
from rollout.replan import last_years_plan
from rollout.scoring.inputs import Inputs, load_inputs
from rollout.studio.worker import (
    Progress,
    SolveJob,
    save_in_worker,
    solve_in_worker,
    whatif_in_worker,
)
from rollout.outputs import whatif_words
from rollout.studio.whatif_form import WhatIfForm, scenario_patch
from rollout.whatif.compare import scenario_note
from rollout.whatif.decisions import placing_conflicts
from rollout.whatif.moves import DECISION, LIMIT, move_reasons
from rollout.whatif.scenarios import Variant, load_scenarios, resolve_pending
from rollout.whatif.summary import PlanSummary, summarise

WHAT_IF_NAME = "what-if"
# The plan's status in a planner's words (the solver proved it best, or ran out of time).
BEST = "the best plan possible with these limits and decisions"
GOOD = "a good plan, not yet shown to be the best"
# The board's plan no longer answers to the rules as they are now (kept apart from BEST: a plan
# made before a decision or a fix in Excel is not known to be the best under them).
BREAKS = "the plan breaks {n} of the rules as they are now: choose Re-plan around my decisions"
OLDER = ("made before your latest decisions or a new read of the files: choose Re-plan around "
         "my decisions to be sure it is the best")
BUSY = "A plan is being made: wait for it or stop it."


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


@dataclass(frozen=True)
class Changed:
    """A school a new plan put in another group than the board had it, and why in words."""

    school_id: str
    name: str
    before: str
    after: str
    why: str


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
    stopped: bool = False       # by the planner: the plan is the best found by then, if any
    note: str | None = None     # what to know beyond the figures, as `rollout compare` says it
    base_proven: bool = False   # the board's plan is proven the best (not changed by hand)
    conflicts: list = field(default_factory=list)  # schools its decisions leave no group

    @property
    def proven(self) -> bool:
        return self.plan is not None and self.plan.status == "optimal"


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
    plan_facts: PlanningFacts | None = None  # the facts the board's plan was made with
    job_facts: PlanningFacts | None = None   # the facts of the solve running now
    kind: str = "plan"                 # what the job in hand does: plan | save | whatif
    whatif: WhatIf | None = None
    whatif_form: WhatIfForm = field(default_factory=WhatIfForm)  # as the planner entered it
    steps: list[Step] = field(default_factory=list)
    saved_step: int = 0                # steps before this one were there when Save was chosen
    saved_rows: dict[str, tuple[DecisionRow, ...]] = field(default_factory=dict)  # the file's
    changed: list[Changed] | None = None  # what the last plan changed on the board
    job: SolveJob | None = None
    last_error: str | None = None
    announcement: tuple = ()  # (kind, values) of the outcome to announce (pages word it)
    file_changed_under_planner: bool = False  # decisions.xlsx changed outside, decisions unsaved
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
            unsaved = self.decisions != self.saved_rows
            in_file: dict[str, tuple[DecisionRow, ...]] = {}
            for row in inputs.decision_rows:  # decisions.xlsx as it is now
                in_file[row.school_id] = in_file.get(row.school_id, ()) + (row,)
            self.file_changed_under_planner = unsaved and in_file != self.saved_rows
            self.saved_rows = in_file
            if unsaved:  # the planner's decisions not saved yet stay (Read again)
                self.decisions = {sid: rows for sid, rows in self.decisions.items()
                                  if sid in facts.district.school_by_id}
            else:  # decisions.xlsx as it is now (typed in Excel, or as last saved)
                self.decisions = dict(in_file)
            self.decided()
            if self.cohort_of is not None and set(self.cohort_of) != {
                    s.school_id for s in facts.schools}:
                self.plan, self.cohort_of, self.steps = None, None, []
                self.saved_step, self.changed = 0, None

    def read_again(self) -> None:
        """Read the folder again after a fix in Excel and say what changed: problems fixed,
        new and left (the Inputs page's live region)."""
        with self.lock:
            self.not_while_solving()
            before = set(self.problems)
            self.read()
            after = set(self.problems)
            self.say("read_again", problems=len(self.problems), fixed=len(before - after),
                     new=len(after - before), warnings=len(self.warnings()),
                     kept_yours=self.file_changed_under_planner)

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

    def not_while_solving(self) -> None:
        """One plan at a time, and nothing changes the rules or the board under a solve (its
        plan would answer to rules that are no longer the planner's)."""
        if self.solving:
            raise StudioError(BUSY, 409)

    def start_solve(self, around_board: bool = False) -> None:
        """Start a solve in a worker process: the whole plan, or (re-plan) starting from the
        board's plan."""
        with self.lock:
            if not self.ready:
                raise StudioError("The district folder has input errors; see the Inputs page.",
                                  409)
            self.not_while_solving()
            board = BoardPlan(dict(self.cohort_of), dict(self.upgrades)) \
                if around_board and self.cohort_of else None
            hint = None
            if board is None and self.facts.previous:
                hint = greedy_plan(self.facts).cohort_of | self.facts.previous
            self.last_error, self.job_facts = None, self.facts
            limit = self.facts.settings.solver.time_limit_seconds
            self.kind = "plan"
            self.job = SolveJob(limit, self.solve_done, solve_in_worker,
                                (self.facts, limit, hint, board))

    def save(self) -> Path:
        """Write decisions.xlsx, then (in the worker) the outputs by `rollout plan`'s pipeline;
        the board then shows that plan."""
        with self.lock:
            if not self.ready:
                raise StudioError("The district folder has input errors; see the Inputs page.",
                                  409)
            self.not_while_solving()
            path = write_decisions_file(self.district_dir, self.decision_rows())
            self.saved_rows = dict(self.decisions)  # the file has them now, whatever follows
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
            board = (self.plan, dict(self.cohort_of), dict(self.upgrades)) \
                if self.cohort_of is not None else None
            if saved and job.plan is not None:
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
            previous_facts = self.plan_facts
            self.plan_facts = self.facts if saved else self.job_facts
            same = board is not None and (board[1], board[2]) == (self.cohort_of, self.upgrades)
            if saved and same:
                pass  # Save made the board's own plan: what the last plan changed still holds
            elif board is not None and set(board[1]) == set(self.cohort_of):
                # the board before this plan, to take back with Undo (moves stay in the steps)
                self.steps.append(Step("replan", "", board + (previous_facts,), None))
                self.changed = self.changes_from(board[1], board[2])
            else:
                self.changed = None
            if saved:
                self.saved_step = len(self.steps)
            self.say("saved" if saved else "ready", out=str(self.out_dir),
                     proven=job.plan.status == "optimal",
                     near=gap_percent(job.plan.gap) if job.plan.gap is not None else "",
                     changed=None if self.changed is None or (saved and same)
                     else len(self.changed))

    def changes_from(self, cohort_of: dict[str, int], upgrades: dict[str, int]) -> list[Changed]:
        """The schools the new plan put in another group than the board had them, with why
        (the same account as a what-if's moves: a decision, a rule the old place broke, or
        room made for the others)."""
        facts, names = self.facts, self.facts.district.school_by_id
        before = Plan(cohort_of, upgrades)
        out = []
        broken = {v.message: v for v in check_plan(facts, cohort_of, upgrades)}
        for move in move_reasons(facts, before, self.plan):
            if move.kind == DECISION:
                why = with_names(facts, move.limit, (move.school_id,))
            elif move.kind == LIMIT:
                # as `rollout compare` says it: a rule on the school itself that its place
                # broke, else what moving it back alone would break (a sentence's first
                # letter kept as it is: it may be a group's or a school's name)
                rule = broken.get(move.limit)
                back = check_move(facts, self.cohort_of, self.upgrades, move.school_id,
                                  move.base_cohort).breaks
                if rule is not None and move.school_id in rule.schools:
                    why = ("its place on the board broke a rule: "
                           + for_people(facts, rule).rstrip("."))
                elif back:
                    why = ("moving it back alone would break: "
                           + "; ".join(b.rstrip(".") for b in back))
                else:
                    said = (for_people(facts, rule) if rule else
                            with_names(facts, move.limit, (move.school_id,))).rstrip(".")
                    why = f"the board broke a rule that this move mends: {said}"
            elif move.earlier:
                why = "it launches earlier, in room the other changes make"
            else:
                why = "it makes room for the schools that move earlier"
            out.append(Changed(move.school_id, names[move.school_id].school_name,
                               facts.cohort(move.base_cohort).name,
                               facts.cohort(move.cohort).name, why))
        return sorted(out, key=lambda c: (c.name, c.school_id))

    def coaching_changes(self) -> list[str]:
        """Coaching per term the new plan needs against the board before it, where it differs
        (one decimal, as on the board)."""
        step = next((s for s in reversed(self.steps) if s.what == "replan"), None)
        if step is None or self.changed is None:
            return []
        old = compute_usage(self.facts, step.before[1], step.before[2]).coaching
        new = compute_usage(self.facts, self.cohort_of, self.upgrades).coaching
        return [f"{term.label}: {one_decimal(old[term.index])} → {one_decimal(new[term.index])}"
                for term in self.facts.district.terms if not self.facts.is_history(term.index)
                and one_decimal(old[term.index]) != one_decimal(new[term.index])]

    # ----- what if ---------------------------------------------------------------------------

    def try_whatif_form(self, form: WhatIfForm) -> None:
        """The What if page's form: kept as entered; tried when it has no problem, else each
        problem is shown next to its field."""
        with self.lock:
            patch = scenario_patch(form)
            self.whatif_form = form
            if form.problems or form.others:
                self.whatif = None  # the last answer is not this what-if's
                self.say("whatif_problems", n=len(form.all_problems()))
                return
            try:
                self.run_whatif(patch, form)
            except StudioError:
                if not (form.problems or form.others):
                    raise
                self.whatif = None
                self.say("whatif_problems", n=len(form.all_problems()))

    def run_whatif(self, patch: dict, form: WhatIfForm | None = None) -> WhatIf:
        """Check a scenario (a patch as `rollout compare` reads it) against the district and
        solve it from the board's plan in the worker."""
        with self.lock:
            self.need_board()
            self.not_while_solving()
            self.whatif_form = form or WhatIfForm()
            text = yaml.safe_dump(patch, sort_keys=False, allow_unicode=True)
            variant = self.scenario(text)
            start = Plan(dict(self.cohort_of), dict(self.upgrades))
            self.whatif = WhatIf(text, str(patch.get("description") or ""), variant.changes,
                                 variant, start, base_proven=self.status() == BEST)
            if variant.conflicts:  # no plan possible: said at once, as `rollout compare` does
                self.whatif.conflicts = list(variant.conflicts)
                first = self.whatif.conflicts[0]
                self.say("whatif_conflict", name=self.school_name(first.school_id),
                         why=first.why, more=len(self.whatif.conflicts) - 1)
                return self.whatif
            self.kind, self.last_error = "whatif", None
            limit = self.facts.settings.solver.time_limit_seconds
            self.job = SolveJob(limit, self.solve_done, whatif_in_worker,
                                (variant.facts, start, limit, self.facts, variant.changes))
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
            messages = [p.message for p in exc.problems]
            for message in messages:
                self.whatif_form.add_scenario_problem(message)
            raise StudioError("The what-if cannot be tried: " + "; ".join(messages),
                              422) from None
        finally:
            os.unlink(name)
        variant = with_district_decisions(variant, self.facts.decisions)
        # the board's decisions may settle (or cause) a school's conflict: judged with both
        return dataclasses.replace(variant, conflicts=placing_conflicts(variant.facts))

    def whatif_done(self, job: SolveJob) -> None:
        made = self.whatif
        made.stopped = job.stopped_by_planner
        if job.plan is None and made.stopped:  # the page says so, and to let it run longer
            self.say("whatif_stopped", found=False)
            return
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
        made.note = scenario_note(self.facts, made.start, job.plan)
        made.stopped = made.stopped and not made.proven  # proven by then: nothing was lost
        self.say("whatif_stopped" if made.stopped else "whatif_ready", found=True,
                 moved=made.summary.moved)

    def whatif_lines(self, base_name: str, name: str) -> list[str]:
        """The what-if against the board's plan in the short comparison of `rollout compare`
        (the same sentences): launches by the end of its headline term, the cohorts, the
        busiest coaching term, upgrades, the schools that move, and a note if any."""
        made, facts = self.whatif, self.facts
        if made is None or made.summary is None:
            return []
        term = whatif_words.headline_term(facts)
        return ([whatif_words.headline(facts, term)] + whatif_words.held_lines(made.base)
                + whatif_words.plan_lines(facts, term, base_name, "", made.base, False,
                                          made.base_proven)
                + whatif_words.plan_lines(facts, term, name, made.description, made.summary,
                                          True, made.proven, made.note))

    def whatif_json(self) -> dict:
        with self.lock:
            made = self.whatif
            if made is None:
                return {"state": "none"}
            state = "solving" if self.solving and self.kind == "whatif" else "done"
            out = {"state": state, "description": made.description, "changes": made.changes,
                   "yaml": made.yaml_text, "error": made.error, "stopped": made.stopped}
            if made.summary is not None:
                out.update(base=summary_json(made.base, self.facts),
                           scenario=summary_json(made.summary, made.variant.facts),
                           proven=made.proven, note=made.note,
                           lines=self.whatif_lines("Base plan", "What if"),
                           moves=[{"school_id": m.school_id, "from": m.base_cohort,
                                   "to": m.cohort, "reason": m.reason} for m in made.moves])
            return out

    def stop_solve(self) -> None:
        with self.lock:
            if not self.solving:
                raise StudioError("No plan is being made now: it had finished before Stop "
                                  "arrived, or none was started.", 409)
            if self.kind == "save":
                raise StudioError("Saving cannot be stopped; it ends in a moment.", 409)
            if self.kind == "whatif":  # its best plan so far is kept, as for a plan
                self.job.stopped_by_planner = True
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
        """A move the board can make, checked: never out of or into a group that has
        launched (409, in words)."""
        with self.lock:
            self.need_board()
            self.known_school(school_id)
            self.known_cohort(cohort)
            now = self.cohort_of[school_id]
            stays = why_it_stays(self.facts, self.cohort_of, school_id)
            if stays is not None and cohort != now:
                raise StudioError(f"{self.school_name(school_id)} {stays_words(stays)}.", 409)
            checked = check_move(self.facts, self.cohort_of, self.upgrades, school_id, cohort)
            if checked.launched_in:
                raise StudioError(f"{checked.cohort_name} launched in {checked.launched_in}: a "
                                  "school cannot join it now.", 409)
            return checked

    def where_else(self, school_id: str) -> list[MoveCheck]:
        with self.lock:
            self.need_board()
            return where_else(self.facts, self.cohort_of, self.upgrades,
                              self.known_school(school_id))

    def move(self, school_id: str, cohort: int) -> MoveCheck:
        """Move a school on the board (checked at once; the plan may then break limits)."""
        with self.lock:
            self.not_while_solving()
            checked = self.check_move(school_id, cohort)
            before = self.cohort_of[school_id]
            if before != cohort:
                self.cohort_of[school_id] = cohort
                self.steps.append(Step("move", school_id, before, cohort))
                self.changed = None  # the last plan's summary no longer describes the board
            self.say("moved", name=self.school_name(school_id), group=checked.cohort_name,
                     current=checked.current, breaks=list(checked.breaks),
                     still=not checked.breaks and bool(
                         check_plan(self.facts, self.cohort_of, self.upgrades)))
            return checked

    def plan_state(self) -> dict:
        with self.lock:
            state = {"state": "solving" if self.solving else "done",
                     "status": self.status(), "error": self.last_error, "schools": [],
                     "upgrades": [], "proven": self.status() == BEST,
                     "within_percent": self.within_percent()}
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
        if self.cohort_of != self.plan.cohort_of:
            return "changed by hand"
        broken = check_plan(self.facts, self.cohort_of, self.upgrades)
        if broken:
            return BREAKS.format(n=len(broken))
        if not self.made_with_these_rules():
            return OLDER
        if self.plan.status == "feasible" and self.plan.gap is not None:
            return f"{GOOD} (within {gap_percent(self.plan.gap)} of the best possible)"
        return {"optimal": BEST, "feasible": GOOD}.get(self.plan.status, self.plan.status)

    def within_percent(self) -> float | None:
        """How far the board's plan may be from the best possible, in percent (for scripts);
        None when there is no plan or the board no longer is the plan made."""
        if self.plan is None or self.plan.gap is None or self.cohort_of != self.plan.cohort_of:
            return None
        return 0.0 if self.plan.status == "optimal" else round(self.plan.gap * 100, 6)

    def made_with_these_rules(self) -> bool:
        """The board's plan was made with the decisions and the files as they are now."""
        made = self.plan_facts
        return made is not None and made.decisions == self.facts.decisions and (
            made is self.facts or made.district is self.facts.district)

    def unsaved_counts(self) -> tuple[int, int]:
        """Decisions not in decisions.xlsx yet (a new, changed or removed one each) and
        schools moved by hand on the board (Save plans again from the decisions: a move is
        kept only as a pin)."""
        decisions = 0
        for sid in set(self.decisions) | set(self.saved_rows):
            now, saved = set(self.decisions.get(sid, ())), set(self.saved_rows.get(sid, ()))
            decisions += max(len(now - saved), len(saved - now))
        moves = 0
        if self.cohort_of is not None and self.plan is not None:
            moves = sum(c != self.plan.cohort_of.get(sid) for sid, c in self.cohort_of.items())
        return decisions, moves

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
            self.not_while_solving()
            self.known_school(school_id)
            if decision not in (PIN, KEEP_OUT):
                raise StudioError("decision must be 'pin' or 'keep_out'.", 422)
            self.known_cohort(cohort)
            kept = self.facts.kept_cohort(school_id)
            if decision == PIN and kept is not None and kept != cohort:
                raise StudioError(f"{self.school_name(school_id)} stays in "
                                  f"{self.facts.cohort(kept).name}: it has launched or "
                                  "withdrawn, so no decision can place it elsewhere.", 409)
            if decision == PIN and self.facts.has_launched(cohort) and kept != cohort:
                group = self.facts.cohort(cohort)
                raise StudioError(f"{group.name} launched in "
                                  f"{self.facts.term_label(group.launch_term_index)}: a school "
                                  "cannot join it now.", 409)
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
            self.not_while_solving()
            self.known_school(school_id)
            if school_id not in self.decisions:
                raise StudioError("That school has no decision to remove.", 404)
            self.change_decisions(school_id, self.decisions[school_id], ())
            self.say("removed", name=self.school_name(school_id))

    def change_decisions(self, school_id: str, before: tuple, after: tuple) -> None:
        self.not_while_solving()
        self.steps.append(Step("decision", school_id, before, after))
        self.changed = None  # Undo now takes back this decision, not the last plan
        self.set_decisions(school_id, after)

    def set_decisions(self, school_id: str, rows: tuple) -> None:
        if rows:
            self.decisions[school_id] = tuple(rows)
        else:
            self.decisions.pop(school_id, None)
        self.decided()

    def undo(self) -> str:
        """Take back the last move, decision or plan (the board as it was before it); returns
        the school it was about ("" for a plan)."""
        with self.lock:
            self.not_while_solving()
            if not self.steps:
                raise StudioError("There is nothing to undo.", 409)
            step = self.steps.pop()
            before_save = len(self.steps) < self.saved_step
            self.saved_step = min(self.saved_step, len(self.steps))
            if step.what == "replan":
                self.plan, cohort_of, upgrades, self.plan_facts = step.before
                self.cohort_of, self.upgrades = dict(cohort_of), dict(upgrades)
                self.changed = None
                self.say("undone_replan", before_save=before_save)
                return ""
            name = self.school_name(step.school_id)
            if step.what == "move":
                self.cohort_of[step.school_id] = step.before
                self.changed = None
                self.say("undone_move", name=name, group=self.facts.cohort(step.before).name,
                         before_save=before_save)
            else:
                self.set_decisions(step.school_id, step.before)
                self.say("undone_decision", name=name, before_save=before_save)
            return step.school_id

    def say(self, kind: str, **values) -> None:
        self.announcement = (kind, values)

    def take_announcement(self) -> tuple:
        with self.lock:
            said, self.announcement = self.announcement, ()
            return said


def stays_words(stays) -> str:
    """Why a school keeps its group, for a refused request (the pages say it in stays.html)."""
    if stays.kind == WITHDRAWN:
        return "is withdrawn: it stays where it was"
    if stays.kind == PAUSED:
        return f"is paused: it stays in {stays.group}, to resume with it"
    if stays.kind == LAUNCHED:
        return f"launched in {stays.term}: it stays in {stays.group}"
    return f"launched with {stays.group} in {stays.term}: it stays in that group"


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
            "withdrawn_per_group": [g.withdrawn for g in summary.cohorts],
            "paused_per_group": [g.paused for g in summary.cohorts],
            "launched_by_term": summary.launched_by_term,
            "coaching_needed": [round(x, 2) for x in summary.coaching_needed],
            "coaching_available": summary.coaching_available,
            "upgrade_cost": summary.upgrade_cost, "moved": summary.moved,
            "upgrades": [{"upgrade": u, "term": facts.term_label(t)}
                         for u, t in sorted(summary.upgrades.items())]}
