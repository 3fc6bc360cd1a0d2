"""The base of every what-if: the district's facts as `rollout plan` sees them, this spring's
re-plan from last year's plan when one is given (launched cohorts kept, the Launches sheet
honoured, the churn rule), and where the base solve starts (as `rollout plan --previous`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rollout.errors import Problems
from rollout.planning.facts import PlanningFacts, facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.replan import PreviousPlan, last_years_plan
from rollout.scoring.inputs import Inputs, load_inputs


@dataclass
class Base:
    inputs: Inputs
    facts: PlanningFacts
    last_year: PreviousPlan | None = None

    def hint(self) -> dict[str, int] | None:
        """Where the base solve starts: last year's cohorts (the greedy plan for schools new
        since), as `rollout plan --previous` starts; None in a first spring."""
        if self.last_year is None:
            return None
        return greedy_plan(self.facts).cohort_of | self.last_year.cohort_of


def load_base(district_dir: Path, rubric: Path | None = None, previous: Path | None = None,
              problems: Problems | None = None) -> Base:
    """Every input read and checked, last year's plan included; a re-plan without it is an
    input error here, before anything is solved. With `problems`, what is wrong with last
    year's plan is added there (to be raised with the scenario files' problems) instead."""
    inputs = load_inputs(Path(district_dir), rubric)
    found = Problems() if problems is None else problems
    last_year = last_years_plan(inputs, district_dir, previous, found)
    if problems is None:
        found.raise_if_any()
    return Base(inputs, facts_from_inputs(inputs, last_year.cohort_of if last_year else None),
                last_year)
