"""schools/<school_id>.xlsx: one school's plan for its principal.

Holds only that school's data and district or cohort aggregates (medians); never another
school's row and never an individual respondent's answers.
"""
from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from rollout.export.style import (LABEL_FONT, WRAP, cohort_colour, print_setup, put, title,
                                  today, write_table)
from rollout.results import Results
from rollout.rubric import DOMAINS

PHASE_NAMES = {-1: "Planning", 0: "Launch"}


def write_principal_workbooks(results: Results, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    district_medians = results.medians()
    cohort_medians = {c.number: results.medians(results.cohort_rows(c.number))
                      for c in results.facts.cohorts}
    for row in results.rows:
        write_principal_workbook(results, row, district_medians, cohort_medians[row["cohort"]],
                                 folder / f"{row['school_id']}.xlsx")


def write_principal_workbook(results: Results, row: dict, district_medians: dict,
                             cohort_medians: dict, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Your school"
    summary_page(ws, results, row, district_medians, cohort_medians)
    items_sheet(wb.create_sheet("Rubric items"), results, row)
    wb.properties.creator = "rollout"
    wb.properties.title = f"Rollout plan: {row['school_name']}"
    wb.save(path)


def summary_page(ws, results: Results, row: dict, district_medians, cohort_medians) -> None:
    facts = results.facts
    cohort = facts.cohort(row["cohort"])
    r = title(ws, f"{row['school_name']} ({row['school_id']})",
              f"Blended learning rollout plan, prepared {today()}")
    facts_rows = [("Your cohort", cohort.name), ("Launch term", row["launch_term"]),
                  ("Your choice", preference_text(results, row)),
                  ("Why this cohort", row["reasons"])]
    if row["assessable"] == "no":
        facts_rows.append(("Survey coverage", f"Answers covered {row['coverage']:.0%} of the "
                           "rubric, too few to score; ask more staff to respond next spring."))
    if row["role_gap"]:
        facts_rows.append(("Principal and teachers differ", f"On {row['role_gap']}: worth a "
                           "conversation with your staff."))
    for label, value in facts_rows:
        put(ws, r, 1, label, font=LABEL_FONT, alignment=WRAP)
        cell = put(ws, r, 2, value, alignment=WRAP)
        if label == "Your cohort":
            cell.font = Font(bold=True, size=12, color=cohort_colour(cohort.number))
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=6)
        ws.row_dimensions[r].height = 15 * max(1, math.ceil(len(str(value)) / 95))
        r += 1
    r += 1
    put(ws, r, 1, "What happens when", font=Font(bold=True, size=12))
    phases = phase_rows(results, cohort)
    write_table(ws, r + 1, ["Term", "Phase", "Coaching support"], phases)
    r += len(phases) + 3
    put(ws, r, 1, "Your scores (0-100)", font=Font(bold=True, size=12))
    score_top = r + 1
    scores = [[label, row[key], district_medians[key], cohort_medians[key]]
              for key, label in [("infrastructure", "Infrastructure"), ("technology",
                                 "Technology"), ("instructional", "Instructional"),
                                 ("readiness", "Readiness"), ("need", "Need")]]
    write_table(ws, score_top, ["Score", "Your school", "District median",
                                f"{cohort.name} median"], scores,
                formats={"Your school": "0.0", "District median": "0.0",
                         f"{cohort.name} median": "0.0"})
    chart = BarChart()
    chart.type, chart.title = "bar", "Your scores against the district and your cohort"
    chart.add_data(Reference(ws, min_col=2, max_col=4, min_row=score_top,
                             max_row=score_top + 4), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=score_top + 1, max_row=score_top + 4))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.height, chart.width = 7, 13
    ws.add_chart(chart, f"H{score_top}")
    r = score_top + len(scores) + 2
    r = strengths_and_gaps(ws, results, row, r)
    actions_before_launch(ws, results, row, r)
    ws.column_dimensions["A"].width = 26
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 22
    print_setup(ws, f"Rollout plan: {row['school_name']}", landscape=False)


def preference_text(results: Results, row: dict) -> str:
    if row["preferred_cohort"] is None:
        return "Your school did not choose a cohort."
    chosen = results.facts.cohort(row["preferred_cohort"]).name
    if row["preferred_cohort"] == row["cohort"]:
        return f"Your school chose {chosen}: honoured."
    return f"Your school chose {chosen}; the limits did not allow it this time."


