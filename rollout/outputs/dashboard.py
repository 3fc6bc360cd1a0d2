"""dashboard.xlsx: the plan for central office and the board.

Sheets: Overview (headline figures, tables and charts), Schools, Cohorts, Capacity, Network,
Upgrades, Changes, Progress, Settings, Data issues, About. Every figure comes from `Results`
and its `DashboardView`; this module only lays it out.
"""
from __future__ import annotations

from pathlib import Path

from rollout import __version__
from rollout.domain import LEVELS, WITHDRAWN
from rollout.outputs.dashboard_view import DashboardView, plan_detail
from rollout.outputs.progress import changes_sheet, progress_sheet
from rollout.outputs.results import NO_ANSWERS_YET, Results
from rollout.outputs.style import (
    BAD,
    GOOD,
    GREY_TEXT,
    MIDDLE,
    NAVY,
    ONE_DECIMAL,
    PCT,
    SERIES_COLOURS,
    THOUSANDS,
    TWO_DECIMALS,
    Book,
    Column,
    Sheet,
    cohort_colour,
)
from rollout.safe import safe_text

CHART_W, CHART_H = 330, 300  # pixels of the small charts on the Overview
WIDE_CHART_W = 495


def write_dashboard(results: Results, path: Path, principal_dir: str = "schools") -> None:
    facts = results.facts
    view = DashboardView(results)
    book = Book(path, f"Rollout plan: {facts.district.name}",
                "Blended learning rollout: cohorts, capacity and readiness", results.prepared)
    overview = book.sheet("Overview", NAVY)
    sheets = {name: book.sheet(name) for name in
              ("Schools", "Cohorts", "Capacity", "Network", "Upgrades", "Changes",
               "Progress", "Settings", "Data issues", "Files read", "About")}
    at = overview_sheet(overview, results, view)
    schools_sheet(sheets["Schools"], results, principal_dir)
    cohort_table, listing = cohorts_sheet(sheets["Cohorts"], results, view)
    capacity_sheet(sheets["Capacity"], results, view)
    network_first = network_sheet(sheets["Network"], results, view)
    upgrades_sheet(sheets["Upgrades"], results)
    changes_sheet(sheets["Changes"], results)
    progress_sheet(sheets["Progress"], results)
    settings_sheet(sheets["Settings"], results, view)
    data_issues_sheet(sheets["Data issues"], results, view)
    files_read_sheet(sheets["Files read"], results, view)
    about_sheet(sheets["About"], results)
    overview_charts(overview, results, view, at, cohort_table, listing, network_first)
    overview.ws.activate()
    book.close()


# ----- Overview ----------------------------------------------------------------------------

