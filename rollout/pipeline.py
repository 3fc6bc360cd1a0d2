"""The main job, surveys -> scores -> plan -> workbooks, and the stand-alone plan check."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rollout.checking.check import Violation, check_plan
from rollout.errors import InputError, Problems, RolloutError
from rollout.explain import solve_or_diagnose
from rollout.outputs.atomic import staged_folder
from rollout.outputs.dashboard import write_dashboard
from rollout.outputs.planfile import (
    read_plan_csv,
    read_upgrades_csv,
    write_changes_csv,
    write_history_csv,
    write_plan_csv,
    write_upgrades_csv,
)
from rollout.outputs.principal import write_principal_workbooks
from rollout.outputs.results import Results, build_results
from rollout.outputs.site import (
    SITE_FOLDER,
    SOURCE_FILE,
    SiteReport,
    check_publish_settings,
    publish_site,
    write_site,
)
from rollout.planning.facts import facts_from_inputs
from rollout.planning.greedy import greedy_plan
from rollout.planning.sizing import sizing_problems
from rollout.replan import PreviousPlan, history_rows, last_years_plan, plan_changes
from rollout.scoring.inputs import load_inputs
from rollout.whatif.compare import BASE_FILE, upgrades_file
from rollout.whatif.scenarios import (
    Variant,
    conflicts_as_problems,
    load_scenarios,
    resolve_pending,
)

OUTPUT_ITEMS = ["dashboard.xlsx", "plan.csv", "upgrades.csv", "changes.csv", "history.csv",
                "schools", SOURCE_FILE, SITE_FOLDER]


@dataclass
class Timings:
    read_score: float = 0.0
    solve: float = 0.0
    write: float = 0.0


class PlanCheckError(RolloutError):
    """The solver produced a plan the independent checker rejects: a bug, never shipped."""


def plan_district(district_dir: Path, out_dir: Path, rubric: Path | None = None,
                  time_limit: float | None = None, log=lambda message: None,
                  previous: Path | None = None, scenario: Path | None = None
                  ) -> tuple[Results, Timings]:
    """`rollout plan`; `scenario`: a what-if scenario file adopted, its changes made the real
    plan's (its moves listed in changes.csv as central-office decisions)."""
    timings = Timings()
    start = time.perf_counter()
    log("Reading district files and surveys ...")
    inputs = load_inputs(Path(district_dir), rubric)
    check_publish_settings(inputs.settings, Path(district_dir),  # the website (#16)
                           {school.region for school in inputs.district.schools})
    problems = Problems()
    last_year = last_years_plan(inputs, district_dir, previous, problems)
    facts = facts_from_inputs(inputs, last_year.cohort_of if last_year else None)
    variant = read_scenario(facts, Path(scenario), problems) if scenario else None
    problems.raise_if_any()  # every input problem at once, before any solving
    timings.read_score = time.perf_counter() - start
    # A school whose own link is too small, or too few coaches: said at once, with the figure
    # that would do, before the solver runs (#26).
    sizing_problems(facts).raise_if_any()
    log(f"Scored {len(facts.schools)} schools; solving the plan ...")
    # Last year's cohorts (the greedy plan for schools new since) are worth starting from.
    hint = greedy_plan(facts).cohort_of | last_year.cohort_of if last_year else None
    if variant:
        facts, hint = adopt_scenario(inputs, facts, variant, hint, time_limit, log)
    plan = solve_or_diagnose(facts, time_limit, hint=hint, log=log)
    timings.solve = plan.build_seconds + plan.solve_seconds
    start = time.perf_counter()  # checking the plan and the reasons count with the writing
    violations = check_plan(facts, plan.cohort_of, plan.upgrades)
    if violations:
        raise PlanCheckError("internal error: the plan breaks rules the model should enforce: "
                             + "; ".join(map(str, violations)))
    results = build_results(inputs, facts, plan)
    add_years(results, inputs, facts, plan, last_year)
    log("Writing workbooks ...")
    write_outputs(results, Path(out_dir), previous)
    timings.write = time.perf_counter() - start
    return results, timings


def upgrades_beside(plan_csv: Path) -> Path:
    """The upgrades of a plan file: compare's plans/<name>.upgrades.csv, else upgrades.csv."""
    own = plan_csv.with_name(upgrades_file(plan_csv.name))
    return own if own.exists() else plan_csv.with_name("upgrades.csv")


