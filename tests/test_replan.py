"""Spring re-plan from last year's plan: launched schools stay, unchanged inputs change
nothing, fewer coaches move the fewest schools, and every move and oddity is explained."""
from __future__ import annotations

import csv
import itertools

import pytest

from rollout.checking.check import check_plan
from rollout.errors import InputError
from rollout.pipeline import plan_district
from rollout.planning.solve import solve_plan
from tests.factory import facts, school, write_district_folder

TERMS = ("T1", "T2", "T3")
COHORTS = [{"name": "G1", "launch_term": "T1"}, {"name": "G2", "launch_term": "T2"},
           {"name": "G3", "launch_term": "T3"}]


def six_schools(previous=None, coaches=(2.0, 2.0, 3.0), **kw):
    schools = [school(f"S{i}") for i in range(1, 7)]
    ready = {f"S{i}": 90.0 - 10 * i for i in range(1, 7)}
    kw.setdefault("churn_weight", 1000)
    return facts(schools, readiness=ready, need_weight=0.0, terms=TERMS, cohorts=COHORTS,
                 coaches=list(coaches), cohort_size={"min": 0, "max": 6}, **kw), previous


def replanned(f, previous):
    from dataclasses import replace
    f = replace(f, previous=previous)
    return f, solve_plan(f)


def test_unchanged_inputs_change_nothing():
    f, _ = six_schools()
    first = solve_plan(f)
    f2, again = replanned(f, first.cohort_of)
    assert again.cohort_of == first.cohort_of


def test_launched_schools_never_move():
    f, _ = six_schools(current_term="T2")
    assert f.current_term == 1
    told = {"S1": 3, "S2": 3, "S3": 1, "S4": 1, "S5": 2, "S6": 2}  # S3, S4 launched in T1
    f2, plan = replanned(f, told)
    assert plan.cohort_of["S3"] == 1 and plan.cohort_of["S4"] == 1
    # No other school may join the launched cohort, however ready it is.
    assert [s for s, c in plan.cohort_of.items() if c == 1] == ["S3", "S4"]
    assert check_plan(f2, plan.cohort_of) == []
    moved_launched = dict(plan.cohort_of, S3=2)
    assert "Launched schools stay" in {v.rule for v in check_plan(f2, moved_launched)}
    joined = dict(plan.cohort_of, S1=1)
    assert "Launched schools stay" in {v.rule for v in check_plan(f2, joined)}


def test_one_coach_fewer_moves_the_fewest_schools():
    f, _ = six_schools()
    first = solve_plan(f)
    fewer, _ = six_schools(coaches=(1.0, 2.0, 3.0))
    f2, plan = replanned(fewer, first.cohort_of)
    assert check_plan(f2, plan.cohort_of) == []
    moved = {s for s in plan.cohort_of if plan.cohort_of[s] != first.cohort_of[s]}
    # Brute force every valid plan: none moves fewer schools.
    ids = sorted(first.cohort_of)
    fewest = min(sum(a != first.cohort_of[s] for s, a in zip(ids, combo))
                 for combo in itertools.product([1, 2, 3], repeat=len(ids))
                 if not check_plan(f2, dict(zip(ids, combo))))
    assert len(moved) == fewest >= 1


def write_plan(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["school_id", "school_name", "cohort", "launch_term", "readiness",
                         "preferred_cohort"])
        writer.writerows(rows)


def test_replan_writes_changes_with_reasons(tmp_path):
    named = {"district_name": "Ridge County", "cohorts": [
        {"name": "Group 1", "launch_term": "T2"}, {"name": "Group 2", "launch_term": "T3"}]}
    terms = [["term", "coaches_fte"], ["T1", 20], ["T2", 20], ["T3", 20]]
    district = write_district_folder(tmp_path / "d", settings_patch=named, terms=terms)
    first, _ = plan_district(district, tmp_path / "y1")
    assert first.changes == []
    # A year on, coaching in T2 is cut to nothing: whoever was told Group 1 must move.
    year2 = write_district_folder(tmp_path / "d2", terms=[["term", "coaches_fte"], ["T1", 20],
                                                           ["T2", 0], ["T3", 20]],
                                  settings_patch=named | {"current_term": "T2"})
    results, _ = plan_district(year2, tmp_path / "y2", previous=tmp_path / "y1" / "plan.csv")
    moved = [c for c in results.changes if c["change"].startswith("moved")]
    told_first = [s for s, c in first.plan.cohort_of.items() if c == 1]
    assert told_first and {c["school_id"] for c in moved} == set(told_first)
    for change in moved:
        assert "Capacity changed" in change["reason"]
        assert "more coaches in T2" in change["reason"]
    rows = list(csv.DictReader((tmp_path / "y2" / "changes.csv").open()))
    assert {r["school_id"] for r in rows} == set(told_first)
    history = list(csv.DictReader((tmp_path / "y2" / "history.csv").open()))
    assert [r["season"] for r in history] == ["T1"] * 3 + ["T2"] * 3


