"""Stop keeps the best plan so far (#25): a watched solve hears of every plan it finds and,
asked to stop, returns the best one at once (no fallback search, no polish); the studio's
progress words never say objective, bound or gap."""
from __future__ import annotations

import threading
from pathlib import Path

from rollout.checking.check import check_plan
from rollout.planning.facts import facts_from_inputs
from rollout.planning.solve import SolveWatch, solve_plan
from rollout.scoring.inputs import load_inputs
from rollout.studio.pages import Pages
from rollout.studio.worker import Progress

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
FORBIDDEN = ("objective", "bound", "gap", "points")


class StopAtFirstPlan(SolveWatch):
    def __init__(self):
        self.plans, self.stop = [], threading.Event()

    def plan_found(self, value, best_possible, seconds):
        self.plans.append((value, best_possible))
        self.stop.set()

    def should_stop(self):
        return self.stop.is_set()


def test_stop_keeps_the_best_plan_so_far():
    facts = facts_from_inputs(load_inputs(SAMPLE))
    watch = StopAtFirstPlan()
    plan = solve_plan(facts, time_limit=60, watch=watch)
    assert watch.plans, "the watch heard of no plan"
    assert check_plan(facts, plan.cohort_of, plan.upgrades) == []
    assert "polish_windows" not in plan.stats  # stopped: no polish after the stop
    value, best_possible = watch.plans[-1]
    assert best_possible >= value - 1e-6


def test_progress_words_are_for_people():
    pages = Pages(session=None)
    texts = [pages.progress_text(Progress(True, 0, None, None, 29.6)),
             pages.progress_text(Progress(True, 3, 990.0, 1000.0, 12.0)),
             pages.progress_text(Progress(True, 1, 1000.0, 1000.0, 3.0, stopping=True))]
    assert texts[0] == "No plan found yet; at most 30 s left."
    assert "3 plans found; the best so far is at least 98.99% as good as the best possible" \
        in texts[1]
    assert texts[2] == ("1 plan found; the best so far is proven the best possible; stopping; "
                        "at most 3 s left.")
    assert not any(word in t.lower() for t in texts for word in FORBIDDEN)


def test_stop_ends_the_polish_with_the_plan_it_has():
    from rollout.planning.model import build_model
    from rollout.planning.objectives import objective_value, objective_units
    from rollout.planning.greedy import greedy_plan
    from rollout.planning.polish import Incumbent, polish_plan

    facts = facts_from_inputs(load_inputs(SAMPLE))
    greedy = greedy_plan(facts)
    start = Incumbent(greedy.cohort_of, greedy.upgrades,
                      round(objective_value(facts, greedy.cohort_of, greedy.upgrades)
                            * objective_units(facts)))
    best, stats = polish_plan(build_model(facts), facts, start, 60, stop=lambda: True)
    assert best is start and stats["polish_windows"] == 0
