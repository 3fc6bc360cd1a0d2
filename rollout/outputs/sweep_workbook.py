"""sweep.xlsx + sweep.csv (`rollout sweep`): one row per need_weight, and two charts of the
need and readiness of the schools launching early, the current setting marked.

openpyxl with native Excel charts, in the look of `whatif_style.py`; files are written to a
temporary name in the output folder and renamed into place together (`outputs/atomic.py`).
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rollout.outputs.whatif_style import (
    BASE_FILL,
    ONE,
    PCT,
    WHOLE,
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
from rollout.outputs.whatif_words import headline_term, monotone_words, plan_found

SWEEP_COLUMNS = [
    ("need_weight", "Need weight", "0.00"), ("current", "Current setting", None),
    ("status", "Plan status", None), ("gap", "Gap to the best possible", "0.00####%"),
    ("moved", "Schools moved against the current setting's plan", WHOLE),
    ("plan_from", "Plan from (need_weight of the solve that found it)", "0.00"),
    ("early_schools", "Early-launching schools", WHOLE),
    ("early_students", "Students in them", WHOLE),
    ("early_mean_need", "Mean need, early schools", ONE),
    ("early_mean_readiness", "Mean readiness, early schools", ONE),
    ("early_student_need", "Mean need, early schools (by students)", ONE),
    ("early_student_readiness", "Mean readiness, early schools (by students)", ONE),
    ("first_mean_need", "Mean need, first cohort", ONE),
    ("first_mean_readiness", "Mean readiness, first cohort", ONE),
]
# The Trade-off sheet: the plain columns (the solver's are on the Details sheet).
TRADE_OFF_COLUMNS = [
    ("need_weight", "Need weight", "0.00"), ("current", "Current setting", None),
    ("plan", "Plan found", None),
    ("moved", "Schools moved against the current setting's plan", WHOLE),
    ("students_by", "Students launched by the end of {term}", WHOLE),
    ("students_share", "Share of all students", PCT),
    *[c for c in SWEEP_COLUMNS if c[0].startswith(("early_", "first_"))]]
DETAIL_COLUMNS = [
    ("need_weight", "Need weight", "0.00"), ("status", "Plan status", None),
    ("gap", "Gap to the bound", "0.00####%"),
    ("plan_from", "Plan from (need_weight of the solve that found it)", "0.00"),
    ("objective", "Objective (priority points)", ONE), ("bound", "Bound", ONE),
    ("seconds", "Time limit given (s)", ONE), ("took", "Time taken (s)", ONE)]
NEED_COL = 1 + [c[0] for c in TRADE_OFF_COLUMNS].index("early_mean_need")
READINESS_COL = 1 + [c[0] for c in TRADE_OFF_COLUMNS].index("early_mean_readiness")
READING = ("How to read: 'moved' counts the schools in another cohort than in the plan for the "
           "district's own need_weight; 'not proven' means the solver stopped before proving the "
           "plan of a need_weight the best (the Details sheet says by how much it could be "
           "better); where the curve is not monotone, the line under the table says where.")
SWEEP_CHART = (16.5, 9.0)        # centimetres
CURRENT_RED = "C00000"


def sweep_values(point, current_plan, term: int = 0) -> dict:
    """Every figure of a point, by column key (`term`: the one students are counted by)."""
    plan, early, first = point.outcome.plan, point.early, point.first
    summary = point.summary
    status = point.outcome.status if plan is None else \
        "optimal" if plan.status == "optimal" else "not proven"
    moved = sum(current_plan.cohort_of.get(s) != c for s, c in plan.cohort_of.items()) \
        if plan and current_plan else None
    return {"need_weight": point.need_weight, "current": "yes" if point.current else "",
            "status": status, "gap": plan.gap if plan else None, "moved": moved,
            "plan_from": point.need_weight if point.better_from is None else point.better_from,
            "early_schools": early.schools if early else None,
            "early_students": early.students if early else None,
            "early_mean_need": early.mean_need if early else None,
            "early_mean_readiness": early.mean_readiness if early else None,
            "early_student_need": early.student_need if early else None,
            "early_student_readiness": early.student_readiness if early else None,
            "first_mean_need": first.mean_need if first else None,
            "first_mean_readiness": first.mean_readiness if first else None,
            "plan": plan_found(point.outcome),
            "students_by": summary.students_by_term[term] if summary else None,
            "students_share": summary.students_by_term[term] / summary.students
            if summary and summary.students else None,
            "objective": plan.objective if plan else None,
            "bound": plan.bound if plan else None,
            "seconds": point.outcome.seconds or None, "took": point.outcome.took or None}


def write_sweep_workbook(result, path: Path) -> None:
    facts = result.facts
    today = dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = "Trade-off"
    row = title(ws, "Need versus readiness: the trade-off",
                f"{facts.district.name}: one plan per need_weight, "
                f"{today.isoformat()}; early-launching schools = "
                f"{result.early_names()}")
    current_plan = next((p.outcome.plan for p in result.points if p.current), None)
    term = headline_term(facts)
    widths(ws, [8, 8, 21] + [11] * (len(TRADE_OFF_COLUMNS) - 3))
    reading(ws, READING, len(TRADE_OFF_COLUMNS))
    header(ws, row, 1, [c[1].format(term=facts.term_label(term)) for c in TRADE_OFF_COLUMNS])
    top = row
    for point in result.points:
        row += 1
        values = sweep_values(point, current_plan, term)
        for j, (key, _, fmt) in enumerate(TRADE_OFF_COLUMNS, start=1):
            put(ws, row, j, values[key], fmt, bold=point.current, wrap=key == "plan",
                fill=BASE_FILL if point.current else None)
    fit_heights(ws, range(top + 1, row + 1))
    last = row
    # The current setting's values again, alone, so that the charts can mark it.
    marker = len(TRADE_OFF_COLUMNS) + 2
    ws.column_dimensions[get_column_letter(marker)].width = 11
    ws.column_dimensions[get_column_letter(marker + 1)].width = 11
    header(ws, top, marker, ["Current setting: need", "Current setting: readiness"])
    for i, point in enumerate(result.points, start=top + 1):
        values = sweep_values(point, current_plan)
        for j, key in enumerate(["early_mean_need", "early_mean_readiness"]):
            put(ws, i, marker + j, values[key] if point.current else None, ONE)
    fit_heights(ws, [top])
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    put(ws, last + 1, 1, monotone_words(result), box=False, bold=not result.monotone)
    ws.add_chart(tradeoff_chart(ws, top, last, marker, result), f"A{last + 3}")
    ws.add_chart(weight_chart(ws, top, last, marker, result), f"H{last + 3}")
    page(ws)
    sweep_notes(wb.create_sheet("Notes"), result)
    sweep_details(wb.create_sheet("Details"), result, current_plan)
    save_reproducibly(wb, path, today)


def sweep_details(ws: Worksheet, result, current_plan) -> None:
    """The solver's figures of every point, and the wobbles with their gaps."""
    row = title(ws, "Solver details", f"{result.facts.district.name}: one plan per need_weight")
    widths(ws, [8, 26, 11, 14, 12, 12, 10, 10])
    header(ws, row, 1, [c[1] for c in DETAIL_COLUMNS])
    top = row
    for point in result.points:
        row += 1
        values = sweep_values(point, current_plan)
        for j, (key, _, fmt) in enumerate(DETAIL_COLUMNS, start=1):
            put(ws, row, j, values[key], fmt, bold=point.current,
                fill=BASE_FILL if point.current else None)
    fit_heights(ws, [top])
    lines = [f"Not monotone: {w.text()}" for w in result.wobbles] or [
        "Monotone: every point's plan fits the curve."]
    for line in lines:
        row += 2
        put(ws, row, 1, line, box=False)
    page(ws)


