"""What really happened (the Launches sheet): each rule on a small district built here, every
plan checked by the independent checker, and the sheet validated like every other."""
from __future__ import annotations

import csv
import zipfile
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from rollout.checking.check import check_plan, compute_usage
from rollout.errors import InfeasiblePlanError, InputError
from rollout.explain import school_reasons, solve_or_diagnose
from rollout.pipeline import plan_district
from rollout.planning.solve import solve_plan
from rollout.scoring.inputs import load_inputs
from tests.factory import facts, school, write_district_folder

TERMS = ("T1", "T2", "T3", "T4")
COHORTS = [{"name": "G1", "launch_term": "T1"}, {"name": "G2", "launch_term": "T2"},
           {"name": "G3", "launch_term": "T3"}]
# Coaching: a launch term at full load, the next at half. T1 is history (current_term T2).
PROFILE = {"teachers_per_coach": 10, "load_profile": {0: 1.0, 1: 0.5}}
TOLD = {"S1": 1, "S2": 1, "S3": 2, "S4": 2, "S5": 3, "S6": 3}


def district(launches=(), coaches=(10.0, 10.0, 10.0, 10.0), size_max=6, size_min=0, **kw):
    schools = [school(f"S{i}", teachers=10) for i in range(1, 7)]
    return facts(schools, readiness={f"S{i}": 90.0 - i for i in range(1, 7)}, terms=TERMS,
                 cohorts=COHORTS, coaches=list(coaches), coaching=PROFILE,
                 cohort_size={"min": size_min, "max": size_max}, current_term="T2", churn_weight=5,
                 launches=launches, previous=TOLD, **kw)


def solved(f):
    plan = solve_plan(f)
    assert check_plan(f, plan.cohort_of, plan.upgrades) == []
    return plan


def test_a_delayed_school_gets_a_cohort_to_come_and_frees_its_old_coaching():
    f = district(launches=[("S2", "delayed", "T1")])
    plan = solved(f)
    assert plan.cohort_of["S1"] == 1          # launched on time: stays
    assert plan.cohort_of["S2"] in (2, 3)     # planned again into a cohort still to come
    usage = compute_usage(f, plan.cohort_of, plan.upgrades)
    # T1 carries S1's launch only; in T2 (G1's support term) S1's half load and the full load
    # of every G2 school, S2 included if it is there: S2's support as a launched school is gone.
    launching_t2 = sum(1 for c in plan.cohort_of.values() if c == 2)
    assert usage.coaching[0] == pytest.approx(1.0)
    assert usage.coaching[1] == pytest.approx(0.5 + launching_t2)
    assert "Launched schools stay" in {
        v.rule for v in check_plan(f, dict(plan.cohort_of, S2=1), plan.upgrades)}


def test_a_delayed_school_frees_room_that_a_tight_term_needs():
    """With 2.5 coaches in T2, the support of two launched G1 schools (2 x 0.5) and the launch
    of G2's two schools at least (2 x 1.0) cannot fit; once S2 is recorded as delayed, its
    support is gone and the plan fits."""
    tight = dict(coaches=(10.0, 2.5, 10.0, 10.0), size_min=2)
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(district(**tight))
    assert any("coaching FTE in T2" in c for c in caught.value.conflicts)
    plan = solved(district(launches=[("S2", "delayed", None)], **tight))
    assert plan.cohort_of["S2"] in (2, 3)


def test_an_early_launch_counts_coaching_and_bandwidth_from_its_real_term():
    f = district(launches=[("S3", "launched", "T1")])   # told G2 (T2), launched in T1
    plan = solved(f)
    assert plan.cohort_of["S3"] == 2                    # keeps its cohort
    usage = compute_usage(f, plan.cohort_of, plan.upgrades)
    alone = compute_usage(district(), plan.cohort_of, plan.upgrades)
    # Its full load moved from T2 to T1, and its half load from T3 to T2.
    assert usage.coaching[0] - alone.coaching[0] == pytest.approx(1.0)
    assert usage.coaching[1] - alone.coaching[1] == pytest.approx(0.5 - 1.0)
    assert usage.coaching[2] - alone.coaching[2] == pytest.approx(-0.5)
    assert usage.link_load["S3"][0] == pytest.approx(100 * 1000 / 1000)  # launch rate in T1
    assert "Launched with G2 in T1 (earlier than its group)" in \
        school_reasons(f, plan.cohort_of, plan.upgrades)["S3"]


def test_a_paused_school_takes_no_coaching_or_launch_bandwidth_while_it_holds():
    f = district(launches=[("S1", "paused", "T2")])
    plan = solved(f)
    assert plan.cohort_of["S1"] == 1
    usage = compute_usage(f, plan.cohort_of, plan.upgrades)
    running = compute_usage(district(), plan.cohort_of, plan.upgrades)
    assert running.coaching[1] - usage.coaching[1] == pytest.approx(0.5)  # its support load
    assert usage.link_load["S1"][1] == pytest.approx(100 * 100 / 1000)    # baseline rate
    assert usage.link_load["S1"][0] == pytest.approx(100 * 1000 / 1000)   # launched in T1
    assert "Paused from T2" in school_reasons(f, plan.cohort_of, plan.upgrades)["S1"]


