"""Command line: parse options, call the library, print. Nothing else lives here."""
from __future__ import annotations

import re
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import click

from rollout.errors import RolloutError, by_attention
from rollout.intake.form_exports import LAYOUT_MARK
from rollout.outputs import whatif_words
from rollout.outputs.district_template import init_district, make_district_template
from rollout.outputs.survey_templates import TEMPLATE_KINDS, make_templates
from rollout.planning.plan import gap_percent
from rollout.pipeline import check_district_plan, plan_district, publish
from rollout.studio.server import serve as serve_studio
from rollout.whatif.compare import DEFAULT_MAX_LIMITS, compare_district
from rollout.whatif.jobs import DEFAULT_WORKERS
from rollout.whatif.scenarios import parse_scenario_option
from rollout.whatif.sweep import parse_weights, sweep_district

EXISTING_DIR = click.Path(exists=False, file_okay=False, path_type=Path)
# Options several commands share, declared once so their names and help stay the same.
RUBRIC_OPTION = click.option("--rubric", type=click.Path(dir_okay=False, path_type=Path),
                             default=None,
                             help="Rubric YAML file (default: rubrics/default.yaml).")

PREVIOUS_OPTION = click.option(
    "--previous", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Last year's plan.csv: re-plan from it (launched schools keep their cohort; others "
         "move only when needed or clearly better). Needed when settings' current_term makes "
         "this a re-plan.")

SCENARIO_OPTION = click.option(
    "--scenario", type=click.Path(dir_okay=False, path_type=Path), default=None,
    metavar="FILE.yaml", help="A what-if scenario file whose changes (settings, capacities, "
    "shift, place, keep_out, no_launch_in) the plan takes as the district's decisions.")


# What the run is doing, for the one-line message when something unexpected fails.
RUN = {"step": "starting", "debug": False}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rollout")
@click.option("--debug", is_flag=True, help="On an unexpected failure, show the full traceback.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Score school readiness surveys and plan phased rollout cohorts."""
    RUN["debug"] = debug
    RUN["step"] = f"running `rollout {ctx.invoked_subcommand}`"


def progress(message: str) -> None:
    """Show a progress message; it also names the step an unexpected failure happened in."""
    RUN["step"] = message.rstrip(". ").lower()
    click.echo(message, err=True)


@cli.command()
@click.argument("district_dir", type=EXISTING_DIR)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for dashboard.xlsx, plan.csv and schools/.")
@RUBRIC_OPTION
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=None,
              help="Seconds the solver may take (default: solver.time_limit_seconds setting).")
@PREVIOUS_OPTION
@SCENARIO_OPTION
@click.option("--details", is_flag=True,
              help="Also print the solver's figures (objective, bound, gap).")
def plan(district_dir: Path, out_dir: Path, rubric: Path | None, time_limit: float | None,
         previous: Path | None, scenario: Path | None, details: bool):
    """Plan the rollout for the district in DISTRICT_DIR."""
    results, timings = plan_district(district_dir, out_dir, rubric, time_limit,
                                     log=progress, previous=previous, scenario=scenario)
    click.echo(results.inputs.responses.summary(), err=True)
    for note in terminal_notes(results.notes):
        click.echo(f"Note: {note}", err=True)
    p = results.plan
    click.echo(f"Plan: {p.plain_status()}")
    click.echo(f"  read+score {timings.read_score:.2f} s, solve {timings.solve:.2f} s, "
               f"check+write {timings.write:.2f} s", err=True)
    if details:  # the solver's words, only when asked for
        click.echo(f"  solver: {p.status_text()}; objective {p.objective:,.1f}, bound "
                   f"{p.bound:,.1f}, gap {gap_percent(p.gap, p.status == 'optimal')}")
    for cohort in results.facts.cohorts:
        members = results.cohort_rows(cohort.number)
        click.echo(f"  {cohort.name}: {len(members)} school{'s' if len(members) != 1 else ''}, "
                   f"launch "
                   f"{results.facts.term_label(cohort.launch_term_index)}")
    honoured, asked = results.preferences_honoured()
    click.echo(f"  preferences honoured: {honoured} of {asked}")
    if results.plan.upgrades:
        click.echo(f"  upgrades needed: {len(results.plan.upgrades)} (see upgrades.csv)")
    if previous:
        click.echo(f"  against last year's plan: {changes_line(results.changes)} "
                   "(see changes.csv)")
    statuses = [r["status"] for r in results.rows]
    held = {s: statuses.count(s) for s in ("paused", "withdrawn") if s in statuses}
    if held:
        click.echo("  on hold (no coaching): " + ", ".join(f"{n} {s}" for s, n in held.items()))
    click.echo(f"Outputs in {out_dir}: dashboard.xlsx, plan.csv, schools/ "
               f"({len(results.rows)} principal workbooks)")
    click.echo(f"Public website: {Path(out_dir) / 'site' / 'index.html'}")  # #16