def overview_sheet(sheet: Sheet, results: Results, view: DashboardView) -> dict:
    facts, book = results.facts, sheet.book
    r = sheet.title(f"Blended learning rollout plan: {facts.district.name}",
                    f"Prepared {results.prepared} by rollout {__version__}. Plan: "
                    f"{results.plan.plain_status()}.")  # solver figures: on About
    r = figure_tiles(sheet, view, r)
    sheet.heading(r, "Schools per cohort")
    cohort_top = r + 1
    columns = [Column("Cohort"), Column("Launch term"), Column("Schools"),
               *[Column(lv) for lv in LEVELS], Column("Students", THOUSANDS),
               Column("Mean readiness", ONE_DECIMAL), Column("Mean need", ONE_DECIMAL),
               Column("Asked for it"), Column("Got it")]
    rows = [[c.name, c.launch_term, c.schools, *[c.by_level[lv] for lv in LEVELS], c.students,
             c.mean_readiness, c.mean_need, c.chose, c.got] for c in view.cohort_summaries]
    first, last = sheet.table(cohort_top, columns, rows)
    for i, c in enumerate(view.cohort_summaries):
        sheet.put(first + i, 0, c.name, book.fmt(bold=True, font_color="#FFFFFF",
                                                 bg_color=cohort_colour(c.number), border=1))
    r = last + 2
    sheet.heading(r, "Each term: coaching and network")
    term_top = r + 1
    columns = [Column("Term"), Column("Coaches (FTE)", ONE_DECIMAL),
               Column("Coaching needed (FTE)", ONE_DECIMAL), Column("Coaching use", PCT),
               Column("Schools planning"), Column("Schools launching"),
               Column("Schools in support"), Column("Launched so far"),
               Column("Tightest link"), Column("Its use", PCT),
               Column("Least headroom (Mbps)", THOUSANDS)]
    rows = [[t.label, t.coaches_fte, t.coaching_needed, t.coaching_use, t.planning,
             t.launching, t.support, t.launched_by, t.busiest_link, t.busiest_link_use,
             t.least_headroom_mbps] for t in view.term_summaries]
    t_first, t_last = sheet.table(term_top, columns, rows)
    for col in (3, 9):
        usage_colours(sheet, t_first, col, t_last, col)
    r = t_last + 2
    sheet.put(r, 0, "Charts follow on the next page. Schools, Cohorts, Capacity and Network "
              "have the detail; About explains every figure.",
              book.fmt(italic=True, font_color=GREY_TEXT))
    sheet.ws.hide_gridlines(2)
    sheet.ws.freeze_panes(0, 0)
    charts_row = r + 2
    sheet.ws.set_h_pagebreaks([charts_row])
    sheet.print_setup(f"{facts.district.name}: rollout plan overview", results.prepared)
    return {"cohorts": (cohort_top, first, last), "terms": (term_top, t_first, t_last),
            "charts": charts_row}


def figure_tiles(sheet: Sheet, view: DashboardView, r: int) -> int:
    """Headline figures as tiles, four to a row, each three columns wide."""
    book = sheet.book
    tile = dict(bg_color="#EEF2F8", align="left", indent=1, text_wrap=True)
    label = book.fmt(font_size=9, font_color=GREY_TEXT, valign="bottom", top=2,
                     top_color=NAVY, **tile)
    value = book.fmt(bold=True, font_size=18, font_color=NAVY, valign="vcenter", **tile)
    detail = book.fmt(font_size=9, valign="top", **tile)
    for i, figure in enumerate(view.headline):
        row, col = r + 4 * (i // 4), 3 * (i % 4)
        for offset, text, fmt in ((0, figure.label, label), (1, figure.value, value),
                                  (2, figure.detail, detail)):
            sheet.ws.merge_range(row + offset, col, row + offset, col + 1, "", fmt)
            sheet.put(row + offset, col, text, fmt)
        sheet.ws.set_row(row + 1, 26)
        sheet.ws.set_row(row + 2, 30)
    return r + 4 * ((len(view.headline) + 3) // 4) + 1


def usage_colours(sheet: Sheet, first: int, col: int, last: int, last_col: int) -> None:
    """Green below 50 %, amber near 85 %, red at capacity."""
    sheet.ws.conditional_format(first, col, last, last_col, {
        "type": "3_color_scale", "min_type": "num", "min_value": 0.5, "min_color": GOOD,
        "mid_type": "num", "mid_value": 0.85, "mid_color": MIDDLE, "max_type": "num",
        "max_value": 1, "max_color": BAD})


def overview_charts(sheet: Sheet, results: Results, view: DashboardView, at: dict,
                    cohort_table: tuple, listing: tuple, network_first: int) -> None:
    book, ws = sheet.book, sheet.ws
    r = at["charts"]
    sheet.heading(r, "Charts")
    top = r + 1
    placed = [
        (cohorts_by_level(book, view, at["cohorts"]), 0, 0, CHART_W),
        (cohorts_by_region(book, view, cohort_table), CHART_W + 10, 0, CHART_W),
        (coaching_chart(book, at["terms"]), 2 * (CHART_W + 10), 0, CHART_W),
        (busiest_links_chart(book, results, view, network_first), 0, CHART_H + 10,
         WIDE_CHART_W),
        (readiness_need_chart(book, results, listing), WIDE_CHART_W + 10, CHART_H + 10,
         WIDE_CHART_W),
    ]
    for chart, x, y, width in placed:
        chart.set_size({"width": width, "height": CHART_H})
        chart.set_chartarea({"border": {"color": "#D9D9D9"}})
        chart.set_legend({"position": "bottom", "font": {"size": 8}})
        ws.insert_chart(top, 0, chart, {"x_offset": x, "y_offset": y, "object_position": 3})


def titled(chart, title: str, y_title: str | None = None, y_format: str | None = None):
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True, "color": NAVY}})
    y = {"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
         "num_font": {"size": 8}}
    if y_title:
        y["name"] = y_title
        y["name_font"] = {"size": 8, "bold": False}
    if y_format:
        y["num_format"] = y_format
    chart.set_y_axis(y)
    chart.set_x_axis({"num_font": {"size": 8}})
    return chart


