"""Pooled scores of a tiny rubric, against values worked out by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from rollout.intake.survey import SurveyResponses
from rollout.scoring.scores import score_schools
from tests.survey_kit import ITEMS, tiny_district, tiny_rubric


def responses(*people) -> SurveyResponses:
    """people: (school_id, role, {item: level})."""
    respondents = pd.DataFrame({"school_id": [p[0] for p in people],
                                "role": [p[1] for p in people]})
    levels = pd.DataFrame([{i: p[2].get(i, math.nan) for i in ITEMS} for p in people],
                          columns=ITEMS, dtype=float)
    return SurveyResponses(respondents, levels)


def level_score(level: float) -> float:
    return (level - 1) / 3 * 100


def interp(x, xs, ys):
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return ys[0] if x < xs[0] else ys[-1]


SCHOOL_A = [("A", "principal", {"NET": 4, "DEV": 3, "LEAD": 4, "PRAC": 3, "VISIT": 2}),
            ("A", "technology", {"NET": 2, "DEV": 3}),
            ("A", "teacher", {"LEAD": 2, "PRAC": 1}),
            ("A", "teacher", {"LEAD": 2, "PRAC": 2})]
OTHERS = [("B", "technology", {"NET": 3, "DEV": 3}),
          ("C", "principal", {"NET": 3, "DEV": 3, "LEAD": 3})]


@pytest.fixture
def scores(tmp_path):
    return score_schools(tiny_district(), tiny_rubric(tmp_path), responses(*SCHOOL_A, *OTHERS))


def test_domains_pool_roles_then_items_and_blend_indicators(scores):
    a = scores.table.loc["A"]
    # NET: principal 4 and technology 2, role weights 0.5 / 0.5 -> level 3.
    # Bandwidth: 250 Mbps for 500 students = 500 kbps each, on the 100 -> 1000 kbps line.
    infrastructure = 0.5 * level_score(3) + 0.5 * interp(500, [100, 1000], [0, 100])
    assert a["infrastructure"] == pytest.approx(infrastructure)
    # DEV: both roles 3. 500 students / 250 devices = 2 per device -> 80; 250 devices per
    # 0.5 technology staff = 500 -> 100; the two indicators weigh the same.
    technology = 0.5 * level_score(3) + 0.5 * (80 + 100) / 2
    assert a["technology"] == pytest.approx(technology)
    # LEAD: principal 4 (weight 0.25), teachers' mean 2 (0.75) -> 2.5; PRAC: 3 and 1.5 -> 1.875.
    # LEAD weighs 2, PRAC 1; VISIT is a local question and never counts.
    instructional = (2 * level_score(2.5) + level_score(1.875)) / 3
    assert a["instructional"] == pytest.approx(instructional)
    assert a["readiness"] == pytest.approx(0.25 * infrastructure + 0.25 * technology
                                           + 0.5 * instructional)
    assert a["coverage"] == 1.0 and a["assessable"]
    assert (a["respondents"], a["respondents_teacher"], a["respondents_principal"]) == (4, 2, 1)


def test_item_levels_are_the_pooled_levels(scores):
    levels = scores.item_levels.loc["A"]
    assert levels["NET"] == pytest.approx(3.0)
    assert levels["LEAD"] == pytest.approx(2.5)
    assert levels["PRAC"] == pytest.approx(1.875)


def test_local_question_is_reported_but_never_scored(tmp_path):
    rubric = tiny_rubric(tmp_path)
    low = score_schools(tiny_district(), rubric, responses(*SCHOOL_A, *OTHERS))
    visit_4 = [(s, r, {**a, "VISIT": 4} if "VISIT" in a else a) for s, r, a in SCHOOL_A]
    high = score_schools(tiny_district(), rubric, responses(*visit_4, *OTHERS))
    assert low.local_items(rubric).loc["A", "VISIT"] == 2
    assert high.local_items(rubric).loc["A", "VISIT"] == 4
    pd.testing.assert_frame_equal(low.table, high.table)


def test_too_few_answers_is_not_assessable_with_a_note(scores):
    b = scores.table.loc["B"]
    # Only NET and DEV answered: weight 2 of 5 = 40 %, below the rubric's 50 %.
    assert b["coverage"] == pytest.approx(0.4)
    assert not b["assessable"]
    assert math.isnan(b["readiness"]) and math.isnan(b["instructional"])
    assert "B: answers cover 40% of the rubric (minimum 50%); the school is not assessable " \
           "and is planned with readiness 0" in scores.notes


def test_missing_answers_are_scored_from_what_is_present(scores):
    c = scores.table.loc["C"]
    # NET, DEV and LEAD (weight 2) answered: 4 of 5. PRAC missing: instructional = LEAD alone.
    assert c["coverage"] == pytest.approx(0.8) and c["assessable"]
    assert c["instructional"] == pytest.approx(level_score(3))
    # 800 students / 400 devices = 2 -> 80; no technology staff at all -> the worst, 0.
    assert c["technology"] == pytest.approx(0.5 * level_score(3) + 0.5 * (80 + 0) / 2)


def test_a_domain_without_any_answer_is_not_assessable(tmp_path):
    only_teachers = [("A", "teacher", {"LEAD": 3, "PRAC": 3}), *OTHERS]
    scores = score_schools(tiny_district(), tiny_rubric(tmp_path), responses(*only_teachers))
    a = scores.table.loc["A"]
    assert a["coverage"] == pytest.approx(0.6) and not a["assessable"]
    assert "A: no answers in the infrastructure and technology domains; the school is not " \
           "assessable and is planned with readiness 0" in scores.notes


def test_unknown_tech_staff_leaves_that_indicator_out(tmp_path):
    district = tiny_district(A={"tech_staff": None})
    scores = score_schools(district, tiny_rubric(tmp_path), responses(*SCHOOL_A, *OTHERS))
    assert scores.table.at["A", "technology"] == pytest.approx(0.5 * level_score(3) + 0.5 * 80)
    assert math.isnan(scores.indicators.at["A", "devices_per_tech_staff"])
    assert scores.indicators.at["C", "devices_per_tech_staff"] == math.inf


def test_role_gap_is_flagged_beyond_the_rubric_threshold(scores):
    # Instructional: principal - teachers = (4 - 2) on LEAD and (3 - 1.5) on PRAC -> 1.75.
    assert scores.table.at["A", "role_gap_instructional"] == pytest.approx(1.75)
    assert scores.table.at["A", "role_gap"] == (
        "in instructional readiness, teachers rate the school 1.8 levels lower than the "
        "principal does")
    # Infrastructure items are not answered by teachers: no gap can be measured.
    assert math.isnan(scores.table.at["A", "role_gap_infrastructure"])
    assert scores.table.at["C", "role_gap"] == ""


def test_a_gap_within_the_threshold_is_not_flagged(tmp_path):
    close = [("A", "principal", {"NET": 3, "DEV": 3, "LEAD": 3, "PRAC": 3}),
             ("A", "teacher", {"LEAD": 2, "PRAC": 2}), *OTHERS]
    scores = score_schools(tiny_district(), tiny_rubric(tmp_path), responses(*close))
    assert scores.table.at["A", "role_gap_instructional"] == pytest.approx(1.0)
    assert scores.table.at["A", "role_gap"] == ""


def test_role_weights_decide_the_pool(tmp_path):
    rubric = tiny_rubric(tmp_path)
    people = [("A", "principal", {"LEAD": 4}), ("A", "teacher", {"LEAD": 1}), *OTHERS]
    scores = score_schools(tiny_district(), rubric, responses(*people))
    assert scores.item_levels.at["A", "LEAD"] == pytest.approx(0.25 * 4 + 0.75 * 1)


def test_teachers_above_the_principal_is_flagged_too(tmp_path):
    modest = [("A", "principal", {"NET": 3, "DEV": 3, "LEAD": 1, "PRAC": 1}),
              ("A", "teacher", {"LEAD": 3, "PRAC": 3}), *OTHERS]
    scores = score_schools(tiny_district(), tiny_rubric(tmp_path), responses(*modest))
    assert scores.table.at["A", "role_gap"] == (
        "in instructional readiness, teachers rate the school 2.0 levels higher than the "
        "principal does")