# changes.csv's kinds, in the order the terminal counts them; the last ones only when present.
ALWAYS_COUNTED = ("moved", "new school", "closed", "delayed")
COUNTED_IF_ANY = ("launched early", "launched late")


def changes_line(changes: list[dict]) -> str:
    """"2 schools moved, 1 new, 1 closed, 2 delayed, 1 launched early": what changed since last
    year's plan, counted as changes.csv lists it."""
    kinds = [c["change"] for c in changes]
    count = {kind: sum(k == kind or (kind == "moved" and k.startswith("moved")) for k in kinds)
             for kind in ALWAYS_COUNTED + COUNTED_IF_ANY}
    moved = count["moved"]
    words = [f"{moved} school{'s' if moved != 1 else ''} moved",
             f"{count['new school']} new", f"{count['closed']} closed",
             f"{count['delayed']} delayed"]
    words += [f"{count[kind]} {kind}" for kind in COUNTED_IF_ANY if count[kind]]
    return ", ".join(words)


MAX_LAYOUT_NOTES = 10  # more files than this: one line per layout in the terminal


def terminal_notes(notes: list[str]) -> list[str]:
    """The notes, what needs a person's attention first, then the layout each survey file was
    read as: counted per layout when there are many files (every file's line is on the
    dashboard's Files read sheet)."""
    notes = by_attention(notes)
    layouts = [n for n in notes if LAYOUT_MARK in n]
    others = [n for n in notes if LAYOUT_MARK not in n]
    if len(layouts) <= MAX_LAYOUT_NOTES:
        return others + layouts
    # Counted in files (a form workbook's sheets are noted one by one, a template file once).
    files = {(re.sub(r", sheet '.*'$", "", n.split(LAYOUT_MARK, 1)[0]),
              n.split(LAYOUT_MARK, 1)[1].split(",", 1)[0]) for n in layouts}
    kinds = Counter(kind for _, kind in files)
    summary = ", ".join(f"{count} as {kind}" for kind, count in sorted(kinds.items()))
    count = len({file for file, _ in files})
    return others + [f"{count} survey file{'s' if count != 1 else ''} read: {summary} (each "
                     "file's layout is listed in the dashboard's Files read sheet)"]


@cli.command(name="publish")
@click.argument("out_dir", type=EXISTING_DIR)
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the website (default: OUT_DIR/site).")
@click.option("--district", "district_dir", type=EXISTING_DIR, default=None,
              help="The district folder whose settings.yaml publish: section to use "
                   "(default: the one the plan was made from).")
def publish_command(out_dir: Path, site_dir: Path | None, district_dir: Path | None):
    """Rebuild the public website from OUT_DIR (made by `rollout plan`) without solving."""
    report = publish(out_dir, site_dir, district_dir)
    click.echo(f"Website: {report.files:,} files, {report.bytes / 1e6:.1f} MB, built in "
               f"{report.seconds:.1f} s. Copy the folder to the web server as it is.")
    click.echo(f"Open {report.index}")


