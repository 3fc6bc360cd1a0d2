"""Principal workbooks: one school's data only, a readable first page, and the pool of
processes writes the same files as a single process."""
from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import load_workbook

from rollout.export import principal
from rollout.results import MIN_SCHOOLS_FOR_MEDIAN
from tests.test_export import planned_district  # noqa: F401  (shared fixture)


def all_text(path: Path) -> str:
    """Every piece of text in the file: cells, chart titles and series, defined names, sheet
    names, headers, document properties (each XML part's text and attribute values)."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                for element in ElementTree.fromstring(archive.read(name)).iter():
                    parts.append(element.text or "")
                    parts.extend(element.attrib.values())
    return "\n".join(parts)


def test_every_principal_workbook_holds_only_its_own_school(planned_district):
    results, out = planned_district
    names = {r["school_id"]: r["school_name"] for r in results.rows}
    people = set(results.inputs.responses.respondents["person"].dropna().astype(str))
    assert people, "the district should have named respondents to look for"
    files = sorted((out / "schools").iterdir())
    assert [f.name for f in files] == sorted(results.workbook_names.values())
    for sid, own_name in names.items():
        path = out / "schools" / results.workbook_names[sid]
        wb = load_workbook(path)
        assert [ws.title for ws in wb.worksheets] == ["Your school", "Rubric items",
                                                          "Your progress"]
        assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
        assert not wb.chartsheets
        wb.close()
        text = all_text(path)
        assert sid in text and own_name in text
        # Take the school's own name out first: "Oak School 2" contains "Oak School".
        rest = text.replace(own_name, " ")
        for other, other_name in names.items():
            if other != sid:
                assert not re.search(rf"(?<![A-Za-z0-9]){re.escape(other)}(?![0-9])", rest), \
                    f"{sid}'s workbook names {other}"
                assert other_name not in rest, f"{sid}'s workbook names {other_name}"
        assert not any(person in text for person in people), f"{sid} shows a respondent"
        assert "@" not in text


def test_rubric_levels_are_the_pooled_levels_not_answers(planned_district):
    results, out = planned_district
    sid = results.rows[0]["school_id"]
    ws = load_workbook(out / "schools" / results.workbook_names[sid])["Rubric items"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Domain")
    assert header == ("Domain", "Rubric item", "Your level", "Level reached", "Next level")
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] in
            ("Infrastructure", "Technology", "Instructional")]
    pooled = results.inputs.scores.item_levels.loc[sid]
    assert rows
    for _, item, level, reached, _ in rows:
        assert level == round(float(pooled[item.split(":")[0]]), 1)
        assert reached.split(":")[0] in {"Early", "Developing", "Advanced", "Target"}


def test_first_page_says_what_a_principal_needs(planned_district):
    results, out = planned_district
    row = results.rows[0]
    view = results.principal_view(row["school_id"])
    path = out / "schools" / view.workbook
    ws = load_workbook(path)["Your school"]
    cells = [str(c.value) for r in ws.iter_rows() for c in r if c.value is not None]
    text = "\n".join(cells)
    for expected in (row["school_name"], view.cohort_name, view.launch_term, view.reason,
                     view.preference, "What happens when", "Planning", "Launch",
                     "Strengths and gaps in the rubric", "Before launch", "District median",
                     f"{view.cohort_name} median"):
        assert expected in text, expected
    for phase in view.phases:
        assert phase.term in cells
    # One page: fit to 1 x 1 (1 is the default, so the file may leave it out).
    assert ws.page_setup.orientation == "portrait" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight in (None, 1) and ws.page_setup.fitToWidth in (None, 1)
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1 and b"<c:barChart>" in archive.read(charts[0])


def test_medians_of_small_cohorts_are_not_shown(planned_district):
    results, _ = planned_district
    seen = set()
    for view in results.principal_views():
        small = view.cohort_size < MIN_SCHOOLS_FOR_MEDIAN
        assert all((line.cohort_median is None) == small for line in view.scores)
        assert ("cohort median is not shown" in view.median_note) == small
        assert all(line.district_median is not None for line in view.scores)
        seen.add(small)
    assert False in seen, "some cohort of the tiny district should be large enough"


def test_small_cohort_median_is_hidden_with_a_note(planned_district):
    results, _ = planned_district
    cohort = results.rows[0]["cohort"]
    members = [r for r in results.rows if r["cohort"] == cohort]
    kept = members[:MIN_SCHOOLS_FOR_MEDIAN - 1]
    smaller = dataclasses.replace(results, rows=[r for r in results.rows
                                                 if r["cohort"] != cohort or r in kept])
    view = smaller.principal_view(kept[0]["school_id"])
    assert view.cohort_size == MIN_SCHOOLS_FOR_MEDIAN - 1
    assert all(line.cohort_median is None for line in view.scores)
    assert all(line.district_median is not None for line in view.scores)
    assert "cohort median is not shown" in view.median_note


def test_pool_of_processes_writes_the_same_workbooks(tmp_path, planned_district, monkeypatch):
    results, _ = planned_district
    serial = principal.write_principal_workbooks(results, tmp_path / "serial", workers=1)
    monkeypatch.setattr(principal, "POOL_MIN_WORKBOOKS", 2)
    monkeypatch.setattr(principal, "CHUNK", 7)
    pooled = principal.write_principal_workbooks(results, tmp_path / "pooled", workers=2)
    assert [p.name for p in serial] == [p.name for p in pooled]
    assert all(p.exists() for p in pooled)
    for a, b in list(zip(serial, pooled))[::9]:
        assert cell_values(a) == cell_values(b)


def cell_values(path: Path) -> list:
    wb = load_workbook(path)
    return [[c for row in ws.iter_rows(values_only=True) for c in row] for ws in wb.worksheets]


def test_actions_before_launch_follow_the_device_settings(planned_district):
    results, _ = planned_district
    devices = results.facts.settings.devices
    for view in results.principal_views():
        school = results.facts.district.school_by_id[view.school_id]
        short = -(-school.students // devices.students_per_device[school.level]) - school.devices
        mentioned = [a for a in view.actions if "more devices" in a]
        assert bool(mentioned) == (short > 0), view.school_id
        if short > 0:
            assert mentioned[0].startswith(f"{int(short):,} more devices")
