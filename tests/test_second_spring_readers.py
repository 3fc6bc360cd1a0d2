"""What principals, a Spanish-reading parent and a board member read in the sample's second
spring (issue 24, second round): every sentence true, every count the same everywhere."""
from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

from rollout.scoring.inputs import load_inputs
from tests.conftest import SAMPLE
from tests.test_principal import before_launch_lines, first_page_facts


class TableRows(HTMLParser):
    """The text of each table row of a page, cell by cell."""

    def __init__(self, text: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: Path) -> list[list[str]]:
    return [r for r in TableRows(page.read_text(encoding="utf-8")).rows if r]


def page_text(page: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())


def phase_rows(workbook: Path) -> list[list]:
    """(phase, term, coaching share, FTE, what happens) rows of a principal's first page."""
    ws = load_workbook(workbook)["Your school"]
    rows = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "Phase") + 1
    return [r for r in rows[start:start + 6] if r and r[0] in (
        "Early planning", "Planning", "Launch", "Support")]


def plan_rows(folder: Path) -> dict[str, dict]:
    with (folder / "plan.csv").open(encoding="utf-8") as f:
        return {r["school_id"]: r for r in csv.DictReader(f)}


def test_every_launched_school_is_told_it_has_launched(sample_outputs):
    _, second = sample_outputs
    rows = plan_rows(second)
    launched = [sid for sid, r in rows.items() if r["actual_launch_term"]]
    assert "ES093" in launched and rows["ES093"]["status"] == "paused"
    assert "ES040" in launched and len(launched) >= 20
    for sid in launched:
        lines = before_launch_lines(second / "schools" / f"{sid}.xlsx")
        assert lines[0].startswith("Your school has launched"), (sid, lines)
        assert not any("more device" in line or "before launch reach" in line
                       or "Technology support" in line for line in lines), (sid, lines)


def test_a_busy_link_is_named_from_the_first_term_it_is_that_full(sample_outputs):
    _, second = sample_outputs
    lines = before_launch_lines(second / "schools" / "ES064.xlsx")
    busy = [line for line in lines if "% used" in line]
    assert len(busy) == 1, lines
    assert "more than 90% used from 2028 Spring on, up to 93% (928 of 1,000 Mbps)" in busy[0], busy


def test_a_paused_school_is_paused_in_its_phases_and_says_when_it_launched(sample_outputs):
    _, second = sample_outputs
    facts = dict(first_page_facts(second / "schools" / "ES093.xlsx"))
    assert facts["Your status"].startswith("Launched in 2028 Spring; paused from 2028 Fall")
    phases = {(r[0], r[1]): r for r in phase_rows(second / "schools" / "ES093.xlsx")}
    assert phases[("Launch", "2028 Spring")][2] == 1  # before the pause
    for key in (("Support", "2028 Fall"), ("Support", "2029 Spring")):
        assert phases[key][2] == 0 and phases[key][4].startswith("Paused"), phases[key]
    page = second / "site" / "es" / "schools" / "ES093.html"
    rows = {tuple(r[:2]): r for r in table_rows(page)}
    support = [r for key, r in rows.items() if key[0] == "Apoyo"]
    assert support and all(r[2].startswith("En pausa") for r in support), support
    assert "continúa" not in " ".join(" ".join(r) for r in support)
    assert "Comenzó en primavera de 2028; en pausa a partir de otoño de 2028." in page_text(page)


def overview_terms(dashboard: Path) -> dict[str, dict]:
    """The dashboard Overview's 'Each term' table: term -> column -> value."""
    rows = [list(r) for r in load_workbook(dashboard)["Overview"].iter_rows(values_only=True)]
    rows = [[c for c in r if c is not None] for r in rows]
    head = next(i for i, r in enumerate(rows) if r[:1] == ["Term"])
    out = {}
    for row in rows[head + 1:]:
        if len(row) != len(rows[head]):
            break
        out[row[0]] = dict(zip(rows[head], row))
    return out