def test_a_withdrawn_school_keeps_its_row_but_no_load_and_cannot_be_moved():
    f = district(launches=[("S5", "withdrawn", None)])
    plan = solved(f)
    assert plan.cohort_of["S5"] == 3
    usage = compute_usage(f, plan.cohort_of, plan.upgrades)
    assert usage.link_load["S5"] == pytest.approx([10.0] * 4)            # baseline throughout
    assert any(v.rule == "Launched schools stay" and "withdrawn" in v.message
               for v in check_plan(f, dict(plan.cohort_of, S5=2), plan.upgrades))


def test_a_delayed_school_with_no_room_to_come_gets_the_diagnosis_not_a_crash():
    # G2 and G3 hold at most 2 schools each, and four schools already fill them.
    f = district(launches=[("S2", "delayed", None)], size_max=2)
    with pytest.raises(InfeasiblePlanError) as caught:
        solve_or_diagnose(f)
    assert any("at most 2 schools" in c for c in caught.value.conflicts)
    assert any("cohort_size.max" in r for r in caught.value.relaxations)


def test_an_all_launched_sheet_gives_the_same_plan_as_none():
    on_time = [("S1", "launched", "T1"), ("S2", "launched", "T1")]
    assert solved(district(launches=on_time)).cohort_of == solved(district()).cohort_of


def test_the_launches_sheet_is_validated_with_sheet_row_and_column(tmp_path):
    folder = write_district_folder(
        tmp_path / "d", terms=[["term", "coaches_fte"], ["T1", 20], ["T2", 20], ["T3", 20]],
        settings_patch={"current_term": "T2",
                        "cohorts": [{"name": "Group 1", "launch_term": "T1"},
                                    {"name": "Group 2", "launch_term": "T2"}]},
        launches=[["school_id", "status", "term", "note"],
                  ["S9", "launched", "T1", ""],          # unknown school
                  ["S1", "launched", "T7", ""],          # not a term
                  ["S2", "launched", "T3", ""],          # a launch still to come
                  ["S3", "launched", None, "left"],      # no term
                  ["S1", "postponed", None, ""]])        # unknown status, duplicate
    with pytest.raises(InputError) as caught:
        load_inputs(folder)
    text = str(caught.value)
    assert "Launches" in text
    assert "row 2" in text and "'S9'" in text
    assert "row 3" in text and "T7" in text
    assert "row 4" in text and "launched in T3, a term still to come" in text
    assert "row 5" in text and "needs the term it launched in" in text
    assert "row 6" in text and "postponed" in text and "duplicate school_id 'S1'" in text


def test_the_private_note_reaches_the_dashboard_only(tmp_path):
    secret = "Principal on leave - PRIVATE-NOTE-7731"
    folder = write_district_folder(tmp_path / "d", launches=[
        ["school_id", "status", "term", "note"], ["S2", "paused", "T1", secret]])
    results, _ = plan_district(folder, tmp_path / "out")
    out = tmp_path / "out"
    rows = {r["school_id"]: r for r in csv.DictReader((out / "plan.csv").open())}
    assert rows["S2"]["status"] == "paused" and rows["S1"]["status"] == "planned"
    assert {r["status"] for r in csv.DictReader((out / "history.csv").open())} == \
        {"paused", "planned"}
    changes = load_workbook(out / "dashboard.xlsx")["Changes"]
    assert secret in [c.value for row in changes.iter_rows() for c in row]
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != "dashboard.xlsx":
            assert b"PRIVATE-NOTE-7731" not in path.read_bytes(), path
            if path.suffix == ".xlsx":  # compressed: look inside too
                with zipfile.ZipFile(path) as archive:
                    assert not any(b"PRIVATE-NOTE-7731" in archive.read(n)
                                   for n in archive.namelist()), path
    principal = load_workbook(out / "schools" / results.workbook_names["S2"]).worksheets[0]
    assert any("Paused from T1" in str(c.value) for row in principal.iter_rows() for c in row)