def cohorts_by_level(book: Book, view: DashboardView, table: tuple):
    _, first, last = table
    chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, level in enumerate(LEVELS):
        if not any(c.by_level[level] for c in view.cohort_summaries):
            continue
        chart.add_series({"name": ["Overview", table[0], 3 + j],
                          "categories": ["Overview", first, 0, last, 0],
                          "values": ["Overview", first, 3 + j, last, 3 + j],
                          "fill": {"color": SERIES_COLOURS[j]}, "gap": 60})
    return titled(chart, "Schools per cohort by level", "Schools")


def cohorts_by_region(book: Book, view: DashboardView, table: tuple):
    top, first, last, region_col = table
    chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, _ in enumerate(view.regions):
        chart.add_series({"name": ["Cohorts", top, region_col + j],
                          "categories": ["Cohorts", first, 1, last, 1],
                          "values": ["Cohorts", first, region_col + j, last, region_col + j],
                          "fill": {"color": SERIES_COLOURS[(j + 3) % len(SERIES_COLOURS)]},
                          "gap": 60})
    return titled(chart, "Schools per cohort by region", "Schools")


def coaching_chart(book: Book, table: tuple):
    top, first, last = table
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": ["Overview", top, 2], "categories": ["Overview", first, 0, last, 0],
                      "values": ["Overview", first, 2, last, 2], "fill": {"color": NAVY},
                      "gap": 80})
    line = book.wb.add_chart({"type": "line"})
    line.add_series({"name": ["Overview", top, 1], "categories": ["Overview", first, 0, last, 0],
                     "values": ["Overview", first, 1, last, 1],
                     "line": {"color": BAD, "width": 2.25, "dash_type": "dash"},
                     "marker": {"type": "none"}, "smooth": False})
    chart.combine(line)
    return titled(chart, "Coaching FTE needed vs available", "FTE")


def busiest_links_chart(book: Book, results: Results, view: DashboardView, first_row: int):
    """Use of the busiest links in every term (rows of the Network sheet, busiest first)."""
    chart = book.wb.add_chart({"type": "line"})
    terms = results.facts.term_count
    header = first_row - 1
    for i, use in enumerate(view.busiest_links()):
        row = first_row + i
        chart.add_series({"name": ["Network", row, 0],
                          "categories": ["Network", header, 5, header, 4 + terms],
                          "values": ["Network", row, 5, row, 4 + terms],
                          "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)],
                                   "width": 2},
                          "marker": {"type": "circle", "size": 5,
                                     "fill": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
                                     "border": {"none": True}}})
    peak = max((u.peak_use for u in view.busiest_links()), default=1.0)
    titled(chart, "Busiest links: share of capacity used", None, "0%")
    chart.set_y_axis({"min": 0, "max": max(1.0, round(peak + 0.05, 1)), "num_format": "0%",
                      "major_unit": 0.25,
                      "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
                      "num_font": {"size": 8}})
    return chart


