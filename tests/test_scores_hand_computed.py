"""Scores of the tiny district against values computed by hand from rubrics/default.yaml."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from rollout.pipeline import plan_district
from rollout.scoring.inputs import load_inputs
from tests.factory import default_survey_rows, write_district_folder


def test_scores_match_hand_computation(tmp_path):
    rows = default_survey_rows()
    rows[0][9] = 2   # S1 principal INS1
    rows[1][9] = 4   # S1 teacher INS1
    scores = load_inputs(write_district_folder(tmp_path, survey_rows=rows)).scores.table
    s1 = scores.loc["S1"]
    # Infrastructure: every item at level 3 -> (3-1)/(4-1) = 66.67; bandwidth 1000 Mbps for
    # 400 students = 2,500 kbps each, above the 1,000 kbps goal -> 100; survey share 0.5.
    assert s1["infrastructure"] == pytest.approx(0.5 * 200 / 3 + 0.5 * 100)
    # Technology: items 66.67; 1 student per device -> 100; no tech_staff column -> skipped.
    assert s1["technology"] == pytest.approx(0.5 * 200 / 3 + 0.5 * 100)
    # Instructional: INS1 pools principal 2 (weight 0.4) and teacher 4 (weight 0.6) = 3.2
    # -> 73.33, item weight 1.5; INS2-4 at 66.67 with weight 1 each. LOCAL1 is not scored.
    ins1 = (3.2 - 1) / 3 * 100
    instructional = (1.5 * ins1 + 3 * 200 / 3) / 4.5
    assert s1["instructional"] == pytest.approx(instructional)
    assert s1["readiness"] == pytest.approx(0.3 * s1["infrastructure"] + 0.3 * s1["technology"]
                                            + 0.4 * instructional)
    # Need: 0.5 x FRL 60 + 0.5 x (100 - proficiency 40).
    assert s1["need"] == pytest.approx(60.0)
    assert s1["respondents"] == 3 and s1["coverage"] == pytest.approx(1.0)


def test_principal_workbook_holds_only_its_school(tmp_path):
    district = write_district_folder(tmp_path / "d")
    results, _ = plan_district(district, tmp_path / "out")
    others = {r["school_id"]: r["school_name"] for r in results.rows}
    for sid in others:
        wb = load_workbook(tmp_path / "out" / "schools" / f"{sid}.xlsx")
        assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
        text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows()
                        for c in row if c.value is not None)
        assert sid in text
        for other, name in others.items():
            if other != sid:
                assert not re.search(rf"\b{other}\b", text) and name not in text
