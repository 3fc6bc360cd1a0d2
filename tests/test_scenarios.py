"""What-if scenarios, the need-weight sweep and binding limits (issue 8): a scenario's overrides
reach the model, every plan passes the independent checker, bad scenario files are clear errors."""
from __future__ import annotations

import csv
import random
import time

import pytest
import yaml
from openpyxl import load_workbook

from rollout.checking.check import check_plan
from rollout.domain import CapacityChange, NetworkNode
from rollout.errors import InputError, Problems
from rollout.outputs.atomic import write_atomically
from rollout.outputs.scenarios_workbook import write_scenarios_workbook
from rollout.outputs.sweep_workbook import write_sweep_workbook
from rollout.safe import xlsx_problems
from rollout.whatif.compare import compare
from rollout.whatif.jobs import INFEASIBLE
from rollout.whatif.scenarios import Variant, apply_overrides, describe_changes, load_scenarios
from rollout.whatif.sweep import parse_weights, sweep
from tests.factory import facts, school, write_district_folder
from tests.test_cli import run
from tests.test_export import CLOCK_TICK

THREE_TERMS = ("T1", "T2", "T3")
THREE_COHORTS = [{"name": "G1", "launch_term": "T1"}, {"name": "G2", "launch_term": "T2"},
                 {"name": "G3", "launch_term": "T3"}]


def alike(seed: int, coaches=(2, 2, 100), count: int = 8, terms=THREE_TERMS,
          cohorts=THREE_COHORTS, **kw):
    """Schools of one size (1 coaching FTE each at launch) with random need and readiness:
    coaching decides how many launch each term, priority decides which."""
    rng = random.Random(seed)
    ids = [f"S{i}" for i in range(count)]
    return facts([school(s) for s in ids], terms=terms, coaches=list(coaches), cohorts=cohorts,
                 need={s: rng.uniform(5, 95) for s in ids},
                 readiness={s: rng.uniform(5, 95) for s in ids}, **kw)


def variant(base, patch, name="what-if"):
    problems = Problems()
    f = apply_overrides(base, patch, f"{name}.yaml", problems)
    assert not problems, problems.items
    return Variant(name, f, changes=describe_changes(base, f))


def assert_checked(outcome):
    assert outcome.plan is not None, outcome.message
    assert check_plan(outcome.facts, outcome.plan.cohort_of, outcome.plan.upgrades) == []


@pytest.mark.parametrize("seed", range(4))
def test_more_coaches_never_launch_fewer_schools_early(seed):
    base = alike(seed)
    more = variant(base, {"coaches_fte_delta": {"all": 1}})
    result = compare(base, [more], time_limit=10, workers=1, max_limits=0)
    for outcome in result.outcomes:
        assert outcome.status == "optimal"
        assert_checked(outcome)
    before = result.summaries["Base plan"].launched_by_term
    after = result.summaries["what-if"].launched_by_term
    assert all(a >= b for a, b in zip(after, before)), (before, after)
    assert after[0] > before[0]  # the extra coach reached the model ...
    scenario_plan = result.scenarios[0].plan
    assert check_plan(base, scenario_plan.cohort_of)  # ... and the plan needs it
    assert scenario_plan.objective >= result.base.plan.objective


@pytest.mark.parametrize("seed", range(4))
def test_need_weight_one_never_gives_lower_mean_need_in_cohort_one(seed):
    base = alike(seed, need_weight=0.5)
    result = sweep(base, [0.0, 1.0], time_limit=10, workers=1)
    by_weight = {p.need_weight: p for p in result.points}
    assert sorted(by_weight) == [0.0, 0.5, 1.0] and by_weight[0.5].current
    for point in result.points:
        assert_checked(point.outcome)
        assert point.outcome.facts.settings.need_weight == point.need_weight
    assert by_weight[1.0].first.mean_need >= by_weight[0.0].first.mean_need
    assert by_weight[0.0].first.mean_readiness >= by_weight[1.0].first.mean_readiness


