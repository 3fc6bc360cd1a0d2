"""decisions.xlsx (#25): the planning studio's Save writes it, `rollout plan` and `rollout check`
honour it as the district's decisions, and a bad file gives every problem at once with file,
sheet, row and column."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import xlsxwriter

from rollout.errors import InputError
from rollout.intake.decisions import DECISION_COLUMNS, DecisionRow
from rollout.outputs.decisions_file import write_decisions_file
from rollout.pipeline import check_district_plan, plan_district
from rollout.scoring.inputs import load_inputs

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture
def district(tmp_path) -> Path:
    folder = tmp_path / "district"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("year2", "scenarios"))
    return folder


def write_sheet(path: Path, header: list, rows: list[list], sheet: str = "Decisions") -> None:
    workbook = xlsxwriter.Workbook(str(path))
    ws = workbook.add_worksheet(sheet)
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    workbook.close()


def test_a_bad_decisions_file_gives_every_problem_with_its_place(district):
    write_sheet(district / "decisions.xlsx", DECISION_COLUMNS, [
        ["XX999", "Nowhere", "pin", 2, "typo in the id", None],
        ["ES038", "", "move", 2, "not a kind", None],
        ["ES039", "", "pin", 9, "no such group", None],
        ["ES040", "", "pin", "Group 2", None, None],
        ["ES041", "", "pin", 2, "one pin", None],
        ["ES041", "", "pin", 3, "two pins", None],
    ])
    with pytest.raises(InputError) as caught:
        load_inputs(district)
    found = {(p.sheet, p.row, (p.column or "").split(" ")[0]): p.message
             for p in caught.value.problems}
    assert all(p.file.endswith("decisions.xlsx") for p in caught.value.problems)
    assert "school_id of the Schools sheet" in found["Decisions", 2, "A"]
    assert "pin or keep_out" in found["Decisions", 3, "C"]
    assert "cohort number 1-5" in found["Decisions", 4, "D"]
    assert "a value is required" in found["Decisions", 5, "E"]
    assert "more than one cohort" in found["Decisions", 7, "A"]


def test_a_missing_sheet_or_column_is_a_problem(district):
    write_sheet(district / "decisions.xlsx", ["school_id", "decision"], [["ES038", "pin"]],
                sheet="Sheet1")
    with pytest.raises(InputError) as caught:
        load_inputs(district)
    assert "required sheet 'Decisions' is missing" in str(caught.value)


def test_plan_and_check_honour_decisions_xlsx(district, tmp_path):
    first, _ = plan_district(district, tmp_path / "free")
    school_id = next(r["school_id"] for r in first.rows if r["cohort"] == 5)
    kept = next(r["school_id"] for r in first.rows if r["cohort"] == 1)
    write_decisions_file(district, [
        DecisionRow(school_id, "", "pin", 4, "=cmd|' /C calc'!A0 board request", "2027-03-01"),
        DecisionRow(kept, "", "keep_out", 1, "network works", "2027-03-01")])
    inputs = load_inputs(district)
    reasons = [r.reason for r in inputs.decision_rows]
    assert any("=cmd" in r for r in reasons)  # kept, but never a formula (safe.safe_text)
    assert not any(r.startswith("=") for r in reasons)
    results, _ = plan_district(district, tmp_path / "decided")
    row = results.row(school_id)
    assert row["cohort"] == 4
    assert row["reasons"].startswith("Placed in Group 4 by a district decision: ")
    assert "school chose" not in row["reasons"]
    assert results.row(kept)["cohort"] != 1
    # `rollout check` honours them: the plan without the decisions now breaks them.
    assert check_district_plan(district, tmp_path / "decided" / "plan.csv") == []
    broken = check_district_plan(district, tmp_path / "free" / "plan.csv")
    assert {v.rule for v in broken} == {"District decision"}
    assert {s for v in broken for s in v.schools} == {school_id, kept}
    with (tmp_path / "decided" / "plan.csv").open(newline="") as handle:
        assert any("a district decision" in " ".join(r.values()) for r in csv.DictReader(handle))


def test_a_scenario_keeps_the_districts_decisions(district, tmp_path):
    """A scenario's own place/keep_out add to decisions.xlsx; they never drop it."""
    from rollout.checking.check import check_plan
    from rollout.whatif.compare import compare_district

    first, _ = plan_district(district, tmp_path / "free")
    pinned = next(r["school_id"] for r in first.rows if r["cohort"] == 5)
    write_decisions_file(district, [DecisionRow(pinned, "", "pin", 4, "board request")])
    placed = next(r["school_id"] for r in first.rows if r["cohort"] == 3 and r["level"] == "ES")
    scenario = tmp_path / "place.yaml"
    scenario.write_text(f"description: one school a group earlier\n"
                        f"place: [{{schools: {{school_id: {placed}}}, cohort: 2}}]\n")
    comparison = compare_district(district, [("earlier", scenario)], tmp_path / "whatif",
                                  max_limits=0)
    for outcome in [comparison.base, *comparison.scenarios]:
        facts, plan = outcome.variant.facts, outcome.plan
        assert plan.cohort_of[pinned] == 4, outcome.variant.name
        assert check_plan(facts, plan.cohort_of, plan.upgrades) == []
    scenario_facts = comparison.scenarios[0].variant.facts
    assert comparison.scenarios[0].plan.cohort_of[placed] == 2
    assert scenario_facts.decisions.pin_of(pinned).by.startswith("a district decision")


def test_a_decision_on_one_school_never_shows_its_reason_to_another_principal(tmp_path):
    """A pin that pushes other schools out of a full group: their principals read that a
    district decision changed the group's size, never the reason typed for another school."""
    import zipfile

    plan_district(SAMPLE, tmp_path / "y1")
    previous = tmp_path / "y1" / "plan.csv"
    spring = tmp_path / "year2"
    shutil.copytree(SAMPLE / "year2", spring, ignore=shutil.ignore_patterns("scenarios"))
    secret = "the new science wing opens in summer 2029"
    write_decisions_file(spring, [DecisionRow("HS003", "", "pin", 4, secret, "2028-03-01")])
    results, _ = plan_district(spring, tmp_path / "y2", previous=previous)
    assert results.row("HS003")["cohort"] == 4
    knocked = [c for c in results.changes if c["school_id"] != "HS003"
               and "district decision" in c["reason"]]
    assert knocked, "the pin should push another school out of Group 4's size"
    for change in knocked:
        assert secret not in change["reason"], change
    for sid, name in results.workbook_names.items():  # every part of every workbook's file
        with zipfile.ZipFile(tmp_path / "y2" / "schools" / name) as book:
            text = b" ".join(book.read(part) for part in book.namelist())
        assert (secret.encode() in text) == (sid == "HS003"), sid