def test_site_and_dashboard_count_the_same_launches(sample_outputs):
    """Planned progress counts delayed schools from their new term and paused ones from the
    term they launched; only the withdrawn school is left out, and the dashboard agrees."""
    _, second = sample_outputs
    terms = overview_terms(second / "dashboard.xlsx")
    taking_part = sum(r["status"] != "withdrawn" for r in plan_rows(second).values())
    assert taking_part == 94 and terms["2030 Spring"]["Launched so far"] == 94
    home = second / "site" / "index.html"
    progress = {r[0]: r for r in table_rows(home) if r[-1:] == ["Planned"]}
    assert list(progress) == ["2028 Fall", "2029 Spring", "2029 Fall", "2030 Spring"]
    for term, row in progress.items():
        share = terms[term]["Launched so far"] / taking_part
        assert row[1] == f"{share:.0%}", (term, row, terms[term])
    assert progress["2030 Spring"][1] == "100%"
    text = page_text(home)
    launching = int(re.search(r"(\d+) Launching in 2028 Fall", text)[1])
    assert launching == terms["2028 Fall"]["Schools launching"] == 24
    launched = int(re.search(r"(\d+) Launched so far", text)[1])
    assert launched == terms["2028 Spring"]["Launched so far"] == 24  # ES040 and ES093 too
    past = {r[0]: r[1] for r in table_rows(home) if r[-1:] == ["What happened"]}
    assert past["2028 Spring"] == f"{launched / taking_part:.0%}" and \
        f"{past['2028 Spring']} of schools" in text, (past, text[:600])


def test_every_count_leaves_the_withdrawn_school_out_and_says_it_withdrew(sample_outputs):
    _, second = sample_outputs
    site = second / "site"
    text = page_text(site / "index.html")
    assert "blended learning to 94 schools in 5 cohorts" in text
    assert "1 school withdrew from the roll-out." in text
    cohort_totals = [r for r in table_rows(site / "index.html") if r[0].startswith("Group ")
                     and len(r) == 5 and r[-1].isdigit()]
    assert sum(int(r[-1]) for r in cohort_totals) == 94, cohort_totals
    group2 = next(int(r[-1]) for r in cohort_totals if r[0] == "Group 2")
    assert f"{group2} schools; 1 school withdrew" in page_text(site / "schools-c2.html")
    es = page_text(site / "es" / "index.html")
    assert "94 escuelas en 5 grupos" in es and "1 escuela se retiró" in es


