"""The checker's own arithmetic (checking/arithmetic.py) and planning's (planning/facts.py) are
two derivations of the same quantities from the district records: on random plans of synthetic
districts they must agree, link by link and term by term. A wrong formula on either side fails
here; the checker's import rule (no planning module) is tested in test_import_rules.py."""
from __future__ import annotations

import dataclasses
import random

import pytest

from rollout.checking.arithmetic import feeder_groups
from rollout.checking.check import compute_usage
from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.scoring.inputs import load_inputs
from tests.test_checker_property import random_instance


@pytest.fixture(scope="module")
def synthetic_facts(tmp_path_factory) -> list[PlanningFacts]:
    rubric = load_rubric(default_rubric_path(), Problems())
    out = []
    for seed in (1, 2):
        folder = tmp_path_factory.mktemp(f"district{seed}")
        make_district(folder, schools=70, seed=seed, rubric=rubric, respondents=(1, 2))
        facts = facts_from_inputs(load_inputs(folder))
        # Need-weighted coaching makes the two coaching formulas differ where need matters.
        coaching = facts.settings.coaching.model_copy(update={"need_intensity": 0.5})
        out += [facts, dataclasses.replace(
            facts, settings=facts.settings.model_copy(update={"coaching": coaching}))]
    return out


def random_plan(facts: PlanningFacts, rng: random.Random) -> tuple[dict, dict]:
    cohort_of = {s.school_id: rng.randint(1, len(facts.cohorts)) for s in facts.schools}
    upgrades = {u.upgrade: rng.randrange(facts.term_count)
                for u in facts.district.upgrades if rng.random() < 0.5}
    return cohort_of, upgrades


def usage_by_planning(facts: PlanningFacts, cohort_of: dict, upgrades: dict):
    """Coaching per term, load and capacity per link and term, from planning/facts.py only."""
    terms = range(facts.term_count)
    coaching = [sum(facts.coaching_fte(s, t, facts.launch_term_of(cohort_of[s.school_id]))
                    for s in facts.schools) for t in terms]
    load = {link: [0.0 for _ in terms] for link in facts.district.links}
    for s in facts.schools:
        launch = facts.launch_term_of(cohort_of[s.school_id])
        for link in facts.district.path_to_internet(s.school_id):
            for t in terms:
                load[link][t] += facts.bandwidth_mbps(s, t >= launch)
    capacity = {link: [facts.capacity_with_upgrades(link, t, upgrades) for t in terms]
                for link in facts.district.links}
    return coaching, load, capacity


def assert_same_usage(facts: PlanningFacts, cohort_of: dict, upgrades: dict) -> None:
    checker = compute_usage(facts, cohort_of, upgrades)
    coaching, load, capacity = usage_by_planning(facts, cohort_of, upgrades)
    assert checker.coaching == pytest.approx(coaching, rel=1e-9, abs=1e-9)
    for link in facts.district.links:
        assert checker.link_load[link] == pytest.approx(load[link], rel=1e-9), link
        assert checker.capacity[link] == pytest.approx(capacity[link], rel=1e-9), link


def test_synthetic_districts_agree_on_random_plans(synthetic_facts):
    rng = random.Random(7)
    for facts in synthetic_facts:
        assert facts.district.upgrades and facts.district.capacity_plan  # both paths exercised
        for _ in range(5):
            assert_same_usage(facts, *random_plan(facts, rng))


@pytest.mark.parametrize("seed", range(15))
def test_random_small_instances_agree(seed):
    facts = random_instance(seed)
    assert_same_usage(facts, *random_plan(facts, random.Random(seed)))


def test_feeder_patterns_agree(synthetic_facts):
    for facts in synthetic_facts:
        assert feeder_groups(facts) == facts.feeder_patterns
        assert feeder_groups(facts)  # synthetic districts have feeder patterns


def test_a_wrong_planning_formula_is_caught(synthetic_facts, monkeypatch):
    """The comparison can fail: a planning formula off by 10 % no longer agrees."""
    facts = synthetic_facts[1]
    right = PlanningFacts.bandwidth_mbps
    monkeypatch.setattr(PlanningFacts, "bandwidth_mbps",
                        lambda self, school, launched: 1.1 * right(self, school, launched))
    with pytest.raises(AssertionError):
        assert_same_usage(facts, *random_plan(facts, random.Random(1)))
