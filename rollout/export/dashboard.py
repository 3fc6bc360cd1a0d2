"""dashboard.xlsx: the plan for central office and the board."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from rollout.export.style import (LABEL_FONT, WRAP, cohort_colour, print_setup, put, title,
                                  today, write_table)
from rollout.results import Results
from rollout.rubric import DOMAINS

PCT = "0%"
ONE_DECIMAL = "0.0"
THOUSANDS = "#,##0"


def write_dashboard(results: Results, path: Path, principal_dir: str = "schools") -> None:
    wb = Workbook()
    wb.remove(wb.active)
    cohort_table_row = overview(wb.create_sheet("Overview"), results)
    schools_sheet(wb.create_sheet("Schools"), results, principal_dir)
    cohorts_sheet(wb.create_sheet("Cohorts"), results)
    capacity_sheet(wb.create_sheet("Capacity"), results)
    network_sheet(wb.create_sheet("Network"), results)
    settings_sheet(wb.create_sheet("Settings"), results)
    data_issues_sheet(wb.create_sheet("Data issues"), results)
    about_sheet(wb.create_sheet("About"), results)
    add_overview_charts(wb, results, cohort_table_row)
    wb.properties.creator = "rollout"
    wb.properties.title = f"Rollout plan: {results.facts.district.name}"
    wb.save(path)


def overview(ws, results: Results) -> int:
    """Headline figures and the cohort table; returns the row of that table's header."""
    facts, plan = results.facts, results.plan
    top = title(ws, f"Blended learning rollout plan: {facts.district.name}",
                f"Generated {today()} by rollout. Plan status: {plan.status_text()}")
    honoured, asked = results.preferences_honoured()
    students = sum(s.students for s in facts.schools)
    assessable = sum(r["assessable"] == "yes" for r in results.rows)
    peak = max(range(facts.term_count), key=lambda t: results.usage.coaching[t]
               / max(facts.district.terms[t].coaches_fte, 1e-9))
    link, term, share = busiest_link(results, range(facts.term_count - 1))
    figures = [
        ("Schools", len(facts.schools)), ("Students", f"{students:,}"),
        ("Cohorts", f"{len(facts.cohorts)} launching {facts.cohort(1).name} in "
         f"{facts.term_label(facts.launch_term_of(1))} to {facts.cohorts[-1].name} in "
         f"{facts.term_label(facts.cohorts[-1].launch_term_index)}"),
        ("Need weight", f"{facts.settings.need_weight:g} (0 = most ready first, 1 = greatest "
         "need first)"),
        ("Busiest coaching term", f"{facts.term_label(peak)}: "
         f"{results.usage.coaching[peak]:.1f} of {facts.district.terms[peak].coaches_fte:g} FTE"),
        ("Tightest network link", f"{link} in {facts.term_label(term)}: {share:.0%} of capacity"
         if link else "none"),
        ("Preferences honoured", f"{honoured} of {asked} schools got the group they chose"),
        ("Survey coverage", f"{assessable} of {len(facts.schools)} schools assessable; "
         f"{sum(r['respondents'] for r in results.rows):,} respondents"),
        ("Solver", f"{plan.status_text()}; objective {plan.objective:,.1f}, bound "
         f"{plan.bound:,.1f}, solved in {plan.solve_seconds:.2f} s"
         if plan.objective is not None else plan.status_text()),
    ]
    for i, (label, value) in enumerate(figures):
        put(ws, top + i, 1, label, font=LABEL_FONT)
        put(ws, top + i, 2, value)
    row = top + len(figures) + 1
    put(ws, row, 1, "Schools per cohort", font=Font(bold=True, size=12))
    headers = ["Cohort", "Launch term", "Schools", "ES", "MS", "HS", "Other",
               "Mean readiness", "Mean need"]
    rows = [[c.name, facts.term_label(c.launch_term_index), len(members),
             *[sum(r["level"] == lv for r in members) for lv in ("ES", "MS", "HS", "Other")],
             mean(members, "readiness"), mean(members, "need")]
            for c in facts.cohorts for members in [results.cohort_rows(c.number)]]
    write_table(ws, row + 1, headers, rows, formats={"Mean readiness": ONE_DECIMAL,
                                                      "Mean need": ONE_DECIMAL},
                widths={"Cohort": 22, "Launch term": 14})
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 16
    ws.sheet_properties.tabColor = "1F3864"
    print_setup(ws, "Rollout plan: overview")
    return row + 1


