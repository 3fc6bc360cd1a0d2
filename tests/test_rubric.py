"""The rubric file is validated like data: each mistake is a clear error naming its YAML path."""
from __future__ import annotations

import copy

import pytest

from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from tests.survey_kit import TINY_RUBRIC, write_rubric


def problems_of(tmp_path, change) -> list[str]:
    rubric = copy.deepcopy(TINY_RUBRIC)
    change(rubric)
    path = write_rubric(tmp_path / "rubric.yaml", rubric)
    problems = Problems()
    assert load_rubric(path, problems) is None
    return [str(p) for p in problems.items]


def test_default_and_tiny_rubrics_are_valid(tmp_path):
    for path in (default_rubric_path(), write_rubric(tmp_path / "tiny.yaml")):
        problems = Problems()
        assert load_rubric(path, problems) is not None, problems.items


def test_unknown_domain(tmp_path):
    def rename(r):
        r["domains"]["leadership"] = r["domains"].pop("instructional")
    found = problems_of(tmp_path, rename)
    assert any("rubric 'domains.leadership': unknown domain; expected infrastructure, "
               "technology, instructional" in p for p in found)
    assert any("rubric 'domains': domain 'instructional' is missing" in p for p in found)


def test_domain_weights_that_do_not_sum_to_one(tmp_path):
    found = problems_of(tmp_path, lambda r: r["domains"]["instructional"].update(weight=0.4))
    assert found == [f"{tmp_path / 'rubric.yaml'}: rubric 'domains.*.weight': domain weights "
                     "must sum to 1, they sum to 0.9"]


def test_role_weights_that_do_not_sum_to_one(tmp_path):
    found = problems_of(tmp_path, lambda r: r["domains"]["instructional"]["role_weights"]
                        .update(teacher=0.5))
    assert found == [f"{tmp_path / 'rubric.yaml'}: rubric 'domains.instructional.role_weights': "
                     "role weights must sum to 1, they sum to 0.75"]


def test_level_scale_with_a_gap(tmp_path):
    def gap(r):
        r["scale"] = {1: "Early", 2: "Developing", 4: "Target"}
    found = problems_of(tmp_path, gap)
    assert any("rubric 'scale': levels must be consecutive whole numbers with no gaps, found "
               "[1, 2, 4]" in p for p in found)
    # Every item's descriptors then miss or add a level, and each says which.
    assert any("rubric 'domains.infrastructure.items.0.levels': item NET needs a descriptor "
               "for each scale level [1, 2, 4], found [1, 2, 3, 4]" in p for p in found)


def test_item_that_no_weighted_role_answers(tmp_path):
    def teacher_only(r):
        r["domains"]["infrastructure"]["items"][0]["roles"] = ["teacher"]
    found = problems_of(tmp_path, teacher_only)
    assert found == [f"{tmp_path / 'rubric.yaml'}: rubric 'domains.infrastructure.items.0.roles': "
                     "no role that answers item NET (teacher) has a weight in this domain's "
                     "role_weights, so no answer could ever count"]


def test_item_with_no_roles_at_all(tmp_path):
    found = problems_of(tmp_path, lambda r: r["domains"]["technology"]["items"][0]
                        .update(roles=[]))
    assert len(found) == 1
    assert "rubric 'domains.technology.items.0.roles': must list at least 1 item" \
        in found[0]


def test_unknown_role_and_unknown_key(tmp_path):
    def mistakes(r):
        r["domains"]["instructional"]["items"][1]["roles"] = ["principal", "coach"]
        r["domains"]["instructional"]["items"][1]["wieght"] = 2
    found = problems_of(tmp_path, mistakes)
    assert any("rubric 'domains.instructional.items.1.wieght': unknown setting (check the "
               "spelling)" in p for p in found)
    # Pydantic stops at the unknown key; fix it and the role is reported.
    def role_only(r):
        r["domains"]["instructional"]["items"][1]["roles"] = ["principal", "coach"]
    found = problems_of(tmp_path, role_only)
    assert any("rubric 'domains.instructional.items.1.roles': item PRAC names unknown role(s) "
               "coach; expected principal, teacher, technology" in p for p in found)


@pytest.mark.parametrize("text, expected", [
    ("scale: [1, 2\n", "is not valid YAML at line 2"),
    ("- just\n- a list\n", "must be a YAML mapping"),
])
def test_rubric_that_is_not_a_yaml_mapping(tmp_path, text, expected):
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    assert load_rubric(path, problems) is None
    assert expected in str(problems.items[0])
