"""scenarios.xlsx + scenarios.csv (`rollout compare`): the base plan and every scenario side by
side, the schools that move and the binding limits.

openpyxl with native Excel charts, in the look of `whatif_style.py`; files are written to a
temporary name in the output folder and renamed into place together (`outputs/atomic.py`).
"""
from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rollout.outputs.whatif_style import (
    BASE_FILL,
    CHART_H,
    CHART_W,
    MONEY,
    NAVY,
    ONE,
    PCT,
    WHOLE,
    across,
    csv_value,
    fit_heights,
    header,
    nice_range,
    notes,
    page,
    put,
    reading,
    save_reproducibly,
    styled,
    title,
    widths,
)
from rollout.outputs.whatif_words import (
    MOVE_COUNTS,
    cohort_place,
    compact_changes,
    headline_term,
    move_sentence,
    plan_found,
    proof_text,
    status_and_gap,
)
from rollout.planning.plan import gap_percent
from rollout.safe import safe_text

EARLIER_FILL = PatternFill("solid", fgColor="C6EFCE")
LATER_FILL = PatternFill("solid", fgColor="FCE4D6")
NO_PLAN_FILL = PatternFill("solid", fgColor="F8CBAD")
ROWS_PER_CHART = 17  # sheet rows a chart of CHART_H covers, with a gap
READING = ("How to read: 'moved' counts the schools in another cohort than in the base plan, "
           "each there only because a limit of the scenario no longer fits it, a decision of "
           "the scenario places it, or the plan is better with it elsewhere (it now fits "
           "earlier, or makes room for schools that do; the Moves sheet says which); 'not "
           "proven' means the solver stopped before proving a plan the best (the Details sheet "
           "says by how much it could be better).")


# ---- cells and charts of these sheets ----------------------------------------------------

def heading(ws: Worksheet, row: int, text: str) -> None:
    put(ws, row, 1, text, box=False, bold=True, size=12, colour=NAVY)


def name_width(names: list[str]) -> float:
    """Columns headed by scenario names: wide enough that a name does not break mid-word."""
    return min(30, max(15, max(len(n) for n in names) + 3))


def amount(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) or value >= 1000 else f"{value:,.1f}"