def mean(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return round(sum(values) / len(values), 1) if values else None


def busiest_link(results: Results, terms) -> tuple[str | None, int, float]:
    best = (None, 0, 0.0)
    caps = results.facts.district.capacity_by_term
    for link, loads in results.usage.link_load.items():
        for t in terms:
            share = loads[t] / caps[link][t] if caps[link][t] else 0.0
            if share > best[2]:
                best = (link, t, share)
    return best


def add_overview_charts(wb, results: Results, table_top: int) -> None:
    ws = wb["Overview"]
    k = len(results.facts.cohorts)
    bar = BarChart()
    bar.type, bar.grouping, bar.overlap = "col", "stacked", 100
    bar.title, bar.y_axis.title = "Schools per cohort by level", "Schools"
    data = Reference(ws, min_col=4, max_col=7, min_row=table_top, max_row=table_top + k)
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=table_top + 1, max_row=table_top + k))
    bar.height, bar.width = 7.5, 14
    ws.add_chart(bar, "K3")
    cap = wb["Capacity"]
    terms = results.facts.term_count
    line = BarChart()
    line.title, line.y_axis.title = "Coaching FTE needed vs available", "FTE"
    line.add_data(Reference(cap, min_col=3, min_row=4, max_row=4 + terms), titles_from_data=True)
    avail = LineChart()
    avail.add_data(Reference(cap, min_col=2, min_row=4, max_row=4 + terms), titles_from_data=True)
    line.set_categories(Reference(cap, min_col=1, min_row=5, max_row=4 + terms))
    line += avail
    line.height, line.width = 7.5, 14
    ws.add_chart(line, "K19")


def schools_sheet(ws, results: Results, principal_dir: str) -> None:
    headers = ["school_id", "school_name", "cohort", "launch_term", "infrastructure",
               "technology", "instructional", "readiness", "need", "priority",
               "preferred_cohort", "reasons", "level", "region", "feeder", "cohort_name",
               "respondents", "coverage", "role_gap", "workbook"]
    rows = [[r.get(h) for h in headers[:-1]] + [f"{r['school_id']}.xlsx"] for r in results.rows]
    first, last = write_table(ws, 1, headers, rows, name="Schools",
                              formats={h: ONE_DECIMAL for h in DOMAINS + ["readiness", "need",
                                                                          "priority"]}
                              | {"coverage": PCT},
                              widths={"reasons": 70, "school_name": 30, "role_gap": 24})
    for i, r in enumerate(results.rows, start=first):
        cell = ws.cell(row=i, column=3)
        cell.fill = PatternFill("solid", fgColor=cohort_colour(r["cohort"]))
        cell.font = Font(bold=True, color="FFFFFF")
        link = ws.cell(row=i, column=len(headers))
        link.hyperlink = f"{principal_dir}/{r['school_id']}.xlsx"
        link.font = Font(color="0563C1", underline="single")
        ws.cell(row=i, column=12).alignment = WRAP
    for col in range(5, 11):
        letter = get_column_letter(col)
        ws.conditional_formatting.add(f"{letter}{first}:{letter}{last}", ColorScaleRule(
            start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=50,
            mid_color="FFEB84", end_type="num", end_value=100, end_color="63BE7B"))
    ws.freeze_panes = "C2"
    print_setup(ws, "Rollout plan: schools", repeat_rows="1:1")


def cohorts_sheet(ws, results: Results) -> None:
    facts = results.facts
    top = title(ws, "Cohorts", "Each cohort's launch term, make-up and mean scores")
    regions = sorted({s.region for s in facts.schools})
    headers = ["Cohort", "Name", "Planning term", "Launch term", "Schools", "Students",
               "Teachers", "ES", "MS", "HS", *regions, "Mean readiness", "Mean need",
               "Mean priority", "Chose this cohort", "Got it"]
    rows = []
    for c in facts.cohorts:
        members = results.cohort_rows(c.number)
        planning = c.launch_term_index - 1
        chose = [r for r in results.rows if r["preferred_cohort"] == c.number]
        rows.append([c.number, c.name, facts.term_label(planning) if planning >= 0 else
                     "before the plan", facts.term_label(c.launch_term_index), len(members),
                     sum(r["students"] for r in members), sum(r["teachers"] for r in members),
                     *[sum(r["level"] == lv for r in members) for lv in ("ES", "MS", "HS")],
                     *[sum(r["region"] == g for r in members) for g in regions],
                     mean(members, "readiness"), mean(members, "need"),
                     mean(members, "priority"), len(chose),
                     sum(r["cohort"] == c.number for r in chose)])
    write_table(ws, top, headers, rows, name="Cohorts",
                formats={"Students": THOUSANDS, "Teachers": THOUSANDS,
                         "Mean readiness": ONE_DECIMAL, "Mean need": ONE_DECIMAL,
                         "Mean priority": ONE_DECIMAL})
    row = top + len(rows) + 3
    put(ws, row, 1, "Schools in each cohort", font=Font(bold=True, size=12))
    listing = [[r["cohort_name"], r["school_id"], r["school_name"], r["level"], r["region"],
                r["readiness"], r["need"]] for r in sorted(results.rows, key=lambda r: (
                    r["cohort"], -r["priority"], r["school_id"]))]
    write_table(ws, row + 1, ["Cohort", "School", "Name", "Level", "Region", "Readiness",
                              "Need"], listing, formats={"Readiness": ONE_DECIMAL,
                                                         "Need": ONE_DECIMAL})
    ws.freeze_panes = ws.cell(row=top + 1, column=3)
    print_setup(ws, "Rollout plan: cohorts", repeat_rows=f"{top}:{top}")


