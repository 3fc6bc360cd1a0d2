"""Dashboard sheets for the spring re-plan: Changes (against last year's plan) and Progress
(every season's readiness and the district's launched share, from history.csv)."""
from __future__ import annotations

import statistics

from rollout.domain import DELAYED, LAUNCHED, ON_HOLD, PAUSED
from rollout.outputs.results import Results
from rollout.outputs.style import BAD, NAVY, ONE_DECIMAL, PCT, Column, Sheet

ACTUAL = "#8EA9DB"  # the actual share beside the planned one: lighter, and hatched

CHANGE_COLUMNS = [Column("School ID"), Column("School", max_width=30), Column("Change"),
                  Column("Old cohort"), Column("Old launch term"), Column("New cohort"),
                  Column("New launch term"), Column("Reason", width=80, wrap=True)]


LAUNCH_COLUMNS = [Column("School ID"), Column("School", max_width=30), Column("Status"),
                  Column("Cohort"), Column("Planned launch"),
                  Column("What happened", width=28, wrap=True), Column("Launch now planned"),
                  Column("Note (central office only)", width=60, wrap=True)]


def changes_sheet(sheet: Sheet, results: Results) -> None:
    top = sheet.title("Changes since last year's plan",
                      "Every school that moved, is new, or was re-planned; launched schools "
                      "never move. Reasons come from testing the school's old place.")
    rows = [[c["school_id"], c["school_name"], c["change"], c["old_cohort"],
             c["old_launch_term"], c["new_cohort"], c["new_launch_term"], c["reason"]]
            for c in results.changes]
    if not rows:
        rows = [["", "", "none", "", "", "", "",
                 "No school moved since last year's plan, and no school is new or closed."
                 if results.replanned else
                 "This plan was not made from an earlier one: run `rollout plan ... --previous "
                 "LAST_YEAR/plan.csv` next spring to see what changed."]]
    elif not any(c["change"].startswith("moved") for c in results.changes):
        rows.insert(0, ["", "", "none", "", "", "", "",
                        "No school moved since last year's plan; the rows below are schools "
                        "that are new, closed or re-planned."])
    first, last = sheet.table(top, CHANGE_COLUMNS, rows, name="ChangeList")
    sheet.ws.freeze_panes(first, 2)
    launches_table(sheet, results, last + 3)
    sheet.print_setup(f"{results.facts.district.name}: changes", results.prepared,
                      repeat_rows=(top, top))


def launches_table(sheet: Sheet, results: Results, r: int) -> None:
    """What really happened, from the Launches sheet: every delayed, paused or withdrawn school
    and every launch in another term than its cohort's, with the private note."""
    facts = results.facts
    rows = []
    for record in facts.district.launches:
        row = results.row(record.school_id)
        planned = facts.launch_term_of(row["cohort"])
        if record.status == LAUNCHED and record.term_index == planned:
            continue  # launched on time: nothing to tell
        status = record.status if record.status != LAUNCHED else (
            "launched early" if record.term_index < planned else "launched late")
        rows.append([record.school_id, row["school_name"], status, row["cohort_name"],
                     *launch_story(results, record, row), record.note])
    sheet.heading(r, "Launches that did not go as planned (Launches sheet)")
    if not rows:
        rows = [["", "", "none", "", "", "", "", "Every launch recorded went as planned."
                 if facts.district.launches else "No Launches sheet in district.xlsx."]]
    sheet.table(r + 1, LAUNCH_COLUMNS, rows, name="LaunchList")


def launch_story(results: Results, record, row: dict) -> list[str]:
    """Planned launch, what happened, and the launch now planned, for one Launches record: a
    delayed school missed the term it was told (last year's plan) and did not launch."""
    facts = results.facts
    cohort = row["cohort"]
    planned = facts.term_label(facts.launch_term_of(cohort))
    since = facts.term_label(facts.held_since(record.school_id)) \
        if record.status in ON_HOLD else ""
    if record.status == DELAYED:
        told = facts.previous.get(record.school_id)
        missed = facts.launch_term_of(told) if told is not None else record.term_index
        return [facts.term_label(missed) if missed is not None else "",
                "did not launch", planned]
    if record.status == LAUNCHED:
        return [planned, f"launched in {facts.term_label(record.term_index)}", ""]
    launched = facts.launched_in(record.school_id, cohort)
    before = f"launched in {facts.term_label(launched)}; " if launched is not None else ""
    if record.status == PAUSED:
        return [planned, f"{before}paused from {since}",
                "" if launched is not None else f"{planned}, if it resumes by then"]
    return [planned, f"{before}withdrawn from {since}", "none (withdrawn)"]


