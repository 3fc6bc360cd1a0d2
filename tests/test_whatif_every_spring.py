"""What-if in every spring (issue 23), on the sample's second spring with last year's plan:
compare --previous, the scenario changes (shift, place, keep_out, no_launch_in), every plan as
a file, an adopted scenario, and the hint when --previous is missing. Every plan is checked
again by the independent checker, from memory and from its file."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from rollout.checking.check import check_plan
from rollout.errors import InputError, Problems
from rollout.outputs.planfile import read_plan_csv
from rollout.pipeline import check_district_plan, plan_district
from rollout.whatif.base import load_base
from rollout.whatif.compare import compare_district
from rollout.whatif.decisions import ScenarioDecisions, resolve
from rollout.whatif.moves import DECISION
from rollout.whatif.scenarios import load_scenarios
from rollout.whatif.sweep import sweep_district
from tests.test_cli import run

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
YEAR2 = SAMPLE / "year2"
SCENARIOS = YEAR2 / "scenarios"
FILES = {"later": "high_schools_later.yaml", "cedar": "cedar_in_group2.yaml",
         "testing": "no_launch_2029_fall.yaml", "keepout": "two_schools_not_before_2029.yaml",
         "all": "combined.yaml"}


@pytest.fixture(scope="module")
def spring(tmp_path_factory):
    """Last year's plan (the sample's first spring), this spring's plan from it, and a
    comparison of every sample scenario from the same previous plan."""
    out = tmp_path_factory.mktemp("spring")
    plan_district(SAMPLE, out / "y1")
    previous = out / "y1" / "plan.csv"
    this_spring, _ = plan_district(YEAR2, out / "y2", previous=previous)
    result = compare_district(YEAR2, [(n, SCENARIOS / f) for n, f in FILES.items()],
                              out / "whatif", max_limits=0, previous=previous)
    return previous, this_spring, result, out


def outcome(result, name):
    return next(o for o in result.outcomes if o.name == name)


def test_compare_previous_base_is_plan_previous_plan(spring):
    previous, this_spring, result, out = spring
    assert result.base.facts.current_term > 0 and result.base.facts.previous
    assert result.base.plan.status == this_spring.plan.status == "optimal"
    assert result.base.plan.cohort_of == this_spring.plan.cohort_of
    assert result.base.plan.upgrades == this_spring.plan.upgrades
    assert read_plan_csv(out / "whatif" / "plans" / "base.csv", Problems()) == \
        this_spring.plan.cohort_of


def test_every_plan_is_checked_again_from_memory_and_from_its_file(spring):
    previous, _, result, out = spring
    for o in result.outcomes:
        assert o.plan is not None, (o.name, o.message)
        assert check_plan(o.facts, o.plan.cohort_of, o.plan.upgrades) == []
    plans = out / "whatif" / "plans"
    assert check_district_plan(YEAR2, plans / "base.csv", previous=previous) == []
    for name, file in FILES.items():
        assert read_plan_csv(plans / f"{name}.csv", Problems()) == \
            outcome(result, name).plan.cohort_of
        assert check_district_plan(YEAR2, plans / f"{name}.csv", previous=previous,
                                   scenario=SCENARIOS / file) == []


def test_a_shifted_group_is_later_or_named_as_unable(spring):
    _, _, result, _ = spring
    base, later = result.base.plan.cohort_of, outcome(result, "later")
    unable = " ".join(later.variant.changes)
    high = [s.school_id for s in later.facts.schools if s.level == "HS"]
    moved = [s for s in high if later.plan.cohort_of[s] == base[s] + 1]
    named = [s for s in high if s not in moved]
    assert moved and named  # some high schools are in the last group already
    for sid in named:
        assert later.plan.cohort_of[sid] >= base[sid]  # never earlier
        assert f"{sid} stays in" in unable or f"{sid} moves only" in unable \
            or f"{sid} keeps" in unable
    # Each of them explained as the scenario's decision, never as a choice.
    moves = {m.school_id: m for m in result.summaries["later"].moves}
    for sid in moved:
        assert moves[sid].kind == DECISION
        assert moves[sid].reason == (f"placed in {later.facts.cohort(base[sid] + 1).name} by "
                                     "the scenario 'High schools a term later'")


def test_nothing_launches_in_a_closed_term(spring):
    _, _, result, _ = spring
    for name in ("testing", "all"):
        o = outcome(result, name)
        closed = [c.number for c in o.facts.cohorts
                  if o.facts.term_label(c.launch_term_index) == "2029 Fall"]
        assert closed == [4]
        assert 4 in result.base.plan.cohort_of.values()
        assert 4 not in o.plan.cohort_of.values()


def test_a_placed_school_is_where_the_scenario_put_it(spring):
    _, _, result, out = spring
    for name in ("cedar", "all"):
        assert outcome(result, name).plan.cohort_of["HS003"] == 2
    assert result.base.plan.cohort_of["HS003"] != 2
    rows = {r["school_id"]: r for r in csv.DictReader(
        (out / "whatif" / "plans" / "cedar.csv").open(encoding="utf-8"))}
    assert rows["HS003"]["reasons"] == \
        "Placed in Group 2 by the scenario 'Cedar High School in Group 2'."
    assert "chose" not in rows["HS003"]["reasons"]
    # The locked school the closed term would strand is placed by the scenario too.
    assert outcome(result, "testing").plan.cohort_of["ES062"] == 5


def test_kept_out_schools_are_in_none_of_those_cohorts(spring):
    _, _, result, _ = spring
    assert {result.base.plan.cohort_of[s] for s in ("ES050", "MS030")} == {2}
    for name in ("keepout", "all"):
        cohorts = outcome(result, name).plan.cohort_of
        assert cohorts["ES050"] != 2 and cohorts["MS030"] != 2


def test_compare_writes_no_site_and_no_principal_workbooks(spring):
    _, _, _, out = spring
    assert sorted(p.name for p in (out / "whatif").iterdir()) == [
        "plans", "scenarios.csv", "scenarios.xlsx"]
    assert not (out / "whatif" / "site").exists() and not (out / "whatif" / "schools").exists()


def test_an_adopted_scenario_moves_schools_by_a_decision(spring):
    previous, _, result, out = spring
    results, _ = plan_district(YEAR2, out / "adopted", previous=previous,
                               scenario=SCENARIOS / FILES["later"])
    assert check_plan(results.facts, results.plan.cohort_of, results.plan.upgrades) == []
    assert check_district_plan(YEAR2, out / "adopted" / "plan.csv", previous=previous,
                               scenario=SCENARIOS / FILES["later"]) == []
    rows = list(csv.DictReader((out / "adopted" / "changes.csv").open(encoding="utf-8")))
    decided = [r for r in rows if "decision" in r["reason"]]
    assert decided and all(r["change"] == "moved later" for r in decided)
    assert all(r["reason"].startswith("Central-office decision: placed in Group ")
               and r["reason"].endswith("by the scenario 'High schools a term later'.")
               for r in decided)
    assert {r["school_id"] for r in decided} <= {s.school_id for s in results.facts.schools
                                                 if s.level == "HS"}
    sheet = load_workbook(out / "adopted" / "dashboard.xlsx")["Changes"]
    text = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert sum("Central-office decision" in t for t in text) == len(decided)
    site = out / "adopted" / "site"
    moved = decided[0]["school_id"]
    assert "Moved by a district decision." in (site / "schools" / f"{moved}.html").read_text(
        encoding="utf-8")
    assert "Cambió de grupo por una decisión del distrito." in (
        site / "es" / "schools" / f"{moved}.html").read_text(encoding="utf-8")
    # Never the school's choice, on any sheet.
    reasons = {r["school_id"]: r["reasons"] for r in results.rows}
    assert reasons[moved].startswith("Placed in Group ") and "chose" not in reasons[moved]


def test_sweep_with_previous_plans_this_spring(spring):
    previous, this_spring, _, out = spring
    result = sweep_district(YEAR2, [0.4, 1.0], out / "sweep", previous=previous)
    for point in result.points:
        plan = point.outcome.plan
        assert plan is not None
        assert check_plan(point.outcome.facts, plan.cohort_of, plan.upgrades) == []
        launched = [s for s, c in this_spring.plan.cohort_of.items()
                    if this_spring.facts.kept_cohort(s) is not None]
        assert all(plan.cohort_of[s] == this_spring.plan.cohort_of[s] for s in launched)
    assert not (out / "sweep" / "site").exists() and not (out / "sweep" / "schools").exists()


@pytest.mark.parametrize("command", [
    ["plan"], ["compare", "--scenario", str(SCENARIOS / FILES["cedar"])], ["sweep"]])
def test_a_replan_without_previous_says_so_at_once(tmp_path, command):
    out = tmp_path / "out"
    result = run([command[0], str(YEAR2), *command[1:], "--out", str(out)])
    assert result.exit_code == 2
    assert "current_term makes this a re-plan: pass last year's plan with --previous" in \
        result.output
    assert "No plan can meet" not in result.output and not out.exists()


def test_bad_scenario_files_give_every_problem_at_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({
        "shift": [{"schools": {"level": "HSS"}, "cohorts": 1}],
        "place": [{"schools": {"school_id": ["HS03"]}, "cohort": 9}],
        "keep_out": [{"schools": {"region": "Nroth"}, "cohorts": ["Grop 3"]}],
        "no_launch_in": ["2029 Fal"]}), encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({"place": [{"schools": {"feeder": "Cedar H"},
                                                "cohort": 2}]}), encoding="utf-8")
    out = tmp_path / "out"
    result = run(["compare", str(YEAR2), "--previous", str(SAMPLE / "nowhere.csv"),
                  "--scenario", f"bad={bad}", "--scenario", f"other={other}",
                  "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    for expected in [
            "nowhere.csv: previous plan not found",
            "key 'shift.0.schools.level': 'HSS' is not a level of the district; did you mean "
            "'HS'?",
            "key 'place.0.schools.school_id': 'HS03' is not a school_id of the district; did "
            "you mean 'HS003'?",
            "key 'place.0.cohort': there is no cohort 9",
            "key 'keep_out.0.schools.region': 'Nroth' is not a region of the district; did you "
            "mean 'North'?",
            "key 'keep_out.0.cohorts': 'Grop 3' is not a cohort of the district; did you mean "
            "'Group 3'?",
            "key 'no_launch_in.0': '2029 Fal' is not a term of the district; did you mean "
            "'2029 Fall'?",
            "key 'place.0.schools.feeder': 'Cedar H' is not a feeder of the district; did you "
            "mean 'Cedar HS'?"]:
        assert expected in result.output, result.output


def test_conflicting_decisions_are_input_errors(spring):
    previous, _, result, _ = spring
    base = load_base(YEAR2, previous=previous)
    problems = Problems()
    spec = ScenarioDecisions.model_validate({
        "no_launch_in": ["2029 Fall"],
        "place": [{"schools": {"school_id": "HS003"}, "cohort": 4},
                  {"schools": {"school_id": "ES040"}, "cohort": 3}]})
    resolved = resolve(base.facts, spec, "the scenario 'x'", result.base.plan.cohort_of, "x",
                       problems)
    text = "\n".join(map(str, problems.items))
    assert "HS003 cannot be placed in Group 4: nothing launches in 2029 Fall" in text
    assert "ES062 (Park Springs Elementary School) is left no cohort it may be in" in text
    assert "ES040 keeps Group 2 (launched)" in resolved.unmoved  # launched early: not placed
    assert "ES040" not in {p.school_id for p in resolved.decisions.pins}


def test_a_pick_by_cohort_means_the_base_plans_cohort(spring, tmp_path):
    previous, _, result, _ = spring
    base = load_base(YEAR2, previous=previous)
    file = tmp_path / "g2.yaml"
    file.write_text(yaml.safe_dump({"keep_out": [{"schools": {"cohort": "Group 2",
                                                              "level": "MS"},
                                                  "cohorts": 2}]}), encoding="utf-8")
    [variant] = load_scenarios(base.facts, [("g2", file)])
    assert variant.pending is not None  # resolved once the base plan is known
    with pytest.raises(InputError):  # a cohort that does not exist, found before solving
        bad = tmp_path / "bad.yaml"
        bad.write_text(yaml.safe_dump({"keep_out": [{"schools": {"cohort": 8},
                                                     "cohorts": 2}]}), encoding="utf-8")
        load_scenarios(base.facts, [("bad", bad)])


def test_the_same_comparison_writes_the_same_plan_files(spring, tmp_path):
    previous, _, _, out = spring
    specs = [(n, SCENARIOS / FILES[n]) for n in ("later", "testing")]
    for again in ("a", "b"):
        compare_district(YEAR2, specs, tmp_path / again, max_limits=0, previous=previous)
    files = sorted(p.name for p in (tmp_path / "a" / "plans").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b" / "plans").iterdir())
    for name in files:
        assert (tmp_path / "a" / "plans" / name).read_bytes() == \
            (tmp_path / "b" / "plans" / name).read_bytes(), name
    # ... and the same as in the comparison with every scenario (same base, same decisions).
    assert (tmp_path / "a" / "plans" / "later.csv").read_bytes() == \
        (out / "whatif" / "plans" / "later.csv").read_bytes()


def test_plan_with_a_bad_scenario_and_a_missing_previous_plan_says_both(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("place: [{schools: {level: Highschool}, cohort: 2}]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(["plan", str(YEAR2), "--previous", str(tmp_path / "none.csv"), "--scenario",
                  str(bad), "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert "none.csv: previous plan not found" in result.output
    assert "'Highschool' is not a level of the district" in result.output