def test_the_dashboard_counts_the_schools_its_cohorts_hold(sample_outputs):
    _, second = sample_outputs
    rows = [[c for c in r if c is not None] for r in load_workbook(
        second / "dashboard.xlsx")["Overview"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[:2] == ["Schools", "Cohorts"])
    assert rows[head + 1][0] == "94" and rows[head + 2][0].endswith("; 1 withdrew"), rows[head:]
    cohorts = next(i for i, r in enumerate(rows) if r[:3] == ["Cohort", "Launch term", "Schools"])
    assert sum(r[2] for r in rows[cohorts + 1:cohorts + 6]) == 94


def changes_rows(folder: Path) -> dict[str, dict]:
    with (folder / "changes.csv").open(encoding="utf-8") as f:
        return {r["school_id"]: r for r in csv.DictReader(f)}


def test_what_changed_lists_the_closed_school_and_the_early_launch(sample_outputs):
    _, second = sample_outputs
    early = changes_rows(second)["ES040"]
    assert early["change"] == "launched early" and early["new_launch_term"] == "2028 Spring"
    assert early["old_launch_term"] == "2028 Fall" and early["new_cohort"] == "2"
    changes = [[c.value for c in row] for row in load_workbook(
        second / "dashboard.xlsx")["Changes"].iter_rows()]
    assert any(r[0] == "ES040" and "launched early" in r for r in changes), changes[:12]
    home = page_text(second / "site" / "index.html")
    assert "1 school closed." in home and "Ridge Creek Middle School: The school closed" in home
    assert "1 school launched earlier than its cohort." in home
    assert "Launched earlier than its cohort. Launch: 2028 Fall → 2028 Spring." in home
    es = page_text(second / "site" / "es" / "index.html")
    assert "1 escuela cerró." in es and "1 escuela comenzó antes que su grupo." in es


def test_an_early_launch_shows_its_real_term_in_the_schools_history(sample_outputs):
    _, second = sample_outputs
    page = second / "site" / "es" / "schools" / "ES040.html"
    assert "primavera de 2028" in page_text(page)
    rows = [r for r in table_rows(page) if r[0] == "otoño de 2028"]
    assert len(rows) == 1 and rows[0][2] == "primavera de 2028", rows
    assert "Sin cambios" not in rows[0][-1] and "Comenzó antes que su grupo" in rows[0][-1]


def test_a_delayed_launch_reads_as_missed_with_its_new_term(sample_outputs):
    _, second = sample_outputs
    rows = [[c for c in r] for r in load_workbook(
        second / "dashboard.xlsx")["Changes"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[:1] == ["School ID"] and "What happened" in r)
    columns = rows[head]
    listed = {r[0]: dict(zip(columns, r)) for r in rows[head + 1:] if r[0]}
    for sid in ("ES047", "ES069"):
        row = listed[sid]
        assert row["Status"] == "delayed" and row["Planned launch"] == "2028 Spring", row
        assert row["What happened"] == "did not launch", row
        assert row["Launch now planned"] == "2029 Spring", row
    assert listed["ES040"]["What happened"] == "launched in 2028 Spring"
    assert listed["ES093"]["What happened"] == "launched in 2028 Spring; paused from 2028 Fall"


def test_the_role_gap_reaches_a_principal_only_with_enough_teachers(sample_outputs):
    """A role comparison over one or two teachers would tell the principal what they said:
    the workbook shows it from rubric.role_gap_min_respondents (3) teachers; the dashboard
    keeps it."""
    _, second = sample_outputs
    inputs = load_inputs(SAMPLE / "year2")
    minimum = inputs.rubric.role_gap_min_respondents
    assert minimum == 3
    table = inputs.scores.table
    flagged = table[table["role_gap"] != ""]
    few = flagged[flagged["respondents_teacher"] < minimum].index.tolist()
    enough = flagged[flagged["respondents_teacher"] >= minimum].index.tolist()
    assert "ES056" in few and enough, (few, enough)
    dashboard = [[c for c in r] for r in load_workbook(
        second / "dashboard.xlsx")["Schools"].iter_rows(values_only=True)]
    for sid in few + enough:
        notes = [text for label, text in first_page_facts(second / "schools" / f"{sid}.xlsx")
                 if label == "Please note"]
        shown = any("teachers rate the school" in n for n in notes)
        assert shown == (sid in enough), (sid, notes)
        assert any(r[0] == sid and any("teachers rate the school" in str(c) for c in r)
                   for r in dashboard), sid


def test_a_school_where_it_asked_to_be_hears_that_first(sample_outputs):
    _, second = sample_outputs
    facts = dict(first_page_facts(second / "schools" / "MS032.xlsx"))
    assert facts["Your choice"] == "Your school asked for Group 5: honoured."
    assert facts["Why this cohort"].startswith(
        "The school chose Group 5; its choice is honoured. Not in Group 4 because"), facts


def test_principals_read_plain_sentences(sample_outputs):
    _, second = sample_outputs
    withdrawn = dict(first_page_facts(second / "schools" / "ES071.xlsx"))
    why = withdrawn["Why this cohort"]
    assert why.startswith("Withdrawn from the rollout from 2028 Fall: it is still shown with "
                          "Group 2, but it will not launch"), why
    assert "takes none of its places" not in why and "bandwidth" not in why
    assert withdrawn["Your status"] == "Withdrawn from the rollout from 2028 Fall."
    moved = dict(first_page_facts(second / "schools" / "HS007.xlsx"))["Since last year"]
    assert moved == ("Moved from Group 3 (launch 2029 Spring) to Group 2 (launch 2028 Fall): "
                     "capacity changed; staying in Group 3 would need more coaches in 2029 "
                     "Spring than the district has (96.6 of 95)."), moved
    assert "FTE" not in moved and "would break" not in moved
    delayed = dict(first_page_facts(second / "schools" / "ES047.xlsx"))["Your status"]
    assert delayed == ("Delayed: its launch with Group 1 in 2028 Spring did not happen; now "
                       "planned with Group 3 in 2029 Spring."), delayed
    home = page_text(second / "site" / "index.html")
    assert "Riverbend Elementary School : New to the plan this year." in home
    assert ("Crossroads Creek Elementary School : Its launch was delayed, so it was given a new "
            "launch term. Launch: 2028 Spring → 2029 Spring.") in home
    # The public reason still reads the coaching cause from the plainer words.
    assert "Staying would have needed more coaches than the district has in a term." in home


def test_the_stage_of_a_school_launching_this_term_says_launching(sample_outputs):
    _, second = sample_outputs
    site = second / "site"
    with (site / "plan-public.csv").open(encoding="utf-8") as f:
        stages = {r["school_id"]: r["stage"] for r in csv.DictReader(f)}
    assert stages["ES041"] == "launching" and stages["ES038"] == "support"
    assert "launched" not in set(stages.values())
    data = {r[0]: r[1] for r in table_rows(site / "data.html") if len(r) == 2}
    assert data["launching"].startswith("Launching: Blended classes start this term"), data


def test_spanish_reads_naturally(sample_outputs):
    _, second = sample_outputs
    site = second / "site" / "es"
    words = " ".join(page_text(p) for p in sorted(site.rglob("*.html")))
    assert "Ya comenzaron" in words and "Comienzan en otoño de 2028" in words
    for clumsy in ("hasta ahora", "Hizo el lanzamiento", "hizo el lanzamiento", "período",
                   "1 periodo "):
        assert clumsy not in words, clumsy
    assert "el periodo siguiente a primavera de 2030" in words
    assert "Comenzó en primavera de 2028; su grupo comenzó en otoño de 2028." in page_text(
        site / "schools" / "ES040.html")