def block_chart(kind: str, ws: Worksheet, top: int, last: int, columns: int, name: str,
                y_title: str, y_fmt: str | None = None, y_range=None):
    """A chart of a block: header row `top`, categories in column A, one series per column."""
    chart = BarChart() if kind == "bar" else LineChart()
    if kind == "bar":
        chart.type, chart.grouping, chart.overlap = "col", "clustered", 0
    chart.add_data(Reference(ws, min_col=2, max_col=1 + columns, min_row=top, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    if kind == "line":
        for series in chart.series:
            series.marker.symbol = "circle"
            series.smooth = False
    if y_range:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = y_range
    return styled(chart, name, y_title, None, y_fmt)


# ---- scenarios.xlsx ----------------------------------------------------------------------

def write_scenarios_workbook(comparison, path: Path) -> None:
    facts = comparison.base.facts
    today = dt.date.today()
    wb = Workbook()
    names = [o.name for o in comparison.outcomes]
    subtitle = (f"{facts.district.name}: the base plan and {len(names) - 1} scenario(s), "
                f"{today.isoformat()}")  # the solves' time budget: on Details
    summary = wb.active
    launches = launches_sheet(wb.create_sheet("Launches"), comparison, names, subtitle)
    cohort_blocks = cohorts_sheet(wb.create_sheet("Cohorts"), comparison, names, subtitle)
    summary_sheet(summary, comparison, names, subtitle, cohort_blocks, launches)
    capacity_sheet(wb.create_sheet("Capacity"), comparison, names, subtitle)
    upgrades_sheet(wb.create_sheet("Upgrades"), comparison, names, subtitle)
    moves_sheet(wb.create_sheet("Moves"), comparison, subtitle)
    limits_sheet(wb.create_sheet("Binding limits"), comparison, subtitle)
    scenario_notes(wb.create_sheet("Notes"), comparison)
    details_sheet(wb.create_sheet("Details"), comparison, names, subtitle)
    save_reproducibly(wb, path, today)


def moves_by_school(comparison, name: str) -> dict:
    summary = comparison.summaries.get(name)
    return {m.school_id: m for m in summary.moves} if summary else {}


def limits_status(comparison) -> str:
    """The binding limits' plans in one line: how many re-solved, proven, the largest gap."""
    results = comparison.limits
    if not results:
        return "Binding limits: none re-solved."
    proven = sum(r.proven for r in results)
    gaps = [r.gap or 0.0 for r in results if not r.proven]
    return (f"Binding limits: {len(results)} re-solved near the base plan, {proven} proven"
            + (f", the largest gap {gap_percent(max(gaps))}" if gaps else "")
            + " (Binding limits sheet).")


def summary_rows(comparison) -> list[tuple[str, str | None, Callable]]:
    """(measure, number format, value for one outcome): the Summary sheet, in plain words."""
    facts = comparison.base.facts
    s = comparison.summaries
    term = headline_term(facts)
    by = f"by the end of {facts.term_label(term)}"

    def of(fn):
        return lambda o: fn(s[o.name]) if o.name in s else None

    def changes(o) -> str:
        said = [o.variant.description] if o.variant.description else []
        return "; ".join(said + compact_changes(o.variant.changes)) or "no change"

    def note(o) -> str | None:
        return comparison.notes.get(o.name)

    rows = [("What changes", None, changes),
            ("Plan found", None, plan_found),
            (f"Students launched {by}", WHOLE, of(lambda x: x.students_by_term[term])),
            ("  share of all students", PCT,
             of(lambda x: x.students_by_term[term] / x.students if x.students else None)),
            (f"Schools launched {by}", WHOLE, of(lambda x: x.launched_by_term[term])),
            ("  share of all schools", PCT,
             of(lambda x: x.launched_by_term[term] / x.schools if x.schools else None))]
    for i, cohort in enumerate(facts.cohorts):
        rows.append((f"Schools in {cohort_place(facts, cohort.number)}", WHOLE,
                     of(lambda x, i=i: x.cohorts[i].schools)))
    base = s.get(comparison.base.name)
    if base is not None and base.withdrawn:  # said, so that the counts add up
        rows.append(("Withdrawn schools (in no cohort's count, not launched)", WHOLE,
                     of(lambda x: x.withdrawn)))
    if base is not None and base.paused:
        rows.append(("Paused schools (counted in their cohort and as launched)", WHOLE,
                     of(lambda x: x.paused)))
    first = facts.first_cohort_to_come()  # a launched cohort is the same in every plan
    at = first.number - 1
    rows += [(f"Mean need of {first.name}", ONE, of(lambda x: x.cohorts[at].mean_need)),
             (f"Mean readiness of {first.name}", ONE,
              of(lambda x: x.cohorts[at].mean_readiness)),
             ("Busiest coaching term", None,
              of(lambda x: facts.term_label(x.peak_coaching()[1]))),
             ("  coaches needed then (FTE)", ONE,
              of(lambda x: x.coaching_needed[x.peak_coaching()[1]])),
             ("  coaches available then (FTE)", ONE,
              of(lambda x: x.coaching_available[x.peak_coaching()[1]])),
             ("Peak network link use (share of capacity)", PCT,
              of(lambda x: max(x.link_peak)[0])),
             ("Busiest network link", None, of(lambda x: busiest_link(facts, x))),
             ("Upgrades chosen", WHOLE, of(lambda x: len(x.upgrades))),
             ("Upgrade cost", MONEY, of(lambda x: x.upgrade_cost)),
             ("Preferences honoured", None,
              of(lambda x: f"{x.preferences_honoured} of {x.preferences_asked}")),
             ("Schools moved (cohort not the base plan's)", WHOLE, of(lambda x: x.moved))]
    rows += [(label, WHOLE, of(count)) for label, count in MOVE_COUNTS]
    if comparison.notes:
        rows.append(("Note", None, note))
    if any(o.plan is None for o in comparison.outcomes):
        rows.append(("Why there is no plan", None, lambda o: o.message or None))
    return rows


def details_rows(comparison) -> list[tuple[str, str | None, Callable]]:
    """The solver's figures of every plan: the Details sheet and the end of scenarios.csv."""
    def plan_value(fn):
        return lambda o: fn(o.plan) if o.plan else None

    return [("Plan status", None, status_and_gap),
            ("Objective (priority points)", ONE, plan_value(lambda p: p.objective)),
            ("Bound (no plan scores more)", ONE, plan_value(lambda p: p.bound)),
            ("Gap to the bound", "0.00####%", plan_value(lambda p: p.gap)),
            ("Started from", None, lambda o: o.start or "nothing (solved as 'rollout plan')"),
            ("Time limit given (s)", ONE, lambda o: o.seconds or None),
            ("Time taken (s)", ONE, lambda o: o.took or None)]


def busiest_link(facts, summary) -> str:
    share, link = max(summary.link_peak)
    return f"{link} in {facts.term_label(summary.link_peak.index((share, link)))}"


def summary_sheet(ws: Worksheet, comparison, names, subtitle, cohort_blocks, launches) -> None:
    ws.title = "Summary"
    row = title(ws, "What-if scenarios side by side", subtitle)
    widths(ws, [42] + [24] * len(names))
    reading(ws, READING, max(3, len(names) + 1))
    header(ws, row, 1, ["Measure", *names])
    top = row
    for label, fmt, value in summary_rows(comparison):
        row += 1
        put(ws, row, 1, label, bold=not label.startswith("  "))
        for j, outcome in enumerate(comparison.outcomes, start=2):
            v = value(outcome)
            put(ws, row, j, v, fmt, wrap=isinstance(v, str),
                fill=NO_PLAN_FILL if outcome.plan is None else BASE_FILL if j == 2 else None)
    fit_heights(ws, range(top, row + 1))
    put(ws, row + 1, 1, "Every term's launches: the Launches sheet; the solver's figures: the "
        "Details sheet.", box=False, italic=True)
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    sheet, (block_top, block_last) = ws.parent["Launches"], launches
    ws.add_chart(block_chart("bar", sheet, block_top, block_last, len(names),
                             "Students launched by the end of each term", "Students", "#,##0"),
                 f"A{row + 3}")
    cohorts = ws.parent["Cohorts"]
    block_top, block_last = cohort_blocks["schools"]
    ws.add_chart(block_chart("bar", cohorts, block_top, block_last, len(names),
                             "Schools per cohort", "Schools"),
                 f"D{row + 3}" if len(names) >= 3 else f"A{row + 3 + ROWS_PER_CHART}")
    page(ws)


def term_block(ws: Worksheet, comparison, names, row: int, text: str, fmt, value,
               chart: str | None = None, y_title: str = "Share", y_fmt: str = "0%",
               y_range=None, kind: str = "line") -> tuple[int, int, int]:
    """A table of one measure per term (rows) and plan (columns), with a line chart beside it
    when `chart` names it; returns its header row, last row and the next free row."""
    terms = comparison.base.facts.district.terms
    heading(ws, row, text)
    top = row + 1
    header(ws, top, 1, ["Term", *names])
    for i, term in enumerate(terms):
        put(ws, top + 1 + i, 1, term.label)
        for j, outcome in enumerate(comparison.outcomes, start=2):
            summary = comparison.summaries.get(outcome.name)
            put(ws, top + 1 + i, j, value(summary, i) if summary else
                "no plan" if i == 0 else None, fmt)
    fit_heights(ws, [top])
    last = top + len(terms)
    if not chart:
        return top, last, last + 2
    ws.add_chart(block_chart(kind, ws, top, last, len(names), chart, y_title, y_fmt,
                             y_range), f"{get_column_letter(len(names) + 3)}{row}")
    return top, last, max(last + 2, row + ROWS_PER_CHART)


def launches_sheet(ws: Worksheet, comparison, names, subtitle) -> tuple[int, int]:
    """Schools and students launched by the end of each term, counts and shares; returns where
    the students are, for the Summary sheet's chart."""
    row = title(ws, "Schools and students launched by the end of each term", subtitle)
    widths(ws, [16] + [name_width(names)] * len(names))

    def part(counts, whole):
        return lambda x, t: getattr(x, counts)[t] / getattr(x, whole) \
            if getattr(x, whole) else None

    top, last, row = term_block(ws, comparison, names, row, "Students launched by the end of "
                                "the term", WHOLE, lambda x, t: x.students_by_term[t],
                                "Students launched by the end of each term", "Students",
                                "#,##0", kind="bar")
    _, _, row = term_block(ws, comparison, names, row, "Share of all students", PCT,
                           part("students_by_term", "students"))
    _, _, row = term_block(ws, comparison, names, row, "Schools launched by the end of the "
                           "term", WHOLE, lambda x, t: x.launched_by_term[t],
                           "Schools launched by the end of each term", "Schools", "0",
                           kind="bar")
    term_block(ws, comparison, names, row, "Share of all schools", PCT,
               part("launched_by_term", "schools"))
    ws.freeze_panes = ws.cell(row=5, column=2)
    page(ws)
    return top, last


def cohorts_sheet(ws: Worksheet, comparison, names, subtitle) -> dict:
    """Three blocks (schools, mean need, mean readiness per cohort) with a chart beside each;
    returns where the blocks are, for the Summary sheet's charts."""
    facts = comparison.base.facts
    row = title(ws, "Cohorts in each plan", subtitle)
    blocks = {}
    specs = [("schools", "Schools per cohort", WHOLE, lambda g: g.schools, "bar", "Schools"),
             ("need", "Mean need of each cohort", ONE, lambda g: g.mean_need, "line",
              "Mean need (0-100)"),
             ("readiness", "Mean readiness of each cohort", ONE, lambda g: g.mean_readiness,
              "line", "Mean readiness (0-100)")]
    widths(ws, [24] + [name_width(names)] * len(names))
    for key, text, fmt, value, kind, y_title in specs:
        heading(ws, row, text + ("" if key == "schools" else " (each school counts once)"))
        top = row + 1
        header(ws, top, 1, ["Cohort (launch term)", *names])
        numbers = []
        for i, cohort in enumerate(facts.cohorts):
            r = top + 1 + i
            put(ws, r, 1, f"{cohort.name} ({facts.term_label(cohort.launch_term_index)})")
            for j, outcome in enumerate(comparison.outcomes, start=2):
                summary = comparison.summaries.get(outcome.name)
                numbers.append(value(summary.cohorts[i]) if summary else None)
                put(ws, r, j, numbers[-1], fmt)
        fit_heights(ws, [top])
        last = top + len(facts.cohorts)
        blocks[key] = (top, last)
        y_range = None if key == "schools" else nice_range(numbers)
        blocks[f"{key} range"] = y_range
        ws.add_chart(block_chart(kind, ws, top, last, len(names), text, y_title,
                                 y_range=y_range), f"{get_column_letter(len(names) + 3)}{row}")
        row = max(last + 2, row + ROWS_PER_CHART)
    page(ws)
    return blocks


def capacity_sheet(ws: Worksheet, comparison, names, subtitle) -> None:
    row = title(ws, "Coaching and bandwidth in each plan", subtitle)
    widths(ws, [16] + [name_width(names)] * len(names))
    blocks = [
        ("Coaches needed (FTE)", ONE, lambda s, t: s.coaching_needed[t], None),
        ("Coaches available (FTE: the Terms sheet, changed by the scenario)", ONE,
         lambda s, t: s.coaching_available[t], None),
        ("Coaching used: share of the coaches available", PCT,
         lambda s, t: s.coaching_needed[t] / s.coaching_available[t]
         if s.coaching_available[t] else None, "Share of coaches in use"),
        ("Peak network link use: the busiest network link's share of capacity", PCT,
         lambda s, t: s.link_peak[t][0], "Busiest network link's use"),
        ("The busiest network link", None, lambda s, t: s.link_peak[t][1], None)]
    for text, fmt, value, chart in blocks:
        _, _, row = term_block(ws, comparison, names, row, text, fmt, value, chart,
                               "Share in use")
    page(ws)


def upgrades_sheet(ws: Worksheet, comparison, names, subtitle) -> None:
    facts = comparison.base.facts
    row = title(ws, "Network upgrades chosen in each plan", subtitle)
    put(ws, row, 1, "Each cell gives the term the upgrade completes; blank = not chosen.",
        box=False)
    row += 2
    fixed = ["Upgrade", "Link", "New capacity (Mbps)", "Cost"]
    widths(ws, [10, 16, 12, 12] + [name_width(names)] * len(names))
    header(ws, row, 1, [*fixed, *names])
    fit_heights(ws, [row])
    for upgrade in facts.district.upgrades:
        row += 1
        values = [upgrade.upgrade, upgrade.link, upgrade.new_capacity_mbps, upgrade.cost]
        for j, (value, fmt) in enumerate(zip(values, [None, None, WHOLE, MONEY]), start=1):
            put(ws, row, j, value, fmt)
        for j, outcome in enumerate(comparison.outcomes, start=len(fixed) + 1):
            summary = comparison.summaries.get(outcome.name)
            term = summary.upgrades.get(upgrade.upgrade) if summary else None
            put(ws, row, j, facts.term_label(term) if term is not None else None)
    row += 1
    put(ws, row, 1, "Total cost", bold=True)
    for j, outcome in enumerate(comparison.outcomes, start=len(fixed) + 1):
        summary = comparison.summaries.get(outcome.name)
        put(ws, row, j, summary.upgrade_cost if summary else None, MONEY, bold=True)
    if not facts.district.upgrades:
        put(ws, row + 2, 1, "The district lists no optional upgrades (Upgrades sheet).",
            box=False)
    page(ws)


def moves_sheet(ws: Worksheet, comparison, subtitle) -> None:
    facts = comparison.base.facts
    base = comparison.base.plan.cohort_of
    row = title(ws, "Schools in another cohort than in the base plan", subtitle)
    scenarios = comparison.scenarios
    moves = {o.name: moves_by_school(comparison, o.name) for o in scenarios}
    widths(ws, [9, 30, 8, 10, 20] + [name_width([o.name for o in scenarios]) + 4, 50]
           * len(scenarios))
    reading(ws, READING, 7)
    across(ws, row, "Green: launches earlier than in the base plan; orange: later. Only schools "
           "that move in at least one scenario are listed, each with why it moves in that "
           "scenario, as its principal would be told (the solver's account of each move is on "
           "the Details sheet).", 7)
    row += 2
    header(ws, row, 1, ["School", "Name", "Need", "Readiness", "Base plan",
                        *[text for o in scenarios for text in (o.name, f"{o.name}: why")]])
    fit_heights(ws, [row])
    top = row
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    movers = sorted({s for by_school in moves.values() for s in by_school})
    for sid in movers:
        row += 1
        school = facts.district.school_by_id[sid]
        for j, (value, fmt) in enumerate([(sid, None), (school.school_name, None),
                                          (facts.need[sid], ONE), (facts.readiness[sid], ONE),
                                          (cohort_place(facts, base[sid]), None)], start=1):
            put(ws, row, j, value, fmt, wrap=j == 5)
        for j, outcome in enumerate(scenarios):
            move = moves[outcome.name].get(sid)
            cohort = outcome.plan.cohort_of[sid] if outcome.plan else None
            fill = None if move is None else EARLIER_FILL if move.earlier else LATER_FILL
            put(ws, row, 6 + 2 * j, cohort_place(outcome.facts, cohort) if cohort else None,
                fill=fill, wrap=True)
            put(ws, row, 7 + 2 * j, move_sentence(outcome.facts, move) if move else None,
                wrap=True)
    fit_heights(ws, range(top + 1, row + 1))
    if not movers:
        put(ws, row + 1, 1, "No school moves in any scenario.", box=False)
    page(ws)
    # One page wide is unreadable beyond two scenarios: two scenarios a page, each page with
    # the header row and the school's id and name.
    ws.page_setup.fitToWidth = max(1, math.ceil(len(scenarios) / SCENARIOS_PER_PAGE))
    ws.print_title_rows = f"{top}:{top}"
    ws.print_title_cols = "A:B"


SCENARIOS_PER_PAGE = 2  # on a printed page of the Moves sheet


LIMIT_COLUMNS = [("Rank", 6), ("Limit", 26), ("Used in the base plan", 15), ("Share used", 8),
                 ("One more unit", 30), ("What it buys", 50), ("Proven", 14)]


def limits_sheet(ws: Worksheet, comparison, subtitle) -> None:
    row = title(ws, "Binding limits: what one more unit of each would buy", subtitle)
    widths(ws, [w for _, w in LIMIT_COLUMNS])
    reading(ws, READING, len(LIMIT_COLUMNS))
    explanation = (
        "Limits the base plan uses at 95 % or more, most useful first. For each, the plan is "
        "solved again with one more unit, starting from the base plan and moving at most "
        f"{comparison.radius} schools (the others stay where the base plan put them). 'What it "
        "buys' names the schools that would launch earlier, and those that would go later to "
        "make room; the ranking weighs how much earlier they launch by their priority (the "
        "figures are on the Details sheet). 'Proven': the answer is certain for that many "
        "moves; 'not proven': the solver ran out of time, and a longer --time-budget may find "
        "more.")
    across(ws, row, explanation, len(LIMIT_COLUMNS))
    row += 2
    header(ws, row, 1, [c for c, _ in LIMIT_COLUMNS])
    top = row
    for rank, result in enumerate(comparison.limits, start=1):
        row += 1
        c = result.candidate
        values = [(rank, WHOLE), (c.limit, None), (f"{amount(c.used)} of {amount(c.available)}",
                                                   None),
                  (c.share, PCT), (c.unit, None), (result.buys(), None),
                  ("yes" if result.proven else "not proven", None)]
        for j, (value, fmt) in enumerate(values, start=1):
            put(ws, row, j, value, fmt, wrap=isinstance(value, str))
    fit_heights(ws, range(top, row + 1))
    if not comparison.limits:
        row += 1
        put(ws, row, 1, "None re-solved: --limits 0." if comparison.limits_left_out else
            "No limit is used at 95 % or more in the base plan.", box=False)
    for c in comparison.limits_left_out:
        row += 1
        put(ws, row, 2, f"Not re-solved (beyond --limits): {c.limit}, {c.share:.1%} used",
            box=False)
    page(ws)


def scenario_notes(ws: Worksheet, comparison) -> None:
    facts = comparison.base.facts
    lines = [
        "Plans:",
        "Base plan: the district's own settings.yaml and district.xlsx. Each scenario changes "
        "only what its file says ('What changes' on the Summary sheet).",
        "Every plan follows the same rules as 'rollout plan' and is re-checked against every "
        "rule without the solver. 'The best plan possible' is proven the best for the district's "
        "priorities; 'not proven the best in the time given' meets every limit, and the Details "
        "sheet says how much better the best plan could be. A longer --time-budget narrows it.",
        "Every scenario starts from the base plan and keeps every school where the base plan "
        "put it unless the scenario needs the move: a limit of the scenario no longer fits the "
        "school's base place, a decision of the scenario places it, or the plan is better with "
        "it elsewhere (it now fits earlier, or makes room for schools that do). The Moves sheet "
        "says which for each school. A scenario that only adds capacity (coaches, bandwidth, "
        "crews, budget, a larger cohort) never ends with a worse plan than the base plan: if "
        "the solver finds nothing better, the base plan is kept (Note row). A scenario whose "
        "facts equal the base's is not solved again: its plan is the base plan, 0 moved.",
        "Measures:",
        "Launched by the end of a term: the schools whose cohort launches in or before that "
        "term, and their students, as counts and as shares of all schools and students (the "
        "Launches sheet has every term).",
        "Need and readiness are the schools' scores (0-100). Mean need and mean readiness of a "
        "cohort are plain means over its schools: each school counts once.",
        "Coaching: coaching FTE the plan needs in a term (teachers / teachers_per_coach x "
        "the load profile) against the coaches available that term. The busiest coaching term "
        "is the one with the highest share of the coaches in use.",
        "Peak network link use: in each term, the highest load on a shared network link (core, "
        "hub or feeder link; a school's own link serves only that school) as a share of its "
        "capacity after the plan's upgrades.",
        "Schools moved: schools whose cohort differs from the base plan's, each with why (Moves "
        "sheet).",
        "Scenario files:",
        *[f"{o.name}: {o.variant.source}" for o in comparison.scenarios],
        "District:",
        f"{facts.district.name}: {len(facts.schools)} schools, {len(facts.cohorts)} cohorts, "
        f"{facts.term_count} terms.",
    ]
    notes(ws, title(ws, "How to read this workbook", "Definitions"), lines)
    page(ws)


def details_sheet(ws: Worksheet, comparison, names, subtitle) -> None:
    """The solver's figures: every plan's status, objective, bound, gap and times; the binding
    limits' gains in priority points; every move's solver account; how the solves ran."""
    row = title(ws, "Solver details", subtitle)
    widths(ws, [42] + [24] * len(names))
    header(ws, row, 1, ["Measure", *names])
    top = row
    for label, fmt, value in details_rows(comparison):
        row += 1
        put(ws, row, 1, label, bold=True)
        for j, outcome in enumerate(comparison.outcomes, start=2):
            v = value(outcome)
            put(ws, row, j, v, fmt, wrap=isinstance(v, str),
                fill=BASE_FILL if j == 2 else None)
    fit_heights(ws, range(top, row + 1))
    row += 2
    heading(ws, row, "Binding limits: objective gain of one more unit")
    put(ws, row + 1, 1, limits_status(comparison), box=False, italic=True)
    row += 2
    header(ws, row, 1, ["Limit", "Objective gain (points)", "Proven", "Net cohorts earlier"])
    limit_top = row
    for result in comparison.limits:
        row += 1
        solved = result.outcome.plan is not None
        values = [(result.candidate.limit, None), (result.gain if solved else None, ONE),
                  ("yes" if result.proven else proof_text(False, result.gap), None),
                  (result.net_steps_earlier if solved else None, WHOLE)]
        for j, (value, fmt) in enumerate(values, start=1):
            put(ws, row, j, value, fmt, wrap=isinstance(value, str))
    fit_heights(ws, range(limit_top, row + 1))
    row = moves_details(ws, comparison, row + 2)
    lines = solver_notes(comparison)
    notes_top = row + 1
    for i, line in enumerate(lines):
        put(ws, notes_top + i, 1, line, box=False, wrap=not line.endswith(":"),
            bold=line.endswith(":"), colour=NAVY if line.endswith(":") else None)
        ws.merge_cells(start_row=notes_top + i, start_column=1, end_row=notes_top + i,
                       end_column=max(3, len(names) + 1))
        ws.row_dimensions[notes_top + i].height = 15 * max(1, len(line) // 110 + 1) + 2
    if any(r.gain for r in comparison.limits):  # a chart of zeros says nothing
        chart = BarChart()
        chart.type = "bar"
        last = limit_top + len(comparison.limits)
        chart.add_data(Reference(ws, min_col=2, min_row=limit_top, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=limit_top + 1, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top
        styled(chart, "Objective gain of one more unit", "Priority points")
        chart.legend = None
        chart.width, chart.height = 2 * CHART_W, max(CHART_H, 0.7 * len(comparison.limits) + 3)
        ws.add_chart(chart, f"A{notes_top + len(lines) + 2}")
    page(ws)


def moves_details(ws: Worksheet, comparison, row: int) -> int:
    """Every move with the solver's account (points a move back alone would cost, or the limit
    it would break); returns the last row written."""
    heading(ws, row, "Moves: the solver's account")
    row += 1
    header(ws, row, 1, ["Scenario", "School", "From", "To", "Solver's reason"])
    for outcome in comparison.scenarios:
        summary = comparison.summaries.get(outcome.name)
        for move in summary.moves if summary else []:
            row += 1
            facts = outcome.facts
            for j, value in enumerate([outcome.name, move.school_id,
                                       facts.cohort(move.base_cohort).name,
                                       facts.cohort(move.cohort).name], start=1):
                put(ws, row, j, value)
            put(ws, row, 5, move.reason, box=False)  # one line, over the empty cells beside
    return row + 1


def solver_notes(comparison) -> list[str]:
    first = comparison.first_plan.objective
    return [
        "How the solves ran:",
        f"The solves share one time budget of {comparison.budget:g} s (--time-budget; they "
        f"took {comparison.seconds:.1f} s"
        + (f"; at most {comparison.cap:g} s each, --time-limit" if comparison.cap else "")
        + "): each gets its share when it starts, and one proven early leaves its time to the "
        "others. 'optimal' means proven the best plan; 'not proven, gap x %' means the plan "
        "meets every limit and no plan scores more than x % higher than it (the bound).",
        "The base plan is solved first. When it is not proven best, a local search that moves "
        f"at most {comparison.radius} schools at a time improves it (first solve: objective "
        f"{first:,.1f}; shown: {comparison.base.plan.objective:,.1f}); the same search measures "
        "the binding limits.",
        "Between plans of equal objective, a scenario keeps every school where the base plan "
        "put it. A move 'gains' when the plan scores higher with it (moving it back alone "
        "would cost the points shown, or would break a limit the gaining moves use); 'its base "
        "place breaks' a named limit or rule of the scenario otherwise.",
        "Objective: priority points; a school one cohort earlier earns its priority "
        "(need_weight x need + (1 - need_weight) x readiness), plus honoured preferences, minus "
        "upgrade costs. Objectives of plans with different need_weight are not comparable.",
    ]


# ---- scenarios.csv -----------------------------------------------------------------------

def write_scenarios_csv(comparison, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["measure", *[safe_text(o.name) for o in comparison.outcomes]])
        for label, _, value in summary_rows(comparison) + details_rows(comparison):
            out.writerow([label.strip(), *[csv_value(value(o)) for o in comparison.outcomes]])
