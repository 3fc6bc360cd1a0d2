"""The dashboard: every sheet with real content, tables, charts, links and print set-up."""
from __future__ import annotations

import hashlib
import zipfile

from openpyxl import load_workbook

from rollout.outputs.dashboard_view import DashboardView
from rollout.outputs.results import NetworkChange
from tests.test_export import planned_district  # noqa: F401  (shared fixture)

SHEETS = ["Overview", "Schools", "Cohorts", "Capacity", "Network", "Upgrades", "Changes",
          "Progress", "Settings", "Data issues", "Files read", "About"]


def sheet_text(ws) -> str:
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


def test_every_sheet_exists_with_content_and_print_setup(planned_district):
    results, out = planned_district
    wb = load_workbook(out / "dashboard.xlsx")
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.sheet_state == "visible"
        assert ws.max_row > 3, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, \
            ws.title
        expected = "portrait" if ws.title in ("Settings", "About") else "landscape"
        assert ws.page_setup.orientation == expected, ws.title
        assert results.prepared in ws.oddHeader.right.text, ws.title
        assert results.facts.district.name in ws.oddHeader.left.text, ws.title
    for name in SHEETS[1:-1]:
        assert wb[name].print_title_rows, f"{name} repeats its header row when printed"


def test_schools_sheet_is_a_filterable_table_linking_each_principal_workbook(
        planned_district):
    results, out = planned_district
    ws = load_workbook(out / "dashboard.xlsx")["Schools"]
    table = ws.tables["SchoolList"]
    header_row = int(table.ref.split(":")[0][1:])
    headers = [c.value for c in ws[header_row]]
    assert headers[:3] == ["School ID", "School", "Level"] and "Why this cohort" in headers
    assert table.autoFilter is not None
    assert table.ref.endswith(str(header_row + len(results.rows)))
    assert ws.freeze_panes == f"C{header_row + 1}"
    readiness = headers.index("Readiness") + 1
    first = header_row + 1
    assert ws.cell(first, readiness).number_format == "0.0"
    assert ws.column_dimensions["B"].width >= 15
    link_col = headers.index("Principal workbook") + 1
    for i, row in enumerate(results.rows):
        cell = ws.cell(first + i, link_col)
        assert ws.cell(first + i, 1).value == row["school_id"]
        target = cell.hyperlink.target
        assert target == f"schools/{results.workbook_names[row['school_id']]}"
        assert (out / target).exists()
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert any(r.type == "colorScale" for r in rules)
    assert sum(r.type == "expression" for r in rules) >= len(results.facts.cohorts)


def test_overview_has_headline_figures_and_the_four_kinds_of_chart(planned_district):
    results, out = planned_district
    view = DashboardView(results)
    ws = load_workbook(out / "dashboard.xlsx")["Overview"]
    text = sheet_text(ws)
    for figure in view.headline:
        assert figure.label in text and figure.value in text
    for cohort in view.cohort_summaries:
        assert cohort.name in text and cohort.launch_term in text
    with zipfile.ZipFile(out / "dashboard.xlsx") as archive:
        charts = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/charts/chart")]
    titles = "\n".join(charts)
    for title in ("Schools per cohort by level", "Schools per cohort by region",
                  "Coaching FTE needed vs available", "Busiest links",
                  "Readiness vs need, coloured by cohort",
                  "Launched share (planned and actual) and mean readiness"):
        assert title in titles
    assert len(charts) == 6  # five on the Overview, one on Progress
    scatter = next(c for c in charts if "<c:scatterChart>" in c)
    assert scatter.count("<c:ser>") == len(results.facts.cohorts)
    assert any("<c:lineChart>" in c and "<c:barChart>" in c for c in charts)


def test_cohorts_capacity_network_and_upgrades_carry_the_plan(planned_district):
    results, out = planned_district
    wb = load_workbook(out / "dashboard.xlsx")
    cohorts = sheet_text(wb["Cohorts"])
    assert all(r["school_name"] in cohorts for r in results.rows)
    capacity = sheet_text(wb["Capacity"])
    assert all(t.label in capacity for t in DashboardView(results).term_summaries)
    network = wb["Network"]
    links = {row[0] for row in network.iter_rows(values_only=True)}
    assert set(results.facts.district.links) <= links
    upgrades = wb["Upgrades"].tables["NetworkChanges"]
    committed = len(results.facts.district.capacity_plan)
    rows = int(upgrades.ref.split(":")[1][1:]) - int(upgrades.ref.split(":")[0][1:])
    assert rows == max(1, committed + len(results.plan.upgrades))


