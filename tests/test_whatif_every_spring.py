"""What-if in every spring (issue 23), on the sample's second spring with last year's plan:
compare --previous, the scenario changes (shift, place, keep_out, no_launch_in), every plan as
a file, an adopted scenario, and the hint when --previous is missing. Every plan is checked
again by the independent checker, from memory and from its file."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from rollout.checking.check import check_plan
from rollout.errors import InputError, Problems
from rollout.outputs import whatif_words
from rollout.outputs.planfile import read_plan_csv
from rollout.outputs.dashboard_view import DashboardView
from rollout.outputs.principal_view import phases
from rollout.outputs.results import planned_too_late
from rollout.pipeline import check_district_plan, plan_district
from rollout.whatif.base import load_base
from rollout.whatif.compare import compare_district
from rollout.whatif.decisions import ScenarioDecisions, resolve
from rollout.whatif.limits import binding_candidates
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
        # "first cohort" means the first still to come: Group 1 has launched
        first = [s for s, c in plan.cohort_of.items()
                 if c == 2 and not this_spring.facts.has_withdrawn(s)]
        assert point.first.schools == len(first)
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
            "shift, entry 1, schools: level: 'HSS' is not a level of the district; did you mean "
            "'HS'?",
            "place, entry 1, schools: school_id: 'HS03' is not a school_id of the district; did "
            "you mean 'HS003'?",
            "place, entry 1, cohort: there is no cohort 9",
            "keep_out, entry 1, schools: region: 'Nroth' is not a region of the district; did you "
            "mean 'North'?",
            "keep_out, entry 1, cohorts: 'Grop 3' is not a cohort of the district; did you mean "
            "'Group 3'?",
            "no_launch_in, entry 1: '2029 Fal' is not a term of the district; did you mean "
            "'2029 Fall'?",
            "place, entry 1, schools: feeder: 'Cedar H' is not a feeder of the district; did you "
            "mean 'Cedar HS'?"]:
        assert expected in result.output, result.output


def test_conflicting_decisions_are_named_with_what_to_write(spring):
    previous, _, result, _ = spring
    base = load_base(YEAR2, previous=previous)
    problems = Problems()
    spec = ScenarioDecisions.model_validate({
        "no_launch_in": ["2029 Fall"],
        "place": [{"schools": {"school_id": "HS003"}, "cohort": 4},
                  {"schools": {"school_id": "ES040"}, "cohort": 3}]})
    resolved = resolve(base.facts, spec, "the scenario 'x'", result.base.plan.cohort_of, "x",
                       problems)
    assert not problems  # no slip in the file: an answer, "no plan", with what to write
    text = "\n".join(resolved.conflicts)
    assert "HS003 (Cedar High School) cannot be placed in Group 4: nothing launches in 2029 " \
        "Fall: place it in a cohort it may be in, for example place: [{schools: {school_id: " \
        "HS003}, cohort: " in text
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


NO_FALL_ALONE = {"description": "Nothing in 2029 Fall", "no_launch_in": ["2029 Fall"]}
NO_COHORT_FOR_ES062 = (
    "ES062 (Park Springs Elementary School) is left no cohort it may be in (Group 1 has "
    "launched; it is locked to Group 4 (Preferences sheet); nothing launches in 2029 Fall): "
    "decide for it with place:, for example place: [{schools: {school_id: ES062}, cohort: 5}]")


def test_a_scenario_whose_decisions_leave_no_plan_is_answered_beside_the_others(spring,
                                                                               tmp_path):
    previous, _, _, _ = spring
    alone = tmp_path / "nofall.yaml"
    alone.write_text(yaml.safe_dump(NO_FALL_ALONE), encoding="utf-8")
    out = tmp_path / "out"
    answer = run(["compare", str(YEAR2), "--previous", str(previous), "--limits", "0",
                  "--scenario", f"nofall={alone}",
                  "--scenario", f"cedar={SCENARIOS / FILES['cedar']}", "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    assert "nofall (Nothing in 2029 Fall): No plan possible: the scenario's decisions " \
        "conflict: " + NO_COHORT_FOR_ES062 in answer.output
    plans = out / "plans"
    assert sorted(p.name for p in plans.glob("*.csv")) == [
        "base.csv", "base.upgrades.csv", "cedar.csv", "cedar.upgrades.csv"]
    assert check_district_plan(YEAR2, plans / "cedar.csv", previous=previous,
                               scenario=SCENARIOS / FILES["cedar"]) == []
    sheet = load_workbook(out / "scenarios.xlsx")["Summary"]
    assert any(NO_COHORT_FOR_ES062 in str(c.value) for row in sheet.iter_rows() for c in row)


def test_a_typo_still_stops_every_scenario(spring, tmp_path):
    previous, _, _, _ = spring
    alone, typo = tmp_path / "nofall.yaml", tmp_path / "typo.yaml"
    alone.write_text(yaml.safe_dump(NO_FALL_ALONE), encoding="utf-8")
    typo.write_text(yaml.safe_dump({"no_launch_in": ["2029 Fal"]}), encoding="utf-8")
    answer = run(["compare", str(YEAR2), "--previous", str(previous), "--limits", "0",
                  "--scenario", f"nofall={alone}", "--scenario", f"typo={typo}",
                  "--out", str(tmp_path / "out")])
    assert answer.exit_code == 2 and not (tmp_path / "out").exists()
    assert "did you mean '2029 Fall'?" in answer.output


def test_adopting_a_scenario_that_leaves_no_plan_says_what_to_write(spring, tmp_path):
    previous, _, _, _ = spring
    alone = tmp_path / "nofall.yaml"
    alone.write_text(yaml.safe_dump(NO_FALL_ALONE), encoding="utf-8")
    answer = run(["plan", str(YEAR2), "--previous", str(previous), "--scenario", str(alone),
                  "--out", str(tmp_path / "out")])
    assert answer.exit_code == 2 and not (tmp_path / "out").exists()
    assert NO_COHORT_FOR_ES062 in answer.output


def test_every_slip_in_a_scenario_file_is_said_at_once_in_plain_words(spring, tmp_path):
    previous, _, _, _ = spring
    typos = tmp_path / "typos.yaml"
    typos.write_text(
        "nead_weight: 0.5\n"
        "coaches_fte_delta: {2030 Sprng: 2}\n"
        "place: [{schools: {school_id: [HS099], nmae: Cedar}, cohort: Group 2}]\n"
        "shift: [{schools: {level: High}, cohorts: 1}]\n"
        "no_launch_in: [\"Fall 2029\"]\n", encoding="utf-8")
    answer = run(["compare", str(YEAR2), "--previous", str(previous), "--scenario",
                  f"t={typos}", "--out", str(tmp_path / "out")])
    assert answer.exit_code == 2 and not (tmp_path / "out").exists()
    for expected in [
            "nead_weight: unknown; did you mean need_weight?",
            "coaches_fte_delta: '2030 Sprng' is not a term of the Terms sheet; did you mean "
            "'2030 Spring'?",
            "place, entry 1, schools: nmae: unknown; did you mean name?",
            "place, entry 1, schools: school_id: 'HS099' is not a school_id of the district",
            "shift, entry 1, schools: level: 'High' is not a level of the district; did you "
            "mean 'HS'?",
            "no_launch_in, entry 1: 'Fall 2029' is not a term of the district; did you mean "
            "'2029 Fall'?"]:
        assert f"{typos}: {expected}" in answer.output, answer.output
    assert "key '" not in answer.output


def test_compare_counts_a_cohort_as_plan_does(spring):
    _, this_spring, result, _ = spring
    withdrawn = [r for r in this_spring.rows if r["status"] == "withdrawn"]
    assert withdrawn  # the sample's second spring has a withdrawn school: it takes no place
    summary = result.summaries[result.base.name]
    assert [g.schools for g in summary.cohorts] == [
        len(this_spring.cohort_rows(c.number)) for c in this_spring.facts.cohorts]


def test_compare_counts_agree_and_say_how_withdrawn_and_paused_schools_count(spring):
    """The cohorts add up to the schools launched by the last term, as the dashboard counts
    them (a withdrawn school in none, a paused one in its cohort), and the terminal says so."""
    _, this_spring, result, out = spring
    facts, summary = this_spring.facts, result.summaries[result.base.name]
    withdrawn = [r["school_id"] for r in this_spring.rows if r["status"] == "withdrawn"]
    paused = [r["school_id"] for r in this_spring.rows if r["status"] == "paused"]
    assert len(withdrawn) == summary.withdrawn == 1 and len(paused) == summary.paused == 1
    assert summary.launched_by_term[-1] == sum(g.schools for g in summary.cohorts) == \
        summary.schools == len(this_spring.rows) - 1
    group = facts.cohort(this_spring.plan.cohort_of[withdrawn[0]]).number
    assert summary.cohorts[group - 1].withdrawn == 1
    dashboard = DashboardView(this_spring).term_summaries
    assert summary.launched_by_term == [t.launched_by for t in dashboard]
    lines = whatif_words.comparison_lines(result, out / "whatif")
    assert lines[1] == ("Counts leave out 1 withdrawn school (no place in a cohort, no launch); "
                        "1 paused school counts in its cohort and as launched (a paused school "
                        "keeps its place).")
    assert all(re.fullmatch(r"[\d,]+\.\d", n) for line in lines
               for n in re.findall(r"term ([\d,.]+) of", line))


def test_past_terms_are_history_in_a_what_if(spring, tmp_path):
    previous, _, _, _ = spring
    out = tmp_path / "out"
    result = compare_district(YEAR2, [("coaches", SAMPLE / "scenarios" / "two_more_coaches.yaml"),
                                      ("later", SCENARIOS / FILES["later"])],
                              out, max_limits=0, previous=previous)
    base, coaches = result.base.facts, outcome(result, "coaches")
    past = [t.index for t in base.district.terms if base.is_history(t.index)]
    assert past  # the second spring: 2027 Fall and 2028 Spring are history
    for old, new in zip(base.district.terms, coaches.facts.district.terms):
        assert new.coaches_fte == old.coaches_fte + (0 if old.index in past else 2)
    assert "coaches: +2 FTE in every term still to come" in coaches.variant.changes
    for o in result.outcomes:
        assert check_plan(o.facts, o.plan.cohort_of, o.plan.upgrades) == []
        assert result.summaries[o.name].peak_coaching()[1] not in past
    sheet = load_workbook(out / "scenarios.xlsx")["Summary"]
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Mean need of Group 2" in labels and "Mean need of Group 1" not in labels
    busiest = next(row for row in sheet.iter_rows(values_only=True)
                   if row[0] == "Busiest coaching term")
    assert not {"2027 Fall", "2028 Spring"} & set(busiest[1:])


def test_an_adopted_placement_says_what_really_happened(spring, tmp_path):
    """MS023 placed in Group 2 (launching this term): its planning term has passed, and HS011
    moves later only because MS023 left Group 5 (too small without HS011)."""
    previous, _, _, _ = spring
    laurel = tmp_path / "laurel.yaml"
    laurel.write_text(yaml.safe_dump({"description": "Laurel Middle School in Group 2",
                                      "place": [{"schools": {"school_id": "MS023"},
                                                 "cohort": 2}]}), encoding="utf-8")
    out = tmp_path / "adopted"
    results, _ = plan_district(YEAR2, out, previous=previous, scenario=laurel)
    facts, plan = results.facts, results.plan
    assert check_plan(facts, plan.cohort_of, plan.upgrades) == []
    assert plan.cohort_of["MS023"] == 2 and facts.launch_term_of(2) == facts.current_term
    school = facts.district.school_by_id["MS023"]
    shown = phases(facts, school, 2)
    past = {facts.term_label(t) for t in range(facts.current_term)}
    assert not past & {p.term for p in shown}
    planning = next(p for p in shown if p.phase == "Planning")
    assert planning.term == "2028 Fall, with the launch"
    assert "compressed into the launch term" in planning.what
    # the dashboard's schools-in-planning count of that past term leaves MS023 out too
    view = DashboardView(results)
    told_group2 = [r for r in results.rows if r["cohort"] == 2
                   and facts.previous.get(r["school_id"]) == 2
                   and not facts.has_withdrawn(r["school_id"])
                   # ES040 launched early, in 2028 Spring: it was launching, not planning
                   and facts.actual_launch_term(r["school_id"]) is None]
    assert view.term_summaries[facts.current_term - 1].planning >= len(told_group2)
    assert planned_too_late(facts, "MS023", 2, facts.current_term - 1)
    assert not any(planned_too_late(facts, r["school_id"], 2, facts.current_term - 1)
                   for r in told_group2)
    rows = {r["school_id"]: r for r in csv.DictReader((out / "changes.csv").open(
        encoding="utf-8"))}
    knock_on = rows["HS011"]["reason"]
    assert knock_on.startswith("Cohort sizes after a district decision moved 1 other school "
                               "out of Group 5")
    assert "Laurel" not in knock_on  # the scenario's name is about another school
    assert "Capacity changed" not in knock_on and "new scores" not in knock_on
    assert "MS023" not in knock_on  # HS011's principal sees only their own school
    page = (out / "site" / "schools" / "HS011.html").read_text(encoding="utf-8")
    assert "Its new survey results changed its place" not in page


def test_solver_words_stay_on_details_and_about(spring):
    _, _, _, out = spring
    book = load_workbook(out / "y2" / "dashboard.xlsx")
    first_page = " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True)
                          for c in row if c)
    assert "Plan: the best possible plan (proven)." in first_page
    assert not {"objective", "bound", "optimal"} & set(first_page.lower().replace(";", " ")
                                                       .replace(",", " ").split())
    about = " ".join(str(c) for row in book["About"].iter_rows(values_only=True)
                     for c in row if c)
    assert "Solver figures" in about and "objective" in about
    scenarios = load_workbook(out / "whatif" / "scenarios.xlsx")
    for sheet in scenarios.worksheets:
        text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
        assert ("budget of" in text) == (sheet.title == "Details"), sheet.title


def test_binding_limits_are_said_without_a_sign_excel_would_quote(spring):
    _, _, result, _ = spring
    units = [c.unit for c in binding_candidates(result.base.facts, result.base.plan, 0.0)]
    assert any(u.startswith("1 more coaching FTE in ") for u in units)
    assert not [u for u in units if u[:1] in "+-=@"]


def test_the_moves_sheet_prints_two_scenarios_a_page_with_its_header(spring):
    _, _, result, out = spring
    sheet = load_workbook(out / "whatif" / "scenarios.xlsx")["Moves"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 3  # 5 scenarios, two a page
    assert sheet.print_title_rows and sheet.print_title_cols == "$A:$B"


def test_check_writes_nothing_so_does_not_say_so(spring, tmp_path):
    previous, _, _, _ = spring
    answer = run(["check", str(YEAR2), str(tmp_path / "nowhere.csv"), "--previous",
                  str(previous)])
    assert answer.exit_code == 2 and "problem in the input." in answer.output
    assert "nothing was written" not in answer.output


def test_the_sample_and_readme_say_what_the_tool_prints(spring, tmp_path):
    previous, _, result, _ = spring
    lines = whatif_words.comparison_lines(result, tmp_path)
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert lines[1] in readme and lines[2] in readme  # the base plan's two lines
    file = SCENARIOS / FILES["testing"]
    said = re.search(r"smallest relaxation \((\+[\d.]+ coaching FTE)\s+#?\s*in (\d{4} \w+)\)",
                     file.read_text(encoding="utf-8"))
    stripped = tmp_path / "no_fall_alone.yaml"
    stripped.write_text("".join(line for line in file.read_text(encoding="utf-8")
                                .splitlines(keepends=True)
                                if not line.startswith("coaches_fte_delta")), encoding="utf-8")
    answer = compare_district(YEAR2, [("nofall", stripped)], tmp_path / "out", max_limits=0,
                              previous=previous)
    assert f"{said[1]} in {said[2]}" in outcome(answer, "nofall").message


def test_a_scenario_term_written_another_way_gets_the_districts_spelling():
    from rollout.whatif.scenario_keys import term_guess

    labels = ["2028 Spring", "2028 Fall", "2029 Spring", "2029 Fall"]
    assert term_guess("Autumn 2029", labels) == "2029 Fall"  # a season word of its own
    assert term_guess("spring 2029", labels) == "2029 Spring"
    assert term_guess("Semester 9", labels) is None


def test_a_list_where_one_value_goes_is_one_plain_problem(spring, tmp_path):
    previous, _, _, _ = spring
    listed = tmp_path / "listed.yaml"
    listed.write_text("place: [{schools: {level: ES}, cohort: [2, 3]}]\n", encoding="utf-8")
    answer = run(["compare", str(YEAR2), "--previous", str(previous), "--scenario",
                  f"l={listed}", "--out", str(tmp_path / "out")])
    assert answer.exit_code == 2
    said = [line for line in answer.output.splitlines() if str(listed) in line]
    assert said == [f"  - {listed}: place, entry 1, cohort: must be one value, not a list"], said
