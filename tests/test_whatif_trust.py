"""What-if answers you can trust (issue 17): a scenario plan starts from the base plan and keeps
ties as the base plan has them, so a scenario that changes nothing moves nobody, a scenario
that only adds capacity never ends worse, every move says why, the sweep is monotone or names
its unproven points, and one --time-budget is shared by every solve."""
from __future__ import annotations

import dataclasses

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook
from ortools.sat.python import cp_model

import rollout.whatif.solving as solving
from rollout.checking.check import check_plan
from rollout.cli import cli
from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.outputs.scenarios_workbook import write_scenarios_workbook
from rollout.outputs.whatif_words import wobble_words
from rollout.outputs.sweep_workbook import write_sweep_workbook
from rollout.planning.facts import facts_from_inputs
from rollout.planning.objectives import objective_value
from rollout.planning.plan import Plan
from rollout.planning.solve import solve_plan
from rollout.scoring.inputs import load_inputs
from rollout.whatif.budget import MIN_SOLVE_SECONDS, RESERVE_SHARE, TimeBudget, default_budget
from rollout.whatif.compare import SAME_FACTS, compare, same_problem
from rollout.whatif.jobs import SECOND_TRY, Outcome, SolvePool, try_again
from rollout.whatif.moves import GAINS, LIMIT, gain_text, move_reasons, quick_scoring
from rollout.whatif.scenarios import Variant
from rollout.whatif.solving import KEPT_START, solve_from
from rollout.whatif.summary import Group
from rollout.whatif.sweep import SweepPoint, split_longest, sweep, wobbles
from tests.factory import facts, school, write_district_folder
from tests.test_cli import run
from tests.test_scenarios import THREE_COHORTS, THREE_TERMS, alike, variant