def test_settings_sheet_lets_the_plan_be_reproduced(planned_district):
    results, out = planned_district
    ws = load_workbook(out / "dashboard.xlsx")["Settings"]
    values = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0]}
    assert values["need_weight"] == results.facts.settings.need_weight
    assert values["rubric.instructional.weight"] == \
        results.inputs.rubric.domains["instructional"].weight
    assert "solver.random_seed" in values
    district_xlsx = results.inputs.district_dir / "district.xlsx"
    digest = hashlib.sha256(district_xlsx.read_bytes()).hexdigest()
    assert values[str(district_xlsx)] == \
        f"{district_xlsx.stat().st_size:,} bytes; SHA-256 {digest}"


def test_data_issues_and_about_are_in_plain_words(planned_district):
    results, out = planned_district
    wb = load_workbook(out / "dashboard.xlsx")
    issues = sheet_text(wb["Data issues"])
    issues_found = DashboardView(results).data_issues
    assert all(what in issues for _, _, what in issues_found) or "No issues" in issues
    about = sheet_text(wb["About"])
    assert "Priority = need weight" in about and "no individual's answers" in about


def test_network_change_deadline_is_the_first_term_whose_load_needs_it(planned_district):
    results, _ = planned_district
    usage, district = results.usage, results.facts.district
    term_index = DashboardView(results).term_index
    for change in results.network_changes:
        assert isinstance(change, NetworkChange)
        assert change.to_mbps >= change.from_mbps or not change.chosen
        loads = usage.link_load[change.link]
        if change.needed_by is None:
            continue
        t = term_index[change.needed_by]
        assert t >= change.complete_term_index
        made = (district.upgrade_by_id[change.source.split()[-1]] if change.chosen else
                next(c for c in district.capacity_plan if c.link == change.link
                     and c.term_index == change.complete_term_index))
        # Without the change the link would overflow in `needed_by`, and not before.
        assert loads[t] > results.capacity_without(change.link, t, made) + 1e-6
        assert all(loads[u] <= results.capacity_without(change.link, u, made) + 1e-6
                   for u in range(change.complete_term_index, t))
    # Every link's capacity as the results see it is the checker's capacity.
    for link in district.links:
        for t in range(results.facts.term_count):
            assert results.capacity_without(link, t, None) == usage.capacity[link][t]


def test_many_survey_files_share_one_fingerprint_row(tmp_path):
    from types import SimpleNamespace

    from rollout.outputs.dashboard_view import MAX_LISTED_SURVEY_FILES
    from rollout.outputs.results import Results

    (tmp_path / "surveys").mkdir()
    for name in ("settings.yaml", "district.xlsx", "rubric.yaml"):
        (tmp_path / name).write_text(name)
    for i in range(MAX_LISTED_SURVEY_FILES + 1):
        (tmp_path / "surveys" / f"S{i:02d}_teacher.xlsx").write_text("x" * i)
    inputs = SimpleNamespace(district_dir=tmp_path, rubric_path=tmp_path / "rubric.yaml")
    files = DashboardView(Results(inputs, None, None, None, [])).input_files
    assert [f[0] for f in files[:3]] == [str(tmp_path / n) for n in
                                         ("settings.yaml", "district.xlsx", "rubric.yaml")]
    assert files[3][0].endswith(f"({MAX_LISTED_SURVEY_FILES + 1} files)") and len(files) == 4
    assert files[3][1] == sum(range(MAX_LISTED_SURVEY_FILES + 1))
    (tmp_path / "surveys" / "S00_teacher.xlsx").write_text("changed")
    again = DashboardView(Results(inputs, None, None, None, [])).input_files
    assert again[3][2] != files[3][2]


def test_data_issues_list_what_needs_a_look_first_and_files_read_apart(sample_outputs):
    """#24 item 11: on the sample's second spring, the name matched loosely, the renamed,
    closed and new schools and the duplicates come first; which layout each of the ~300
    survey files was read as is on its own sheet."""
    from rollout.errors import NOTE_KINDS
    from tests.conftest import SAMPLE
    _, second = sample_outputs
    wb = load_workbook(second / "dashboard.xlsx")
    issues = [row[1:] for row in wb["Data issues"].iter_rows(values_only=True)
              if isinstance(row[0], int)]
    kinds = [kind for kind, _, _ in issues]
    assert kinds == sorted(kinds, key=NOTE_KINDS.index)
    # Four names that are not the school's own (a typo, three abbreviations), each once (#26).
    matched = kinds.count("School name matched")
    assert matched == 4
    assert kinds[:matched + 5] == ["School name matched"] * matched + [
        "Renamed", "Closed", "New school", "Duplicate", "Duplicate"]
    assert issues[matched][1:] == ("ES045 (Pioneer Creek Elementary Academy)",
                             "called 'Pioneer Creek Elementary School' last year (renamed)")
    assert not any("read as" in what for _, _, what in issues)
    files = [row for row in wb["Files read"].iter_rows(values_only=True)
             if isinstance(row[0], int)]
    assert len(files) == 297
    assert files[0][1:] == (str(SAMPLE / "year2" / "surveys" / "ES046_principal_1.xlsx"),
                            "survey template, 1 filled role sheet (Principal)")