@cli.command()
@click.argument("district_dir", type=EXISTING_DIR)
@click.argument("plan_csv", type=click.Path(dir_okay=False, path_type=Path))
@RUBRIC_OPTION
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Last year's plan.csv, when PLAN_CSV is a spring re-plan.")
@SCENARIO_OPTION
def check(district_dir: Path, plan_csv: Path, rubric: Path | None, previous: Path | None,
          scenario: Path | None):
    """Re-verify PLAN_CSV against every planning rule, without the solver."""
    violations = check_district_plan(district_dir, plan_csv, rubric, previous, scenario)
    if violations:
        click.echo(f"The plan breaks {len(violations)} rule(s):")
        for v in violations:
            click.echo(f"  - {v}")
        sys.exit(1)
    click.echo("The plan meets every rule.")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--schools", "school_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The district's own school list (CSV or Excel: School ID, School Name, "
                   "Level or Grades, Enrollment, Teachers; or NCES CCD files). Repeat it to add "
                   "CCD membership and staff files.")
@click.option("--district-name", default=None, help="The district's name on every output.")
def init(folder: Path, school_files: tuple[Path, ...], district_name: str | None):
    """Write a new district folder to fill: district.xlsx, settings.yaml and surveys/."""
    report = init_district(folder, list(school_files), district_name)
    made = report.school_list
    click.echo(f"New district folder: {report.folder}")
    if made:
        click.echo(f"Schools: {report.schools} read from your list ({made.layout}): "
                   f"{made.mapped_text()}")
        for name, schools in made.missing().items():
            shown = ", ".join(schools[:5]) + (" ..." if len(schools) > 5 else "")
            click.echo(f"  Still to fill: {name} for {len(schools)} school(s): {shown}")
        for note in made.notes:
            click.echo(f"  Note: {note}")
    click.echo("What to fill in first:")
    for step in report.steps:
        click.echo(f"  {step}")


@cli.command()
@click.argument("district_dir", type=EXISTING_DIR)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for schools/ (one workbook per school) and roles/ (one per role), "
                   "or for district.xlsx with --kind district.")
@RUBRIC_OPTION
@click.option("--kind", type=click.Choice(TEMPLATE_KINDS + ("district",)), default="both",
              show_default=True,
              help="school: one workbook per school, school filled in; role: one blank "
                   "workbook per role; both; district: a copy of district.xlsx with the "
                   "missing sheets and dropdowns added.")
def template(district_dir: Path, out_dir: Path, rubric: Path | None, kind: str):
    """Make the survey workbooks to send out for the district in DISTRICT_DIR (with --kind
    district: a copy of its district.xlsx with dropdowns and the missing sheets)."""
    if kind == "district":
        made = make_district_template(district_dir, out_dir)
        added = f"; sheets added: {', '.join(made.sheets_added)}" if made.sheets_added else ""
        click.echo(f"{made.path}: your data as it was, {made.dropdowns} dropdowns{added}. "
                   "Check it, then copy it over the district folder's district.xlsx.")
        return
    made = make_templates(district_dir, out_dir, rubric, kind)
    if made.school_files:
        click.echo(f"{made.school_files} school workbooks in {out_dir / 'schools'}")
    if made.role_files:
        click.echo(f"{made.role_files} blank role workbooks in {out_dir / 'roles'}")
    click.echo("Send them out; put the returned files in the district's surveys/ folder.")
    for warning in made.warnings:  # other sheets than Schools: they do not hold surveys up
        click.echo(f"Warning (fix before planning): {warning}", err=True)


def what_if_options(command):
    """--rubric, --time-budget, --time-limit, --workers and --details, shared by compare and
    sweep."""
    for option in [
            click.option("--details", is_flag=True,
                         help="Also print the solver's figures (status, objective, bound, gap) "
                              "and every move's solver reason."),
            click.option("--workers", type=click.IntRange(min=1), default=DEFAULT_WORKERS,
                         show_default=True, help="Plans solved at once, in parallel processes."),
            click.option("--time-limit", type=click.FloatRange(min=0.1), default=None,
                         help="Seconds at most for any one solve: each solve gets its share of "
                              "--time-budget, but never more than this."),
            click.option("--time-budget", type=click.FloatRange(min=1), default=None,
                         help="Seconds for all the solves together, shared as they start: a "
                              "solve proven early leaves its time to the others (default: "
                              "scales with the district's size and the plans to solve)."),
            click.option("--rubric", type=click.Path(dir_okay=False, path_type=Path),
                         default=None, help="Rubric YAML file (default: rubrics/default.yaml).")]:
        command = option(command)
    return command