NOTHING = {"description": "nothing changes"}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic district of 95 schools (every limit of a real one: hubs, upgrades, crews,
    budget, locked preferences) and its base plan."""
    folder = tmp_path_factory.mktemp("synthetic") / "district"
    make_district(folder, schools=95, seed=3, rubric=load_rubric(default_rubric_path(),
                                                                  Problems()),
                  respondents=(3, 4))
    base = facts_from_inputs(load_inputs(folder))
    return base, solve_plan(base, 30)


def moved(base: Plan, plan: Plan) -> list[str]:
    return sorted(s for s, c in plan.cohort_of.items() if base.cohort_of[s] != c)


# ---- a scenario that changes nothing --------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_null_scenario_returns_the_base_plan_with_nobody_moved(seed):
    base = alike(seed, count=10)
    result = compare(base, [variant(base, NOTHING, "null")], workers=1, max_limits=0)
    (null,) = result.scenarios
    assert null.plan.cohort_of == result.base.plan.cohort_of
    assert null.start == SAME_FACTS and null.status == result.base.status
    assert result.summaries["null"].moved == 0 and result.summaries["null"].moves == []


def test_facts_are_compared_not_files():
    base = alike(0)
    assert same_problem(base, variant(base, {"coaches_fte_delta": {"all": 0}}).facts)
    assert same_problem(base, variant(base, {"solver": {"random_seed": 9}}).facts)
    assert not same_problem(base, variant(base, {"coaches_fte_delta": {"T3": 1}}).facts)
    assert not same_problem(base, variant(base, {"need_weight": 0.6}).facts)


@pytest.mark.parametrize("seconds", [0.1, 1.0, 10.0])
def test_solving_the_same_facts_from_the_base_plan_moves_nobody_whatever_the_time(synthetic,
                                                                                   seconds):
    base, plan = synthetic
    again = solve_from(base, plan, seconds)
    assert again.cohort_of == plan.cohort_of
    assert objective_value(base, again.cohort_of, again.upgrades) == pytest.approx(
        objective_value(base, plan.cohort_of, plan.upgrades))


def test_null_scenario_of_a_synthetic_district_moves_nobody(synthetic):
    base, _ = synthetic
    result = compare(base, [variant(base, NOTHING, "null")], budget=60, workers=1,
                     max_limits=0)
    assert result.summaries["null"].moved == 0
    assert result.scenarios[0].plan.cohort_of == result.base.plan.cohort_of


# ---- a scenario that only adds capacity -----------------------------------------------------

@pytest.mark.parametrize("patch", [{"coaches_fte_delta": {"all": 3}},
                                   {"upgrade_crews": {"all": 9}},
                                   {"cohort_size": {"max": 40}}])
@pytest.mark.parametrize("seconds", [0.1, 5.0])
def test_capacity_only_scenario_never_ends_worse_than_the_base_plan(synthetic, patch, seconds):
    base, plan = synthetic
    more = variant(base, patch).facts
    assert not check_plan(more, plan.cohort_of, plan.upgrades)  # the base plan still fits
    found = solve_from(more, plan, seconds)
    assert not check_plan(more, found.cohort_of, found.upgrades)
    assert objective_value(more, found.cohort_of, found.upgrades) >= \
        objective_value(more, plan.cohort_of, plan.upgrades) - 1e-9
    if KEPT_START in found.stats:
        assert found.cohort_of == plan.cohort_of


class WorsePlanSolver:
    """Stands in for CP-SAT: reports `cohort_of` (a valid but worse plan) as its plan."""

    def __init__(self, m, cohort_of):
        self.values = {var.index: cohort_of[sid] == c for (sid, c), var in m.assign.items()}
        self.objective_value, self.best_objective_bound = 0.0, 10.0 ** 9

    def boolean_value(self, var):
        return self.values.get(var.index, False)


def test_a_solve_that_ends_worse_keeps_the_base_plan_and_says_so(monkeypatch):
    base = alike(1, coaches=(2, 2, 100), count=6)
    plan = solve_plan(base, 10)
    worse = dict(plan.cohort_of)
    first, last = min(worse, key=worse.get), max(worse, key=worse.get)
    worse[first], worse[last] = worse[last], worse[first]  # best school launches last
    more = variant(base, {"coaches_fte_delta": {"T3": 1}}, "more")
    assert not check_plan(more.facts, worse)
    assert objective_value(more.facts, worse) < objective_value(more.facts, plan.cohort_of)
    monkeypatch.setattr(solving, "search", lambda m, *a, **k: (cp_model.FEASIBLE,
                                                                 WorsePlanSolver(m, worse)))
    found = solve_from(more.facts, plan, 1.0)
    assert found.cohort_of == plan.cohort_of and found.stats[KEPT_START] == "worse"
    assert found.status == "feasible"


def test_the_note_says_when_the_base_plan_is_kept(monkeypatch):
    base = alike(1, coaches=(2, 2, 100), count=6)
    more = variant(base, {"coaches_fte_delta": {"T3": 1}}, "more")
    real = solving.solve_from

    def ends_worse(facts, start, *args, **kw):
        plan = real(facts, start, *args, **kw)
        return Plan(start.cohort_of, start.upgrades, "feasible", plan.objective, plan.bound,
                    stats={KEPT_START: "worse"})

    monkeypatch.setattr("rollout.whatif.jobs.solve_from", ends_worse)
    result = compare(base, [more], workers=1, max_limits=0)
    assert "the base plan is kept" in result.notes["more"]
    assert result.summaries["more"].moved == 0


# ---- ties and moves -------------------------------------------------------------------------

def twins(coaches=(1, 1, 100)):
    """S0 and S1 have equal priority; one school launches in each of T1 and T2."""
    need = {"S0": 80.0, "S1": 80.0, "S2": 50.0, "S3": 30.0}
    ids = sorted(need)
    return facts([school(s) for s in ids], terms=THREE_TERMS, cohorts=THREE_COHORTS,
                 coaches=list(coaches), need=need, readiness=dict(need))


@pytest.mark.parametrize("first", ["S0", "S1"])
def test_between_plans_of_equal_objective_every_school_stays_where_the_base_plan_put_it(first):
    base = twins()
    other = "S1" if first == "S0" else "S0"
    start = Plan({first: 1, other: 2, "S2": 3, "S3": 3})
    assert not check_plan(base, start.cohort_of)
    more = variant(base, {"coaches_fte_delta": {"T2": 1}}).facts  # S2 can launch in T2 too
    found = solve_from(more, start, 10)
    assert found.status == "optimal"
    assert found.cohort_of == {first: 1, other: 2, "S2": 2, "S3": 3}  # the twins keep theirs


def test_each_move_says_whether_it_gains_or_its_base_place_breaks_a_limit():
    base = alike(2, coaches=(2, 2, 100), count=8)
    plan = solve_plan(base, 10)
    more = variant(base, {"coaches_fte_delta": {"T1": 1}}, "more")
    fewer = variant(base, {"coaches_fte": {"T1": 1}}, "fewer")
    result = compare(base, [more, fewer], workers=1, max_limits=0)
    assert result.base.plan.cohort_of == plan.cohort_of
    gains = result.summaries["more"].moves
    assert gains and all(m.kind == GAINS and m.reason.startswith("gains") for m in gains)
    assert any(m.earlier and m.reason.startswith("gains +") for m in gains)
    forced = result.summaries["fewer"].moves
    in_t1 = [m for m in forced if m.base_cohort == 1]
    assert len(in_t1) == 1  # one school of two leaves the first cohort
    assert in_t1[0].kind == LIMIT
    assert in_t1[0].reason.startswith("its base place breaks coaching FTE in T1 (2.00 needed, "
                                      "1 available)")
    # The school it displaces from the second cohort moves because of the same limit.
    assert all(m.kind == LIMIT and m.reason.startswith("its base place breaks") for m in forced)
    assert any("once the moves the scenario's limits force are made (moving it back alone: "
               "coaching in T2 would need 3.00 FTE of 2 available)" in m.reason for m in forced)


def test_a_plan_cut_short_is_solved_again_with_the_time_left():
    base = alike(3, coaches=(2, 2, 100), count=6)
    plan = solve_plan(base, 10)
    more = variant(base, {"coaches_fte_delta": {"T1": 1}}, "more")
    # As if the first try had stopped at once: the base plan, not proven, for the scenario.
    cut = Outcome(more, dataclasses.replace(plan, status="feasible", bound=plan.objective + 50),
                  "feasible", start="the base plan", seconds=1.0, took=1.0)
    proven = Outcome(more, dataclasses.replace(plan, status="optimal"), "optimal")
    with SolvePool(TimeBudget(20, 1), 1) as pool:
        again, kept = try_again(pool, [(cut, plan), (proven, plan)])
    assert kept is proven  # a proven plan is not solved again
    assert again.plan.status == "optimal" and again.plan.objective > plan.objective
    assert again.start == "the base plan" + SECOND_TRY and again.seconds > 1.0
    assert not check_plan(more.facts, again.plan.cohort_of, again.plan.upgrades)
    with SolvePool(TimeBudget(1, 1), 1) as pool:  # no time left: nothing solved again
        assert try_again(pool, [(cut, plan)]) == [cut]


def test_a_school_moved_to_make_room_says_so():
    base = alike(3, coaches=(2, 2, 100), count=6, cohort_size={"min": 0, "max": 2})
    plan = solve_plan(base, 10)
    scenario = variant(base, {"need_weight": 0.0}).facts
    found = solve_from(scenario, plan, 10)
    moves = move_reasons(scenario, plan, found)
    assert moves and {m.kind for m in moves} == {GAINS}
    for m in moves:
        assert m.reason.startswith(("gains +", "gains: makes room", "gains: launches earlier",
                                    "moves with the others"))
        if m.reason.startswith("gains: "):
            assert ("launches earlier" in m.reason) == m.earlier


def test_a_gain_is_told_with_the_points_moving_back_would_cost():
    assert gain_text(12.34) == "gains +12.3 points"
    assert gain_text(0.0).startswith("a tie: moving it back alone scores the same")
    # Moving back alone would score more: said as such, not as a cost.
    assert "moving it back would score 3.2 points more" in gain_text(-3.2)


def test_a_broken_gate_is_named_for_the_school():
    base = alike(4, count=6, coaches=(3, 3, 100))
    plan = solve_plan(base, 10)
    early = [s for s, c in plan.cohort_of.items() if c == 1]
    gate = min(base.readiness[s] for s in early) + 0.01
    scenario = variant(base, {"readiness_gate": gate}).facts
    found = solve_from(scenario, plan, 10)
    moves = {m.school_id: m for m in move_reasons(scenario, plan, found)}
    lowest = min(early, key=base.readiness.get)
    assert moves[lowest].kind == LIMIT
    assert moves[lowest].reason.startswith("its base place breaks the rule: "
                                           f"{lowest} has readiness")


# ---- the sweep ------------------------------------------------------------------------------

def point(weight, need, readiness, status="optimal", gap=0.0):
    plan = Plan({}, status=status, objective=100.0, bound=100.0 * (1 + gap))
    outcome = Outcome(Variant(f"need_weight {weight}", None), plan, status)
    return SweepPoint(weight, outcome, False, Group(5, 500, need, readiness, need, readiness))


def test_a_sweep_that_wobbles_names_the_points_and_their_gaps():
    points = [point(0.2, 40, 70), point(0.3, 45, 68.1, "feasible", 0.0012),
              point(0.4, 44, 68.5), point(0.5, 50, 60)]
    found = wobbles(points)
    assert [(w.low, w.high, w.measure) for w in found] == [(0.3, 0.4, "mean need"),
                                                             (0.3, 0.4, "mean readiness")]
    assert found[1].text() == ("mean readiness of the early schools rises from 68.10 to 68.50 "
                               "between need_weight 0.3 and 0.4: not proven at 0.3 (gap 0.12%)")
    proven = wobbles([point(0.1, 50, 60), point(0.2, 49, 60)])
    assert proven[0].text().endswith("both plans are proven best, so this is a real effect "
                                     "of the limits, not solver noise")
    assert wobbles([point(0.1, 40, 70), point(0.2, 40, 70), point(0.3, 41, 69)]) == []


@pytest.mark.parametrize("seed", range(3))
def test_sweep_is_monotone_or_names_its_unproven_points(seed):
    base = alike(seed, count=10, need_weight=0.5)
    result = sweep(base, [0, 0.25, 0.5, 0.75, 1], workers=1)
    for p in result.points:
        assert not check_plan(base, p.outcome.plan.cohort_of, p.outcome.plan.upgrades)
    if result.monotone:
        needs = [p.early.mean_need for p in result.points]
        readiness = [p.early.mean_readiness for p in result.points]
        assert needs == sorted(needs) and readiness == sorted(readiness, reverse=True)
    else:
        assert result.wobbles and all(w.low < w.high for w in result.wobbles)


def test_each_sweep_point_keeps_the_best_plan_found_for_it():
    base = alike(5, count=10, need_weight=0.5)
    result = sweep(base, [0, 1], workers=1)
    plans = [p.outcome.plan for p in result.points]
    for p in result.points:
        facts_w = variant(base, {"need_weight": p.need_weight}).facts
        own = objective_value(facts_w, p.outcome.plan.cohort_of)
        assert all(objective_value(facts_w, q.cohort_of) <= own + 1e-9 for q in plans)
    starts = [p.outcome.start for p in result.points if not p.current]
    assert starts == ["need_weight 0.5's plan", "need_weight 0.5's plan"]


# ---- the shared time budget -----------------------------------------------------------------

def test_time_budget_shares_what_is_left_among_the_solves_to_come():
    clock = TimeBudget(100, workers=2, reserve=0.0)
    clock.expect(4)
    first = clock.start("a", 2)     # half of 200 core-seconds for half the weight
    assert first == pytest.approx(100, abs=1)
    second = clock.start("b", 1)    # 200 - 100 promised, for 2 of weight left
    assert second == pytest.approx(50, abs=1)
    clock.finish("a")
    assert clock.start("c", 1) == pytest.approx(100, abs=1)  # a's time came back, capped
    # A solve that took 3 s past its limit: the next shares are 3 s shorter, and the running
    # ones are counted 3 s longer.
    learning = TimeBudget(100, workers=1, reserve=0.0)
    learning.expect(3)
    limit = learning.start("a", 1)
    learning.finish("a", took=limit + 3)
    assert learning.overrun == pytest.approx(3)
    assert learning.start("b", 1) == pytest.approx(learning.left() / 2 - 3, abs=0.1)
    # By default a share is kept for the checks and summaries after the solves.
    assert 0 < TimeBudget(100).left() <= 100 * (1 - RESERVE_SHARE) + 0.01
    capped = TimeBudget(100, workers=2, cap=7)
    capped.expect(1)
    assert capped.start("a") == 7
    tiny = TimeBudget(0.01)
    assert tiny.start("a") == MIN_SOLVE_SECONDS


def test_default_budget_scales_with_the_district():
    small, large = default_budget(95, 10, 2), default_budget(1800, 10, 2)
    assert small < default_budget(660, 10, 2) < large
    assert default_budget(660, 10, 1) == 2 * default_budget(660, 10, 2)


def test_time_budget_option(tmp_path):
    district = write_district_folder(tmp_path / "d")
    scenario = tmp_path / "null.yaml"
    scenario.write_text(yaml.safe_dump(NOTHING), encoding="utf-8")
    out = tmp_path / "out"
    result = run(["compare", str(district), "--scenario", f"null={scenario}", "--out",
                  str(out), "--time-budget", "20", "--limits", "0"])
    assert result.exit_code == 0, result.output
    assert "of a 20 s budget" in result.output
    assert "null" in result.output
    with_both = run(["sweep", str(district), "--need-weight", "0,1", "--out", str(out),
                     "--time-budget", "30", "--time-limit", "2"])
    assert with_both.exit_code == 0, with_both.output
    assert "of a 30 s budget" in with_both.output
    for bad in ["0.5", "soon", "-3"]:
        wrong = run(["compare", str(district), "--scenario", f"null={scenario}", "--out",
                     str(out), "--time-budget", bad])
        assert wrong.exit_code == 2 and "--time-budget" in wrong.output, wrong.output
    for command in ("compare", "sweep"):
        helped = CliRunner().invoke(cli, [command, "--help"])
        assert "itsshareof--time-budget,butnevermorethanthis" in "".join(helped.output.split())


# ---- the workbooks --------------------------------------------------------------------------

def test_workbooks_say_how_to_read_moved_and_not_proven(tmp_path):
    base = alike(0)
    comparison = compare(base, [variant(base, {"coaches_fte_delta": {"all": 1}}, "more")],
                         workers=1, max_limits=0)
    swept = sweep(base, [0.0, 1.0], workers=1)
    write_scenarios_workbook(comparison, tmp_path / "scenarios.xlsx")
    write_sweep_workbook(swept, tmp_path / "sweep.xlsx")
    scenarios = load_workbook(tmp_path / "scenarios.xlsx")
    for sheet in ("Summary", "Moves", "Binding limits"):
        sentence = scenarios[sheet]["A3"].value
        assert sentence.startswith("How to read: 'moved'") and "'not proven'" in sentence
    sheet = load_workbook(tmp_path / "sweep.xlsx")["Trade-off"]
    trade_off = sheet["A3"].value
    assert trade_off.startswith("How to read: 'moved'") and "'not proven'" in trade_off
    said = [c.value for c in sheet["A"] if isinstance(c.value, str)
            and c.value.split(":")[0] in ("The curve is monotone", "Not monotone")]
    assert said == ["The curve is monotone: as need_weight rises, the early schools' mean need "
                    "never falls and their mean readiness never rises." if swept.monotone else
                    "Not monotone: " + "; ".join(wobble_words(w) for w in swept.wobbles) + "."]
    summary = scenarios["Summary"]
    labels = [summary.cell(row=r, column=1).value for r in range(5, summary.max_row + 1)]
    for label in ("Plan found", "  because a limit of the scenario no longer fits them",
                  "  placed by a decision of the scenario",
                  "  now fit earlier, or make room for those that do"):
        assert label in labels
    # The solver's figures are on the Details sheet, not the Summary.
    details = scenarios["Details"]
    detail_labels = [details.cell(row=r, column=1).value for r in range(5, 12)]
    for label in ("Plan status", "Objective (priority points)", "Bound (no plan scores more)",
                  "Started from"):
        assert label in detail_labels and label not in labels
    moves = scenarios["Moves"]
    header = [c.value for c in moves[6]]
    assert header[5:7] == ["more", "more: why"]
    reasons = [moves.cell(row=r, column=7).value for r in range(7, moves.max_row + 1)]
    assert reasons and all(r.startswith(("Now fits earlier, in ", "Moves later, to "))
                           for r in reasons if r)


def test_split_longest_takes_the_far_half_far_end_first():
    chains = [[0.6, 0.7, 0.8, 0.9, 1.0], [0.3]]
    assert split_longest(chains) == [1.0, 0.9]
    assert chains == [[0.6, 0.7, 0.8], [0.3]]
    assert split_longest(chains) == [0.8]
    assert split_longest([[0.2], []]) == [0.2]
    assert split_longest([[], []]) == []


def test_a_sweep_on_two_workers_leaves_no_worker_waiting_and_solves_every_point():
    base = alike(6, count=10, need_weight=0.9)
    result = sweep(base, [round(i / 10, 1) for i in range(11)], workers=2, budget=40)
    starts = {p.need_weight: p.outcome.start for p in result.points if not p.current}
    assert all(p.outcome.plan is not None for p in result.points)
    assert starts[1.0] == "need_weight 0.9's plan" and starts[0.8] == "need_weight 0.9's plan"
    # The down chain was split once the up chain (one point) was done: its far end starts
    # from the nearest point solved by then; every point starts from a point of the sweep.
    solved_from = {w: float(text.split()[1].removesuffix("'s")) for w, text in starts.items()}
    assert solved_from[0.0] > 0.1
    assert set(solved_from.values()) <= {p.need_weight for p in result.points}
    assert all(p.outcome.plan.status in ("optimal", "feasible") for p in result.points)


def test_quick_scoring_scores_every_plan_the_same(synthetic):
    base, plan = synthetic
    assert base.settings.balance.weight == 0 and base.settings.balance.by
    quick = quick_scoring(base)
    assert not quick.settings.balance.by
    other = dict(plan.cohort_of, **{s: 1 + c % len(base.cohorts) for s, c in
                                    sorted(plan.cohort_of.items())[:10]})
    for cohort_of in (plan.cohort_of, other):
        assert objective_value(quick, cohort_of, plan.upgrades) == \
            objective_value(base, cohort_of, plan.upgrades)
    weighted = variant(base, {"balance": {"weight": 1}}).facts
    assert quick_scoring(weighted) is weighted