def test_a_withdrawn_school_takes_no_place_in_its_cohort_a_paused_one_keeps_it():
    """G2 and G3 hold at most 2 schools each and four schools fill them: a delayed school
    fits only when one of them has withdrawn, not when one has paused (it resumes with G2)."""
    withdrawn = district(launches=[("S2", "delayed", None), ("S4", "withdrawn", None)],
                         size_max=2)
    plan = solved(withdrawn)
    assert plan.cohort_of["S4"] == 2 and plan.cohort_of["S2"] in (2, 3)
    counts = compute_usage(withdrawn, plan.cohort_of).cohort_counts
    assert counts[2] + counts[3] == 4  # S1 in G1; S4 takes no place
    crowded = dict(plan.cohort_of, S2=2)  # G2: S2, S3 and the withdrawn S4
    assert "Cohort size" not in {v.rule for v in check_plan(withdrawn, crowded, plan.upgrades)}
    paused = district(launches=[("S2", "delayed", None), ("S4", "paused", None)], size_max=2)
    assert "Cohort size" in {v.rule for v in check_plan(paused, crowded, plan.upgrades)}
    with pytest.raises(InfeasiblePlanError):
        solve_or_diagnose(paused)


def test_a_withdrawn_school_is_said_withdrawn_everywhere_with_no_launch(tmp_path):
    """plan.csv, changes.csv, the dashboard, the principal workbook and the public pages say
    it is withdrawn and since when; none gives it a launch phase or asks it to prepare one."""
    terms = [["term", "coaches_fte"], ["T1", 20], ["T2", 20], ["T3", 20]]
    cohorts = [{"name": "Group 1", "launch_term": "T2"}, {"name": "Group 2", "launch_term": "T3"}]
    first = write_district_folder(tmp_path / "d1", terms=terms, settings_patch={
        "cohorts": cohorts, "district_name": "Ridge"})
    year1, _ = plan_district(first, tmp_path / "y1")
    withdrawn = "S2"
    second = write_district_folder(tmp_path / "d2", terms=terms, settings_patch={
        "cohorts": cohorts, "district_name": "Ridge", "current_term": "T2"},
        capacity_plan=[["link", "term", "capacity_mbps"], [withdrawn, "T3", 5000]],
        launches=[["school_id", "status", "term", "note"], [withdrawn, "withdrawn", "T2", "x"],
                  ["S3", "paused", "T2", "y"]])
    results, _ = plan_district(second, tmp_path / "y2", previous=tmp_path / "y1" / "plan.csv")
    assert check_plan(results.facts, results.plan.cohort_of, results.plan.upgrades) == []
    out = tmp_path / "y2"
    plan_rows = {r["school_id"]: r for r in csv.DictReader((out / "plan.csv").open())}
    assert (plan_rows[withdrawn]["status"], plan_rows[withdrawn]["status_since"]) == \
        ("withdrawn", "T2")
    changes = {r["school_id"]: r for r in csv.DictReader((out / "changes.csv").open())}
    assert changes[withdrawn]["change"] == "withdrawn"
    assert changes[withdrawn]["reason"].startswith("Withdrawn from the rollout from T2")
    assert changes["S3"]["change"] == "paused"
    sheet = load_workbook(out / "dashboard.xlsx")["Changes"]
    listed = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[:3] == [withdrawn, "Beta Middle", "withdrawn"] for row in listed), listed
    schools = [[c.value for c in row] for row in
               load_workbook(out / "dashboard.xlsx")["Schools"].iter_rows()]
    assert any(row[0] == withdrawn and "withdrawn from T2" in row for row in schools)
    page = [str(c.value) for row in load_workbook(
        out / "schools" / results.workbook_names[withdrawn])["Your school"].iter_rows()
        for c in row if c.value is not None]
    text = " ".join(page)
    assert "Withdrawn from the rollout from T2." in text
    assert "none (withdrawn)" in text and "No launch is planned." in text
    assert "Blended classes start" not in text and "Launch" not in page
    assert "confirm it is done before launch" not in text
    assert "Nothing to prepare: the school has withdrawn from the rollout." in text
    for lang, words in (("", ("Withdrawn", "From T2", "no launch is planned")),
                        ("es/", ("Retirada", "A partir de T2", "no hay lanzamiento previsto"))):
        html = (out / "site" / f"{lang}schools" / f"{withdrawn}.html").read_text()
        assert all(w in html for w in words), (lang, html)
        assert "Blended classes start" not in html and "Comienzan las clases" not in html


def test_a_withdrawn_school_does_not_hold_its_feeder_pattern_together():
    """All six schools share a feeder; with hard cohesion and no spread they launch together,
    but a withdrawn school kept in G3 no longer pins the others to it."""
    cohesion = {"feeder_cohesion": {"max_spread": 0, "hard": True}}
    told = {"S1": 2, "S2": 2, "S3": 2, "S4": 2, "S5": 2, "S6": 3}
    withdrawn = district(launches=[("S6", "withdrawn", None)], **cohesion)
    withdrawn = replace(withdrawn, previous=told)
    plan = solved(withdrawn)
    assert plan.cohort_of["S6"] == 3
    assert {plan.cohort_of[f"S{i}"] for i in range(1, 6)} == {2}
    running = replace(withdrawn, district=replace(withdrawn.district, launches=()))
    assert "Feeder cohesion" in {
        v.rule for v in check_plan(running, dict(plan.cohort_of, S6=3), plan.upgrades)}