def read_scenario(facts, scenario: Path, problems: Problems) -> Variant | None:
    """A scenario file to adopt (`plan --scenario`, `check --scenario`), checked; its
    problems join `problems`, to be reported with the other inputs' at once."""
    name = scenario.stem if scenario.stem.lower() not in ("base", "base plan") else "scenario"
    found = Problems()
    try:
        [variant] = load_scenarios(facts, [(name, scenario)], found)
        conflicts_as_problems(variant, problems)
        return variant
    except InputError:
        problems.items.extend(found.items)
        return None


def adopt_scenario(inputs, facts, variant: Variant, hint, time_limit, log,
                   base_plan: dict[str, int] | None = None):
    """The facts with a scenario's changes, and where the solve starts. A shift (or a pick by
    cohort) is measured against the base plan: `base_plan` when given (a compare's
    plans/base.csv), else the base plan solved here first. What the scenario could not do is
    noted."""
    if variant.pending:
        if base_plan is None:
            log("Solving the base plan the scenario's changes start from ...")
            base_plan = solve_or_diagnose(facts, time_limit, hint=hint, log=log).cohort_of
        [variant] = resolve_pending([variant], base_plan)
        problems = Problems()
        conflicts_as_problems(variant, problems)
        problems.raise_if_any()
        hint = base_plan
    inputs.notes.extend(f"Scenario {Path(variant.source).name}: {line}"
                        for line in variant.changes)
    return variant.facts, hint


def add_years(results: Results, inputs, facts, plan, last_year: PreviousPlan | None) -> None:
    """Changes against last year's plan, and the history of every season so far."""
    season = inputs.settings.current_term or facts.term_label(0)
    results.changes = plan_changes(facts, plan, last_year, facts.readiness) if last_year else []
    results.replanned = last_year is not None
    results.history = history_rows(facts, plan, inputs.scores.table, season,
                                   inputs.district.name, last_year.history if last_year else [])


def write_outputs(results: Results, out_dir: Path, previous: Path | None = None) -> None:
    """Write everything to a temporary folder, then move it into place: a failure part-way
    leaves the previous outputs untouched and no partial files."""
    with staged_folder(out_dir, OUTPUT_ITEMS) as staging:
        write_plan_csv(results, staging / "plan.csv")
        write_upgrades_csv(results, staging / "upgrades.csv")
        write_changes_csv(results.changes, staging / "changes.csv")
        write_history_csv(results.history, staging / "history.csv")
        write_principal_workbooks(results, staging / "schools")
        write_dashboard(results, staging / "dashboard.xlsx")
        # The public website, built from the files above (as `rollout publish` does): #16
        write_site(results, staging, previous)


def publish(out_dir: Path, site_dir: Path | None = None, district_dir: Path | None = None
            ) -> SiteReport:
    """Rebuild the public website of an output folder of `rollout plan` without solving again
    (after a change of settings.yaml's publish: section, say): #16."""
    return publish_site(Path(out_dir), site_dir, district_dir)


def check_district_plan(district_dir: Path, plan_csv: Path, rubric: Path | None = None,
                        previous: Path | None = None, scenario: Path | None = None
                        ) -> list[Violation]:
    """Re-verify a plan.csv (and the upgrades.csv beside it, if any) against the district's
    inputs with the independent checker; a re-plan is checked against last year's plan, a
    scenario's plan with the scenario's changes (a shift against the base.csv beside it, as
    `compare` writes it, else against the base plan solved again). Writes nothing."""
    try:
        return check_plan_file(district_dir, plan_csv, rubric, previous, scenario)
    except InputError as exc:
        raise exc.for_a_check() from None


def check_plan_file(district_dir: Path, plan_csv: Path, rubric: Path | None,
                    previous: Path | None, scenario: Path | None) -> list[Violation]:
    inputs = load_inputs(Path(district_dir), rubric)
    problems = Problems()
    last_year = last_years_plan(inputs, district_dir, previous, problems,
                                "so that launched schools can be checked")
    facts = facts_from_inputs(inputs, last_year.cohort_of if last_year else None)
    cohort_of = read_plan_csv(Path(plan_csv), problems)
    terms = {t.label: t.index for t in inputs.district.terms}
    upgrades = read_upgrades_csv(upgrades_beside(Path(plan_csv)), terms, problems)
    base_csv = Path(plan_csv).with_name(BASE_FILE)
    base_plan = read_plan_csv(base_csv, problems) if scenario and base_csv.exists() else None
    variant = read_scenario(facts, Path(scenario), problems) if scenario else None
    problems.raise_if_any()
    if variant:
        hint = last_year.cohort_of if last_year else None
        facts, _ = adopt_scenario(inputs, facts, variant, hint, None, lambda m: None,
                                  base_plan)
    return check_plan(facts, cohort_of, upgrades)