@pytest.mark.parametrize("previous_term", ["T2", "T3"])
def test_previous_plan_of_this_season_or_later_is_refused(tmp_path, previous_term):
    """This spring's own plan passed as last year's would say that nothing moved."""
    terms = [["term", "coaches_fte"], ["T1", 20], ["T2", 20], ["T3", 20], ["T4", 20]]
    cohorts = [{"name": "Group 1", "launch_term": "T3"}, {"name": "Group 2", "launch_term": "T4"}]
    name = {"district_name": "Seasons"}
    first = write_district_folder(tmp_path / "first", terms=terms,
                                  settings_patch={"cohorts": cohorts} | name)
    plan_district(first, tmp_path / "first_out")
    made = write_district_folder(tmp_path / "made", terms=terms, settings_patch={
        "current_term": previous_term, "cohorts": cohorts} | name)
    plan_district(made, tmp_path / "made_out", previous=tmp_path / "first_out" / "plan.csv")
    district = write_district_folder(tmp_path / "d", terms=terms, settings_patch={
        "current_term": "T2", "cohorts": cohorts} | name)
    when = "the same season as" if previous_term == "T2" else "a later season than"
    with pytest.raises(InputError, match=f"is the plan made for {previous_term}, {when} this "
                                         r"plan \(T2, settings.yaml's current_term\)"):
        plan_district(district, tmp_path / "out", previous=tmp_path / "made_out" / "plan.csv")
    (tmp_path / "made_out" / "history.csv").unlink()  # plan.csv alone says its season too
    with pytest.raises(InputError, match=f"is the plan made for {previous_term}"):
        plan_district(district, tmp_path / "out", previous=tmp_path / "made_out" / "plan.csv")
    assert not (tmp_path / "out").exists()


def test_unknown_and_new_schools_are_reported_not_crashes(tmp_path):
    district = write_district_folder(tmp_path / "d")
    previous = tmp_path / "plan.csv"
    write_plan(previous, [["S1", "Alpha Elementary", 1, "T1", 70, ""],
                          ["S9", "Closed School", 2, "T2", 50, ""],
                          ["S2", "Old Beta Name", 9, "T9", 50, ""]])
    results, _ = plan_district(district, tmp_path / "out", previous=previous)
    notes = "\n".join(results.notes)
    assert "S9 (Closed School): in last year's plan but not in the Schools sheet" in notes
    assert "S2 (Beta Middle): called 'Old Beta Name' last year (renamed)" in notes
    assert "S2's cohort last year (9, T9) no longer exists" in notes
    assert "S3 (Ridge High): new since last year's plan" in notes


def test_launched_cohort_that_no_longer_exists_is_an_error(tmp_path):
    district = write_district_folder(
        tmp_path / "d", settings_patch={"current_term": "T2", "cohorts": [
            {"name": "Group 2", "launch_term": "T2"}]},
        terms=[["term", "coaches_fte"], ["T1", 20], ["T2", 20]])
    previous = tmp_path / "plan.csv"
    write_plan(previous, [["S1", "Alpha Elementary", 1, "T1", 70, ""]])
    with pytest.raises(InputError, match="S1 launched in T1, but no cohort in settings.yaml "
                                         "launches in that term"):
        plan_district(district, tmp_path / "out", previous=previous)


def test_history_of_another_district_is_refused(tmp_path):
    district = write_district_folder(tmp_path / "d")
    plan_district(district, tmp_path / "y1")
    history = tmp_path / "y1" / "history.csv"
    text = history.read_text().replace("\nd,", "\nOther County,")
    history.write_text(text)
    with pytest.raises(InputError, match="is the history of Other County, not of d"):
        plan_district(district, tmp_path / "y2", previous=tmp_path / "y1" / "plan.csv")


def test_launched_school_reason_says_it_launched():
    from dataclasses import replace

    from rollout.explain import school_reasons
    f, _ = six_schools(current_term="T2")
    f = replace(f, previous={"S1": 1, "S2": 1, "S3": 2, "S4": 2, "S5": 3, "S6": 3})
    plan = solve_plan(f)
    reasons = school_reasons(f, plan.cohort_of, plan.upgrades)
    assert reasons["S1"] == "Launched with G1 in T1; launched schools keep their cohort."
    assert "G1 has already launched" in reasons["S3"]
