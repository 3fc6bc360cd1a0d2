"""The checker's own arithmetic (checking/arithmetic.py) and planning's (planning/facts.py) are
two derivations of the same quantities from the district records: on random plans of synthetic
districts they must agree, link by link and term by term. A wrong formula on either side fails
here; the checker's import rule (no planning module) is tested in test_import_rules.py."""
from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest

from rollout.checking.arithmetic import cohort_to_keep, feeder_groups
from rollout.checking.check import compute_usage
from rollout.devtools.synthetic import make_district
from rollout.domain import LAUNCH_STATUSES, Launch
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
    out.append(with_launch_records(out[-1], random.Random(3)))
    return out


def with_launch_records(facts: PlanningFacts, rng: random.Random) -> PlanningFacts:
    """A re-plan two terms on, with a Launches sheet of every status, some without a term."""
    ids = [s.school_id for s in facts.schools]
    records = [Launch(sid, status, term)
               for sid, status, term in zip(sorted(rng.sample(ids, 12)), LAUNCH_STATUSES * 3,
                                            [0, 1, None, 1, 0, None, 1, 2, 0, 1, None, 0])]
    previous = {sid: rng.randint(1, len(facts.cohorts)) for sid in ids}
    return dataclasses.replace(facts, district=dataclasses.replace(facts.district,
                                                                   launches=tuple(records)),
                               current_term=2, previous=previous)


def random_plan(facts: PlanningFacts, rng: random.Random) -> tuple[dict, dict]:
    cohort_of = {s.school_id: rng.randint(1, len(facts.cohorts)) for s in facts.schools}
    upgrades = {u.upgrade: rng.randrange(facts.term_count)
                for u in facts.district.upgrades if rng.random() < 0.5}
    return cohort_of, upgrades


def usage_by_planning(facts: PlanningFacts, cohort_of: dict, upgrades: dict):
    """Coaching per term, load and capacity per link and term, from planning/facts.py only."""
    terms = range(facts.term_count)
    coaching = [sum(facts.school_coaching_fte(s, t, cohort_of[s.school_id])
                    for s in facts.schools) for t in terms]
    load = {link: [0.0 for _ in terms] for link in facts.district.links}
    for s in facts.schools:
        launch = facts.launch_term_of(cohort_of[s.school_id])
        for link in facts.district.path_to_internet(s.school_id):
            for t in terms:
                recorded = facts.recorded_launch_state(s.school_id, t)
                launched = t >= launch if recorded is None else recorded
                load[link][t] += facts.bandwidth_mbps(s, launched)
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


def test_launch_records_agree_on_who_keeps_a_cohort(synthetic_facts):
    facts = synthetic_facts[-1]
    assert {r.status for r in facts.district.launches} == set(LAUNCH_STATUSES)
    for s in facts.schools:
        assert cohort_to_keep(facts, s.school_id) == facts.kept_cohort(s.school_id), s.school_id


def test_launch_records_agree_on_who_takes_a_place_in_a_cohort(synthetic_facts):
    facts = synthetic_facts[-1]
    cohort_of, _ = random_plan(facts, random.Random(11))
    places = Counter(c for sid, c in cohort_of.items() if not facts.has_withdrawn(sid))
    assert compute_usage(facts, cohort_of).cohort_counts == places
    assert places != Counter(cohort_of.values())  # a withdrawn school is among them


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
