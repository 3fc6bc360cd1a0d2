"""The planning studio's JSON API (#25) against the real server on the sample district: plan
with progress, check a move, move and undo, pin and keep out with reasons, re-plan around
them, save decisions.xlsx and the outputs. Every plan is checked by the independent checker;
the saved outputs are those of `rollout plan`."""
from __future__ import annotations

import dataclasses
import time
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from rollout.checking.check import check_plan, compute_usage, move_violations
from rollout.outputs.board_view import for_people
from rollout.intake.decisions import DECISION_COLUMNS, DecisionRow, district_decisions
from rollout.planning.facts import facts_from_inputs
from rollout.scoring.inputs import load_inputs
from rollout.studio.session import BEST, GOOD
from tests.studio_kit import start_studio, stop_studio

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("studio_api") / "district"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("year2", "scenarios"))
    return folder


@pytest.fixture(scope="module")
def facts(district):
    return facts_from_inputs(load_inputs(district))


@pytest.fixture(scope="module")
def studio(district, tmp_path_factory):
    running = start_studio(district, "--out", str(tmp_path_factory.mktemp("studio_out") / "out"))
    yield running
    stop_studio(running)


@pytest.fixture(scope="module")
def planned(studio, facts):
    state = studio.json("POST", "/api/plan")
    assert state["state"] == "solving"  # once POST has answered, GET says solving until done
    status, text, headers = studio.request("GET", "/api/plan/events")
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert "event: done" in text
    done = studio.wait_for_plan()
    assert done["status"] == BEST or done["status"].startswith(GOOD)
    assert done["proven"] == (done["status"] == BEST)
    assert done["within_percent"] == 0.0 if done["proven"] else done["within_percent"] > 0
    return {s["school_id"]: s["cohort"] for s in done["schools"]}


def upgrades_of(state: dict, facts) -> dict[str, int]:
    terms = {t.label: t.index for t in facts.district.terms}
    return {u["upgrade"]: terms[u["term"]] for u in state["upgrades"]}


@pytest.fixture(scope="module")
def upgrades(studio, planned, facts):
    return upgrades_of(studio.json("GET", "/api/plan"), facts)


def test_plan_is_every_school_and_meets_every_rule(studio, planned, upgrades, facts):
    assert set(planned) == {s.school_id for s in facts.schools}
    assert check_plan(facts, planned, upgrades) == []
    state = studio.json("GET", "/api/plan")
    row = state["schools"][0]
    assert set(row) == {"school_id", "cohort", "launch_term", "pinned"}
    assert row["launch_term"] == facts.term_label(facts.launch_term_of(row["cohort"]))


def breaking_move(facts, plan, upgrades):
    usage = compute_usage(facts, plan, upgrades)
    for sid in sorted(plan):
        for cohort in (1, len(facts.cohorts)):
            broken = move_violations(facts, plan, upgrades, usage, sid, cohort)
            if cohort != plan[sid] and broken:
                return sid, cohort, broken
    raise AssertionError("no breaking move")


def test_check_move_says_what_breaks_in_sentences(studio, planned, upgrades, facts):
    sid, cohort, violations = breaking_move(facts, planned, upgrades)
    answer = studio.json("POST", "/api/check-move", {"school_id": sid, "cohort": cohort})
    assert answer["valid"] is False
    assert answer["breaks"] == list(dict.fromkeys(for_people(facts, v) for v in violations))
    assert all(s.endswith(".") and sid not in s for s in answer["breaks"])
    stay = studio.json("POST", "/api/check-move", {"school_id": sid, "cohort": planned[sid]})
    assert stay == {"valid": True, "breaks": [], "changes": []}


