"""Words for people in the what-if answers (`rollout compare`, `rollout sweep`): every sentence
a planner reads on the terminal, in the workbooks' plain sheets and in the progress lines.

One place, so that the terminal and the workbooks say the same thing the same way, and so that
the solver's words (objective, bound, gap, points) stay where they belong: the Details sheet
and `--details`. The functions take the comparison, sweep and plan summaries as they come
(this module sits below `rollout.whatif` and imports nothing of it).
"""
from __future__ import annotations

import math

from rollout.planning.plan import gap_percent

# ---- plans --------------------------------------------------------------------------------

BEST = "the best plan possible"
NOT_PROVEN = "a plan that meets every limit (not proven the best in the time given)"
NO_PLAN = "no plan possible"


def plan_found(outcome) -> str:
    """Whether a plan was found and how good it is, without solver figures."""
    if outcome.plan is None:
        return NO_PLAN if outcome.status == "infeasible" else \
            "no plan found in the time given"
    return BEST if outcome.plan.status == "optimal" else NOT_PROVEN


def share(part: float, whole: float) -> str:
    """'42%': a share in whole percent (one decimal below 1 %)."""
    if not whole:
        return "-"
    value = 100 * part / whole
    return f"{value:.1f}%" if 0 < value < 1 else f"{value:.0f}%"


def money(value: float) -> str:
    return f"${value:,.0f}"


def fte(value: float) -> str:
    """'95.0': coaching FTE with one decimal, as the workbooks show it."""
    return f"{value:,.1f}"


def cohort_place(facts, number: int) -> str:
    """'Group 3 (2029 Spring)'."""
    return f"{facts.cohort(number).name} ({facts.term_label(facts.launch_term_of(number))})"


