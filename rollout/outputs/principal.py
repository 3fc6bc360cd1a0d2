"""schools/<school_id>.xlsx: one school's plan for its principal.

Written from a `PrincipalView` alone, which holds that school's own figures and district or
cohort aggregates: never another school's row, never an individual respondent's answers, and
the workbook has no hidden sheets. Large districts are written by a pool of processes.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rollout.outputs.principal_view import (
    ItemLevel,
    PrincipalView,
    principal_views,
    strength_label,
)
from rollout.outputs.results import Results
from rollout.outputs.style import (
    BORDER_GREY,
    GREY_TEXT,
    NAVY,
    ONE_DECIMAL,
    Book,
    Column,
    Sheet,
    cohort_colour,
    lines,
)
from rollout.processes import pool_context

# Below this many workbooks, starting processes costs more than it saves.
POOL_MIN_WORKBOOKS = 200
CHUNK = 50
# Column widths of the first page (characters): label, three figures, two wide text columns.
PAGE_WIDTHS = [17, 12, 12, 14, 27, 27]


def write_principal_workbooks(results: Results, folder: Path, workers: int | None = None
                              ) -> list[Path]:
    """One workbook per school in `folder`; returns their paths in school_id order."""
    folder.mkdir(parents=True, exist_ok=True)
    views = principal_views(results)
    jobs = [(view, folder / view.workbook) for view in views]
    workers = default_workers() if workers is None else workers
    if workers > 1 and len(jobs) >= POOL_MIN_WORKBOOKS:
        chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
        with ProcessPoolExecutor(workers, mp_context=pool_context()) as pool:
            list(pool.map(write_chunk, chunks))
    else:
        write_chunk(jobs)
    return [path for _, path in jobs]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def write_chunk(jobs: list[tuple[PrincipalView, Path]]) -> None:
    for view, path in jobs:
        write_principal_workbook(view, path)


def write_principal_workbook(view: PrincipalView, path: Path) -> None:
    book = Book(path, f"Rollout plan: {view.school_name}",
                f"{view.district}: blended learning rollout plan", view.prepared)
    first_page(book.sheet("Your school", cohort_colour(view.cohort_number)), view)
    items_sheet(book.sheet("Rubric items"), view)
    progress_sheet(book.sheet("Your progress"), view)
    book.close()


def first_page(sheet: Sheet, view: PrincipalView) -> None:
    for col, width in enumerate(PAGE_WIDTHS):
        sheet.width(col, width)
    r = sheet.title(f"{view.school_name} ({view.school_id})",
                    f"{view.district}: blended learning rollout plan, prepared {view.prepared}")
    r = key_facts(sheet, view, r)
    r = phases_block(sheet, view, r + 1)
    r = scores_block(sheet, view, r + 1)
    r = strengths_and_gaps(sheet, view, r + 1)
    actions_block(sheet, view, r + 1)
    sheet.ws.hide_gridlines(2)
    sheet.print_setup(f"{view.district}: rollout plan for {view.school_name}", view.prepared,
                      landscape=False, one_page=True)


def key_facts(sheet: Sheet, view: PrincipalView, r: int) -> int:
    book = sheet.book
    label = book.fmt(bold=True, valign="top", font_color=NAVY)
    text = book.fmt(text_wrap=True, valign="top")
    colour = cohort_colour(view.cohort_number)
    sheet.put(r, 0, "Your cohort", book.fmt(bold=True, valign="vcenter", font_color=NAVY))
    sheet.ws.merge_range(r, 1, r, 3, "", book.fmt(bold=True, font_size=14, font_color="#FFFFFF",
                                                 bg_color=colour, align="center",
                                                 valign="vcenter"))
    sheet.put(r, 1, view.cohort_name, book.fmt(bold=True, font_size=14, font_color="#FFFFFF",
                                               bg_color=colour, align="center",
                                               valign="vcenter"))
    sheet.put(r, 4, "Launch term", book.fmt(bold=True, align="right", valign="vcenter",
                                            font_color=NAVY))
    sheet.put(r, 5, view.launch_term, book.fmt(bold=True, font_size=14, valign="vcenter"))
    sheet.ws.set_row(r, 26)
    r += 1
    facts = [*([("Since last year", view.moved)] if view.moved else []),
             *([("Your status", view.status)] if view.status else []),
             ("Why this cohort", view.reason),
             *([("Your choice", view.preference)] if view.preference else []),
             *[("Please note", note) for note in view.notes]]
    for name, value in facts:
        sheet.put(r, 0, name, label)
        merged(sheet, r, 1, 5, value, text)
        r += 1
    return r


def merged(sheet: Sheet, row: int, first: int, last: int, value, fmt) -> None:
    """Text across merged columns; the row is made tall enough, as neither Excel nor
    LibreOffice fits a merged cell's height by itself."""
    sheet.ws.merge_range(row, first, row, last, "", fmt)
    sheet.put(row, first, value, fmt)
    width = sum(PAGE_WIDTHS[first:last + 1])
    sheet.ws.set_row(row, 15 * lines(str(value or ""), width) + 3)


