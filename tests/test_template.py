"""Survey templates: what we send out, and that what comes back reads exactly."""
from __future__ import annotations

import random
import sys

import click
import numpy as np
from click.testing import CliRunner
from openpyxl import load_workbook

from rollout.cli import cli, main
from rollout.intake.layouts import LISTS_SHEET, find_layout
from rollout.outputs.survey_templates import survey_workbook
from tests.factory import write_district_folder
from tests.survey_kit import messages, read, tiny_district, tiny_rubric


def school_workbook(tmp_path, school_id="A"):
    district = tiny_district()
    rubric = tiny_rubric(tmp_path)
    book = survey_workbook(rubric, list(district.schools),
                           school=district.school_by_id[school_id])
    return rubric, book


def answer_cells(ws):
    """item id -> its answer cell, as a respondent sees the sheet."""
    return {row[0].value: row[3] for row in ws.iter_rows(min_row=9) if row[0].value}


def test_school_workbook_has_a_sheet_per_role_with_school_fixed(tmp_path):
    rubric, book = school_workbook(tmp_path)
    assert book.sheetnames == ["Instructions", "Principal", "Teacher", "Technology", LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    teacher = book["Teacher"]
    assert teacher["D4"].value == "A - Alpha Elementary School"
    assert teacher["D5"].value == "Teacher"
    # Only the items the rubric asks teachers, each with its level descriptors.
    assert list(answer_cells(teacher)) == ["LEAD", "PRAC"]
    lead_row = next(r for r in teacher.iter_rows(min_row=9) if r[0].value == "LEAD")
    assert [c.value for c in lead_row[4:8]] == ["LEAD at early", "LEAD at developing",
                                                "LEAD at advanced", "LEAD at target"]
    assert lead_row[2].value == "Required"
    prac_row = next(r for r in teacher.iter_rows(min_row=9) if r[0].value == "PRAC")
    assert prac_row[2].value is None


def test_sheets_are_protected_except_the_answer_cells(tmp_path):
    _, book = school_workbook(tmp_path)
    ws = book["Principal"]
    assert ws.protection.sheet
    assert ws["D4"].protection.locked and ws["D5"].protection.locked  # school and role
    assert not ws["D6"].protection.locked                              # name or email
    for cell in answer_cells(ws).values():
        assert not cell.protection.locked
    assert ws["B9"].protection.locked and ws["E10"].protection.locked


def test_every_answer_cell_has_the_scale_dropdown(tmp_path, ):
    _, book = school_workbook(tmp_path)
    lists = book[LISTS_SHEET]
    assert [lists.cell(row=r, column=1).value for r in range(2, 6)] == [
        "1 - Early", "2 - Developing", "3 - Advanced", "4 - Target"]
    for ws in book.worksheets[1:4]:
        dropdown = next(dv for dv in ws.data_validations.dataValidation
                        if dv.formula1 == f"{LISTS_SHEET}!$A$2:$A$5")
        assert dropdown.type == "list"
        assert dropdown.errorStyle == "stop" and dropdown.showErrorMessage
        covered = {str(rng) for rng in dropdown.sqref.ranges}
        cells = {c.coordinate for item, c in answer_cells(ws).items() if item != "VISIT"}
        assert cells <= {c for rng in covered for c in expand(rng)}


def test_a_local_question_has_a_dropdown_of_its_own_answers(tmp_path):
    """#26 item 6: VISIT (scored: false) offers its own answers, not the rubric's levels."""
    _, book = school_workbook(tmp_path)
    lists = book[LISTS_SHEET]
    assert [lists.cell(row=r, column=3).value for r in range(1, 6)] == [
        "VISIT", "1 - VISIT at early", "2 - VISIT at developing", "3 - VISIT at advanced",
        "4 - VISIT at target"]
    principal = book["Principal"]
    visit = answer_cells(principal)["VISIT"].coordinate
    (own,) = [dv for dv in principal.data_validations.dataValidation
              if visit in {c for rng in dv.sqref.ranges for c in expand(str(rng))}]
    assert own.formula1 == f"{LISTS_SHEET}!$C$2:$C$5" and own.errorStyle == "stop"


def expand(ref: str) -> set[str]:
    if ":" not in ref:
        return {ref}
    first, last = ref.split(":")
    return {f"D{r}" for r in range(int(first[1:]), int(last[1:]) + 1)}


def test_role_workbook_lets_the_respondent_pick_the_school(tmp_path):
    district = tiny_district()
    book = survey_workbook(tiny_rubric(tmp_path), list(district.schools), role="technology")
    assert book.sheetnames == ["Instructions", "Technology", LISTS_SHEET]
    ws = book["Technology"]
    assert ws["D4"].value is None and not ws["D4"].protection.locked
    pick = next(dv for dv in ws.data_validations.dataValidation if "D4" in str(dv.sqref))
    assert pick.formula1 == f"{LISTS_SHEET}!$B$2:$B$4"
    assert book[LISTS_SHEET]["B3"].value == "B - Beta Middle School"


def test_filled_templates_read_back_exactly(tmp_path):
    rubric, book = school_workbook(tmp_path)
    rng = random.Random(7)
    expected = {}
    folder = tmp_path / "surveys"
    folder.mkdir()
    for n, role in enumerate(["Principal", "Teacher", "Technology", "Teacher"]):
        ws = book[role]
        cells = answer_cells(ws)
        chosen = {}
        for item_id, cell in cells.items():
            level = rng.choice([None, 1, 2, 3, 4])
            cell.value = None if level is None else f"{level} - {rubric.level_label(level)}"
            chosen[item_id] = level
        ws["D6"] = f"person{n}@school"
        path = folder / f"return_{n}.xlsx"
        book.save(path)
        expected[str(path)] = (role.lower(), chosen)
        for cell in list(cells.values()) + [ws["D6"]]:
            cell.value = None
    responses, problems = read(folder, rubric)
    assert [p for p in messages(problems) if "has no survey responses" not in p] == []
    assert responses.files == {"template": 4}
    people = responses.respondents
    assert len(people) == 4 and set(people["school_id"]) == {"A"}
    for i, person in people.iterrows():
        role, chosen = expected[person["file"]]
        assert person["role"] == role and person["sheet"] == role.title()
        got = responses.levels.loc[i]
        for item_id, level in chosen.items():
            assert (np.isnan(got[item_id]) if level is None else got[item_id] == level), \
                (person["file"], item_id)
        # Items the role is not asked stay empty.
        assert all(np.isnan(got[i]) for i in got.index if i not in chosen)


def test_role_template_reads_the_chosen_school(tmp_path):
    district = tiny_district()
    rubric = tiny_rubric(tmp_path)
    book = survey_workbook(rubric, list(district.schools), role="principal")
    ws = book["Principal"]
    ws["D4"] = "C - Cedar Grove High School"
    for cell in answer_cells(ws).values():
        cell.value = "2 - Developing"
    (tmp_path / "surveys").mkdir()
    book.save(tmp_path / "surveys" / "principal.xlsx")
    responses, _ = read(tmp_path / "surveys", rubric)
    assert list(responses.respondents["school_id"]) == ["C"]
    assert responses.levels.loc[0, ["NET", "DEV", "LEAD", "PRAC", "VISIT"]].tolist() == [2] * 5


def test_unfilled_template_is_skipped_with_a_note(tmp_path):
    rubric, book = school_workbook(tmp_path)
    (tmp_path / "surveys").mkdir()
    book.save(tmp_path / "surveys" / "not_filled.xlsx")
    responses, _ = read(tmp_path / "surveys", rubric)
    assert responses.respondents.empty
    assert responses.notes == [f"{tmp_path / 'surveys' / 'not_filled.xlsx'}: a survey template "
                               "with no answers filled in; skipped"]


def test_layout_is_found_even_when_the_sheet_starts_lower(tmp_path):
    rubric, book = school_workbook(tmp_path)
    ws = book["Teacher"]
    ws.insert_rows(1, amount=3)
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    layout = find_layout(cells)
    assert layout.school == (6, 3) and layout.answer_column == 3
    assert [cells[r][0] for r in layout.item_rows] == ["LEAD", "PRAC"]


def test_template_command_writes_school_and_role_workbooks(tmp_path):
    district = write_district_folder(tmp_path / "d")
    result = CliRunner().invoke(cli, ["template", str(district), "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"3 school workbooks in {tmp_path / 't' / 'schools'}",
        f"3 blank role workbooks in {tmp_path / 't' / 'roles'}"]
    assert sorted(p.name for p in (tmp_path / "t" / "schools").iterdir()) == [
        "S1 - Alpha Elementary.xlsx", "S2 - Beta Middle.xlsx", "S3 - Ridge High.xlsx"]
    assert sorted(p.name for p in (tmp_path / "t" / "roles").iterdir()) == [
        "principal.xlsx", "teacher.xlsx", "technology.xlsx"]
    book = load_workbook(tmp_path / "t" / "schools" / "S2 - Beta Middle.xlsx")
    assert book["Principal"]["D4"].value == "S2 - Beta Middle"


def test_template_command_only_roles(tmp_path):
    district = write_district_folder(tmp_path / "d")
    result = CliRunner().invoke(cli, ["template", str(district), "--out", str(tmp_path / "t"),
                                      "--kind", "role"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["roles"]


def test_template_command_with_a_broken_district_exits_2_and_writes_nothing(tmp_path):
    district = write_district_folder(tmp_path / "d")
    (district / "district.xlsx").write_bytes(b"not a workbook")
    (district / "settings.yaml").write_text("need_weight: [\n", encoding="utf-8")
    result = CliRunner().invoke(as_user, ["template", str(district), "--out",
                                          str(tmp_path / "t")], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: 2 problems in the input; nothing was written.",
        f"  - {district / 'settings.yaml'}: is not valid YAML at line 2, column 1: expected the "
        "node content, but found '<stream end>'",
        f"  - {district / 'district.xlsx'}: cannot be read as an Excel workbook: the file is "
        "damaged or not really an .xlsx file; open it in Excel and save it again, or d"
        "ownload a survey export again from the survey site, then run again"]
    assert not (tmp_path / "t").exists()


def test_template_runs_when_only_other_sheets_have_slips(tmp_path):
    # An example row left in the Network sheet, a Terms row mistyped and a setting out of
    # range: the surveys need only the Schools sheet, so they are made, and each slip is a
    # warning to fix before planning.
    district = write_district_folder(
        tmp_path / "d", settings_patch={"need_weight": 3},
        network=[["node", "parent", "capacity_mbps"], ["CORE", None, 100000],
                 ["HUB", "CORE", 50000], ["EXAMPLE-HUB", "CORE", 1000]],
        terms=[["term", "coaches_fte"], ["T1", 20], ["T2", "twenty"]])
    result = CliRunner().invoke(cli, ["template", str(district), "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output + result.stderr
    assert len(list((tmp_path / "t" / "schools").iterdir())) == 3
    warnings = result.stderr.splitlines()
    assert all(w.startswith("Warning (fix before planning): ") for w in warnings), warnings
    assert any("sheet 'Network'" in w and "example row" in w for w in warnings), warnings
    assert any("sheet 'Terms'" in w for w in warnings), warnings
    assert any("need_weight" in w for w in warnings), warnings
    # The same district cannot be planned until they are fixed.
    planned = CliRunner().invoke(as_user, ["plan", str(district), "--out", str(tmp_path / "o")],
                                 catch_exceptions=False)
    assert planned.exit_code == 2 and "3 problems in the input" in planned.output


def test_template_still_refuses_a_schools_sheet_without_ids(tmp_path):
    rows = [["S1", "Alpha Elementary", "ES", "North", "Ridge HS", 400, 25, 400, 60, 40, "HUB", 1000],
            [None, "Beta Middle", "MS", "North", "Ridge HS", 600, 40, 300, 30, 70, "HUB", 1000]]
    district = write_district_folder(tmp_path / "d", schools=rows,
                                     settings_patch={"need_weight": 3})
    result = CliRunner().invoke(as_user, ["template", str(district), "--out",
                                          str(tmp_path / "t")], catch_exceptions=False)
    assert result.exit_code == 2
    assert "sheet 'Schools', row 3, column A (school_id): is empty" in result.output
    assert "setting 'need_weight'" in result.output  # every problem at once
    assert not (tmp_path / "t").exists()


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def as_user(args):
    """rollout's real entry point, so exit status and messages are what a user sees."""
    sys.argv = ["rollout", *args]
    main()