def test_move_shows_on_the_board_and_undo_puts_it_back(studio, planned, upgrades, facts):
    sid, cohort, _ = breaking_move(facts, planned, upgrades)
    moved = studio.json("POST", "/api/move", {"school_id": sid, "cohort": cohort})
    assert moved["valid"] is False and moved["changes"]
    state = studio.json("GET", "/api/plan")
    assert state["status"] == "changed by hand"
    assert {s["school_id"]: s["cohort"] for s in state["schools"]}[sid] == cohort
    status, page, _ = studio.request("GET", "/")
    assert status == 200 and "plan breaks" in page
    assert "Not saved: 1 school moved by hand." in page
    # Undo from the board's form: the page comes back with the focus on that school.
    status, _, headers = studio.request("POST", "/actions/undo", "",
                                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["location"] == f"/?focus={sid}#school-{sid}"
    back = {s["school_id"]: s["cohort"] for s in studio.json("GET", "/api/plan")["schools"]}
    assert back == planned
    status, page, _ = studio.request("GET", f"/?focus={sid}")
    assert "Undone:" in page and f'id="move-{sid}" name="cohort" autofocus' in page
    assert "Not saved" not in page


def test_decisions_replan_and_save(studio, planned, facts, district, tmp_path):
    # Pin a school of the last group into the one before it, keep another out of its group.
    last = len(facts.cohorts)
    pin_id = next(s for s in sorted(planned) if planned[s] == last)
    out_id = next(s for s in sorted(planned) if planned[s] == last - 1)
    status, text, _ = studio.request("POST", "/api/decisions", {
        "school_id": pin_id, "decision": "pin", "cohort": last - 1, "reason": ""})
    assert status == 422 and "reason" in text
    studio.json("POST", "/api/decisions", {"school_id": pin_id, "decision": "pin",
                                           "cohort": last - 1, "reason": "Board asked"})
    studio.json("POST", "/api/decisions", {"school_id": out_id, "decision": "keep_out",
                                           "cohort": last - 1, "reason": "Roof works"})
    listed = studio.json("GET", "/api/decisions")["decisions"]
    assert [(d["school_id"], d["decision"], d["cohort"]) for d in listed] == sorted(
        [(pin_id, "pin", last - 1), (out_id, "keep_out", last - 1)])
    # Read again (after fixing a file in Excel) keeps the decisions not saved yet.
    assert studio.json("POST", "/api/read")["problems"] == []
    assert len(studio.json("GET", "/api/decisions")["decisions"]) == 2
    studio.json("DELETE", f"/api/decisions/{out_id}")
    assert len(studio.json("GET", "/api/decisions")["decisions"]) == 1
    studio.json("POST", "/api/decisions", {"school_id": out_id, "decision": "keep_out",
                                           "cohort": last - 1, "reason": "Roof works"})

    status, page, _ = studio.request("GET", "/")
    assert "Not saved: 2 decisions. Choose Save to keep them in decisions.xlsx." in page
    assert studio.json("POST", "/api/replan")["state"] == "solving"
    studio.wait_for_plan()
    # The board says what the re-plan moved, and why; Undo takes the re-plan back.
    status, page, _ = studio.request("GET", "/")
    pin_name = facts.district.school_by_id[pin_id].school_name
    assert "changed group" in page and (
        f"{pin_name}</a>: {facts.cohort(last).name} → {facts.cohort(last - 1).name} (placed in "
        f"{facts.cohort(last - 1).name} by a district decision: Board asked)") in page
    assert 'action="/actions/undo"' in page
    studio.json("POST", "/api/undo")
    assert {s["school_id"]: s["cohort"] for s in studio.json("GET", "/api/plan")["schools"]} \
        == planned
    assert studio.json("POST", "/api/replan")["state"] == "solving"
    replanned = studio.wait_for_plan()
    cohort_of = {s["school_id"]: s["cohort"] for s in replanned["schools"]}
    replanned_upgrades = upgrades_of(replanned, facts)
    assert cohort_of[pin_id] == last - 1 and cohort_of[out_id] != last - 1
    assert [s["pinned"] for s in replanned["schools"] if s["school_id"] == pin_id] == [True]
    rows = [DecisionRow(d["school_id"], d["school_name"], d["decision"], d["cohort"],
                        d["reason"], d["decided_on"]) for d in listed]
    decided = dataclasses.replace(facts, decisions=district_decisions(rows))
    assert check_plan(decided, cohort_of, replanned_upgrades) == []
    check = studio.json("POST", "/api/check-move", {"school_id": pin_id, "cohort": last})
    assert f"must be in {facts.cohort(last - 1).name} by a district decision (Board asked)" \
        in " ".join(check["breaks"])

    saved = studio.json("POST", "/api/save")
    assert saved["decisions_file"] == "decisions.xlsx"
    assert studio.wait_for_plan(120)["error"] is None
    sheet = CalamineWorkbook.from_path(str(district / "decisions.xlsx")).get_sheet_by_name(
        "Decisions").to_python()
    assert sheet[0] == DECISION_COLUMNS
    assert sorted((r[0], r[2], int(r[3]), r[4]) for r in sheet[1:]) == sorted(
        [(pin_id, "pin", last - 1, "Board asked"), (out_id, "keep_out", last - 1, "Roof works")])
    out = Path(saved["out"])
    # `rollout check` passes on the saved plan, and `rollout plan` gives the same plan.csv.
    run = [sys.executable, "-m", "rollout"]
    checked = subprocess.run(run + ["check", str(district), str(out / "plan.csv")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = subprocess.run(run + ["plan", str(district), "--out", str(tmp_path / "again")],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "plan.csv").read_bytes() == (out / "plan.csv").read_bytes()
    assert f"by a district decision: Board asked" in (out / "plan.csv").read_text()
    final = {s["school_id"]: s["cohort"] for s in studio.json("GET", "/api/plan")["schools"]}
    assert final[pin_id] == last - 1
    status, page, _ = studio.request("GET", "/")
    assert "Everything is saved in decisions.xlsx." in page and "Not saved" not in page
    # Undo after Save says that the saved files keep what was saved until Save again.
    studio.json("POST", "/api/decisions", {"school_id": out_id, "decision": "pin",
                                           "cohort": last, "reason": "Later"})
    studio.request("POST", "/actions/undo", "",
                   {"Content-Type": "application/x-www-form-urlencoded"})
    status, page, _ = studio.request("GET", "/")
    assert "Undone: the last decision on" in page and "until you choose Save again" not in page
    studio.request("POST", "/actions/undo", "",
                   {"Content-Type": "application/x-www-form-urlencoded"})
    status, page, _ = studio.request("GET", "/")
    assert "Undone: the board is back" in page and "until you choose Save again" in page


def test_a_what_if_against_the_board_and_its_scenario_file(studio, planned, facts, district):
    import yaml

    from rollout.whatif.scenarios import apply_overrides
    from rollout.errors import Problems

    status, text, _ = studio.request("POST", "/api/whatif", {"description": "x",
                                                            "no_launch_in": ["2031 Fall"]})
    assert status == 422 and "did you mean" in text
    asked = {"description": "Two more coaches", "coaches_fte_delta": {"all": 2}}
    before = studio.json("GET", "/api/plan")
    assert studio.json("POST", "/api/whatif", asked)["state"] == "solving"
    for _ in range(600):
        answer = studio.json("GET", "/api/whatif")
        if answer["state"] != "solving":
            break
        time.sleep(0.2)
    assert answer["error"] is None and answer["changes"] == ["coaches: +2 FTE in every term"]
    assert [a - b for a, b in zip(answer["scenario"]["coaching_available"],
                                  answer["base"]["coaching_available"])] == [2] * len(
        facts.district.terms)
    assert answer["scenario"]["moved"] == len(answer["moves"])
    assert answer["stopped"] is False and answer["lines"][0].startswith("By the end of ")
    assert answer["lines"][-2 if answer["note"] else -1].startswith("  busiest coaching term")
    # The board's plan, whole, as `rollout compare` words a base: proven when the board's is.
    from rollout.outputs import whatif_words
    from rollout.planning.plan import Plan
    from rollout.whatif.summary import summarise

    now = facts_from_inputs(load_inputs(district))
    terms = {t.label: t.index for t in now.district.terms}
    board = Plan({s["school_id"]: s["cohort"] for s in before["schools"]},
                 {u["upgrade"]: terms[u["term"]] for u in before["upgrades"]})
    base = whatif_words.plan_lines(now, whatif_words.headline_term(now), "Base plan", "",
                                   summarise(now, board), False, before["proven"])
    at = answer["lines"].index(base[0])
    assert answer["lines"][at:at + 2] == base
    assert ("not proven" in base[1]) == (not before["proven"])
    assert yaml.safe_load(answer["yaml"]) == asked
    status, saved, headers = studio.request("GET", "/whatif/scenario.yaml")
    assert status == 200 and "attachment" in headers["content-disposition"]
    assert yaml.safe_load(saved) == asked
    # The what-if's plan meets every rule of its own facts (checked again here from its moves).
    board_facts = facts_from_inputs(load_inputs(district))  # with decisions.xlsx, if saved
    scenario = apply_overrides(board_facts, asked, "what-if", Problems())
    state = studio.json("GET", "/api/plan")
    assert state == before  # the board stays as it is
    board = {s["school_id"]: s["cohort"] for s in state["schools"]}
    moved = dict(board, **{m["school_id"]: m["to"] for m in answer["moves"]})
    assert check_plan(scenario, moved, upgrades_of(answer["scenario"], facts)) == []
    # Stop from the What if page goes back there, and says plainly it had already finished.
    status, _, headers = studio.request("POST", "/actions/stop", "",
                                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["location"] == "/whatif"
    status, page, _ = studio.request("GET", "/whatif")
    assert "it had finished before Stop arrived" in page


@pytest.fixture(scope="module")
def spring_after(sample_outputs, tmp_path_factory):
    """The sample's second spring (Group 1 has launched), planned in the studio."""
    folder = tmp_path_factory.mktemp("studio_year2") / "district"
    shutil.copytree(SAMPLE / "year2", folder, ignore=shutil.ignore_patterns("scenarios"))
    running = start_studio(folder, "--previous", str(sample_outputs[0] / "plan.csv"))
    running.json("POST", "/api/plan")
    yield running, facts_from_inputs(load_inputs(folder)), running.wait_for_plan()
    stop_studio(running)


def test_a_launched_group_takes_no_move(spring_after):
    studio, facts, state = spring_after
    plan = {s["school_id"]: s["cohort"] for s in state["schools"]}
    launched = [c.number for c in facts.cohorts if facts.has_launched(c.number)]
    assert launched == [1]
    # a school of Group 2 with nothing on the Launches sheet (ES040 launched early: it stays)
    into = next(s for s in sorted(plan) if plan[s] == 2
                and s not in facts.district.launch_by_school)
    out_of = next(s for s in sorted(plan) if plan[s] == 1)
    for path in ("/api/check-move", "/api/move"):
        for stays in ("ES040", "ES071"):  # launched early, withdrawn: judged per school
            other = next(c for c in (2, 3, 4, 5) if c != plan[stays])  # not launched
            status, text, _ = studio.request("POST", path, {"school_id": stays, "cohort": other})
            assert status == 409 and "it stays" in text, text
            # each said as it is: withdrawn is not "launched"
            assert ("withdrawn" in text) == (stays == "ES071") and ("launched" in text) == (
                stays == "ES040"), text
        status, text, _ = studio.request("POST", path, {"school_id": into, "cohort": 1})
        assert status == 409 and "a school cannot join it now" in text
        status, text, _ = studio.request("POST", path, {"school_id": out_of, "cohort": 2})
        assert status == 409 and "it stays in that group" in text
    assert {s["school_id"]: s["cohort"] for s in studio.json("GET", "/api/plan")["schools"]} \
        == plan
    status, page, _ = studio.request("GET", "/")
    assert f'id="school-{out_of}"' in page and f'id="move-{out_of}"' not in page
    assert f'id="move-{into}"' in page and '<option value="1"' not in page
    status, page, _ = studio.request("GET", f"/schools/{into}")
    assert "Launched in" in page and "a school cannot join it now" in page
    assert 'name="cohort" value="1"' not in page
