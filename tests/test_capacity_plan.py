"""The Capacity plan sheet says every change of a link once, and in the right word (#24 item 4):
two rows for one link and term are an input error; a lower capacity is 'lowered' (and a
warning in Data issues); a row that changes nothing is not listed; the Upgrades sheet lists
only rises."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from rollout.checking.check import check_plan
from rollout.errors import InputError
from rollout.pipeline import plan_district
from tests.factory import write_district_folder

HEADER = ["link", "term", "capacity_mbps"]


def cells(path, sheet: str) -> list[str]:
    ws = load_workbook(path, read_only=True)[sheet]
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_two_rows_for_one_link_and_term_are_an_error_naming_both(tmp_path):
    district = write_district_folder(tmp_path / "d", capacity_plan=[
        HEADER, ["HUB", "T2", 60000], ["S1", "T2", 2000], ["HUB", "T2", 70000]])
    with pytest.raises(InputError) as caught:
        plan_district(district, tmp_path / "out")
    assert [str(p) for p in caught.value.problems] == [
        f"{district / 'district.xlsx'}, sheet 'Capacity plan', row 4, column A (link): rows 2 "
        "and 4 both give the capacity of HUB in T2 (60,000 and 70,000 Mbps); keep the one row "
        "that holds"]
    assert not (tmp_path / "out").exists()


def test_a_lower_capacity_is_lowered_and_a_row_that_changes_nothing_is_not_listed(tmp_path):
    district = write_district_folder(tmp_path / "d", capacity_plan=[
        HEADER, ["HUB", "T2", 40000], ["CORE", "T2", 100000], ["S1", "T2", 3000]],
        preferences=[["school_id", "preferred_cohort", "locked"], ["S2", 2, "yes"]])
    results, _ = plan_district(district, tmp_path / "out")
    assert check_plan(results.facts, results.plan.cohort_of, results.plan.upgrades) == []
    changes = {(c.link, c.verb, c.from_mbps, c.to_mbps) for c in results.network_changes}
    assert changes == {("HUB", "lowered", 50000, 40000), ("S1", "raised", 1000, 3000)}
    warning = ("HUB (uplink to CORE) is lowered from 50,000 to 40,000 Mbps in T2; launches "
               "behind it have less room from then on")
    assert any(note.startswith("Capacity plan: " + warning) for note in results.notes)
    dashboard = tmp_path / "out" / "dashboard.xlsx"
    issues = cells(dashboard, "Data issues")
    assert "Capacity plan" in issues and any(warning in text for text in issues)
    upgrades = cells(dashboard, "Upgrades")
    assert "S1" in upgrades and "HUB" not in upgrades and "CORE" not in upgrades
    # A principal behind HUB is neither told of a rise nor asked to confirm the lowering.
    text = " ".join(cells(tmp_path / "out" / "schools" / results.workbook_names["S2"],
                          "Your school"))
    assert "raised from 50,000" not in text and "rise in capacity on HUB" not in text
    assert "HUB" not in text


def test_a_committed_row_that_a_chosen_upgrade_outdoes_is_not_listed(tmp_path):
    district = write_district_folder(
        tmp_path / "d", capacity_plan=[HEADER, ["HUB", "T2", 2000]],
        network=[["node", "parent", "capacity_mbps"], ["CORE", None, 100000],
                 ["HUB", "CORE", 1000]])
    book = load_workbook(district / "district.xlsx")
    upgrades = book.create_sheet("Upgrades")
    for row in (["upgrade", "link", "new_capacity_mbps", "cost", "lead_terms"],
                ["U1", "HUB", 5000, 100, 0]):
        upgrades.append(row)
    book.save(district / "district.xlsx")
    results, _ = plan_district(district, tmp_path / "out")
    assert check_plan(results.facts, results.plan.cohort_of, results.plan.upgrades) == []
    assert results.plan.upgrades == {"U1": 0}  # launching in T1 needs it
    # HUB has 5,000 Mbps from T1: the committed 2,000 in T2 neither raises nor lowers it.
    assert [(c.source, c.verb, c.from_mbps, c.to_mbps) for c in results.network_changes
            if c.link == "HUB"] == [("Upgrade U1", "raised", 1000, 5000)]