def capacity_sheet(ws, results: Results) -> None:
    facts, usage = results.facts, results.usage
    put(ws, 1, 1, "Capacity use per term", font=Font(bold=True, size=16, color="1F3864"))
    put(ws, 2, 1, "Coaching FTE needed against coaches available, and the busiest network "
        "link in each term (load of the schools behind it against its capacity).",
        font=Font(italic=True, size=10, color="595959"))
    headers = ["Term", "Coaches available (FTE)", "Coaching needed (FTE)", "Coaching use",
               "Busiest link", "Link load (Mbps)", "Link capacity (Mbps)", "Link use",
               "Schools launched by this term"]
    rows = []
    for term in facts.district.terms:
        link, _, share = busiest_link(results, [term.index])
        cap = facts.district.capacity_by_term[link][term.index] if link else None
        launched = sum(facts.launch_term_of(c) <= term.index
                       for c in results.plan.cohort_of.values())
        rows.append([term.label, term.coaches_fte, round(usage.coaching[term.index], 2),
                     usage.coaching[term.index] / term.coaches_fte if term.coaches_fte else None,
                     link, round(usage.link_load[link][term.index]) if link else None, cap,
                     share, launched])
    write_table(ws, 4, headers, rows, name="Capacity",
                formats={"Coaching use": PCT, "Link use": PCT, "Link load (Mbps)": THOUSANDS,
                         "Link capacity (Mbps)": THOUSANDS, "Coaching needed (FTE)": "0.00"},
                widths={"Busiest link": 18})
    last = 4 + len(rows)
    for letter in ("D", "H"):
        ws.conditional_formatting.add(f"{letter}5:{letter}{last}", ColorScaleRule(
            start_type="num", start_value=0.5, start_color="63BE7B", mid_type="num",
            mid_value=0.85, mid_color="FFEB84", end_type="num", end_value=1, end_color="F8696B"))
    print_setup(ws, "Rollout plan: capacity", repeat_rows="4:4")


def network_sheet(ws, results: Results) -> None:
    facts, usage = results.facts, results.usage
    district = facts.district
    top = title(ws, "Network links", "Use of every link in every term (load of the schools "
                "behind it / capacity after the committed capacity plan); busiest first")
    terms = [t.label for t in district.terms]
    headers = ["Link", "Kind", "Schools behind", *[f"{t} use" for t in terms],
               "Peak use", "Capacity changes"]
    changes = {}
    for change in sorted(district.capacity_plan, key=lambda c: (c.link, c.term_index)):
        changes.setdefault(change.link, []).append(
            f"{change.capacity_mbps:,.0f} Mbps from {facts.term_label(change.term_index)}")
    rows = []
    for link in district.links:
        caps = district.capacity_by_term[link]
        shares = [usage.link_load[link][t] / caps[t] if caps[t] else 0 for t in range(len(terms))]
        rows.append([link, district.link_kind(link), len(district.schools_behind[link]), *shares,
                     max(shares), "; ".join(changes.get(link, []))])
    rows.sort(key=lambda r: (-r[-2], r[0]))
    first, last = write_table(ws, top, headers, rows, name="Network",
                              formats={h: PCT for h in headers if h.endswith("use")},
                              widths={"Capacity changes": 50})
    end = get_column_letter(3 + len(terms) + 1)
    ws.conditional_formatting.add(f"D{first}:{end}{last}", ColorScaleRule(
        start_type="num", start_value=0.5, start_color="63BE7B", mid_type="num", mid_value=0.85,
        mid_color="FFEB84", end_type="num", end_value=1, end_color="F8696B"))
    ws.freeze_panes = ws.cell(row=first, column=2)
    print_setup(ws, "Rollout plan: network", repeat_rows=f"{top}:{top}")