def hub_limited():
    """Two schools of 1,000 students behind a hub that carries only one launched school until
    its committed upgrade in T3."""
    return facts([school("A", students=1000), school("B", students=1000)], terms=THREE_TERMS,
                 cohorts=THREE_COHORTS, nodes=[NetworkNode("HUB", None, 1100)],
                 capacity_plan=[CapacityChange("HUB", 2, 2000)])


@pytest.mark.parametrize("patch", [
    {"capacity_plan": [{"link": "HUB", "term": "T1", "capacity_mbps": 2000}]},
    {"link_mbps_delta": {"HUB": 1000}}])
def test_network_overrides_reach_the_model(patch):
    base = hub_limited()
    more = variant(base, patch)
    result = compare(base, [more], time_limit=10, workers=1, max_limits=0)
    assert sorted(result.base.plan.cohort_of.values()) == [1, 3]
    assert sorted(result.scenarios[0].plan.cohort_of.values()) == [1, 1]
    assert_checked(result.scenarios[0])
    assert {v.rule for v in check_plan(base, result.scenarios[0].plan.cohort_of)} == \
        {"Link capacity"}
    assert any(c.startswith("HUB: ") for c in more.changes)


def test_a_scenario_without_a_plan_is_reported_beside_the_others():
    base = alike(0)
    none = variant(base, {"coaches_fte": {"all": 1}}, "too few")
    result = compare(base, [none], time_limit=10, workers=1, max_limits=0)
    assert result.scenarios[0].status == INFEASIBLE
    assert "coaching FTE in T1 (1 available)" in result.scenarios[0].message
    assert "too few" not in result.summaries and "Base plan" in result.summaries


def test_settings_patch_merges_into_nested_settings_and_is_described():
    base = alike(0)
    f = variant(base, {"coaching": {"teachers_per_coach": 5}, "cohort_size": {"max": 4}}).facts
    assert f.settings.coaching.teachers_per_coach == 5
    assert f.settings.coaching.load_profile == base.settings.coaching.load_profile
    assert f.settings.cohort_size.min == base.settings.cohort_size.min
    assert f.district.terms == base.district.terms
    changes = describe_changes(base, f)
    assert "coaching.teachers_per_coach: 10 -> 5" in changes
    assert "cohort_size.max: 10 -> 4" in changes
    with_coaches = variant(base, {"coaches_fte": {"T1": 7}, "coaches_fte_delta": {"all": 1}})
    assert [t.coaches_fte for t in with_coaches.facts.district.terms] == [8, 3, 101]
    assert base.district.terms[0].coaches_fte == 2  # the base is untouched