def readiness_need_chart(book: Book, results: Results, listing: tuple):
    """Each school as a point, one series (colour) per cohort, from the Cohorts listing."""
    top, spans = listing
    chart = book.wb.add_chart({"type": "scatter"})
    for number, (first, last) in spans.items():
        colour = cohort_colour(number)
        chart.add_series({"name": safe_text(results.facts.cohort(number).name),
                          "categories": ["Cohorts", first, 6, last, 6],
                          "values": ["Cohorts", first, 5, last, 5],
                          "marker": {"type": "circle", "size": 5, "fill": {"color": colour},
                                     "border": {"color": "#FFFFFF"}}})
    titled(chart, "Readiness vs need, coloured by cohort", "Readiness")
    chart.set_x_axis({"name": "Need", "name_font": {"size": 8, "bold": False}, "min": 0,
                      "max": 100, "major_unit": 20, "num_font": {"size": 8}})
    chart.set_y_axis({"name": "Readiness", "name_font": {"size": 8, "bold": False}, "min": 0,
                      "max": 100, "major_unit": 20, "num_font": {"size": 8},
                      "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    return chart


# ----- Schools -----------------------------------------------------------------------------

SCHOOL_COLUMNS = [
    Column("School ID"), Column("School", max_width=30), Column("Level"), Column("Region"),
    Column("Feeder", max_width=18), Column("Cohort"), Column("Cohort name"),
    Column("Launch term"), Column("Infrastructure", ONE_DECIMAL),
    Column("Technology", ONE_DECIMAL), Column("Instructional", ONE_DECIMAL),
    Column("Readiness", ONE_DECIMAL), Column("Need", ONE_DECIMAL),
    Column("Priority", ONE_DECIMAL), Column("Asked for"), Column("Got it"),
    Column("Respondents"), Column("Survey coverage", PCT),
    Column("Principal / teacher gap", width=24, wrap=True),
    Column("Why this cohort", width=60, wrap=True), Column("Principal workbook")]


def launch_or_withdrawal(row: dict) -> str:
    """A withdrawn school launches in no term: the Launch term column says from when (the
    withdrawal may take effect in a term still to come, so never "since")."""
    if row["status"] == WITHDRAWN:
        return f"withdrawn from {row['status_since']}"
    return row["launch_term"]


def schools_sheet(sheet: Sheet, results: Results, principal_dir: str) -> None:
    facts = results.facts
    top = sheet.title("Schools", "One row per school. Filter or sort with the buttons in the "
                      "header; the last column opens the school's own workbook.")
    rows = []
    for r in results.rows:
        pref = r["preferred_cohort"]
        rows.append([r["school_id"], r["school_name"], r["level"], r["region"], r["feeder"],
                     r["cohort"], r["cohort_name"], launch_or_withdrawal(r), r["infrastructure"],
                     r["technology"], r["instructional"], r["readiness"], r["need"],
                     r["priority"], facts.cohort(pref).name if pref else "",
                     ("yes" if pref == r["cohort"] else "no") if pref else "",
                     r["respondents"], r["coverage"], r["role_gap"], reason_text(r),
                     results.workbook_names[r["school_id"]]])
    first, last = sheet.table(top, SCHOOL_COLUMNS, rows, name="SchoolList")
    link_col = len(SCHOOL_COLUMNS) - 1
    for i, r in enumerate(results.rows, start=first):
        name = results.workbook_names[r["school_id"]]
        sheet.link(i, link_col, f"{principal_dir}/{name}", name)
    ws, book = sheet.ws, sheet.book
    for c in facts.cohorts:
        ws.conditional_format(first, 5, last, 6, {
            "type": "formula", "criteria": f"=$F{first + 1}={c.number}",
            "format": book.fmt(bold=True, font_color="#FFFFFF", bg_color=cohort_colour(
                c.number))})
    score_scale(sheet, first, 8, last, 11)
    ws.conditional_format(first, 12, last, 12, {
        "type": "2_color_scale", "min_type": "num", "min_value": 0, "min_color": "#FFFFFF",
        "max_type": "num", "max_value": 100, "max_color": "#F4B183"})
    ws.conditional_format(first, 15, last, 15, {
        "type": "cell", "criteria": "==", "value": '"no"',
        "format": book.fmt(font_color="#C00000", bold=True)})
    ws.conditional_format(first, 19, last, 19, {
        "type": "text", "criteria": "begins with", "value": "No survey answers yet",
        "format": book.fmt(font_color="#C00000")})
    ws.freeze_panes(first, 2)
    sheet.print_setup(f"{facts.district.name}: schools", results.prepared,
                      repeat_rows=(top, top))
    ws.set_paper(5)  # Legal: 21 columns stay readable at fit-to-width


def reason_text(row: dict) -> str:
    """Why a school is in its cohort; a school nobody answered for says so first (#26)."""
    if row["survey_answers"] == NO_ANSWERS_YET:
        return ("No survey answers yet: planned on its need as not yet ready; its place will "
                "be reviewed when it answers. " + row["reasons"])
    return row["reasons"]


def score_scale(sheet: Sheet, first: int, col: int, last: int, last_col: int) -> None:
    sheet.ws.conditional_format(first, col, last, last_col, {
        "type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": BAD,
        "mid_type": "num", "mid_value": 50, "mid_color": MIDDLE, "max_type": "num",
        "max_value": 100, "max_color": GOOD})


# ----- Cohorts -----------------------------------------------------------------------------

def cohorts_sheet(sheet: Sheet, results: Results, view: DashboardView
                  ) -> tuple[tuple, tuple]:
    """Returns the cohort table (top, first, last, first region column) and the listing
    (top, {cohort: (first, last)}) for the Overview charts."""
    top = sheet.title("Cohorts", "Each cohort's terms, make-up and scores; then every school "
                      "by cohort, highest priority first.")
    summaries = view.cohort_summaries
    region_col = 8 + len(LEVELS)  # after cohort, name, three terms, three counts, levels
    columns = [Column("Cohort"), Column("Name"), Column("Planning"), Column("Launch"),
               Column("Support", max_width=24, wrap=True), Column("Schools"),
               Column("Students", THOUSANDS), Column("Teachers", THOUSANDS),
               *[Column(lv) for lv in LEVELS], *[Column(g) for g in view.regions],
               Column("Mean readiness", ONE_DECIMAL), Column("Lowest readiness", ONE_DECIMAL),
               Column("Mean need", ONE_DECIMAL), Column("Mean priority", ONE_DECIMAL),
               Column("Asked for it"), Column("Got it")]
    rows = [[c.number, c.name, c.planning_term, c.launch_term, c.support_terms, c.schools,
             c.students, c.teachers, *[c.by_level[lv] for lv in LEVELS],
             *[c.by_region[g] for g in view.regions], c.mean_readiness,
             c.lowest_readiness, c.mean_need, c.mean_priority, c.chose, c.got]
            for c in summaries]
    first, last = sheet.table(top, columns, rows, name="CohortList")
    for i, c in enumerate(summaries):
        sheet.put(first + i, 1, c.name, sheet.book.fmt(
            bold=True, font_color="#FFFFFF", bg_color=cohort_colour(c.number), border=1))
    r = last + 3
    sheet.heading(r, "Schools in each cohort")
    listing_top = r + 1
    ordered = sorted(results.rows, key=lambda x: (x["cohort"], -x["priority"], x["school_id"]))
    columns = [Column("Cohort"), Column("School ID"), Column("School", max_width=30),
               Column("Level"), Column("Region"), Column("Readiness", ONE_DECIMAL),
               Column("Need", ONE_DECIMAL), Column("Priority", ONE_DECIMAL)]
    listing = [[x["cohort_name"], x["school_id"], x["school_name"], x["level"], x["region"],
                x["readiness"], x["need"], x["priority"]] for x in ordered]
    l_first, l_last = sheet.table(listing_top, columns, listing, name="CohortSchools")
    spans: dict[int, tuple[int, int]] = {}
    for i, x in enumerate(ordered, start=l_first):
        start, _ = spans.get(x["cohort"], (i, i))
        spans[x["cohort"]] = (start, i)
    score_scale(sheet, l_first, 5, l_last, 5)
    sheet.ws.freeze_panes(first, 2)
    sheet.print_setup(f"{results.facts.district.name}: cohorts", results.prepared,
                      repeat_rows=(top, top))
    return (top, first, last, region_col), (listing_top, spans)


# ----- Capacity ----------------------------------------------------------------------------

def capacity_sheet(sheet: Sheet, results: Results, view: DashboardView) -> None:
    facts = results.facts
    top = sheet.title("Capacity use per term", "Coaching: FTE the schools need (planning, "
                      "launch and support phases) against coaches available. Network: the "
                      "link closest to its capacity and the smallest headroom on any link.")
    columns = [Column("Term"), Column("Coaches available (FTE)", ONE_DECIMAL),
               Column("Coaching needed (FTE)", TWO_DECIMALS), Column("Coaching use", PCT),
               Column("Spare coaching (FTE)", TWO_DECIMALS),
               Column("Schools planning"), Column("Schools launching"),
               Column("Schools in support"), Column("Launched so far"),
               Column("Tightest link"), Column("What the link is", max_width=45),
               Column("Its use", PCT), Column("Least headroom on any link (Mbps)", THOUSANDS)]
    rows = [[t.label, t.coaches_fte, t.coaching_needed, t.coaching_use,
             round(t.coaches_fte - t.coaching_needed, 2), t.planning, t.launching, t.support,
             t.launched_by, t.busiest_link, t.busiest_link_what, t.busiest_link_use,
             t.least_headroom_mbps] for t in view.term_summaries]
    first, last = sheet.table(top, columns, rows, name="TermCapacity")
    usage_colours(sheet, first, 3, last, 3)
    usage_colours(sheet, first, 11, last, 11)
    r = last + 2
    profile = facts.settings.coaching.load_profile
    sheet.put(r, 0, "Coaching follows each school through its phases: " + ", ".join(
        f"{share:.0%} of full coaching {relative(offset)}" for offset, share in
        sorted(profile.items()) if share > 0) + f"; full coaching is one coach per "
        f"{facts.settings.coaching.teachers_per_coach:g} teachers.",
        sheet.book.fmt(italic=True, font_color=GREY_TEXT))
    sheet.ws.freeze_panes(first, 1)
    sheet.print_setup(f"{facts.district.name}: capacity", results.prepared,
                      repeat_rows=(top, top))


def relative(offset: int) -> str:
    if offset == 0:
        return "in the launch term"
    terms = "term" if abs(offset) == 1 else "terms"
    return f"{abs(offset)} {terms} {'before' if offset < 0 else 'after'} launch"


# ----- Network and upgrades ----------------------------------------------------------------

def network_sheet(sheet: Sheet, results: Results, view: DashboardView) -> int:
    """Returns the first data row (the busiest link), for the Overview chart."""
    facts = results.facts
    top = sheet.title("Network links", "Share of each link's capacity used in each term: the "
                      "bandwidth of the schools behind it over its capacity after the "
                      "committed plan. Busiest first.")
    terms = [t.label for t in facts.district.terms]
    columns = [Column("Link"), Column("What it is", max_width=45), Column("Schools behind"),
               Column("Capacity now (Mbps)", THOUSANDS), Column("Peak use", PCT),
               *[Column(t, PCT) for t in terms], Column("Peak term"),
               Column("Capacity changes", width=48, wrap=True)]
    rows = [[u.link, u.what, u.schools_behind, u.capacity[0], u.peak_use, *u.use, u.peak_term,
             u.changes] for u in view.link_uses]
    first, last = sheet.table(top, columns, rows, name="LinkUse")
    usage_colours(sheet, first, 4, last, 4 + len(terms))
    sheet.ws.freeze_panes(first, 1)
    sheet.print_setup(f"{facts.district.name}: network", results.prepared,
                      repeat_rows=(top, top))
    return first


def upgrades_sheet(sheet: Sheet, results: Results) -> None:
    facts = results.facts
    top = sheet.title("Network upgrades and deadlines", "Every rise in a link's capacity in "
                      "this plan, in the order they complete. 'Needed by' is the first term "
                      "whose load needs it: the deadline. In red: needed the very term it "
                      "completes, so any delay holds a launch back.")
    columns = [Column("Completes"), Column("Link"), Column("What it is", max_width=45),
               Column("Schools behind"), Column("From (Mbps)", THOUSANDS),
               Column("To (Mbps)", THOUSANDS), Column("Needed by"), Column("Source"),
               Column("Cost", THOUSANDS)]
    rows = [[c.complete_term, c.link, c.what, c.schools_behind, c.from_mbps, c.to_mbps,
             c.needed_by or "not needed by this plan", c.source, c.cost]
            for c in results.network_changes if c.rises]
    first, last = sheet.table(top, columns, rows, name="NetworkChanges")
    sheet.ws.conditional_format(first, 6, last, 6, {
        "type": "formula", "criteria": f"=$G{first + 1}=$A{first + 1}",
        "format": sheet.book.fmt(bold=True, font_color="#C00000")})
    sheet.ws.freeze_panes(first, 0)
    sheet.print_setup(f"{facts.district.name}: upgrades", results.prepared,
                      repeat_rows=(top, top))


# ----- Settings, data issues, about --------------------------------------------------------

def settings_sheet(sheet: Sheet, results: Results, view: DashboardView) -> None:
    inputs = results.inputs
    top = sheet.title("Settings used", "Every setting, rubric weight and input file behind "
                      "this plan: with the same files and settings the plan is the same.")
    rows = [["rollout version", __version__], ["Input folder", str(inputs.district_dir)],
            ["Rubric file", str(inputs.rubric_path)], *[[k, v] for k, v in
                                                         view.settings_rows]]
    first, last = sheet.table(top, [Column("Setting", max_width=50),
                                    Column("Value", max_width=60, wrap=True, align="left")],
                              rows, name="SettingList")
    r = last + 3
    sheet.heading(r, "Input files")
    sheet.table(r + 1, [Column("File", max_width=50, wrap=True),
                        Column("Size and SHA-256 fingerprint", width=60, wrap=True)],
                [[file, f"{size:,} bytes; SHA-256 {digest}"]
                 for file, size, digest in view.input_files], name="InputFiles")
    sheet.ws.freeze_panes(first, 0)
    sheet.print_setup(f"{inputs.district.name}: settings", results.prepared,
                      repeat_rows=(top, top), landscape=False)


def data_issues_sheet(sheet: Sheet, results: Results, view: DashboardView) -> None:
    top = sheet.title("Data issues", "Warnings from reading the surveys and district files, "
                      "and notes from the solver, what needs a look first. They did not stop "
                      "the plan, but check them before publishing. Which layout each survey "
                      "file was read as is on the Files read sheet.")
    rows = [[i, kind, where, what]
            for i, (kind, where, what) in enumerate(view.data_issues, start=1)]
    if not rows:
        rows = [["", "", "", "No issues found."]]
    first, _ = sheet.table(top, [Column("#", width=5), Column("Kind", width=16, wrap=True),
                                 Column("Where", width=40, wrap=True),
                                 Column("Issue", width=80, wrap=True)], rows,
                           name="DataIssueList")
    sheet.ws.freeze_panes(first, 0)
    sheet.print_setup(f"{results.facts.district.name}: data issues", results.prepared,
                      repeat_rows=(top, top))


def files_read_sheet(sheet: Sheet, results: Results, view: DashboardView) -> None:
    top = sheet.title("Files read", "Each survey file and sheet, and the layout it was read "
                      "as: a file read as the wrong layout, or with too few respondents, "
                      "shows here.")
    rows = [[i, where, what] for i, (where, what) in enumerate(view.files_read, start=1)]
    if not rows:
        rows = [["", "", "No survey files were read."]]
    first, _ = sheet.table(top, [Column("#", width=5), Column("File", width=60, wrap=True),
                                 Column("Read as", width=75, wrap=True)], rows,
                           name="FileReadList")
    sheet.ws.freeze_panes(first, 0)
    sheet.print_setup(f"{results.facts.district.name}: files read", results.prepared,
                      repeat_rows=(top, top))


ABOUT = [
    ("What this is", "The phased rollout plan for blended learning: which group (cohort) each "
     "school joins and when it launches, worked out from the readiness surveys, the schools' "
     "need, and the district's coaching staff and network limits."),
    ("Scores", "Each school gets three readiness scores from 0 to 100: infrastructure, "
     "technology and instructional. They pool the answers of the principal, teachers and "
     "technology staff (no individual's answers are shown anywhere) and, for infrastructure "
     "and technology, measured figures such as bandwidth per student and students per device. "
     "Readiness is their weighted mean. Need combines the share of students on free or "
     "reduced lunch and the share not yet proficient."),
    ("Priority", "Priority = need weight x need + (1 - need weight) x readiness. Schools with "
     "higher priority launch earlier wherever the limits allow. The need weight is the "
     "district's choice and is on the Settings sheet."),
    ("Limits", "Every cohort's size stays within bounds; in every term the coaching the "
     "schools need (planning, launch and support) fits the coaches available; every network "
     "link carries the schools behind it, after the committed capacity plan and the upgrades "
     "the plan chose (each no sooner than its lead time, within the crews and budget); "
     "schools meet their cohort's readiness gate; locked choices hold. Settings lists the "
     "weights of the softer goals: honouring choices, keeping feeder patterns together, "
     "balancing regions and levels."),
    ("Reasons", "'Why this cohort' says what keeps each school from launching one group "
     "earlier. It was found by trying that move against every limit, not written by hand."),
    ("Overview", "Headline figures, each cohort's make-up, each term's coaching and network "
     "use, and charts: schools per cohort by level and by region, coaching needed against "
     "coaches available, the busiest links' use per term, and readiness against need."),
    ("Schools", "One row per school with scores, cohort and reason. Colours: scores from red "
     "(0) through yellow (50) to green (100); each cohort has its own colour. The last column "
     "opens the principal's workbook (keep the schools folder beside this file)."),
    ("Cohorts", "Each cohort's planning, launch and support terms, its schools by level and "
     "region, its mean scores, and how many schools asked for it and got it."),
    ("Capacity", "Coaching FTE needed against available in each term, and the network link "
     "closest to its limit. Green is comfortable, amber is close, red is at the limit."),
    ("Network, Upgrades", "Every link's share of capacity used in each term, and every planned "
     "rise in capacity with the term it must be finished by."),
    ("Settings", "Everything used to make this plan, with a fingerprint (SHA-256) of each "
     "input file, so anyone can reproduce it."),
    ("Data issues, Files read", "Warnings that did not stop the plan, what needs a person's "
     "attention first: schools with no survey answers yet (planned as not yet ready), school "
     "names matched loosely, renamed, closed and new schools, duplicates, respondents left "
     "out. Files read lists the layout each survey file was read as."),
    ("Principal workbooks", "Each school has its own workbook in the schools folder: its "
     "cohort, phases, scores against the district and cohort medians, strengths and gaps, "
     "and what must be ready before launch. It holds no other school's data."),
]


def about_sheet(sheet: Sheet, results: Results) -> None:
    top = sheet.title("How to read this workbook")
    book = sheet.book
    sheet.width(0, 20)
    sheet.width(1, 100)
    rows = [*ABOUT, ("Solver figures", f"The planning solver's own figures for this plan: "
                                       f"{plan_detail(results.plan)}.")]
    for i, (head, text) in enumerate(rows):
        sheet.put(top + i, 0, head, book.fmt(bold=True, valign="top", font_color=NAVY))
        sheet.paragraph(top + i, 1, text, 100, book.fmt(text_wrap=True, valign="top"))
    sheet.ws.hide_gridlines(2)
    sheet.print_setup(f"{results.facts.district.name}: about this workbook", results.prepared,
                      landscape=False)
