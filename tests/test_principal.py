"""Principal workbooks: one school's data only, a readable first page, and the pool of
processes writes the same files as a single process."""
from __future__ import annotations

import csv
import dataclasses
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import load_workbook

from rollout.checking.check import check_plan
from rollout.intake.rubric import Item
from rollout.outputs import principal
from rollout.outputs.principal_view import (
    NOTHING_LEFT,
    NOTHING_TO_DO,
    LocalAnswer,
    local_answer,
    principal_view,
    principal_views,
)
from rollout.outputs.results import MIN_SCHOOLS_FOR_MEDIAN
from rollout.pipeline import plan_district
from rollout.safe import xlsx_problems
from tests.factory import write_district_folder
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
        mentioned = [a for a in view.actions if "more device" in a]
        assert bool(mentioned) == (short > 0), view.school_id
        if short > 0:
            assert mentioned[0].startswith(f"{int(short):,} more device")


def first_page_facts(path: Path) -> list[tuple[str, str]]:
    """(label, text) of the rows under 'Your cohort' on a principal's first page, in order."""
    ws = load_workbook(path)["Your school"]
    rows = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "Your cohort") + 1
    out = []
    for row in rows[start:]:
        if len(row) != 2:
            break
        out.append((row[0], row[1]))
    return out


def before_launch_lines(path: Path) -> list[str]:
    ws = load_workbook(path)["Your school"]
    return [r[1] for r in ([c for c in row if c is not None]
                           for row in ws.iter_rows(values_only=True)) if r and r[0] == "•"]


def test_a_moved_school_says_so_first(sample_outputs):
    _, second = sample_outputs
    changes = list(csv.DictReader((second / "changes.csv").open(encoding="utf-8")))
    moved = {r["school_id"]: r for r in changes if r["change"] in ("moved earlier", "moved later")}
    assert moved, "the sample's second spring moves at least one school"
    for sid, change in moved.items():
        facts = first_page_facts(second / "schools" / f"{sid}.xlsx")
        assert facts[0][0] == "Since last year", sid
        reason = change["reason"]
        assert facts[0][1] == (
            f"Moved from Group {change['old_cohort']} (launch {change['old_launch_term']}) to "
            f"Group {change['new_cohort']} (launch {change['new_launch_term']}): "
            f"{reason[0].lower()}{reason[1:]}")
    stayed = sorted(set(r["school_id"] for r in csv.DictReader(
        (second / "plan.csv").open(encoding="utf-8"))) - set(moved))[:10]
    for sid in stayed:
        labels = [label for label, _ in first_page_facts(second / "schools" / f"{sid}.xlsx")]
        assert "Since last year" not in labels, sid


def test_role_gap_is_said_in_plain_words(planned_district):
    results, _ = planned_district
    table = results.inputs.scores.table
    minimum = results.inputs.rubric.role_gap_min_respondents
    flagged = [r for r in results.rows if r["role_gap"]
               and table.at[r["school_id"], "respondents_teacher"] >= minimum]
    assert flagged, "the synthetic district should have a school whose roles disagree"
    for row in flagged:
        notes = principal_view(results, row["school_id"]).notes
        said = [n for n in notes if "teachers rate the school" in n]
        assert said and re.search(r"teachers rate the school \d+\.\d levels (lower|higher) "
                                  r"than the principal does", said[0]), notes
        assert "difference in mean level" not in said[0] and "principal +" not in said[0]


def expected_gap_items(results, school_id: str) -> list[str]:
    """Infrastructure items of the rubric where the school is below the level asked for."""
    target = results.facts.settings.devices.infrastructure_level
    table = results.inputs.scores.item_levels
    return [item.id for domain, item in results.inputs.rubric.items(scored_only=True)
            if domain == "infrastructure" and item.id in table.columns
            and table.at[school_id, item.id] < target - 1e-9]


def busiest_own_link_share(results, school_id: str) -> float:
    facts, usage = results.facts, results.usage
    cohort = results.row(school_id)["cohort"]
    launch = facts.school_launch_term(school_id, cohort)
    return max(usage.link_load[school_id][t] / usage.capacity[school_id][t]
               for t in range(launch, facts.term_count))