def phases_block(sheet: Sheet, view: PrincipalView, r: int) -> int:
    book = sheet.book
    sheet.heading(r, "What happens when")
    r += 1
    if view.withdrawn:  # no phase to show: no table either
        merged(sheet, r, 0, 5, f"{view.status} No launch is planned.", book.fmt(italic=True))
        return r + 1
    header = book.fmt(bold=True, font_color="#FFFFFF", bg_color=NAVY, border=1,
                      border_color=BORDER_GREY, valign="vcenter", text_wrap=True)
    for col, name in enumerate(["Phase", "Term", "Coaching", "Coach time (FTE)"]):
        sheet.put(r, col, name, header)
    sheet.ws.merge_range(r, 4, r, 5, "", header)
    sheet.put(r, 4, "What happens", header)
    sheet.ws.set_row(r, 32)
    cell = dict(border=1, border_color=BORDER_GREY, valign="top")
    r += 1
    for phase in view.phases:
        bold = phase.phase == "Launch"
        sheet.put(r, 0, phase.phase, book.fmt(bold=bold, **cell))
        sheet.put(r, 1, phase.term, book.fmt(bold=bold, text_wrap=True, **cell))
        sheet.put(r, 2, phase.coaching_share, book.fmt(num_format="0%", **cell))
        sheet.put(r, 3, phase.coaching_fte, book.fmt(num_format="0.00", **cell))
        merged(sheet, r, 4, 5, phase.what, book.fmt(text_wrap=True, **cell))
        height = max(lines(phase.what, sum(PAGE_WIDTHS[4:6])), lines(phase.term,
                                                                       PAGE_WIDTHS[1]))
        sheet.ws.set_row(r, 15 * height + 3)
        r += 1
    if not view.phases:
        merged(sheet, r, 0, 5, "No phase of this cohort falls within the plan's terms.",
               book.fmt(italic=True))
        r += 1
    return r