def tradeoff_chart(ws: Worksheet, top: int, last: int, marker: int, result) -> ScatterChart:
    """Mean readiness (x) against mean need (y) of early-launching schools, one point per
    need_weight, the current setting marked."""
    chart = ScatterChart()
    chart.style = 13
    xs = Reference(ws, min_col=READINESS_COL, min_row=top + 1, max_row=last)
    curve = Series(Reference(ws, min_col=NEED_COL, min_row=top + 1, max_row=last), xs,
                   title="need_weight 0 (right) to 1 (left)")
    curve.marker.symbol = "circle"
    curve.marker.size = 6
    # The marker column is blank but on the current row: one point, drawn over the curve.
    here = Series(Reference(ws, min_col=marker, min_row=top + 1, max_row=last), xs,
                  title=f"current setting ({result.facts.settings.need_weight:g})")
    current_marker(here)
    chart.series += [curve, here]
    styled(chart, "Early schools: mean need vs mean readiness", "Mean need (0-100)",
           "Mean readiness (0-100)")
    chart.width, chart.height = SWEEP_CHART
    points = [p.early for p in result.points if p.early]
    for axis, values in ((chart.x_axis, [g.mean_readiness for g in points]),
                         (chart.y_axis, [g.mean_need for g in points])):
        limits = nice_range(values, step=5)
        if limits:
            axis.scaling.min, axis.scaling.max = limits
    return chart