@cli.command()
@click.argument("district_dir", type=EXISTING_DIR)
@click.option("--scenario", "scenarios", multiple=True, required=True, metavar="NAME=FILE.yaml",
              help="A scenario: a YAML patch of settings and capacities (repeat the option).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for scenarios.xlsx and scenarios.csv.")
@click.option("--limits", "max_limits", type=click.IntRange(min=0), default=DEFAULT_MAX_LIMITS,
              show_default=True,
              help="Re-solve for at most this many binding limits (0 skips them).")
@PREVIOUS_OPTION
@what_if_options
def compare(district_dir: Path, scenarios: tuple[str, ...], out_dir: Path, rubric: Path | None,
            max_limits: int, previous: Path | None, time_budget: float | None,
            time_limit: float | None, workers: int, details: bool):
    """Solve the base plan and each scenario; put them side by side in scenarios.xlsx."""
    started = time.perf_counter()
    result = compare_district(district_dir, [parse_scenario_option(s) for s in scenarios],
                              out_dir, rubric, time_budget, workers, max_limits, time_limit,
                              previous, log=progress)
    if details:
        echo_lines(whatif_words.comparison_details(result))
    echo_lines(whatif_words.comparison_lines(result, Path(out_dir)))
    click.echo(whatif_words.timing_line(len(result.outcomes) + len(result.limits),
                                        time.perf_counter() - started, result.seconds,
                                        result.budget, workers), err=True)


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


@cli.command()
@click.argument("district_dir", type=EXISTING_DIR)
@click.option("--need-weight", "weights", default="0:1:0.1", show_default=True,
              metavar="START:STOP:STEP", help="Need weights to solve (or a list: 0,0.5,1).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for sweep.xlsx and sweep.csv.")
@click.option("--early-cohorts", type=click.IntRange(min=1), default=None,
              help="Cohorts counted as launching early (default: half of them, rounded down).")
@PREVIOUS_OPTION
@what_if_options
def sweep(district_dir: Path, weights: str, out_dir: Path, rubric: Path | None,
          early_cohorts: int | None, previous: Path | None, time_budget: float | None,
          time_limit: float | None, workers: int, details: bool):
    """Solve the plan for each need_weight and chart the need-versus-readiness trade-off."""
    started = time.perf_counter()
    try:
        need_weights = parse_weights(weights)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--need-weight")
    result = sweep_district(district_dir, need_weights, out_dir, rubric, time_budget, workers,
                            early_cohorts, time_limit, previous, log=progress)
    if details:
        echo_lines(whatif_words.sweep_details(result))
    echo_lines(whatif_words.sweep_lines(result, Path(out_dir) / "sweep.xlsx"))
    click.echo(whatif_words.timing_line(len(result.points), time.perf_counter() - started,
                                        result.seconds, result.budget, workers), err=True)


@cli.command()
@click.argument("district_dir", type=EXISTING_DIR)
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Last year's plan.csv, when this spring is a re-plan.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the outputs Save writes (default: DISTRICT_DIR-plan beside it).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=0,
              help="Port on 127.0.0.1 (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@RUBRIC_OPTION
def studio(district_dir: Path, previous: Path | None, out_dir: Path | None, port: int,
           no_browser: bool, rubric: Path | None):
    """Plan, adjust and ask "what if" in the browser (a local web app on this computer)."""
    serve_studio(district_dir, previous, out_dir, port, not no_browser,
                 echo=lambda line: click.echo(line), rubric=rubric)
    click.echo("Studio stopped.")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except RolloutError as exc:
        click.echo(f"Error: {exc.user_message()}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # anything else: one short message, the traceback only on request
        if RUN["debug"]:
            traceback.print_exc()
        error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        click.echo(f"Error: rollout failed unexpectedly while {RUN['step']}: {error}; please "
                   "report this with the command you ran (add --debug after `rollout` for the "
                   "details).", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