def seasons(results: Results) -> list[str]:
    return list(dict.fromkeys(r["season"] for r in results.history))


def season_summary(results: Results) -> list[list]:
    """Per season: schools, mean and median readiness, schools launched as planned (their
    cohort had launched) and their share, and those that really had (Launches sheet)."""
    out = []
    for season in seasons(results):
        rows = [r for r in results.history if r["season"] == season]
        ready = [float(r["readiness"]) for r in rows if r["readiness"] not in ("", None)]
        # A delayed school had been planned to launch by now; that is the gap to show.
        planned = sum(r["launched"] == "yes" or r["status"] == DELAYED for r in rows)
        actual = sum(r["status"] == LAUNCHED for r in rows)
        out.append([season, len(rows), round(statistics.mean(ready), 1) if ready else None,
                    round(statistics.median(ready), 1) if ready else None, planned,
                    planned / len(rows) if rows else None, actual,
                    actual / len(rows) if rows else None])
    return out


def progress_sheet(sheet: Sheet, results: Results) -> None:
    book = sheet.book
    top = sheet.title("Progress over the years",
                      "Each spring's scores and plan (from history.csv): the district's "
                      "launched share and readiness, then every school's readiness by season.")
    summary = season_summary(results)
    columns = [Column("Season"), Column("Schools"), Column("Mean readiness", ONE_DECIMAL),
               Column("Median readiness", ONE_DECIMAL), Column("Schools launched (planned)"),
               Column("Launched share (planned)", PCT), Column("Schools launched (actual)"),
               Column("Launched share (actual)", PCT)]
    first, last = sheet.table(top, columns, summary, name="SeasonList")
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": "Launched share (planned)",
                      "categories": [sheet.ws.name, first, 0, last, 0],
                      "values": [sheet.ws.name, first, 5, last, 5], "fill": {"color": NAVY},
                      "gap": 80})
    chart.add_series({"name": "Launched share (actual)",
                      "categories": [sheet.ws.name, first, 0, last, 0],
                      "values": [sheet.ws.name, first, 7, last, 7],
                      "fill": {"color": ACTUAL}, "pattern": {"pattern": "wide_upward_diagonal",
                                                             "fg_color": NAVY,
                                                             "bg_color": ACTUAL}})
    line = book.wb.add_chart({"type": "line"})
    line.add_series({"name": "Mean readiness", "categories": [sheet.ws.name, first, 0, last, 0],
                     "values": [sheet.ws.name, first, 2, last, 2], "y2_axis": True,
                     "line": {"color": BAD, "width": 2.25}, "marker": {"type": "circle"}})
    chart.combine(line)
    chart.set_title({"name": "Launched share (planned and actual) and mean readiness",
                     "name_font": {"size": 11}})
    chart.set_y_axis({"name": "Launched", "min": 0, "max": 1, "num_format": "0%"})
    line.set_y2_axis({"name": "Readiness", "min": 0, "max": 100})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 280})
    sheet.ws.insert_chart(top, 10, chart)
    r = max(last + 3, top + 16)
    sheet.heading(r, "Each school's readiness by season")
    names = seasons(results)
    by_school: dict[str, dict] = {}
    for row in results.history:
        entry = by_school.setdefault(row["school_id"], {"name": row["school_name"]})
        entry[row["season"]] = float(row["readiness"]) if row["readiness"] not in ("", None) \
            else None
        entry["cohort"] = row["cohort"]
    rows = [[sid, e["name"], *[e.get(s) for s in names],
             change(e.get(names[0]), e.get(names[-1])) if len(names) > 1 else None]
            for sid, e in sorted(by_school.items())]
    columns = [Column("School ID"), Column("School", max_width=30),
               *[Column(s, ONE_DECIMAL) for s in names], Column("Change", ONE_DECIMAL)]
    s_first, _ = sheet.table(r + 1, columns, rows, name="ReadinessBySeason")
    sheet.ws.freeze_panes(s_first, 2)
    sheet.print_setup(f"{results.facts.district.name}: progress", results.prepared,
                      repeat_rows=(r + 1, r + 1))


def change(first, last):
    return None if first is None or last is None else round(last - first, 1)