def phase_rows(results: Results, cohort) -> list[list]:
    facts = results.facts
    out = []
    for offset, share in sorted(facts.settings.coaching.load_profile.items()):
        term = cohort.launch_term_index + offset
        if not 0 <= term < facts.term_count or share <= 0:
            continue
        phase = PHASE_NAMES.get(offset, "Support" if offset > 0 else "Early planning")
        out.append([facts.term_label(term), phase, f"{share:.0%} of full coaching"])
    return out


def strengths_and_gaps(ws, results: Results, row: dict, r: int) -> int:
    ranked = item_levels(results, row["school_id"])
    if not ranked:
        return r
    put(ws, r, 1, "Strengths and gaps", font=Font(bold=True, size=12))
    strengths = [x for x in sorted(ranked, key=lambda x: -x[2])[:3]]
    gaps = [x for x in sorted(ranked, key=lambda x: x[2])[:3] if x not in strengths]
    rows = [[kind, f"{item.id}: {item.text}", f"{level:.1f}", reached, nxt]
            for kind, group in (("Strength", strengths), ("Gap", gaps))
            for domain, item, level, reached, nxt in group]
    write_table(ws, r + 1, ["", "Rubric item", "Level", "Level reached", "Next level"], rows,
                widths={"Rubric item": 30, "Level reached": 30, "Next level": 30})
    for i in range(len(rows)):
        for j in (2, 4, 5):
            ws.cell(row=r + 2 + i, column=j).alignment = WRAP
    return r + len(rows) + 3


def item_levels(results: Results, school_id: str) -> list[tuple]:
    """(domain, item, pooled level, descriptor reached, next descriptor) for scored items."""
    rubric = results.inputs.rubric
    levels = results.inputs.scores.item_levels
    out = []
    for domain, item in rubric.items(scored_only=True):
        level = levels.at[school_id, item.id] if item.id in levels.columns else None
        if level is None or level != level:
            continue
        reached = max(rubric.low, min(rubric.high, math.floor(level + 1e-9)))
        nxt = item.levels.get(reached + 1, "Top level reached")
        out.append((domain, item, float(level), f"{rubric.level_label(reached)}: "
                    f"{item.levels[reached]}", nxt if reached == rubric.high else
                    f"{rubric.level_label(reached + 1)}: {nxt}"))
    return out


def actions_before_launch(ws, results: Results, row: dict, r: int) -> None:
    facts = results.facts
    school = facts.district.school_by_id[row["school_id"]]
    launch = facts.launch_term_of(row["cohort"])
    actions = []
    for link in facts.district.path_to_internet(school.school_id):
        for change in facts.district.capacity_plan:
            if change.link == link and change.term_index <= launch:
                where = "your school's own link" if link == school.school_id else f"link {link}"
                actions.append(f"{where} is raised to {change.capacity_mbps:,.0f} Mbps in "
                               f"{facts.term_label(change.term_index)} (already scheduled)")
    need_mbps = facts.bandwidth_mbps(school, launched=True)
    if need_mbps > facts.district.capacity_by_term[school.school_id][launch] + 1e-6:
        actions.append(f"your link needs {need_mbps:,.0f} Mbps at launch")
    for ratio, label in ((3, "3:1 (station and lab rotation)"), (1, "1:1 (flex models)")):
        short = math.ceil(school.students / ratio) - school.devices
        if short > 0:
            actions.append(f"{short:,} more devices to reach {label}")
    put(ws, r, 1, "Before launch", font=Font(bold=True, size=12))
    for i, text in enumerate(actions or ["No infrastructure actions needed."], start=1):
        put(ws, r + i, 1, "•")
        put(ws, r + i, 2, text, alignment=WRAP)
        ws.merge_cells(start_row=r + i, start_column=2, end_row=r + i, end_column=6)


def items_sheet(ws, results: Results, row: dict) -> None:
    top = title(ws, "Rubric items", "Your school's pooled level on each item (the average of "
                "all respondents; no individual answers are kept)")
    rows = [[domain.title(), f"{item.id}: {item.text}", round(level, 1), reached, nxt]
            for domain, item, level, reached, nxt in item_levels(results, row["school_id"])]
    write_table(ws, top, ["Domain", "Item", "Level", "Level reached", "Next level"], rows,
                formats={"Level": "0.0"},
                widths={"Item": 45, "Level reached": 45, "Next level": 45})
    for i in range(len(rows)):
        for j in (2, 4, 5):
            ws.cell(row=top + 1 + i, column=j).alignment = WRAP
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    print_setup(ws, f"Rubric items: {row['school_name']}", repeat_rows=f"{top}:{top}")