def settings_sheet(ws, results: Results) -> None:
    inputs = results.inputs
    top = title(ws, "Settings used", "Every setting and rubric weight behind this plan, so it "
                "can be reproduced")
    rows = [["Input folder", str(inputs.district_dir)], ["Rubric file", str(inputs.rubric_path)],
            ["Rubric", inputs.rubric.name]]
    rows += [[key, value] for key, value in flatten(inputs.settings.model_dump())]
    for name in DOMAINS:
        domain = inputs.rubric.domains[name]
        rows.append([f"rubric.{name}.weight", domain.weight])
        rows.append([f"rubric.{name}.survey_share", domain.survey_share])
        rows += [[f"rubric.{name}.role_weights.{r}", w] for r, w in domain.role_weights.items()]
        rows += [[f"rubric.{name}.items.{i.id}.weight", i.weight if i.scored else "not scored"]
                 for i in domain.items]
        rows += [[f"rubric.{name}.indicators.{i.id}", f"weight {i.weight:g}, points {i.points}"]
                 for i in domain.indicators]
    rows += [["rubric.min_coverage", inputs.rubric.min_coverage],
             ["rubric.need.frl_pct", inputs.rubric.need.frl_pct],
             ["rubric.need.not_proficient_pct", inputs.rubric.need.not_proficient_pct]]
    write_table(ws, top, ["Setting", "Value"], [[k, format_setting(v)] for k, v in rows],
                widths={"Setting": 48, "Value": 60})
    print_setup(ws, "Rollout plan: settings", landscape=False)


def flatten(value, prefix: str = ""):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from flatten(sub, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, sub in enumerate(value):
            yield from flatten(sub, f"{prefix}[{i}]")
    else:
        yield prefix, value


def format_setting(value):
    return value if isinstance(value, (int, float, str)) else str(value)


def data_issues_sheet(ws, results: Results) -> None:
    top = title(ws, "Data issues", "Warnings from reading the surveys and district files. "
                "They did not stop the plan, but check them.")
    rows = [[i + 1, note] for i, note in enumerate(results.notes)] or [["", "No issues found."]]
    write_table(ws, top, ["#", "Issue"], rows, widths={"#": 6, "Issue": 120})
    print_setup(ws, "Rollout plan: data issues")


ABOUT = [
    ("What this is", "The phased rollout plan for blended learning: which group (cohort) each "
     "school joins and when it launches, worked out from the readiness surveys and the "
     "district's coaching staff and network limits."),
    ("Scores", "Each school gets three readiness scores from 0 to 100: infrastructure, "
     "technology and instructional. They pool the answers of the principal, teachers and "
     "technology staff (no individual's answers are shown) and, for infrastructure and "
     "technology, measured figures such as bandwidth per student and students per device. "
     "Readiness is their weighted mean. Need combines free/reduced lunch and the share of "
     "students not yet proficient."),
    ("Priority", "Priority = need weight x need + (1 - need weight) x readiness. Schools with "
     "higher priority launch earlier wherever the limits allow. The need weight is on the "
     "Settings sheet."),
    ("Limits", "Every cohort's size stays within bounds; in every term the coaching the "
     "schools need (planning, launch and support) fits the coaches available; every network "
     "link carries the schools behind it; first-cohort schools meet the readiness gate; "
     "locked choices hold."),
    ("Reasons", "The 'reasons' column says what keeps each school from launching one group "
     "earlier. It was found by trying that move against every limit."),
    ("Sheets", "Overview: headline figures and charts. Schools: one row per school, with a "
     "link to its principal's workbook. Cohorts: each group's make-up. Capacity: coaching and "
     "busiest link per term. Network: every link's use. Settings: everything used. Data "
     "issues: warnings from the inputs."),
]


def about_sheet(ws, results: Results) -> None:
    top = title(ws, "How to read this workbook")
    for i, (head, text) in enumerate(ABOUT):
        put(ws, top + i, 1, head, font=LABEL_FONT, alignment=WRAP)
        put(ws, top + i, 2, text, alignment=WRAP)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 110
    print_setup(ws, "Rollout plan: about", landscape=False)