def weight_chart(ws: Worksheet, top: int, last: int, marker: int, result) -> LineChart:
    chart = LineChart()
    chart.add_data(Reference(ws, min_col=NEED_COL, max_col=READINESS_COL, min_row=top,
                             max_row=last), titles_from_data=True)
    chart.add_data(Reference(ws, min_col=marker, max_col=marker + 1, min_row=top, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=last))
    for series in chart.series[:2]:
        series.marker.symbol = "circle"
        series.smooth = False
    for series in chart.series[2:]:
        current_marker(series)
    values = [v for p in result.points if p.early
              for v in (p.early.mean_need, p.early.mean_readiness)]
    styled(chart, "Early schools by need weight", "Mean (0-100)",
           "need_weight (0 = readiness first, 1 = need first)")
    chart.width, chart.height = SWEEP_CHART
    limits = nice_range(values)
    if limits:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = limits
    return chart


def current_marker(series) -> None:
    """A large red diamond and no line: the district's own need_weight."""
    series.marker.symbol = "diamond"
    series.marker.size = 11
    series.marker.graphicalProperties = GraphicalProperties(solidFill=CURRENT_RED)
    series.marker.graphicalProperties.line.solidFill = CURRENT_RED
    series.graphicalProperties.line.noFill = True


def sweep_notes(ws: Worksheet, result) -> None:
    facts = result.facts
    k = len(facts.cohorts)
    lines = [
        "What the sweep shows:",
        "Each row is a plan for the same data and limits, changing only need_weight. "
        "Priority = need_weight x need + (1 - need_weight) x readiness; the plan launches "
        "higher-priority schools earlier within the limits.",
        f"Early-launching schools: the schools placed in the first {result.early_cohorts} of "
        f"the {k} cohorts, i.e. {result.early_names()} (--early-cohorts).",
        "Mean need / mean readiness, early schools: plain means of the need and readiness "
        "scores (0-100) of the early-launching schools; each school counts once "
        "(school-weighted). The '(by students)' columns weight each school by its students.",
        "First cohort: the same means for the schools of the first cohort still to come only "
        f"({facts.first_cohort_to_come().name}; a launched cohort is the same in every plan).",
        f"The current setting (need_weight {facts.settings.need_weight:g} in settings.yaml) is "
        "in bold in the table and marked with a diamond in the charts.",
        "Reading the curve: towards the right, readier schools launch early; towards the top, "
        "schools in greater need launch early. Where the curve is flat, need is served at "
        "little cost in readiness, and the other way round.",
        "How the plans are solved:",
        f"The solves share one time budget of {result.budget:g} s (--time-budget; they took "
        f"{result.seconds:.1f} s"
        + (f"; at most {result.cap:g} s each, --time-limit" if result.cap else "")
        + "). The district's own need_weight is solved first; every other point starts from "
        "its neighbour's plan (towards the district's own) and keeps every school where that "
        "plan put it unless moving it makes the plan better. need_weight changes only how "
        "plans are ranked, not what fits, so every plan found fits every point: each point "
        "keeps the best of them for its own need_weight (the Details sheet's 'Plan from' names "
        "the point whose solve found it).",
        "'The best plan possible' is proven the best; 'not proven the best in the time given' "
        "meets every limit, and the Details sheet says how much better the best plan could be. "
        "As need_weight rises, the early schools' mean need should never fall and their mean "
        "readiness never rise: where it does, the line below names the two points and the "
        "unproven ones among them; a point without a plan has no figures.",
        "Monotone:",
        monotone_words(result),
    ]
    notes(ws, title(ws, "About the sweep", "Definitions"), lines)
    page(ws)


# ---- sweep.csv ---------------------------------------------------------------------------

def write_sweep_csv(result, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([key for key, _, _ in SWEEP_COLUMNS])
        current_plan = next((p.outcome.plan for p in result.points if p.current), None)
        for point in result.points:
            values = sweep_values(point, current_plan)
            out.writerow([csv_value(values[key]) for key, _, _ in SWEEP_COLUMNS])