def test_before_launch_lists_what_the_school_can_act_on(planned_district):
    results, _ = planned_district
    busy = results.facts.settings.devices.busy_link_share
    seen_gap = seen_nothing = False
    for view in principal_views(results):
        sid = view.school_id
        gaps = expected_gap_items(results, sid)
        for item_id in gaps:
            assert any(f"({item_id}): your school is at" in a for a in view.actions), sid
        seen_gap |= bool(gaps)
        busy_line = [a for a in view.actions if " used from " in a]
        assert bool(busy_line) == (busiest_own_link_share(results, sid) > busy), sid
        nothing = NOTHING_TO_DO in view.actions or NOTHING_LEFT in view.actions
        school_actions = [a for a in view.actions if a not in (NOTHING_TO_DO, NOTHING_LEFT)
                          and not a.startswith("District network work")
                          and (NOTHING_LEFT not in view.actions or a not in busy_line)]
        # "Nothing is needed" only when it is true, and always when it is.
        assert nothing == (not school_actions), (sid, view.actions)
        seen_nothing |= nothing
        # One line for the district's network work, never a line per backbone link.
        assert sum(a.startswith("District network work") for a in view.actions) <= 1
        assert not any(a.startswith("Network link") for a in view.actions)
    assert seen_gap and seen_nothing


def test_before_launch_names_a_nearly_full_link_and_the_district_work_once(sample_outputs):
    _, second = sample_outputs
    lines_of = {p.stem: before_launch_lines(p) for p in sorted((second / "schools").iterdir())}
    busy = {sid: [line for line in lines if "% used from" in line]
            for sid, lines in lines_of.items()}
    assert any(busy.values()), "some sample school's link is above 90 % from its launch"
    for sid, lines in lines_of.items():
        for line in busy[sid]:
            share = float(re.search(r"up to ([\d.]+)% \(", line)[1])
            assert share > 90 and "ask the network team" in line, line
        assert NOTHING_TO_DO not in lines or not busy[sid], sid
        assert sum(line.startswith("District network work") for line in lines) <= 1, sid
    hs008 = lines_of["HS008"]
    district = [line for line in hs008 if line.startswith("District network work")]
    assert len(district) == 1 and "NORTH-HUB and DISTRICT-CORE" in district[0]
    assert any("(INF3): your school is at 2.0" in line for line in hs008)
    assert NOTHING_TO_DO not in hs008
    # A school that has launched is not told that nothing is needed "before launch".
    launched = [sid for sid, lines in lines_of.items() if NOTHING_LEFT in lines]
    assert "ES080" in launched and NOTHING_TO_DO not in lines_of["ES080"]


def test_no_preference_line_without_a_preference_process(tmp_path):
    # No Preferences sheet: the district asked no school for a cohort, so none is told it did
    # not ask; with a Preferences sheet, a school that chose nothing is told so.
    plain = write_district_folder(tmp_path / "plain")
    results, _ = plan_district(plain, tmp_path / "out1")
    assert check_plan(results.facts, results.plan.cohort_of, results.plan.upgrades) == []
    text = all_text(tmp_path / "out1" / "schools" / results.workbook_names["S1"])
    assert "did not ask for a particular cohort" not in text and "Your choice" not in text
    asked = write_district_folder(tmp_path / "asked", preferences=[
        ["school_id", "preferred_cohort"], ["S2", 2]])
    results, _ = plan_district(asked, tmp_path / "out2")
    assert check_plan(results.facts, results.plan.cohort_of, results.plan.upgrades) == []
    text = all_text(tmp_path / "out2" / "schools" / results.workbook_names["S1"])
    assert "Your school did not ask for a particular cohort." in text


def test_progress_page_says_the_season_the_plan_was_made_for(tmp_path):
    results, _ = plan_district(write_district_folder(tmp_path / "d"), tmp_path / "out")
    text = all_text(tmp_path / "out" / "schools" / results.workbook_names["S1"])
    assert "each spring the plan was made" not in text
    assert "cohort in each year's plan, by the season it was made for." in text
    assert "Plan for" in text


def test_an_item_below_the_level_asked_for_is_never_called_a_strength(planned_district):
    results, out = planned_district
    views = principal_views(results)
    target = results.facts.settings.devices.infrastructure_level
    said = {"Strength": 0, "Closest to target": 0}
    for view in views:
        ws = load_workbook(out / "schools" / view.workbook).worksheets[0]
        for row in ws.iter_rows(values_only=True):
            if row[0] in said:
                said[row[0]] += 1
                assert (row[1] >= target) == (row[0] == "Strength"), (view.school_id, row[:3])
    assert said["Strength"] > 0 and said["Closest to target"] > 0, said  # both are met
