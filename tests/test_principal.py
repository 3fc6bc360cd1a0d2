"""Principal workbooks: one school's data only, a readable first page, and the pool of
processes writes the same files as a single process."""
from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import load_workbook

from rollout.intake.rubric import Item
from rollout.outputs import principal
from rollout.outputs.principal_view import (
    LocalAnswer,
    local_answer,
    principal_view,
    principal_views,
)
from rollout.outputs.results import MIN_SCHOOLS_FOR_MEDIAN
from rollout.safe import xlsx_problems
from tests.test_export import planned_district  # noqa: F401  (shared fixture)

LOCAL_HEADING = "Your district's own questions (not scored)"


def text_parts(path: Path) -> list[str]:
    """Every piece of text in the file: cells, chart titles and series, defined names, sheet
    names, headers, document properties (each XML part's text and attribute values)."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                for element in ElementTree.fromstring(archive.read(name)).iter():
                    parts.append(element.text or "")
                    parts.extend(element.attrib.values())
    return parts


def all_text(path: Path) -> str:
    return "\n".join(text_parts(path))


def local_answers_in_file(path: Path, rubric) -> dict[str, set[str]]:
    """For each local question, which of its answers (level descriptors) the file holds."""
    parts = set(text_parts(path))
    return {item.id: {text for text in item.levels.values() if text in parts}
            for _, item in rubric.items() if not item.scored}


def own_local_answers(results, school_id: str) -> dict[str, set[str]]:
    """The school's answer to each local question, from the scores (one principal answers)."""
    rubric = results.inputs.rubric
    levels = results.inputs.scores.local_items(rubric).loc[school_id]
    out = {}
    for item_id, level in levels.items():
        assert level != level or level == round(level), "expected one answer per school"
        out[item_id] = set() if level != level else {rubric.item_by_id()[item_id]
                                                     .levels[round(level)]}
    return out


def test_every_principal_workbook_holds_only_its_own_school(planned_district):
    results, out = planned_district
    names = {r["school_id"]: r["school_name"] for r in results.rows}
    people = set(results.inputs.responses.respondents["person"].dropna().astype(str))
    assert people, "the district should have named respondents to look for"
    files = sorted((out / "schools").iterdir())
    assert [f.name for f in files] == sorted(results.workbook_names.values())
    rubric = results.inputs.rubric
    local = results.inputs.scores.local_items(rubric)
    assert not local.empty and local.nunique().min() > 1, \
        "schools should give different answers to the local question"
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
        # Its own answer to each local question, and no other school's.
        assert local_answers_in_file(path, rubric) == own_local_answers(results, sid), sid


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


def test_local_questions_show_the_schools_own_answer(planned_district):
    results, out = planned_district
    rubric = results.inputs.rubric
    item = rubric.item_by_id()["LOCAL1"]
    answered = results.inputs.scores.local_items(rubric)["LOCAL1"].dropna()
    sid = answered.index[0]
    other = next(s for s in answered.index if answered[s] != answered[sid])
    ws = load_workbook(out / "schools" / results.workbook_names[sid])["Rubric items"]
    rows = [r[:4] for r in ws.iter_rows(values_only=True)]
    at = [r[0] for r in rows].index(LOCAL_HEADING)
    assert at > [r[0] for r in rows].index("Domain"), "below the rubric items"
    assert rows[at + 2] == ("Asked of", "Question", "Your level", "Your school's answer")
    assert rows[at + 3] == ("Principal", f"LOCAL1: {item.text}", answered[sid],
                            item.levels[int(answered[sid])])
    cells = {c for r in ws.iter_rows(values_only=True) for c in r}
    assert item.levels[int(answered[other])] not in cells


def test_local_answer_words_the_pooled_level():
    item = Item(id="VISIT", text="Host visits?", weight=0, scored=False,
                roles=["principal", "teacher"],
                levels={1: "No", 2: "Maybe", 3: "Yes", 4: "Yes, and present"})
    assert local_answer(item, 3.0) == LocalAnswer("VISIT: Host visits?", "Principal, teacher",
                                                  3.0, "Yes")
    assert local_answer(item, 2.5).answer == "Between 'Maybe' and 'Yes' (answers differ)"
    assert local_answer(item, float("nan")) == LocalAnswer(
        "VISIT: Host visits?", "Principal, teacher", None, "No answer from your school")


def test_local_question_text_cannot_become_a_formula(tmp_path, planned_district):
    results, _ = planned_district
    hostile = LocalAnswer('=HYPERLINK("http://example.invalid","x")', "@Principal", 2.0,
                          "+1+1")
    view = dataclasses.replace(principal_view(results, results.rows[0]["school_id"]),
                               local_answers=(hostile,))
    path = tmp_path / "hostile.xlsx"
    principal.write_principal_workbook(view, path)
    assert xlsx_problems(path) == []
    cells = [c for r in load_workbook(path)["Rubric items"].iter_rows() for c in r
             if c.value is not None]
    assert {"'" + hostile.question, "'@Principal", "'+1+1"} <= {c.value for c in cells}
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))


def test_first_page_says_what_a_principal_needs(planned_district):
    results, out = planned_district
    row = results.rows[0]
    view = principal_view(results, row["school_id"])
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
    for view in principal_views(results):
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
    view = principal_view(smaller, kept[0]["school_id"])
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
    for a, b in zip(serial, pooled):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_actions_before_launch_follow_the_device_settings(planned_district):
    results, _ = planned_district
    devices = results.facts.settings.devices
    for view in principal_views(results):
        school = results.facts.district.school_by_id[view.school_id]
        short = -(-school.students // devices.students_per_device[school.level]) - school.devices
        mentioned = [a for a in view.actions if "more devices" in a]
        assert bool(mentioned) == (short > 0), view.school_id
        if short > 0:
            assert mentioned[0].startswith(f"{int(short):,} more devices")
