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
NEED_COL, READINESS_COL = 9, 10  # columns of the early means in the table
READING = ("How to read: 'moved' counts the schools in another cohort than in the plan for the "
           "district's own need_weight; 'not proven' means the solver stopped before proving a "
           "point's plan the best, and its gap is how much better, at most, the best plan could "
           "score; where the curve is not monotone, the Notes name the points and whether "
           "they are proven.")
SWEEP_CHART = (16.5, 9.0)        # centimetres
CURRENT_RED = "C00000"


def sweep_values(point, current_plan) -> dict:
    plan, early, first = point.outcome.plan, point.early, point.first
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
            "first_mean_readiness": first.mean_readiness if first else None}


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
    widths(ws, [8, 8, 11] + [11] * (len(SWEEP_COLUMNS) - 3))
    reading(ws, READING, len(SWEEP_COLUMNS))
    header(ws, row, 1, [c[1] for c in SWEEP_COLUMNS])
    top = row
    for point in result.points:
        row += 1
        values = sweep_values(point, current_plan)
        for j, (key, _, fmt) in enumerate(SWEEP_COLUMNS, start=1):
            put(ws, row, j, values[key], fmt, bold=point.current,
                fill=BASE_FILL if point.current else None)
    last = row
    # The current setting's values again, alone, so that the charts can mark it.
    marker = len(SWEEP_COLUMNS) + 2
    ws.column_dimensions[get_column_letter(marker)].width = 11
    ws.column_dimensions[get_column_letter(marker + 1)].width = 11
    header(ws, top, marker, ["Current setting: need", "Current setting: readiness"])
    for i, point in enumerate(result.points, start=top + 1):
        values = sweep_values(point, current_plan)
        for j, key in enumerate(["early_mean_need", "early_mean_readiness"]):
            put(ws, i, marker + j, values[key] if point.current else None, ONE)
    fit_heights(ws, [top])
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    put(ws, last + 1, 1, monotone_text(result), box=False, bold=not result.monotone)
    ws.add_chart(tradeoff_chart(ws, top, last, marker, result), f"A{last + 3}")
    ws.add_chart(weight_chart(ws, top, last, marker, result), f"H{last + 3}")
    page(ws)
    sweep_notes(wb.create_sheet("Notes"), result)
    save_reproducibly(wb, path, today)


def monotone_text(result) -> str:
    if result.monotone:
        return ("Monotone: as need_weight rises, the early schools' mean need never falls and "
                "their mean readiness never rises.")
    return "Not monotone: " + "; ".join(w.text() for w in result.wobbles) + "."


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
        "First cohort: the same means for the schools of the first cohort only.",
        f"The current setting (need_weight {facts.settings.need_weight:g} in settings.yaml) is "
        "in bold in the table and marked with a diamond in the charts.",
        "Reading the curve: towards the right, readier schools launch early; towards the top, "
        "schools in greater need launch early. Where the curve is flat, need is served at "
        "little cost in readiness, and the other way round.",
        "Solver:",
        f"The solves share one time budget of {result.budget:g} s (--time-budget; they took "
        f"{result.seconds:.1f} s"
        + (f"; at most {result.cap:g} s each, --time-limit" if result.cap else "")
        + "). The district's own need_weight is solved first; every other point starts from "
        "its neighbour's plan (towards the district's own) and keeps every school where that "
        "plan put it between plans of equal objective. need_weight changes only the objective, "
        "so every plan found fits every point: each point keeps the best of them by its own "
        "objective ('Plan from' names the point whose solve found it).",
        "'optimal' is proven best; 'not proven, gap x %' is within x % of the best possible. "
        "As need_weight rises, the early schools' mean need should never fall and their mean "
        "readiness never rise: where it does, the 'Monotone' rows below name the two points "
        "and the unproven ones among them; a point without a plan has no figures.",
        "Monotone:",
        monotone_text(result),
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