def scores_block(sheet: Sheet, view: PrincipalView, r: int) -> int:
    """The scores table on the left, a chart of the same figures on the right."""
    book = sheet.book
    sheet.heading(r, "Your scores (0-100) against the district and your cohort")
    top = r + 1
    columns = [Column("Score"), Column("Your school", ONE_DECIMAL),
               Column("District median", ONE_DECIMAL),
               Column(f"{view.cohort_name} median", ONE_DECIMAL)]
    rows = [[s.label, s.school, s.district_median, s.cohort_median] for s in view.scores]
    first, last = sheet.table(top, columns, rows, fit=False)
    sheet.ws.set_row(top, 30)
    for i, line in enumerate(view.scores):
        if line.school is None:
            sheet.put(first + i, 1, "not scored", book.fmt(
                italic=True, font_color=GREY_TEXT, border=1, border_color=BORDER_GREY))
    note = view.median_note or ("Need (free and reduced lunch, students not yet proficient) is "
                                "not a readiness score: a higher need brings more support.")
    end = last + 1
    note_fmt = book.fmt(italic=True, font_size=9, font_color=GREY_TEXT, text_wrap=True,
                        valign="top")
    sheet.ws.merge_range(end, 0, end, 3, "", note_fmt)
    sheet.put(end, 0, note, note_fmt)
    sheet.ws.set_row(end, 12 * lines(note, sum(PAGE_WIDTHS[:4]) * 1.2) + 2)
    chart = book.wb.add_chart({"type": "bar"})
    name = sheet.ws.name
    scored = [i for i, s in enumerate(view.scores) if s.label != "Need"]
    for col, colour in zip((1, 2, 3), (NAVY, "#A5A5A5", cohort_colour(view.cohort_number))):
        chart.add_series({
            "name": [name, top, col],
            "categories": [name, first, 0, first + scored[-1], 0],
            "values": [name, first, col, first + scored[-1], col],
            "fill": {"color": colour}, "border": {"none": True}, "gap": 60,
        })
    chart.set_title({"none": True})
    chart.set_x_axis({"min": 0, "max": 100, "major_unit": 25,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                      "num_font": {"size": 8}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    chart.set_chartarea({"border": {"none": True}})
    chart.set_size({"width": 380, "height": 20 * (end - r + 1) + 40})
    sheet.ws.insert_chart(r, 4, chart, {"x_offset": 8, "y_offset": 2, "object_position": 1})
    rows_taken = math.ceil((20 * (end - r + 1) + 40) / 20)
    return max(end + 1, r + rows_taken)


def strengths_and_gaps(sheet: Sheet, view: PrincipalView, r: int) -> int:
    book = sheet.book
    if not view.strengths and not view.gaps:
        return r
    sheet.heading(r, "Strengths and gaps in the rubric")
    r += 1
    header = book.fmt(bold=True, font_color="#FFFFFF", bg_color=NAVY, border=1,
                      border_color=BORDER_GREY, valign="vcenter", text_wrap=True)
    for col, name in ((0, ""), (1, "Your level"), (2, "Rubric item"), (4, "Level reached"),
                      (5, "Next level")):
        sheet.put(r, col, name, header)
    sheet.ws.merge_range(r, 2, r, 3, "", header)
    sheet.put(r, 2, "Rubric item", header)
    r += 1
    cell = dict(border=1, border_color=BORDER_GREY, valign="top", text_wrap=True)
    colours = {"Strength": "#E2EFDA", "Gap": "#FCE4D6"}  # a highest item below target: neither
    rows = ([(strength_label(item, view.target_level), item) for item in view.strengths]
            + [("Gap", item) for item in view.gaps])
    for kind, item in rows:
        colour = colours.get(kind, "#FFF2CC")
        write_item_row(sheet, r, kind, item, book.fmt(bold=True, bg_color=colour, **cell),
                       book.fmt(**cell), book.fmt(num_format=ONE_DECIMAL, **cell))
        r += 1
    return r


def write_item_row(sheet: Sheet, r: int, kind: str, item: ItemLevel, kind_fmt, text_fmt,
                   number_fmt) -> None:
    sheet.put(r, 0, kind, kind_fmt)
    sheet.put(r, 1, item.level, number_fmt)
    sheet.ws.merge_range(r, 2, r, 3, "", text_fmt)
    sheet.put(r, 2, item.item, text_fmt)
    sheet.put(r, 4, item.reached, text_fmt)
    sheet.put(r, 5, item.next, text_fmt)
    height = max(lines(item.item, sum(PAGE_WIDTHS[2:4])), lines(item.reached, PAGE_WIDTHS[4]),
                 lines(item.next, PAGE_WIDTHS[5]))
    sheet.ws.set_row(r, 15 * height + 3)


def actions_block(sheet: Sheet, view: PrincipalView, r: int) -> int:
    book = sheet.book
    sheet.heading(r, "Before launch: infrastructure and devices")
    r += 1
    text = book.fmt(text_wrap=True, valign="top")
    nothing = ("Nothing to prepare: the school has withdrawn from the rollout." if view.withdrawn
               else "No infrastructure actions are needed before launch.")
    for action in view.actions or (nothing,):
        sheet.put(r, 0, "•", book.fmt(align="right", valign="top", font_color=NAVY))
        merged(sheet, r, 1, 5, action, text)
        r += 1
    return r


def items_sheet(sheet: Sheet, view: PrincipalView) -> None:
    top = sheet.title("Every rubric item", "Your school's pooled level on each item: the "
                      "weighted average of all respondents by role. No individual's answers "
                      "are kept.")
    columns = [Column("Domain", width=14), Column("Rubric item", width=42, wrap=True),
               Column("Your level", ONE_DECIMAL, width=9),
               Column("Level reached", width=40, wrap=True),
               Column("Next level", width=40, wrap=True)]
    rows = [[i.domain, i.item, i.level, i.reached, i.next] for i in view.items]
    _, last = sheet.table(top, columns, rows)
    sheet.ws.freeze_panes(top + 1, 0)
    local_questions(sheet, view, last + 2)
    sheet.print_setup(f"{view.district}: rubric items for {view.school_name}", view.prepared,
                      repeat_rows=(top, top))


def local_questions(sheet: Sheet, view: PrincipalView, r: int) -> None:
    """Below the rubric items: the questions the district added without a score, each with
    this school's own (pooled) answer."""
    if not view.local_answers:
        return
    sheet.heading(r, "Your district's own questions (not scored)")
    sheet.put(r + 1, 0, "Questions your district added to the survey. They do not count in any "
              "score; each answer is your school's pooled level.",
              sheet.book.fmt(italic=True, font_color=GREY_TEXT))
    columns = [Column("Asked of", width=14, wrap=True),
               Column("Question", width=42, wrap=True),
               Column("Your level", ONE_DECIMAL, width=9),
               Column("Your school's answer", width=40, wrap=True)]
    sheet.table(r + 2, columns, [[a.asked_of, a.question, a.level, a.answer]
                                 for a in view.local_answers])


def progress_sheet(sheet: Sheet, view: PrincipalView) -> None:
    """Your school's readiness in each year's plan, by the season it was made for
    (history.csv)."""
    top = sheet.title("Your progress over the years", "Your school's readiness (0-100) and "
                      "cohort in each year's plan, by the season it was made for.")
    rows = [[season, ready, cohort] for season, ready, cohort in view.trend]
    first, last = sheet.table(top, [Column("Plan for", width=14),
                                    Column("Readiness", ONE_DECIMAL, width=11),
                                    Column("Cohort", width=20)], rows)
    if len(rows) > 1:
        chart = sheet.book.wb.add_chart({"type": "line"})
        chart.add_series({"name": "Readiness", "categories": [sheet.ws.name, first, 0, last, 0],
                          "values": [sheet.ws.name, first, 1, last, 1],
                          "line": {"color": NAVY, "width": 2.25},
                          "marker": {"type": "circle", "size": 6}})
        chart.set_title({"name": "Your readiness by season", "name_font": {"size": 11}})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        chart.set_size({"width": 420, "height": 240})
        sheet.ws.insert_chart(top, 4, chart)
    else:
        sheet.put(last + 2, 0, "Next spring's plan will add a second season here.",
                  sheet.book.fmt(italic=True))
    sheet.print_setup(f"{view.district}: progress of {view.school_name}", view.prepared,
                      landscape=False)