def write_yaml(path, data):
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_every_problem_in_every_scenario_file_is_reported_at_once(tmp_path):
    base = alike(0)
    bad = write_yaml(tmp_path / "bad.yaml", {
        "need_wieght": 1, "need_weight": "high", "coaching": {"coach_hours": 3},
        "coaches_fte": {"T9": 3}, "capacity_plan": [{"link": "NOWHERE", "term": "T1",
                                                      "capacity_mbps": 5}],
        "coaches_fte_delta": {"T2": -5}})
    worse = write_yaml(tmp_path / "worse.yaml", {"capacity_plan": [{"link": "HUB"}],
                                                 "cohorts": [{"name": "X", "launch_term": "T7"}]})
    (tmp_path / "broken.yaml").write_text("need_weight: [", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenarios(base, [("a", bad), ("b", worse), ("c", tmp_path / "broken.yaml"),
                              ("base", tmp_path / "missing.yaml")])
    text = caught.value.user_message()
    for expected in [
            f"{bad}: need_wieght: unknown; did you mean need_weight?",
            f"{bad}: need_weight: must be a number, e.g. 0.5 (found 'high')",
            f"{bad}: coaching: coach_hours: unknown; the keys here are ",
            f"{bad}: coaches_fte: 'T9' is not a term of the Terms sheet; the terms are T1, T2, "
            "T3",
            f"{bad}: capacity_plan, entry 1, link: 'NOWHERE' is not a link of the district",
            f"{bad}: coaches_fte_delta: leaves -3 coaching FTE in T2",
            f"{worse}: capacity_plan, entry 1, term: is required but missing",
            f"{worse}: cohorts, entry 1, launch_term: 'T7' is not a term of the Terms sheet",
            "broken.yaml: is not valid YAML at line 1",
            "scenario name 'base' must be given, unique and not 'base'",
            "missing.yaml: file not found"]:
        assert expected in text, text


def test_binding_limits_name_the_coaching_term_and_what_one_more_coach_buys():
    base = alike(1, coaches=(2, 100), count=4, cohorts=THREE_COHORTS[:2], terms=("T1", "T2"))
    result = compare(base, [], time_limit=10, workers=1)
    limits = {r.candidate.limit: r for r in result.limits}
    assert set(limits) == {"coaching in T1"}  # T2 is far from full: not a candidate
    best = result.limits[0]
    assert best.proven and best.needs_unit
    assert len(best.summary.earlier) == 1 and not best.summary.later
    assert best.net_steps_earlier == 1
    (school_id,) = best.summary.earlier
    assert best.gain == pytest.approx(base.priorities[school_id], abs=0.1)
    assert_checked(best.outcome)


def test_limit_that_buys_nothing_says_so():
    base = alike(2, coaches=(2, 100), count=4, cohorts=THREE_COHORTS[:2], terms=("T1", "T2"),
                 cohort_size={"min": 0, "max": 2})
    result = compare(base, [], time_limit=10, workers=1)
    limits = {r.candidate.limit: r for r in result.limits}
    # Coaching and the cohort size both hold Group 1 at two schools: one more of either alone
    # launches nobody earlier.
    assert set(limits) == {"coaching in T1", "cohort size maximum (2 schools)"}
    for r in limits.values():
        assert r.gain == 0 and not r.needs_unit
        assert r.buys() == "nothing: the best plan found does not need it"


@pytest.mark.parametrize("text, weights", [("0:1:0.25", [0, 0.25, 0.5, 0.75, 1]),
                                           ("0.2,0,1", [0, 0.2, 1]), ("0.3:0.3:0.1", [0.3])])
def test_parse_weights(text, weights):
    assert parse_weights(text) == weights


@pytest.mark.parametrize("text", ["0:2:0.5", "1:0:0.1", "a,b", "0:1", "0:1:0", ""])
def test_parse_weights_rejects(text):
    with pytest.raises(ValueError):
        parse_weights(text)


def test_failed_write_leaves_no_file_and_keeps_earlier_outputs(tmp_path):
    (tmp_path / "a.csv").write_text("earlier")

    def fails(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(tmp_path, {"a.csv": lambda p: p.write_text("new"), "b.xlsx": fails})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    assert (tmp_path / "a.csv").read_text() == "earlier"


def test_the_same_comparison_and_sweep_give_the_same_workbook_bytes(tmp_path):
    base = alike(0)
    comparison = compare(base, [variant(base, {"coaches_fte_delta": {"all": 1}})],
                         time_limit=5, workers=1, max_limits=0)
    swept = sweep(base, [0.0, 1.0], time_limit=5, workers=1)
    first, second = tmp_path / "first", tmp_path / "second"

    def write(folder):
        folder.mkdir()
        write_scenarios_workbook(comparison, folder / "scenarios.xlsx")
        write_sweep_workbook(swept, folder / "sweep.xlsx")

    write(first)
    time.sleep(CLOCK_TICK)
    write(second)
    for name in ("scenarios.xlsx", "sweep.xlsx"):
        assert xlsx_problems(first / name) == []
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# ---- the commands ------------------------------------------------------------------------

def test_compare_writes_workbook_and_csv_side_by_side(tmp_path):
    district = write_district_folder(tmp_path / "d")
    fewer = write_yaml(tmp_path / "fewer.yaml", {"description": "=HYPERLINK(\"x\")",
                                                 "coaches_fte": {"T1": 3}})
    need = write_yaml(tmp_path / "need.yaml", {"need_weight": 1})
    out = tmp_path / "out"
    result = run(["compare", str(district), "--scenario", f"fewer={fewer}", "--scenario",
                  f"@need={need}", "--out", str(out), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "fewer" in result.stdout and "plans in" in result.stderr
    lines = result.stdout.splitlines()
    fewer_at = next(i for i, line in enumerate(lines) if line.startswith("fewer ("))
    assert lines[fewer_at].endswith("400 students (21%) in 1 school (33%) launched; cohorts of "
                                    "1, 2 schools")
    assert lines[fewer_at + 1].endswith("; 2 schools move (0 earlier, 2 later)")
    assert sorted(p.name for p in out.iterdir()) == ["plans", "scenarios.csv", "scenarios.xlsx"]
    # --details: each moved school with the solver's reason: fewer coaches push two out of T1.
    detailed = run(["compare", str(district), "--scenario", f"fewer={fewer}", "--out",
                    str(tmp_path / "again"), "--time-limit", "5", "--limits", "0", "--details"])
    assert "fewer: 2 school(s) moved" in detailed.stdout
    assert sum(line.startswith("  S") and "Group 1 -> " in line and
               "its base place breaks coaching FTE in T1" in line
               for line in detailed.stdout.splitlines()) == 2
    # Every plan as a file in plan.csv's columns, its upgrades beside it (issue 23).
    assert sorted(p.name for p in (out / "plans").iterdir()) == [
        "_need.csv", "_need.upgrades.csv", "base.csv", "base.upgrades.csv", "fewer.csv",
        "fewer.upgrades.csv"]
    wb = load_workbook(out / "scenarios.xlsx")
    assert wb.sheetnames == ["Summary", "Launches", "Cohorts", "Capacity", "Upgrades", "Moves",
                             "Binding limits", "Notes", "Details"]
    summary = wb["Summary"]
    assert [c.value for c in summary[4]] == ["Measure", "Base plan", "fewer", "'@need"]
    changes = summary.cell(row=5, column=3).value
    assert changes.startswith("'=HYPERLINK") and "coaches in T1: 20 -> 3 FTE" in changes
    assert summary._charts and wb["Cohorts"]._charts
    rows = {r[0]: r[1:] for r in csv.reader((out / "scenarios.csv").open(encoding="utf-8"))}
    assert rows["measure"] == ["Base plan", "fewer", "'@need"]
    assert rows["Objective (priority points)"][0]  # the solver's figures: at the end
    groups = [rows[k] for k in rows if k.startswith("Schools in Group")]
    assert [sum(int(g[i]) for g in groups) for i in range(3)] == [3, 3, 3]
    assert groups[0][:2] == ["3", "1"]  # 3 coaches in T1 launch only S1 (2.5 FTE) there


def test_compare_with_a_bad_scenario_exits_2_and_writes_nothing(tmp_path):
    district = write_district_folder(tmp_path / "d")
    bad = write_yaml(tmp_path / "bad.yaml", {"coachs_fte": {"T1": 3}, "need_weight": 2})
    out = tmp_path / "out"
    result = run(["compare", str(district), "--scenario", f"x={bad}", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{bad}: coachs_fte: unknown; did you mean coaches_fte?" in result.output
    assert f"{bad}: need_weight: must be 1 or less (found 2)" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_sweep_writes_workbook_and_csv_with_the_current_setting_marked(tmp_path):
    district = write_district_folder(tmp_path / "d")
    out = tmp_path / "out"
    result = run(["sweep", str(district), "--need-weight", "0:1:0.5", "--out", str(out),
                  "--time-limit", "5", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "<- current setting" in result.output
    rows = list(csv.DictReader((out / "sweep.csv").open(encoding="utf-8")))
    assert [r["need_weight"] for r in rows] == ["0", "0.5", "1"]
    assert [r["current"] for r in rows] == ["", "yes", ""]
    assert all(r["status"] == "optimal" for r in rows)
    wb = load_workbook(out / "sweep.xlsx")
    assert wb.sheetnames == ["Trade-off", "Notes", "Details"]
    assert len(wb["Trade-off"]._charts) == 2
    bad = run(["sweep", str(district), "--need-weight", "0:2:0.5", "--out", str(out)])
    assert bad.exit_code == 2 and "between 0 and 1" in bad.output