def headline_term(facts) -> int:
    """The term the short comparison counts launches by: the launch term of the middle cohort
    of those still to launch (where plans differ most), or of the last cohort."""
    future = [c for c in facts.cohorts if not facts.has_launched(c.number)] or facts.cohorts
    return future[(len(future) - 1) // 2].launch_term_index


def launched_by(facts, summary, term: int) -> str:
    """'52,310 students (55%) in 67 schools (71%)': launched by the end of `term`."""
    students, schools = summary.students_by_term[term], summary.launched_by_term[term]
    return (f"{students:,} students ({share(students, summary.students)}) in {schools} "
            f"school{'' if schools == 1 else 's'} ({share(schools, summary.schools)})")


def peak_coaching(facts, summary) -> str:
    """'60.4 of 61.0 coaches in 2028 Spring': the term when the most of the coaches are needed."""
    _, term = summary.peak_coaching()
    return (f"{fte(summary.coaching_needed[term])} of {fte(summary.coaching_available[term])} "
            f"coaches in {facts.term_label(term)}")


def upgrades_text(summary) -> str:
    count = len(summary.upgrades)
    if not count:
        return "no upgrades"
    return f"{count} upgrade{'s' if count > 1 else ''} costing {money(summary.upgrade_cost)}"


def moved_text(summary) -> str:
    if not summary.moved:
        return "no school moves"
    return (f"{summary.moved} school{'s' if summary.moved > 1 else ''} move "
            f"({len(summary.earlier)} earlier, {len(summary.later)} later)")


CANNOT_MOVE = "cannot move: "  # a scenario's change naming a school it could not move


def compact_changes(changes: list[str]) -> list[str]:
    """A scenario's changes with the schools that cannot move for the same reason said once:
    "cannot move: HS001 stays in Group 5: ..." and "cannot move: HS003 stays in Group 5: ..."
    become "cannot move (stays in Group 5: ...): HS001, HS003"."""
    same: dict[str, list[str]] = {}
    for change in changes:
        if change.startswith(CANNOT_MOVE) and " " in change[len(CANNOT_MOVE):]:
            school, why = change[len(CANNOT_MOVE):].split(" ", 1)
            same.setdefault(why, []).append(school)
    out = []
    for change in changes:
        school, _, why = change[len(CANNOT_MOVE):].partition(" ")
        if not change.startswith(CANNOT_MOVE) or len(same.get(why, [])) < 2:
            out.append(change)
        elif same[why][0] == school:
            out.append(f"cannot move ({why}): {', '.join(same[why])}")
    return out


# ---- why a school moves -------------------------------------------------------------------

def move_sentence(facts, move) -> str:
    """Why a school is in another cohort than in the base plan, as its principal would be told:
    a limit that no longer fits, a decision of the scenario, or a school that now fits earlier
    (or makes room for those that do)."""
    to = cohort_place(facts, move.cohort)
    if move.kind == "decision":  # the decision in the district's words: "placed in ... by ..."
        said = move.limit[:1].upper() + move.limit[1:]
        return f"{said}." if move.limit.startswith("placed in ") else f"{said}: now in {to}."
    way = "earlier" if move.earlier else "later"
    if move.kind == "limit":
        return (f"Moves {way}, to {to}: in {facts.cohort(move.base_cohort).name} it no longer "
                f"fits the scenario's limits ({move.limit}).")
    if move.earlier:
        why = ("with the scenario's weighting of need and readiness it comes ahead of schools "
               "that now go later") if move.reweighted else \
            "the scenario leaves room for it there"
        return f"Now fits earlier, in {to}: {why}."
    if move.reweighted:
        return (f"Moves later, to {to}: with the scenario's weighting of need and readiness, "
                "other schools come first.")
    return f"Moves later, to {to}, to make room for schools that now fit earlier."


MOVE_COUNTS = [
    ("  earlier", lambda s: len(s.earlier)),
    ("  later", lambda s: len(s.later)),
    ("  because a limit of the scenario no longer fits them", lambda s: s.moved_by_limit),
    ("  placed by a decision of the scenario", lambda s: s.moved_by_decision),
    ("  now fit earlier, or make room for those that do", lambda s: s.moved_to_gain),
]


# ---- notes on a scenario's plan -----------------------------------------------------------

KEPT_WORSE = ("the solver's plan was no better than the base plan, which meets every limit of "
              "this scenario: the base plan is kept")
KEPT_NO_BETTER = "no better plan than the base plan was found: the base plan is kept"
KEPT_NOT_PROVEN = " (not proven the best in the time given)"
TIES_LEFT = ("the time ran out before every school that could keep its base place had kept it: "
             "some moves may make no difference (see the reasons on the Moves sheet)")
BASE_NOT_BEST = ("this plan also meets the base's own limits and is better under them: the base "
                 "plan is not the best possible, so part of these moves come from the longer "
                 "search, not from the scenario (Details sheet)")


# ---- a scenario with no possible plan -----------------------------------------------------

def no_plan_text(own: list[str], others: list[str], relaxations: list[str],
                 together: str, changes: list[str] = ()) -> str:
    """Which of the scenario's own changes conflict (with which other limits), and the
    smallest change that would make a plan possible. When none of the limits in conflict is
    one the scenario changed, its `changes` (decisions such as "nothing launches in 2029
    Fall") are what leave them in conflict: the base plan meets them all."""
    if own:
        text = ("No plan possible: the scenario's own change" + ("s to " if len(own) > 1 else
                                                                 " to ")
                + " and ".join(own) + (" conflict" if len(own) > 1 else " conflicts")
                + (" with " + " and ".join(others) if others else " with each other"))
    elif others and changes:
        text = ("No plan possible: with the scenario's changes (" + "; ".join(changes)
                + "), these limits conflict: " + "; ".join(others))
    elif others:
        text = "No plan possible: these limits conflict: " + "; ".join(others)
    else:
        text = "No plan possible"
    joined = [r for r in relaxations if r.startswith(together)]
    if joined:
        return text + ". These changes together would make a plan possible: " + \
            joined[0][len(together):] + "."
    if relaxations:
        return text + ". Any one of these would make a plan possible: " + \
            "; or ".join(relaxations) + "."
    return text + "."


def decisions_conflict_text(conflicts: list[str]) -> str:
    """A scenario whose own decisions leave no plan (not solved): which, and what to write."""
    return "No plan possible: the scenario's decisions conflict: " + "; ".join(conflicts) + "."


# ---- the terminal: compare ----------------------------------------------------------------

def comparison_lines(comparison, out_dir) -> list[str]:
    """The short comparison: the base and each scenario on two lines, the workbook and the
    plan files."""
    facts = comparison.base.facts
    term = headline_term(facts)
    lines = [headline(facts, term)]
    base_summary = comparison.summaries.get(comparison.base.name)
    if base_summary is not None:
        lines += held_lines(base_summary)
    for outcome in comparison.outcomes:
        summary = comparison.summaries.get(outcome.name)
        said = outcome.variant.description if outcome is not comparison.base else ""
        if summary is None:
            said = f" ({said})" if said else ""
            lines.append(f"{outcome.name}{said}: {outcome.message or plan_found(outcome)}")
            continue
        lines += plan_lines(facts, term, outcome.name, said, summary,
                            outcome is not comparison.base, outcome.plan.status == "optimal",
                            comparison.notes.get(outcome.name))
    lines.append(f"Workbook: {out_dir / 'scenarios.xlsx'} (launches by term, coaching, upgrades, "
                 "every school that moves and why; solver figures on its Details sheet; "
                 "--details prints them)")
    lines.append(f"Plans: {out_dir / 'plans'} (base.csv and one per scenario, in plan.csv's "
                 "columns)")
    return lines


def headline(facts, term: int) -> str:
    return f"By the end of {facts.term_label(term)}, and what each plan needs:"


def held_lines(summary, cohort: str = "cohort") -> list[str]:
    """How withdrawn and paused schools are counted, in one line (none when there are none);
    `cohort`: the word for a cohort (the studio says "group")."""
    said = []
    if n := summary.withdrawn:
        said.append(f"counts leave out {n} withdrawn school{'' if n == 1 else 's'} (no place in "
                    f"a {cohort}, no launch)")
    if n := summary.paused:
        counted = f" counts in its {cohort}" if n == 1 else f"s count in their {cohort}s"
        said.append(f"{n} paused school{counted} and as launched (a paused school keeps its "
                    "place)")
    text = "; ".join(said) + "."
    return [text[:1].upper() + text[1:]] if said else []


def plan_lines(facts, term: int, name: str, description: str, summary, moved: bool,
               proven: bool, note: str | None = None) -> list[str]:
    """One plan of the short comparison: students and schools launched by the end of `term`
    and its cohorts; then its busiest coaching term, its upgrades, (`moved`) the schools that
    move, whether it is proven the best, and the note on it."""
    said = f" ({description})" if description else ""
    cohorts = ", ".join(str(g.schools) for g in summary.cohorts)
    lines = [f"{name}{said}: {launched_by(facts, summary, term)} launched; "
             f"cohorts of {cohorts} schools"]
    second = [f"busiest coaching term {peak_coaching(facts, summary)}", upgrades_text(summary)]
    if moved:
        second.append(moved_text(summary))
    if not proven:
        second.append("not proven the best in the time given")
    lines.append("  " + "; ".join(second))
    if note:
        lines.append(f"  Note: {note}")
    return lines


MOVES_SHOWN = 10  # schools listed per scenario by --details (the Moves sheet has them all)


def proof_text(proven: bool, gap: float | None) -> str:
    """'optimal', or 'not proven' with the gap: the solver's words (Details, --details)."""
    if proven:
        return "optimal"
    if gap is None:
        return "not proven (no bound)"
    return f"not proven, gap {gap_percent(gap)}"


def status_and_gap(outcome) -> str:
    plan = outcome.plan
    return outcome.status if plan is None else proof_text(plan.status == "optimal", plan.gap)


def comparison_details(comparison) -> list[str]:
    """The long form (--details): cohorts, status and gap, every move's solver reason, the
    binding limits' gains in points."""
    facts = comparison.base.facts
    lines = ["Moved: schools in another cohort than in the base plan, each because the move "
             "gains or because its base place breaks a limit of the scenario.",
             f"{'plan':<22} {'status':<16} " + " ".join(f"{c.name[-7:]:>7}"
                                                       for c in facts.cohorts)
             + "   moved  gains  limit"]
    for outcome in comparison.outcomes:
        summary = comparison.summaries.get(outcome.name)
        counts = " ".join(f"{g.schools:>7}" for g in summary.cohorts) if summary else ""
        moved = (f"{summary.moved:>8} {summary.moved_to_gain:>6} "
                 f"{summary.moved_by_limit + summary.moved_by_decision:>6}") if summary else ""
        lines.append(f"{outcome.name[:22]:<22} {status_and_gap(outcome):<16} {counts}{moved}")
        if outcome.plan is not None:
            lines.append(f"  objective {outcome.plan.objective:,.1f}, bound "
                         f"{outcome.plan.bound:,.1f}")
        if outcome.message:
            lines.append(f"  {outcome.message}")
        if outcome.name in comparison.notes:
            lines.append(f"  Note: {comparison.notes[outcome.name]}")
    for outcome in comparison.scenarios:
        summary = comparison.summaries.get(outcome.name)
        if not summary or not summary.moves:
            continue
        lines.append(f"{outcome.name}: {summary.moved} school(s) moved")
        lines += [f"  {m.school_id} {facts.cohort(m.base_cohort).name} -> "
                  f"{facts.cohort(m.cohort).name}: {m.reason}" for m in summary.moves[:MOVES_SHOWN]]
        if summary.moved > MOVES_SHOWN:
            lines.append(f"  ... and {summary.moved - MOVES_SHOWN} more (Moves sheet)")
    if comparison.limits:
        lines.append(f"Binding limits, what one more unit buys (at most {comparison.radius} "
                     "schools moving):")
        for rank, r in enumerate(comparison.limits[:5], start=1):
            proof = "" if r.proven else f" ({proof_text(False, r.gap)})"
            lines.append(f"  {rank}. {r.candidate.limit} ({r.candidate.share:.0%} used): "
                         f"+{r.gain:,.1f} points{proof}; {r.buys()}")
    return lines


def timing_line(plans: int, wall: float, solves: float, budget: float, workers: int) -> str:
    return (f"{plans} plans in {wall:.1f} s (solves {solves:.1f} s of a {budget:g} s budget, "
            f"{workers} at a time).")


# ---- the terminal: sweep ------------------------------------------------------------------

def wobble_words(w) -> str:
    """Where the curve is not monotone, without the solver's gap."""
    moved = "falls" if w.measure == "mean need" else "rises"
    said = (f"between need_weight {w.low:g} and {w.high:g} the early schools' {w.measure} "
            f"{moved} from {w.before:.1f} to {w.after:.1f}")
    if w.unproven:
        weights = " and ".join(f"{weight:g}" for weight, _ in w.unproven)
        return said + (f": the plan at {weights} is not proven the best in the time given (a "
                       "longer --time-budget may smooth the curve)")
    return said + ": both plans are the best possible, so this is a real effect of the limits"


def monotone_words(sweep) -> str:
    if sweep.monotone:
        return ("The curve is monotone: as need_weight rises, the early schools' mean need never "
                "falls and their mean readiness never rises.")
    return "Not monotone: " + "; ".join(wobble_words(w) for w in sweep.wobbles) + "."


def sweep_lines(sweep, out_file) -> list[str]:
    """The short sweep: one line per need_weight (early schools' means, students launched by
    the named term, schools moved against the current setting), and the workbook."""
    facts = sweep.facts
    term = headline_term(facts)
    label = f"students by {facts.term_label(term)}"
    lines = [f"Early-launching schools: {sweep.early_names()}",
             f"{'need_weight':>11}  {'mean need':>9} {'mean readiness':>14}  {label:>24}"
             f"  {'moved':>5}"]
    unproven = False
    for p in sweep.points:
        if p.early is None:
            lines.append(f"{p.need_weight:>11g}  {p.outcome.message or plan_found(p.outcome)}")
            continue
        launched = p.summary.students_by_term[term]
        students = f"{launched:,} ({share(launched, p.summary.students)})"
        mark = "" if p.proven else " *"
        unproven = unproven or bool(mark)
        lines.append(f"{p.need_weight:>11g}  {p.early.mean_need:9.1f} "
                     f"{p.early.mean_readiness:14.1f}  {students:>24}  {p.moved:>5}{mark}"
                     + ("  <- current setting" if p.current else ""))
    if unproven:
        lines.append("* not proven the best in the time given (Details sheet)")
    lines.append(monotone_words(sweep))
    lines.append(f"Workbook: {out_file} (the trade-off charted; solver figures on its Details "
                 "sheet; --details prints them)")
    return lines


def sweep_details(sweep) -> list[str]:
    """The long form (--details): every point's status and gap."""
    lines = [f"{'need_weight':>11}  {'status':<30} {'objective':>10} {'bound':>10}"]
    for p in sweep.points:
        plan = p.outcome.plan
        figures = f"{plan.objective:10,.1f} {plan.bound:10,.1f}" if plan else ""
        lines.append(f"{p.need_weight:>11g}  {status_and_gap(p.outcome):<30} {figures}"
                     + (f"  (plan from need_weight {p.better_from:g})"
                        if p.better_from is not None else ""))
    lines += [f"Not monotone: {w.text()}" for w in sweep.wobbles]
    return lines


# ---- progress (standard error) ------------------------------------------------------------

PROGRESS_SECONDS = 5.0  # a progress line at least this often while plans are solving


def progress_line(done: int, total: int, solving: list[str], left: float, budget: float
                  ) -> str:
    """'3 of 9 plans done, 41 s of the 60 s budget left; solving: pure_need, ...'."""
    now = "; solving: " + ", ".join(solving) if solving else ""
    return (f"  {done} of {total} plans done, {max(0, math.ceil(left))} s of the "
            f"{budget:g} s budget left{now}")


def starting_line(what: str, budget: float, workers: int) -> str:
    return (f"Solving {what} within a budget of {budget:g} s, {workers} at a time "
            "(progress every few seconds) ...")
